"""API keys and request authentication, checked the way Binance checks them.

Pure core: no sockets, no threads; the clock is passed in. The signature is verified with the
library's own signing code (`_signing`), used in the other direction.

REST (`Authenticator.check_rest`): the signed payload is the query string exactly as
received followed, with no separator, by the request body, minus the `signature` parameter.
WebSocket API (`Authenticator.check_ws_request`): every parameter except `signature`,
sorted by name and URL-encoded; a signature over that payload with `@` left unescaped (as some
clients build it) is accepted too, tried only when the common form does not verify.

Checks, in order: API key (-2014 format, -2015 unknown), mandatory `timestamp` and `signature`
(-1102), `recvWindow` at most 60000 (-1131), the timing rule
`timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow` (-1021), and the
signature itself (-1022).
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode

from binance._signing import KeyMaterial, Verifier, load_public_key, verify_hmac
from binance.sandbox.engine.errors import EngineError

__all__ = [
    "ApiKey",
    "Authenticator",
    "SECURITY_NONE",
    "KEY_ONLY_SECURITY",
    "SIGNED_SECURITY",
    "MAX_RECV_WINDOW",
    "DEFAULT_RECV_WINDOW",
    "generate_api_key",
    "generate_api_secret",
    "split_signature",
    "parse_params",
    "ws_signature_payload",
]

SECURITY_NONE = "NONE"
KEY_ONLY_SECURITY = frozenset({"MARKET_DATA", "USER_STREAM"})
SIGNED_SECURITY = frozenset({"TRADE", "USER_DATA"})
MAX_RECV_WINDOW = 60000
DEFAULT_RECV_WINDOW = 5000
FUTURE_TOLERANCE_MS = 1000

_KEY_FORMAT = re.compile(r"^[\x21-\x7e]{1,256}$")
_ALNUM = string.ascii_letters + string.digits

KEY_FORMAT_INVALID = (-2014, "API-key format invalid.")
KEY_REJECTED = (-2015, "Invalid API-key, IP, or permissions for action.")
SIGNATURE_INVALID = (-1022, "Signature for this request is not valid.")
TIMESTAMP_OUTSIDE = (-1021, "Timestamp for this request is outside of the recvWindow.")
TIMESTAMP_AHEAD = (-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
RECV_WINDOW_TOO_BIG = (-1131, "recvWindow must be less than 60000.")


def _mandatory(name: str) -> EngineError:
    return EngineError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def generate_api_key() -> str:
    """A random 64-character alphanumeric API key, shaped like Binance's."""
    return "".join(secrets.choice(_ALNUM) for _ in range(64))


def generate_api_secret() -> str:
    """A random 64-character alphanumeric API secret."""
    return "".join(secrets.choice(_ALNUM) for _ in range(64))


@dataclass
class ApiKey:
    """One API key of an account: an HMAC secret, an RSA/Ed25519 public key, or both."""

    api_key: str
    secret: Optional[str] = None
    verifier: Optional[Verifier] = None

    @property
    def key_type(self) -> str:
        """`HMAC_SHA256`, `RSA` or `Ed25519` (the asymmetric key wins when both are set)."""
        if self.verifier is not None:
            return self.verifier.algorithm
        return "HMAC_SHA256"

    def verify(self, payload: str, signature: str) -> bool:
        """True when `signature` (hex for HMAC, base64 otherwise) signs `payload` with this key."""
        if self.verifier is not None and self.verifier.verify(payload, signature):
            return True
        if self.secret is not None and verify_hmac(self.secret, payload, signature):
            return True
        return False

    def __repr__(self) -> str:
        return f"ApiKey(key_type={self.key_type!r})"


def split_signature(payload_with_signature: str) -> Tuple[str, Optional[str]]:
    """Split `a=1&b=2&signature=XYZ` into the signed payload and the raw (still URL-encoded)
    signature. The `signature` parameter is removed wherever it is; the rest is kept verbatim."""
    parts = payload_with_signature.split("&")
    signature: Optional[str] = None
    kept: List[str] = []
    for part in parts:
        if part.startswith("signature="):
            if signature is None:  # the query string comes first and wins, as for every parameter
                signature = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), signature


