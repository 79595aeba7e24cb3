"""One place that removes secrets from text before it is logged."""

from __future__ import annotations

import logging
import re

_QUERY_SECRET = re.compile(r"(?i)(^|[?&\s/])(signature|listenKey|apiKey|api_key|secret)=[^&#\s]*")
_JSON_SECRET = re.compile(r'(?i)"(signature|listenKey|apiKey|secret)"\s*:\s*"[^"]*"')
_LISTEN_KEY_IN_PATH = re.compile(r"(/ws/|streams=|/)([A-Za-z0-9]{50,})")
_PROXY_PASSWORD = re.compile(r"(//[^:/@\s]+):[^@/\s]+@")
_QUOTED_TOKEN = re.compile(r"([\"'])[A-Za-z0-9]{50,}\1")  # a listenKey in a SUBSCRIBE's params, a reply's result

MASK = "***"


def redact(text: str) -> str:
    """Mask signatures, API keys, listenKeys and proxy passwords in a URL, query string or JSON text."""
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", text)
    text = _JSON_SECRET.sub(lambda m: f'"{m.group(1)}":"{MASK}"', text)
    text = _LISTEN_KEY_IN_PATH.sub(rf"\1{MASK}", text)
    text = _QUOTED_TOKEN.sub(rf"\1{MASK}\1", text)
    return _PROXY_PASSWORD.sub(rf"\1:{MASK}@", text)


def redact_values(text: str, *values: object) -> str:
    """`redact(text)`, with every non-empty string among `values` (an API key, say) masked too."""
    text = redact(text)
    for value in values:
        if isinstance(value, str) and value:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message through `redact` (for loggers outside this package, such as
    urllib3's, which logs every request line with its query string at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message in place; never drops the record."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging itself to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_redacting_filter(logger_name: str) -> None:
    """Attach one `RedactingFilter` to the named logger (idempotent)."""
    target = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())


def redact_logger_handlers(target: logging.Logger) -> None:
    """Attach one [RedactingFilter][binance._redact.RedactingFilter] to each handler `target` has now
    (idempotent), so records reaching those handlers from anywhere are masked too."""
    for handler in list(target.handlers):
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
