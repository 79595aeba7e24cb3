"""Who may use the sandbox's `/admin/*` paths: pure checks, no I/O.

The admin side can add accounts, inject faults and reset limits, so a web page the user happens to
open must not reach it. Three rules, checked in this order:

1. the `Host` header names a loopback address (`127.0.0.1`, `localhost`, `[::1]` ...) or the address the
   sandbox was bound to: a DNS-rebinding page sends its own host name and is refused (403);
2. the request carries the per-run admin token as `Authorization: Bearer <token>` (401 otherwise);
3. a POST body is JSON (`Content-Type: application/json`; 415 otherwise), which a page cannot send
   cross-origin without a CORS preflight the sandbox never grants.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Dict, Optional, Tuple

__all__ = ["generate_admin_token", "admin_refusal", "bearer_header"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def generate_admin_token() -> str:
    """A random per-run admin token (URL-safe, 43 characters)."""
    return secrets.token_urlsafe(32)


def bearer_header(token: str) -> Dict[str, str]:
    """The header that authorises an admin request: `{"Authorization": "Bearer <token>"}`."""
    return {"Authorization": f"Bearer {token}"}


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback(name: str, bound_host: str) -> bool:
    if name in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    try:
        bound = ipaddress.ip_address(bound_host)
    except ValueError:
        return False
    return not bound.is_unspecified and address == bound


def admin_refusal(token: str, bound_host: str, host_header: Optional[str], authorization: Optional[str],
                  method: str, content_type: str) -> Optional[Tuple[int, str]]:
    """`(HTTP status, reason)` when an admin request must be refused, `None` when it may go on."""
    if not host_header or not _is_loopback(_host_name(host_header), bound_host):
        return 403, "the admin paths answer only a loopback Host"
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return 401, "admin token missing or wrong: send 'Authorization: Bearer <admin_token>' (printed at start)"
    if method.upper() not in ("GET", "HEAD", "OPTIONS") and content_type.lower() != "application/json":
        return 415, "the admin paths accept only JSON bodies (Content-Type: application/json)"
    return None
