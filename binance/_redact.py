"""One place that removes secrets from text before it is logged."""

from __future__ import annotations

import re

_QUERY_SECRET = re.compile(r"(?i)(^|[?&\s/])(signature|listenKey|apiKey|api_key|secret)=[^&#\s]*")
_JSON_SECRET = re.compile(r'(?i)"(signature|listenKey|apiKey|secret)"\s*:\s*"[^"]*"')
_LISTEN_KEY_IN_PATH = re.compile(r"(/ws/|streams=|/)([A-Za-z0-9]{50,})")
_PROXY_PASSWORD = re.compile(r"(//[^:/@\s]+):[^@/\s]+@")

MASK = "***"


def redact(text: str) -> str:
    """Mask signatures, API keys, listenKeys and proxy passwords in a URL, query string or JSON text."""
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", text)
    text = _JSON_SECRET.sub(lambda m: f'"{m.group(1)}":"{MASK}"', text)
    text = _LISTEN_KEY_IN_PATH.sub(rf"\1{MASK}", text)
    return _PROXY_PASSWORD.sub(rf"\1:{MASK}@", text)
