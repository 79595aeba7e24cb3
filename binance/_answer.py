"""What an answer means: the JSON result of a 2xx, or the typed error of anything else.

`answer` turns a response whose body `binance._transport.send` has read into the result, a
`ClientError` (4xx) / `ServerError` (5xx) naming method and path, or an `InvalidResponseError` (a body
that is not JSON, an unexpected status). `parse_answer` runs a parser over an answer's fields (`/time`,
`exchangeInfo`) and turns the builtin errors a malformed answer makes it raise into an
`InvalidResponseError`. Text quoted from a body has signatures, listenKeys and the API key masked.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional, TypeVar, Union

import requests

from binance._redact import redact, redact_values
from binance.error import Error, InvalidResponseError, ServerError, client_error_class

__all__ = ["answer", "parse_answer"]

T = TypeVar("T")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{32,}")  # keys, signatures, listenKeys: never quoted from a body
_MALFORMED = (TypeError, KeyError, ValueError, OverflowError, AttributeError, ArithmeticError, IndexError)


def answer(response: requests.Response, method: str, path: str) -> Any:
    """The JSON result of a 2xx response; a `ClientError` (4xx), `ServerError` (5xx) or
    `InvalidResponseError` (a body that is not JSON) otherwise. Every error names method and path."""
    status = response.status_code
    body = response.content
    if status >= 400:
        raise _status_error(response, method, path)
    if status < 200:
        raise InvalidResponseError(f"unexpected HTTP {status} answer; the request may have been executed",
                                   method, path)
    try:
        return json.loads(body)
    except ValueError:
        pass
    kind = response.headers.get("Content-Type", "no Content-Type")
    preview = _LONG_TOKEN.sub("***", redact(body[:120].decode("utf-8", "replace")))
    raise InvalidResponseError(f"HTTP {status} answer is not JSON ({kind[:60]}, {len(body)} bytes: {preview!r}); "
                               "a proxy or portal may have answered and the request may have been executed",
                               method, path)


def _status_error(response: requests.Response, method: str, path: str) -> Error:
    status = response.status_code
    request = response.request
    key = request.headers.get("X-MBX-APIKEY") if request is not None else None
    text = redact_values(response.content.decode("utf-8", "replace"), key)  # a server may echo the request
    error: Union[ServerError, Any]
    if status >= 500:
        error = ServerError(status, text)
    else:
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict) and "code" in body:
            code, message, data = body.get("code"), body.get("msg", text), body.get("data")
        else:
            code, message, data = None, text, None
        if type(code) is not int:  # a hostile answer may put anything there
            code = _int_or_none(code) if isinstance(code, str) else None
        error = client_error_class(status, code)(status, code, message, response.headers, data)
    error.method, error.path = method, path
    return error


def _int_or_none(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def parse_answer(what: str, method: str, path: str, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`parse(*args, **kwargs)`, with a malformed answer (the builtin errors parsing raises) turned into
    `InvalidResponseError` naming `what`; `binance.error` errors pass through."""
    try:
        return parse(*args, **kwargs)
    except Error:
        raise
    except _MALFORMED as exc:
        kind = type(exc).__name__
    raise InvalidResponseError(f"the {what} answer is malformed ({kind}); it was not used", method, path)

