"""Fault injection: what goes wrong on a real exchange, on demand.

`sb.faults` is a [FaultController][binance.sandbox.faults.FaultController]. Every method may be called from any thread
(tests, a
bot's own thread, or the admin HTTP path `POST /admin/faults` with `{"fault": name, ...args}`).

REST (the next `count` calls, optionally only those whose path ends with `path` or whose market
is `market`):

* [server_error][binance.sandbox.faults.FaultController.server_error] HTTP 5xx (default 503, JSON `-1001`); with
`execute=True` the request
  is carried out first, so the outcome is unknown to the client, as after a real 503;
* [rate_limit][binance.sandbox.faults.FaultController.rate_limit] HTTP 429 `-1003` with `Retry-After`;
* [ip_ban][binance.sandbox.faults.FaultController.ip_ban] HTTP 418 `-1003` with `Retry-After`;
* [html][binance.sandbox.faults.FaultController.html] an HTML body (default HTTP 403, what a WAF or proxy sends);
* [delay][binance.sandbox.faults.FaultController.delay] the answer after `seconds` (the request is carried out).

WebSocket (connections open now; streams and WebSocket API alike):

* [drop_all][binance.sandbox.faults.FaultController.drop_all] cut every connection (no close frame);
* [refuse_connections][binance.sandbox.faults.FaultController.refuse_connections] answer new WebSocket handshakes with
HTTP 503 for a while;
* [server_shutdown][binance.sandbox.faults.FaultController.server_shutdown] send Binance's `serverShutdown` notice, then
close each connection
  (close frame 1001) after a grace period;
* [close_after][binance.sandbox.faults.FaultController.close_after] cut each connection after it has sent `count` more
messages;
* [stall][binance.sandbox.faults.FaultController.stall] send nothing, not even pings or pongs, keeping the socket open;
* [send_malformed][binance.sandbox.faults.FaultController.send_malformed] send a non-JSON text, a truncated JSON, a
binary frame, or a frame with
  a reserved opcode;
* [skip_depth][binance.sandbox.faults.FaultController.skip_depth] swallow the next `count` diff-depth events (a `pu`/`U`
sequence gap);
* [expire_listen_key][binance.sandbox.faults.FaultController.expire_listen_key] expire a listenKey now
(`listenKeyExpired`, then no more events).

Clock: [skew_clock][binance.sandbox.faults.FaultController.skew_clock] moves the server clock by `ms` (timestamps,
    `serverTime`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Deque, Dict, List, Literal, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover
    from binance.sandbox.connection import ConnectionRegistry, WsConnection

logger = logging.getLogger(__name__)

__all__ = ["RestFault", "FaultController", "REST_KINDS", "MALFORMED_KINDS"]

REST_KINDS = ("server_error", "rate_limit", "ip_ban", "html", "delay")
MALFORMED_KINDS = ("non_json", "truncated_json", "binary", "invalid_frame")
RestFaultKind = Literal["server_error", "rate_limit", "ip_ban", "html", "delay"]
"""One of REST_KINDS, for the type checker."""
MalformedKind = Literal["non_json", "truncated_json", "binary", "invalid_frame"]
"""One of MALFORMED_KINDS, for the type checker."""

_DEFAULT_STATUS = {"server_error": 503, "rate_limit": 429, "ip_ban": 418, "html": 403, "delay": 200}


@dataclass
class RestFault:
    """One pending REST fault."""

    kind: str
    remaining: int
    status: int
    delay: float = 0.0
    retry_after: int = 1
    execute: bool = False
    path: Optional[str] = None
    market: Optional[str] = None

    def matches(self, market: str, path: str) -> bool:
        """Whether this fault applies to a call of `market` on `path`."""
        if self.market is not None and self.market != market:
            return False
        return self.path is None or path.endswith(self.path)


class FaultController:
    """The fault switches of one sandbox (see the module docstring)."""

    def __init__(
        self,
        registry: "ConnectionRegistry",
        expire_listen_key: Any = None,
        set_clock_skew: Any = None,
        get_clock_skew: Any = None,
    ) -> None:
        self._registry = registry
        self._expire_listen_key = expire_listen_key
        self._set_clock_skew = set_clock_skew
        self._get_clock_skew = get_clock_skew
        self._rest: Deque[RestFault] = deque()
        self._depth_skips: Dict[Optional[str], int] = {}
        self._refuse_until = 0.0
        self._lock = threading.Lock()
        self.injected: List[str] = []

    # ------------------------------------------------------------------------------ REST
    def fail_next(
        self,
        kind: RestFaultKind = "server_error",
        count: int = 1,
        status: Optional[int] = None,
        delay: float = 0.0,
        retry_after: int = 1,
        execute: bool = False,
        path: Optional[str] = None,
        market: Optional[str] = None,
    ) -> None:
        """Answer the next `count` matching REST calls with fault `kind` (one of REST_KINDS)."""
        if kind not in REST_KINDS:
            raise ValueError(f"unknown REST fault {kind!r}; expected one of {', '.join(REST_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = RestFault(
            kind=kind,
            remaining=int(count),
            status=int(status or _DEFAULT_STATUS[kind]),
            delay=float(delay),
            retry_after=int(retry_after),
            execute=bool(execute) or kind == "delay",
            path=path,
            market=market,
        )
        with self._lock:
            self._rest.append(fault)
        self._note(f"rest:{kind}x{count}")

    def server_error(
        self,
        count: int = 1,
        status: int = 503,
        execute: bool = False,
        *,
        path: Optional[str] = None,
        market: Optional[str] = None,
    ) -> None:
        """The next `count` calls get HTTP `status` (5xx); `execute` carries them out first."""
        if not 500 <= int(status) <= 599:
            raise ValueError("status must be a 5xx code")
        self.fail_next("server_error", count, status=status, execute=execute, path=path, market=market)

    def rate_limit(
        self, count: int = 1, retry_after: int = 1, *, path: Optional[str] = None, market: Optional[str] = None
    ) -> None:
        """The next `count` calls get HTTP 429 (-1003) with `Retry-After: retry_after`."""
        self.fail_next("rate_limit", count, retry_after=retry_after, path=path, market=market)

    def ip_ban(
        self, count: int = 1, retry_after: int = 120, *, path: Optional[str] = None, market: Optional[str] = None
    ) -> None:
        """The next `count` calls get HTTP 418 (-1003, IP banned) with `Retry-After`."""
        self.fail_next("ip_ban", count, retry_after=retry_after, path=path, market=market)

    def html(
        self, count: int = 1, status: int = 403, *, path: Optional[str] = None, market: Optional[str] = None
    ) -> None:
        """The next `count` calls get an HTML page with HTTP `status` instead of JSON."""
        self.fail_next("html", count, status=status, path=path, market=market)

    def delay(
        self, seconds: float, count: int = 1, *, path: Optional[str] = None, market: Optional[str] = None
    ) -> None:
        """The next `count` calls are carried out, then answered after `seconds`."""
        self.fail_next("delay", count, delay=seconds, path=path, market=market)

    def take_rest_fault(self, market: str, path: str) -> Optional[RestFault]:
        """For the server: the fault to apply to this call (consumed), or None."""
        with self._lock:
            for fault in self._rest:
                if fault.matches(market, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._rest.remove(fault)
                    return fault
        return None

    @property
    def pending_rest_faults(self) -> int:
        """How many REST calls will still be faulted."""
        with self._lock:
            return sum(f.remaining for f in self._rest)

    # ------------------------------------------------------------------------- WebSocket
    def _connections(self, kind: Optional[str] = None) -> List["WsConnection"]:
        return self._registry.snapshot(kind)

    def drop_all(self, kind: Optional[str] = None) -> int:
        """Cut every open WebSocket connection now (of `kind` "stream"/"ws_api" if given);
        return how many."""
        conns = self._connections(kind)
        for conn in conns:
            conn.drop()
        self._note(f"ws:drop_all({len(conns)})")
        return len(conns)

    def close_after(self, count: int, kind: Optional[str] = None) -> int:
        """Each open connection is cut after sending `count` more messages; return how many."""
        conns = self._connections(kind)
        for conn in conns:
            conn.close_after(count)
        self._note(f"ws:close_after({count})")
        return len(conns)

    def stall(self, seconds: Optional[float] = None, kind: Optional[str] = None) -> int:
        """Open connections send nothing (no data, pings or pongs) for `seconds`
        (None: until [unstall][binance.sandbox.faults.FaultController.unstall]); return how many."""
        conns = self._connections(kind)
        for conn in conns:
            conn.stall(seconds)
        self._note("ws:stall")
        return len(conns)

    def server_shutdown(self, grace: float = 1.0, kind: Optional[str] = None) -> int:
        """Binance's planned disconnect: every open connection (of `kind` if given) gets a
        `serverShutdown` event now (streams `{"e":"serverShutdown","E":ms}`, WebSocket API the
        same inside `{"event": ...}`) and is closed (close frame 1001) `grace` seconds later, so a
        client can move to a new connection first. Return how many connections got the notice."""
        if grace < 0:
            raise ValueError("grace must be >= 0")
        conns = self._connections(kind)
        for conn in conns:
            conn.server_shutdown(grace)
        self._note(f"ws:server_shutdown({len(conns)})")
        return len(conns)

    def refuse_connections(self, seconds: float) -> None:
        """For `seconds`, answer every new WebSocket handshake with HTTP 503 (a server that is
        down): clients must back off and retry. Open connections are not touched."""
        with self._lock:
            self._refuse_until = time.monotonic() + float(seconds)
        self._note(f"ws:refuse_connections({seconds})")

    def refusing_connections(self) -> bool:
        """For the server: whether new WebSocket handshakes are refused now."""
        with self._lock:
            return time.monotonic() < self._refuse_until

    def unstall(self) -> None:
        """End every stall."""
        for conn in self._connections():
            conn.unstall()

    def send_malformed(self, kind: MalformedKind = "non_json", conn_kind: Optional[str] = None) -> int:
        """Send one malformed message on every open connection; `kind` is one of
        MALFORMED_KINDS. Return how many connections got it."""
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"unknown malformed kind {kind!r}; expected one of {', '.join(MALFORMED_KINDS)}")
        conns = self._connections(conn_kind)
        for conn in conns:
            if kind == "non_json":
                conn.send_raw("this is not JSON <html>")
            elif kind == "truncated_json":
                conn.send_raw('{"e":"aggTrade","E":17')
            elif kind == "binary":
                conn.send_raw(b"\x00\xffnot text")
            else:
                conn.send_invalid_frame()
        self._note(f"ws:malformed:{kind}")
        return len(conns)

    def skip_depth(self, count: int = 1, stream: Optional[str] = None) -> None:
        """Swallow the next `count` diff-depth events (of `stream` if given, else of any
        depth stream): subscribers see a `pu`/`U` sequence gap."""
        with self._lock:
            self._depth_skips[stream] = self._depth_skips.get(stream, 0) + int(count)
        self._note(f"ws:skip_depth({count})")

    def should_skip_depth(self, stream: str) -> bool:
        """For the server: whether to swallow this diff-depth event (consumes one skip)."""
        with self._lock:
            for key in (stream, None):
                left = self._depth_skips.get(key, 0)
                if left > 0:
                    if left == 1:
                        del self._depth_skips[key]
                    else:
                        self._depth_skips[key] = left - 1
                    return True
        return False

    def expire_listen_key(self, listen_key: str) -> None:
        """Expire `listen_key` now: its stream gets `listenKeyExpired`, then nothing more."""
        if self._expire_listen_key is None:
            raise RuntimeError("no exchange attached")
        self._expire_listen_key(listen_key)
        self._note("ws:expire_listen_key")

    # ------------------------------------------------------------------------------ clock
    def skew_clock(self, ms: int) -> None:
        """Move the server clock `ms` milliseconds ahead (negative: behind) of real time."""
        if self._set_clock_skew is None:
            raise RuntimeError("no clock attached")
        self._set_clock_skew(int(ms))
        self._note(f"clock:skew({ms})")

    @property
    def clock_skew_ms(self) -> int:
        """The current server clock skew in ms."""
        return int(self._get_clock_skew()) if self._get_clock_skew else 0

    # ------------------------------------------------------------------------------ misc
    def clear(self) -> None:
        """Cancel pending REST faults, depth skips and refusals, end stalls and the clock skew."""
        with self._lock:
            self._rest.clear()
            self._depth_skips.clear()
            self._refuse_until = 0.0
        self.unstall()
        if self._set_clock_skew is not None:
            self._set_clock_skew(0)

    def apply(self, request: Mapping[str, Any]) -> Any:
        """Run one fault from a JSON object `{"fault": name, ...arguments}` (the admin path)."""
        args = dict(request)
        name = args.pop("fault", None)
        if name not in _ADMIN_FAULTS:
            raise ValueError(f"unknown fault {name!r}; expected one of {', '.join(sorted(_ADMIN_FAULTS))}")
        return getattr(self, name)(**args)

    def _note(self, what: str) -> None:
        logger.info("fault injected: %s", what)
        self.injected.append(what)


_ADMIN_FAULTS = frozenset(
    {
        "fail_next",
        "server_error",
        "rate_limit",
        "ip_ban",
        "html",
        "delay",
        "drop_all",
        "close_after",
        "stall",
        "unstall",
        "refuse_connections",
        "server_shutdown",
        "send_malformed",
        "skip_depth",
        "expire_listen_key",
        "skew_clock",
        "clear",
    }
)
