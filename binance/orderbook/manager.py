"""A threaded depth manager: local order books for several symbols, kept in sync by themselves.



    from binance.um_futures import UMFutures
    from binance.orderbook import DepthManager

    rest = UMFutures()
    with DepthManager(rest, ["BTCUSDT", "ETHUSDT"], on_update=print) as manager:
        manager.wait_live("BTCUSDT", timeout=10)
        with manager.lock:
            print(manager.book("BTCUSDT").best_bid())

How it works, per symbol, by Binance's futures rules:

1. one stream client (created by the manager, combined streams) subscribes `<symbol>@depth@100ms`
   for every symbol; events are fed to the symbol's [OrderBook][binance.orderbook.OrderBook], which
   buffers them until it has a snapshot;
2. a worker thread takes the REST snapshot (`depth(symbol, limit=1000)`) once the first event is
   buffered, and applies it: the book replays its buffer and goes LIVE on the event that bridges
   the snapshot;
3. on a gap (`pu` is not the previous `u`) the book raises
   [BookOutOfSyncError][binance.orderbook.BookOutOfSyncError]; the manager logs one line, counts a resync and
   the worker takes a new snapshot. After the stream client reconnects, every book of that
   connection is resynchronised the same way (events were lost while it was down).

Threads: stream events are applied on the stream client's dispatcher thread (never its reader, so
pings are always answered); snapshots are fetched on the manager's own worker thread, so a slow
REST call never holds up the stream. Both take [DepthManager.lock][binance.orderbook.manager.DepthManager.lock] while
they touch a book.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Type,
    TypedDict,
    Union,
)

if TYPE_CHECKING:  # pragma: no cover
    from binance.cm_futures import CMFutures
    from binance.um_futures import UMFutures

from binance.orderbook.book import ApplyResult, BookDict, BookOutOfSyncError, BookState, OrderBook, OrderBookError

logger = logging.getLogger(__name__)

__all__ = ["DepthManager", "ManagerState", "BookStats"]

UpdateCallback = Callable[[str, OrderBook], Any]
ErrorCallback = Callable[[Optional[str], BaseException], Any]

SNAPSHOT_LIMIT = 1000


class ManagerState(enum.Enum):
    """Lifecycle of a [DepthManager][binance.orderbook.manager.DepthManager]; a stopped manager cannot be started
    again."""

    NEW = "NEW"
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class _Symbol:
    """What the manager keeps for one symbol (guarded by the manager's lock)."""

    __slots__ = ("book", "stream", "resyncs", "initial", "await_event", "wait_until", "not_before", "failures")

    def __init__(self, symbol: str, stream: str, max_buffer: int) -> None:
        self.book = OrderBook(symbol, max_buffer=max_buffer)
        self.stream = stream
        self.resyncs = 0
        self.initial = True
        self.await_event = True
        self.wait_until = 0.0
        self.not_before = 0.0
        self.failures = 0


def _default_stream_class(rest_client: Any) -> Type[Any]:
    from binance.cm_futures import CMFutures

    if isinstance(rest_client, CMFutures):
        from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient

        return CMFuturesWebsocketClient
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    return UMFuturesWebsocketClient


class BookStats(TypedDict):
    """One symbol's entry of `DepthManager.stats()`."""

    state: str
    last_update_id: Optional[int]
    resyncs: int
    gaps: int
    snapshots: int
    events_applied: int
    events_dropped: int
    buffered: int
    levels: int


class DepthManager:
    """Keeps a local [OrderBook][binance.orderbook.OrderBook] in sync for each of `symbols`.

    Args:
        rest_client: a [UMFutures][binance.um_futures.UMFutures] or [CMFutures][binance.cm_futures.CMFutures]
            (its `depth` endpoint gives the snapshots).
        symbols: the symbols to serve (more with [add_symbol][binance.orderbook.manager.DepthManager.add_symbol]).

    Keyword Args:
        stream_client_class: the stream client to create (default: the one matching `rest_client`'s
            market, `UMFuturesWebsocketClient` or `CMFuturesWebsocketClient`).
        stream_url: the stream base URL (default: with the default `stream_client_class`, that of
            `rest_client.environment`: production, testnet, demo or a sandbox).
        stream_options: more keyword arguments for the stream client.
        speed: diff-depth update speed in ms (100, 250 or 500).
        on_update: `on_update(symbol, book)` after each change to a LIVE book (an applied event, or
            a snapshot that made it LIVE). It runs with [lock][binance.orderbook.manager.DepthManager.lock] held: read
            the book there, keep
            it short (calling [stop][binance.orderbook.manager.DepthManager.stop] from it is allowed: the worker then
            ends after it returns).
        on_error: `on_error(symbol, exception)` for a failed snapshot or a callback that raised
            (`symbol` is None when unknown).
        first_event_timeout: seconds to wait for a symbol's first event before the first snapshot
            (a snapshot taken before the stream delivers is usually stale and costs a resync).
        retry_delay: first delay (s) before a new snapshot after a failed one; doubles up to 5 s.
        max_buffer: events a book keeps while it waits for a snapshot.

    The manager starts with [start][binance.orderbook.manager.DepthManager.start] (or `with`);
    [stop][binance.orderbook.manager.DepthManager.stop] is idempotent and bounded.
    """

    def __init__(
        self,
        rest_client: Union["UMFutures", "CMFutures"],
        symbols: Iterable[str],
        *,
        stream_client_class: Optional[Type[Any]] = None,
        stream_url: Optional[str] = None,
        stream_options: Optional[Mapping[str, Any]] = None,
        speed: Literal[100, 250, 500] = 100,
        on_update: Optional[UpdateCallback] = None,
        on_error: Optional[ErrorCallback] = None,
        first_event_timeout: float = 3.0,
        retry_delay: float = 0.25,
        max_buffer: int = 10_000,
    ) -> None:
        if speed not in (100, 250, 500):
            raise ValueError(f"speed must be 100, 250 or 500 ms, not {speed!r}")
        self.rest_client = rest_client
        self.stream_client_class = stream_client_class or _default_stream_class(rest_client)
        self._follow_environment = stream_client_class is None and stream_url is None
        self.stream_url = stream_url
        self.stream_options = dict(stream_options or {})
        self.speed = speed
        self.on_update = on_update
        self.on_error = on_error
        self.first_event_timeout = first_event_timeout
        self.retry_delay = retry_delay
        self.max_buffer = max_buffer
        self.stream_client: Any = None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._symbols: Dict[str, _Symbol] = {}
        self._by_stream: Dict[str, str] = {}
        self._pending: Dict[str, str] = {}
        self._state = ManagerState.NEW
        self._worker: Optional[threading.Thread] = None
        self.reconnects = 0
        for symbol in symbols:
            self._register(symbol)
        if not self._symbols:
            raise ValueError("DepthManager needs at least one symbol")

    # ------------------------------------------------------------------ lifecycle
    @property
    def state(self) -> ManagerState:
        """The manager's [ManagerState][binance.orderbook.manager.ManagerState]."""
        return self._state

    @property
    def lock(self) -> threading.RLock:
        """Hold it to read a book consistently from another thread (events wait meanwhile)."""
        return self._lock

    def start(self) -> "DepthManager":
        """Open the stream and start synchronising every symbol; returns at once (see
        [wait_live][binance.orderbook.manager.DepthManager.wait_live])."""
        with self._lock:
            if self._state is not ManagerState.NEW:
                raise RuntimeError(f"DepthManager is {self._state.value}: it can be started once")
            self._state = ManagerState.RUNNING
            now = time.monotonic()
            for symbol in self._symbols:
                self._schedule(symbol, "initial snapshot", now)
        self._worker = threading.Thread(target=self._run, name="depth-manager", daemon=True)
        self._worker.start()
        options = dict(self.stream_options)
        if self.stream_url is not None:
            options["stream_url"] = self.stream_url
        elif self._follow_environment and getattr(self.rest_client, "environment", None) is not None:
            if "stream_url" not in options:
                options.setdefault("environment", self.rest_client.environment)  # the REST client's hosts
        options.setdefault("is_combined", True)
        try:
            client = self.stream_client = self.stream_client_class(
                on_message=self._on_message, on_reconnect=self._on_reconnect, on_error=self._on_stream_error, **options
            )
        except BaseException:
            self.stop()
            raise
        with self._lock:
            streams = [entry.stream for entry in self._symbols.values()]
        client.subscribe(streams)
        logger.info("depth manager started for %s", ", ".join(self._symbols))
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the stream client and the worker thread and join them. Idempotent; returns within
        about `timeout` plus the stream client's own bound (its `timeout + 7` s)."""
        with self._lock:
            if self._state is ManagerState.STOPPED:
                return
            self._state = ManagerState.STOPPED
            self._changed.notify_all()
        client, self.stream_client = self.stream_client, None
        in_callback = client is not None and threading.current_thread() in client.threads()
        if client is not None:
            client.stop()
        worker = self._worker
        # From a callback (the lock is held there) the worker cannot finish until it returns: it
        # exits by itself then, so it is not joined here.
        if worker is not None and worker is not threading.current_thread() and not in_callback:
            worker.join(timeout)
            if worker.is_alive():
                logger.warning("depth manager worker still busy after %.1fs (a snapshot request is running)", timeout)
        logger.info("depth manager stopped")

    def __enter__(self) -> "DepthManager":
        if self._state is ManagerState.NEW:
            self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def threads(self) -> List[threading.Thread]:
        """Every thread the manager started, its stream client's included."""
        threads = [self._worker] if self._worker is not None else []
        client = self.stream_client
        if client is not None:
            threads.extend(client.threads())
        return threads

    # ------------------------------------------------------------------ symbols and queries
    @property
    def symbols(self) -> List[str]:
        """The symbols served."""
        with self._lock:
            return list(self._symbols)

    def add_symbol(self, symbol: str) -> None:
        """Serve one more symbol (subscribes its diff-depth stream and synchronises its book)."""
        with self._lock:
            if self._state is ManagerState.STOPPED:
                raise RuntimeError("DepthManager is stopped")
            key = symbol.upper()
            if key in self._symbols:
                return
            entry = self._register(key)
            if self._state is ManagerState.RUNNING:
                self._schedule(key, "initial snapshot", time.monotonic())
        if self.stream_client is not None:
            self.stream_client.subscribe([entry.stream])

    def remove_symbol(self, symbol: str) -> None:
        """Stop serving `symbol` (unsubscribes its stream; its book is forgotten)."""
        key = symbol.upper()
        with self._lock:
            entry = self._symbols.pop(key, None)
            if entry is None:
                raise KeyError(symbol)
            self._by_stream.pop(entry.stream, None)
            self._pending.pop(key, None)
        if self.stream_client is not None:
            self.stream_client.unsubscribe([entry.stream])

    def book(self, symbol: str) -> OrderBook:
        """The live [OrderBook][binance.orderbook.manager.OrderBook] of `symbol` (it changes under you: read it with
        [lock][binance.orderbook.manager.DepthManager.lock] held, or from `on_update`). Raises KeyError for a symbol not
        served."""
        with self._lock:
            return self._entry(symbol).book

    def snapshot(self, symbol: str) -> BookDict:
        """A consistent copy of `symbol`'s book in the REST snapshot's shape (plus state)."""
        with self._lock:
            return self._entry(symbol).book.to_dict()

    def is_live(self, symbol: str) -> bool:
        """Whether `symbol`'s book is LIVE now."""
        with self._lock:
            return self._entry(symbol).book.is_live

    def wait_live(self, symbol: str, timeout: Optional[float] = None) -> bool:
        """Block until `symbol`'s book is LIVE; False on timeout or when the manager stops."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                if self._entry(symbol).book.is_live:
                    return True
                if self._state is ManagerState.STOPPED:
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)

    def resync_count(self, symbol: Optional[str] = None) -> int:
        """Resynchronisations (after a gap or a reconnect) of `symbol`, or of every symbol."""
        with self._lock:
            if symbol is not None:
                return self._entry(symbol).resyncs
            return sum(entry.resyncs for entry in self._symbols.values())

    @property
    def resyncs(self) -> int:
        """Resynchronisations of every symbol since start (the initial snapshots do not count)."""
        return self.resync_count()

    def stats(self) -> Dict[str, BookStats]:
        """Per symbol: state, lastUpdateId, resyncs, gaps, events applied/dropped, buffered, levels."""
        with self._lock:
            return {
                symbol: {
                    "state": entry.book.state.value,
                    "last_update_id": entry.book.last_update_id,
                    "resyncs": entry.resyncs,
                    "gaps": entry.book.gaps_detected,
                    "snapshots": entry.book.snapshots_applied,
                    "events_applied": entry.book.events_applied,
                    "events_dropped": entry.book.events_dropped,
                    "buffered": entry.book.buffered,
                    "levels": len(entry.book),
                }
                for symbol, entry in self._symbols.items()
            }

    def __repr__(self) -> str:
        return f"<DepthManager {self._state.value} symbols={list(self._symbols)} resyncs={self.resyncs}>"

    # ------------------------------------------------------------------ internals (lock held)
    def _register(self, symbol: str) -> _Symbol:
        key = symbol.upper()
        stream = f"{key.lower()}@depth" + ("" if self.speed == 250 else f"@{self.speed}ms")
        entry = self._symbols[key] = _Symbol(key, stream, self.max_buffer)
        self._by_stream[stream] = key
        return entry

    def _entry(self, symbol: str) -> _Symbol:
        try:
            return self._symbols[symbol.upper()]
        except KeyError:
            raise KeyError(f"{symbol} is not served by this DepthManager") from None

    def _schedule(self, symbol: str, reason: str, not_before: float, await_event: bool = False) -> None:
        entry = self._symbols[symbol]
        entry.not_before = not_before
        if await_event or entry.initial:
            entry.await_event = True
            entry.wait_until = not_before + self.first_event_timeout
        self._pending.setdefault(symbol, reason)
        self._changed.notify_all()

    def _resync(self, symbol: str, reason: str, await_event: bool = False) -> None:
        entry = self._symbols[symbol]
        entry.resyncs += 1
        entry.failures = 0
        logger.warning("%s: %s; resynchronising (resync #%d)", symbol, reason, entry.resyncs)
        self._schedule(symbol, reason, time.monotonic(), await_event)

    def _notify_update(self, symbol: str, book: OrderBook) -> None:
        self._changed.notify_all()
        callback = self.on_update
        if callback is None or not book.is_live:
            return
        try:
            callback(symbol, book)
        except Exception as exc:  # noqa: BLE001 - a user callback must not stop the book
            logger.exception("on_update callback failed for %s", symbol)
            self._report(symbol, exc)

    def _report(self, symbol: Optional[str], exc: BaseException) -> None:
        if self.on_error is None:
            return
        try:
            self.on_error(symbol, exc)
        except Exception:  # noqa: BLE001
            logger.exception("on_error callback failed")

    # ------------------------------------------------------------------ stream side (dispatcher thread)
    def _on_message(self, _client: Any, message: Any) -> None:
        if not isinstance(message, (str, bytes)):
            return
        try:
            decoded = json.loads(message)
        except ValueError:
            logger.warning("depth manager: ignored a message that is not JSON")
            return
        if not isinstance(decoded, dict):
            return
        event = decoded.get("data", decoded) if "stream" in decoded else decoded
        if not isinstance(event, dict) or event.get("e") != "depthUpdate":
            return
        stream = decoded.get("stream")
        with self._lock:
            symbol = self._by_stream.get(stream) if stream else None
            if symbol is None:
                symbol = str(event.get("s", "")).upper()
            entry = self._symbols.get(symbol)
            if entry is None or self._state is not ManagerState.RUNNING:
                return
            book = entry.book
            try:
                result = book.apply_diff(event)
            except BookOutOfSyncError as exc:
                self._resync(symbol, f"depth gap ({exc.message})")
                return
            except OrderBookError as exc:
                logger.warning("%s: bad depth event: %s", symbol, exc)
                self._report(symbol, exc)
                if book.state is BookState.RESYNCING:
                    self._resync(symbol, "malformed depth event")
                return
            if result is ApplyResult.APPLIED:
                self._notify_update(symbol, book)
            elif entry.await_event and result is ApplyResult.BUFFERED and book.buffered == 1:
                self._changed.notify_all()

    def _on_reconnect(self, _client: Any, streams: List[str]) -> None:
        with self._lock:
            if self._state is not ManagerState.RUNNING:
                return
            self.reconnects += 1
            if streams is None:
                affected = list(self._symbols)
            else:
                affected = [self._by_stream[s] for s in streams if s in self._by_stream]
            for symbol in affected:
                entry = self._symbols[symbol]
                entry.book.invalidate("stream reconnected")
                if entry.initial:
                    self._schedule(symbol, "initial snapshot", time.monotonic(), await_event=True)
                    continue
                self._resync(symbol, "stream reconnected", await_event=True)

    def _on_stream_error(self, _client: Any, exc: BaseException) -> None:
        logger.debug("depth manager stream error: %r", exc)
        self._report(None, exc)

    # ------------------------------------------------------------------ snapshots (worker thread)
    def _next_due(self) -> Optional[str]:
        """Wait for a symbol whose snapshot is due; None when stopping."""
        with self._lock:
            while self._state is ManagerState.RUNNING:
                now = time.monotonic()
                wake = now + 1.0
                for symbol in list(self._pending):
                    entry = self._symbols.get(symbol)
                    if entry is None:
                        self._pending.pop(symbol, None)
                        continue
                    due = entry.not_before
                    if entry.await_event and entry.book.buffered == 0:
                        due = max(due, entry.wait_until)
                    if due <= now:
                        return symbol
                    wake = min(wake, due)
                self._changed.wait(max(0.001, wake - now))
            return None

    def _run(self) -> None:
        while True:
            symbol = self._next_due()
            if symbol is None:
                return
            try:
                snapshot = self._fetch_snapshot(symbol)
            except Exception as exc:  # noqa: BLE001 - any REST failure: retry later
                self._snapshot_failed(symbol, f"snapshot request failed: {exc}", exc)
                continue
            self._apply_snapshot(symbol, snapshot)

    def _fetch_snapshot(self, symbol: str) -> Mapping[str, Any]:
        result = self.rest_client.depth(symbol=symbol, limit=SNAPSHOT_LIMIT)
        if isinstance(result, dict) and "lastUpdateId" not in result and "data" in result:
            result = result["data"]
        return result

    def _apply_snapshot(self, symbol: str, snapshot: Mapping[str, Any]) -> None:
        with self._lock:
            entry = self._symbols.get(symbol)
            if entry is None or self._state is not ManagerState.RUNNING:
                return
            try:
                state = entry.book.apply_snapshot(snapshot)
            except BookOutOfSyncError as exc:
                entry.failures += 1
                self._retry_later(symbol, entry, f"snapshot does not connect to the stream ({exc.message})")
                return
            except OrderBookError as exc:
                self._retry_later(symbol, entry, f"unusable snapshot: {exc}")
                self._report(symbol, exc)
                return
            self._pending.pop(symbol, None)
            entry.initial = entry.await_event = False
            entry.failures = 0
            logger.info("%s: snapshot %s applied (%s)", symbol, entry.book.last_update_id, state.value)
            self._notify_update(symbol, entry.book)

    def _snapshot_failed(self, symbol: str, reason: str, exc: BaseException) -> None:
        with self._lock:
            entry = self._symbols.get(symbol)
            if entry is None or self._state is not ManagerState.RUNNING:
                return
            entry.failures += 1
            self._retry_later(symbol, entry, reason, _retry_after(exc))
        self._report(symbol, exc)

    def _retry_later(self, symbol: str, entry: _Symbol, reason: str, at_least: float = 0.0) -> None:
        delay = max(at_least, min(5.0, self.retry_delay * (2 ** max(0, entry.failures - 1))))
        logger.warning("%s: %s; new snapshot in %.2fs", symbol, reason, delay)
        entry.not_before = time.monotonic() + delay
        self._pending.setdefault(symbol, reason)
        self._changed.notify_all()


def _retry_after(exc: BaseException) -> float:
    """The server's `Retry-After` (s) carried by a 429/418 error, else 0."""
    try:
        return max(0.0, float(getattr(exc, "retry_after", None) or 0))
    except (TypeError, ValueError):
        return 0.0
