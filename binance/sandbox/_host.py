"""What the sandbox's server needs of the [Sandbox][binance.sandbox.sandbox.Sandbox] that runs it.

A structural type: the server depends on this small surface, not on the `Sandbox` class, so that
`binance.sandbox.sandbox` (which starts the server) and `binance.sandbox.server` do not import each other.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Protocol

from binance._signing import KeyMaterial
from binance.sandbox.auth import Authenticator
from binance.sandbox.connection import ConnectionRegistry, ConnectionSettings
from binance.sandbox.faults import FaultController
from binance.sandbox.ratelimit import RateLimiter

__all__ = ["SandboxHost"]


class SandboxHost(Protocol):
    """The attributes and methods of a sandbox that its HTTP/WebSocket server uses."""

    host: str
    strict_routing: bool
    admin_token: str
    handlers: Any
    exchange: Any
    replay: Any
    auth: Authenticator
    limiter: RateLimiter
    connections: ConnectionRegistry
    settings: ConnectionSettings
    faults: FaultController

    def add_account(
        self,
        api_key: str,
        api_secret: Optional[str] = None,
        rsa_public_key: Optional[KeyMaterial] = None,
        ed25519_public_key: Optional[KeyMaterial] = None,
        funded: bool = True,
    ) -> None:
        """Register an API key with accounts in both markets."""

    def info(self, include_secret: bool = True) -> Dict[str, Any]:
        """The URLs and the demo API key (what the CLI prints)."""

    def now_ms(self) -> int:
        """The server clock in ms."""