DUPLICATE_PARAMETER = (-1101, "Duplicate values for a parameter detected.")


def parse_params(query: str, body: str = "") -> Dict[str, str]:
    """Decode a query string and a form body into one dict of strings.

    A parameter sent in both the query string and the body takes the query string's value (Binance's
    rule); a parameter repeated within one of them is refused with -1101, as Binance does."""
    params: Dict[str, str] = {}
    for text in (body, query):
        if text:
            seen = set()
            for name, value in parse_qsl(text, keep_blank_values=True):
                if name in seen:
                    raise EngineError(*DUPLICATE_PARAMETER)
                seen.add(name)
                params[name] = value
    return params


def _ws_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*\Z")


def ws_signature_payload(params: Mapping[str, object], keep_at: bool = False) -> str:
    """The payload a WebSocket API request signs: params except `signature`, sorted by name,
    URL-encoded (`keep_at` leaves `@` unescaped, as some clients do)."""
    items = [(name, _ws_value(params[name])) for name in sorted(params) if name != "signature"]
    if all(_URL_SAFE.match(n) and _URL_SAFE.match(v) for n, v in items):
        return "&".join(f"{n}={v}" for n, v in items)
    if keep_at:
        return "&".join(f"{quote(n, safe='@')}={quote(v, safe='@')}" for n, v in items)
    return urlencode(items)


