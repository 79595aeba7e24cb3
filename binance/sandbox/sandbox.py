"""The [Sandbox][binance.sandbox.sandbox.Sandbox]: a local Binance futures exchange in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Dict, Optional, Sequence, Union

from binance._signing import KeyMaterial
from binance.sandbox.admin_guard import bearer_header, generate_admin_token
from binance.sandbox.auth import Authenticator, generate_api_key, generate_api_secret
from binance.sandbox.connection import ConnectionRegistry, ConnectionSettings
from binance.sandbox.faults import FaultController
from binance.sandbox.ratelimit import RateLimiter, RateLimits
from binance.sandbox.routes import urls

logger = logging.getLogger(__name__)

__all__ = ["Sandbox"]


class Sandbox:
    """A local USDⓈ-M + COIN-M futures exchange speaking Binance's wire protocol.



        with Sandbox(seed=1) as sb:
            client = UMFutures(key=sb.api_key, secret=sb.api_secret, base_url=sb.um_rest_url)

    With no `api_key` a funded demo account is made up (`sb.api_key` / `sb.api_secret`).
    `api_key` with `api_secret` and/or `rsa_public_key` / `ed25519_public_key` (PEM text,
    bytes or a file path) registers that key instead. Times are in seconds; `tick_interval` is
    how often the simulated market moves (None: never, tests step it themselves);
    `strict_routing` makes unrouted UM stream URLs carry public streams only, as Binance does
    since 2026-04-23 (by default they carry everything, so 4.2.0-era clients work).
    `exchange` / `handlers` replace the engine and the REST handler module (an object with
    `dispatch` and `ENDPOINTS`), e.g. to serve a prepared exchange. `admin_token` authorises the
    `/admin/*` paths (made up per run when not given; `sb.admin_headers` carries it).

    Market replay (docs/sandbox-replay.md): `replay` lists recordings (`binance.record`) and
    Binance archive files whose symbols' market data replaces the simulated one; `speed` is a
    multiple of real time, `"max"` or `"manual"` (then `sb.replay.advance(ms)` /
    `sb.replay.run_until(ts)` move it); `loop` starts the files again when they end;
    `replay_paused` waits for `sb.replay.resume()`. `sb.replay` is `None` without files.
    """

    def __init__(
        self,
        seed: int = 1,
        api_key: Optional[str] = None,
        api_secret: Optional[str] = None,
        rsa_public_key: Optional[KeyMaterial] = None,
        ed25519_public_key: Optional[KeyMaterial] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ping_interval: float = 180.0,
        pong_timeout: float = 600.0,
        listen_key_ttl: float = 3600.0,
        tick_interval: Optional[float] = 0.1,
        limits: Optional[RateLimits] = None,
        max_incoming_per_second: Optional[int] = 10,
        strict_routing: bool = False,
        exchange: Any = None,
        handlers: Any = None,
        replay: Optional[Sequence[Any]] = None,
        speed: Union[float, str, None] = 1.0,
        loop: bool = False,
        replay_paused: bool = False,
        admin_token: Optional[str] = None,
    ) -> None:
        from binance.sandbox.engine import Exchange

        self.host = host
        self.port = port
        self.seed = seed
        self.clock_skew_ms = 0
        self.strict_routing = strict_routing
        self.tick_interval = tick_interval
        self.handlers = handlers
        self.exchange = exchange if exchange is not None else Exchange(seed=seed, clock=self.now_ms)
        self.replay: Any = None
        """The market replay (`binance.sandbox.replay.driver.Replay`) when `replay` files were given."""
        if replay:
            from binance.sandbox.replay.driver import Replay

            self.replay = Replay(list(replay), speed=speed, loop=loop, paused=replay_paused)
            self.replay.attach(self.exchange)
            self.replay.backlog = self._stream_backlog
        self.exchange.listen_key_ttl_ms = int(listen_key_ttl * 1000)
        self.auth = Authenticator(self.now_ms)
        self.limiter = RateLimiter(self.now_ms, limits)
        self._publish_rate_limits(limits or RateLimits())
        self.rate_limiter = self.limiter
        self.connections = ConnectionRegistry()
        self.settings = ConnectionSettings(ping_interval, pong_timeout, max_incoming_per_second)
        self.faults = FaultController(
            self.connections,
            expire_listen_key=self._expire_listen_key,
            set_clock_skew=self._set_clock_skew,
            get_clock_skew=lambda: self.clock_skew_ms,
        )
        self._server: Any = None
        self._lock = threading.Lock()
        self._urls: Dict[str, str] = {}
        self.made_up_secret = False
        self.admin_token: str = admin_token or generate_admin_token()
        if api_key is None:
            api_key = generate_api_key()
            if api_secret is None and not (rsa_public_key or ed25519_public_key):
                api_secret = generate_api_secret()
                self.made_up_secret = True
        elif api_secret is None and not (rsa_public_key or ed25519_public_key):
            api_secret = generate_api_secret()
            self.made_up_secret = True
        self.api_key: str = api_key
        self.api_secret: Optional[str] = api_secret
        self.add_account(api_key, api_secret, rsa_public_key, ed25519_public_key)

    # ----------------------------------------------------------------------- clock
    def now_ms(self) -> int:
        """The server clock in ms (real time plus `clock_skew_ms`)."""
        return int(time.time() * 1000) + self.clock_skew_ms

    def _set_clock_skew(self, ms: int) -> None:
        self.clock_skew_ms = int(ms)

    def _stream_backlog(self) -> int:
        conns = self.connections.snapshot("stream")
        return max((getattr(c, "pending", 0) for c in conns), default=0)

    # --------------------------------------------------------------------- accounts
    def _publish_rate_limits(self, limits: RateLimits) -> None:
        from binance.sandbox.engine.instruments import rate_limits

        for market in (self.exchange.um, self.exchange.cm):
            market.rate_limits = rate_limits(
                market.kind, limits.weight_per_minute, limits.orders_per_minute, limits.orders_per_10s
            )

    def add_account(
        self,
        api_key: str,
        api_secret: Optional[str] = None,
        rsa_public_key: Optional[KeyMaterial] = None,
        ed25519_public_key: Optional[KeyMaterial] = None,
        funded: bool = True,
    ) -> None:
        """Register an API key (HMAC secret and/or RSA/Ed25519 public key) with accounts in both
        markets (funded with demo balances unless `funded=False`)."""
        self.auth.add_key(api_key, api_secret, rsa_public_key, ed25519_public_key)
        for market in ("um", "cm"):
            self.exchange.market(market).create_account(api_key, funded=funded)

    def _expire_listen_key(self, listen_key: str) -> None:
        keys = self.exchange.listen_keys
        market = getattr(keys, "market_of", lambda _k: None)(listen_key)
        keys.expire(listen_key)
        if self._server is not None and market is not None:
            self._server.call_soon(self.exchange.market(market).step)

    # -------------------------------------------------------------------- lifecycle
    def start(self) -> "Sandbox":
        """Start serving in a background thread; returns self once listening."""
        from binance.sandbox.server import ServerThread

        with self._lock:
            if self._server is not None:
                return self
            server = ServerThread(self, self.host, self.port, self.tick_interval)
            self.port = server.start()
            self._server = server
            self._urls = urls(self.host, self.port)
        logger.info("sandbox listening on %s:%s", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop serving, closing every connection (idempotent; returns within seconds)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()
            logger.info("sandbox stopped")

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    # ------------------------------------------------------------------------- URLs
    def _url(self, name: str) -> str:
        if not self._urls:
            raise RuntimeError("the sandbox is not started: use `with Sandbox() as sb` or sb.start()")
        return self._urls[name]

    @property
    def um_rest_url(self) -> str:
        """UM REST base URL (`UMFutures(base_url=...)`)."""
        return self._url("um_rest_url")

    @property
    def cm_rest_url(self) -> str:
        """COIN-M REST base URL (`CMFutures(base_url=...)`)."""
        return self._url("cm_rest_url")

    @property
    def um_stream_url(self) -> str:
        """UM stream base URL (append `/ws`, `/stream`, `/market/stream` ...)."""
        return self._url("um_stream_url")

    @property
    def cm_stream_url(self) -> str:
        """COIN-M stream base URL (append `/ws` or `/stream`)."""
        return self._url("cm_stream_url")

    @property
    def um_ws_api_url(self) -> str:
        """UM WebSocket API URL."""
        return self._url("um_ws_api_url")

    @property
    def cm_ws_api_url(self) -> str:
        """COIN-M WebSocket API URL."""
        return self._url("cm_ws_api_url")

    @property
    def admin_url(self) -> str:
        """Base URL of the admin HTTP paths (`POST {admin_url}/faults` ...)."""
        return self._url("um_rest_url").rsplit("/", 1)[0] + "/admin"

    @property
    def admin_headers(self) -> Dict[str, str]:
        """Headers for the admin HTTP paths: `{"Authorization": "Bearer <admin_token>"}`."""
        return bearer_header(self.admin_token)

    def info(self, include_secret: bool = True) -> Dict[str, Any]:
        """The URLs, the demo API key and `admin_url`; with `include_secret`, also the API secret (if any) and
        the `admin_token` (what the CLI prints)."""
        data: Dict[str, Any] = dict(self._urls)
        data["api_key"] = self.api_key
        if include_secret and self.api_secret is not None:
            data["api_secret"] = self.api_secret
        data["admin_url"] = self.admin_url
        if include_secret:
            data["admin_token"] = self.admin_token
        return data

    # ------------------------------------------------------------------------ waits
    def wait_for_connections(self, count: int, timeout: float = 5.0, kind: Optional[str] = None) -> bool:
        """Wait until at least `count` WebSocket connections are open; False on timeout."""
        return self.connections.wait_for(count, timeout, kind)

    def wait_for_no_connections(self, timeout: float = 5.0, kind: Optional[str] = None) -> bool:
        """Wait until no WebSocket connection is open; False on timeout."""
        return self.connections.wait_for_at_most(0, timeout, kind)

    def wait_for_subscription(self, stream: str, timeout: float = 5.0) -> bool:
        """Wait until some open stream connection is subscribed to `stream`; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for conn in self.connections.snapshot("stream"):
                if stream in getattr(conn, "subscriptions", ()):
                    return True
            time.sleep(0.02)
        return False

    def __repr__(self) -> str:
        state = f"{self.host}:{self.port}" if self.running else "stopped"
        return f"<Sandbox {state}>"