class Authenticator:
    """Holds the API keys and checks requests against them.

    `clock` returns the server time in ms (the sandbox passes its skewable clock).
    Thread-safe: keys may be added from any thread while requests are checked.
    """

    def __init__(self, clock: Callable[[], int]) -> None:
        self._clock = clock
        self._keys: Dict[str, ApiKey] = {}
        self._lock = threading.Lock()

    def add_key(
        self,
        api_key: str,
        api_secret: Optional[str] = None,
        rsa_public_key: Optional[KeyMaterial] = None,
        ed25519_public_key: Optional[KeyMaterial] = None,
    ) -> ApiKey:
        """Register (or replace) an API key. Public keys are PEM text, bytes or a file path."""
        if not _KEY_FORMAT.match(api_key or ""):
            raise ValueError("api_key must be 1-256 printable ASCII characters without spaces")
        public = rsa_public_key or ed25519_public_key
        if rsa_public_key and ed25519_public_key:
            raise ValueError("give either an RSA or an Ed25519 public key, not both")
        verifier = load_public_key(public) if public else None
        if verifier is not None and rsa_public_key and verifier.algorithm != "RSA":
            raise ValueError("rsa_public_key is not an RSA public key")
        if verifier is not None and ed25519_public_key and verifier.algorithm != "Ed25519":
            raise ValueError("ed25519_public_key is not an Ed25519 public key")
        if verifier is None and not api_secret:
            raise ValueError("an API key needs an api_secret or a public key")
        entry = ApiKey(api_key=api_key, secret=api_secret or None, verifier=verifier)
        with self._lock:
            self._keys[api_key] = entry
        return entry

    def remove_key(self, api_key: str) -> None:
        """Forget an API key (later requests with it get -2015)."""
        with self._lock:
            self._keys.pop(api_key, None)

    def get(self, api_key: str) -> Optional[ApiKey]:
        """The registered key, or None."""
        with self._lock:
            return self._keys.get(api_key)

    def keys(self) -> List[str]:
        """All registered API keys."""
        with self._lock:
            return list(self._keys)

    def verify(self, api_key: str, payload: str, signature: str) -> bool:
        """True when `signature` signs `payload` with the registered `api_key`'s key."""
        entry = self.get(api_key)
        return entry is not None and entry.verify(payload, signature)

    def check_api_key(self, api_key: Optional[str]) -> ApiKey:
        """-2014 when the key is missing or malformed, -2015 when it is not registered."""
        if not api_key or not _KEY_FORMAT.match(api_key):
            raise EngineError(*KEY_FORMAT_INVALID, http_status=401)
        entry = self.get(api_key)
        if entry is None:
            raise EngineError(*KEY_REJECTED, http_status=401)
        return entry

    def check_timing(self, timestamp: object, recv_window: object = None) -> None:
        """Apply the recvWindow and timestamp rules (-1102, -1131, -1021)."""
        ts = _as_int(timestamp)
        if ts is None:
            if isinstance(timestamp, (str, float)) and timestamp != "":
                raise EngineError(-1100, "Illegal characters found in parameter 'timestamp'; legal range is "
                                         "'^[0-9]{1,20}$'.")
            raise _mandatory("timestamp")
        window = DEFAULT_RECV_WINDOW
        if recv_window is not None and recv_window != "":
            parsed = _as_int(recv_window)
            if parsed is None or parsed < 0:
                raise EngineError(
                    -1100,
                    "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'.",
                )
            window = parsed
        if window > MAX_RECV_WINDOW:
            raise EngineError(*RECV_WINDOW_TOO_BIG)
        now = self._clock()
        if ts >= now + FUTURE_TOLERANCE_MS:
            raise EngineError(*TIMESTAMP_AHEAD)
        if now - ts > window:
            raise EngineError(*TIMESTAMP_OUTSIDE)

    def check_rest(
        self,
        security: str,
        api_key: Optional[str],
        raw_query: str,
        raw_body: str = "",
        params: Optional[Dict[str, str]] = None,
    ) -> Tuple[Optional[str], Dict[str, str]]:
        """Check one REST request; return `(api_key or None, params for the handler)`.

        `raw_query` / `raw_body` are exactly as received (still URL-encoded); `params` is
        `parse_params(raw_query, raw_body)` when the caller has it already (it is modified).
        The returned params are decoded, without `signature`, `timestamp` and `recvWindow`
        when signed. Raises EngineError with Binance's code on any rejection.
        """
        if params is None:
            params = parse_params(raw_query, raw_body)
        if security == SECURITY_NONE:
            return (api_key or None), params
        entry = self.check_api_key(api_key)
        if security not in SIGNED_SECURITY:
            return entry.api_key, params
        query_payload, query_signature = split_signature(raw_query)
        body_payload, body_signature = split_signature(raw_body) if raw_body else ("", None)
        payload = query_payload + body_payload  # Binance signs the query string followed by the body
        raw_signature = query_signature if query_signature is not None else body_signature
        if "timestamp" not in params or params["timestamp"] == "":
            raise _mandatory("timestamp")
        if not raw_signature:
            raise _mandatory("signature")
        self.check_timing(params.get("timestamp"), params.get("recvWindow"))
        if not entry.verify(payload, unquote_plus(raw_signature)):
            raise EngineError(*SIGNATURE_INVALID)
        for name in ("signature", "timestamp", "recvWindow"):
            params.pop(name, None)
        return entry.api_key, params

    def check_ws_request(self, market: str, params: Mapping[str, object]) -> str:
        """Check a signed WebSocket API request (`params` as sent, with apiKey, timestamp and
        signature); return the API key. Raises EngineError -2014/-2015/-1102/-1131/-1021/-1022."""
        entry = self.check_api_key(_as_str(params.get("apiKey")))
        if params.get("timestamp") in (None, ""):
            raise _mandatory("timestamp")
        signature = params.get("signature")
        if not isinstance(signature, str) or not signature:
            raise _mandatory("signature")
        self.check_timing(params.get("timestamp"), params.get("recvWindow"))
        payload = ws_signature_payload(params)
        if entry.verify(payload, signature):
            return entry.api_key
        alternate = ws_signature_payload(params, keep_at=True)
        if alternate == payload or not entry.verify(alternate, signature):
            raise EngineError(*SIGNATURE_INVALID)
        return entry.api_key


def _as_int(value: object) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        return int(value)
    return None


_ASCII_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)


def _as_str(value: object) -> Optional[str]:
    return value if isinstance(value, str) else None

