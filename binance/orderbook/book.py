"""A local futures order book kept in sync with Binance by its sequencing rules (no I/O).

Feed it a REST depth snapshot (`GET /fapi/v1/depth` or `/dapi/v1/depth`) and the diff-depth
stream's `depthUpdate` events, in any interleaving:

    book = OrderBook("BTCUSDT")
    book.apply_diff(event)          # before the snapshot: buffered
    book.apply_snapshot(snapshot)   # replays the buffer; LIVE once an event bridges the snapshot
    book.apply_diff(event)          # raises BookOutOfSyncError on a gap: fetch a new snapshot

Binance's futures rules, as applied here:

1. events with `u` below the snapshot's `lastUpdateId` are dropped;
2. the first applied event satisfies `U <= lastUpdateId <= u` (or its `pu` equals
   `lastUpdateId`: it starts right after the snapshot, so nothing is missing either);
3. every later event's `pu` equals the previous applied event's `u`; otherwise updates were
   missed, the book is RESYNCING and the caller must fetch a new snapshot.

Events whose `u` is not above the last applied `u` are already reflected in the book (a
duplicate or a late, reordered copy) and are dropped, never applied: a depth update carries
absolute quantities, so applying an old one would silently revert a level.

States and their transitions live in `_TRANSITIONS` and are changed only by
`OrderBook._set_state`, which logs each one at DEBUG.

How a diff is applied cheaply: each side is a dict from the price string to the quantity string,
exactly as received, and a LIVE event in sequence costs its sequence checks and two
`dict.update` calls (C loops, no Python code per level). Everything else waits for the next
read, which brings the sorted index up to date from the prices touched by the events since the
last read (or rebuilds it from the dicts if more events arrived than a book keeps, about a
quarter of its depth). That is where each touched level is checked:

* a quantity must be a finite, non-negative decimal number (`None` is not a deletion), a live
  level's price a positive finite decimal number; a malformed level makes the book RESYNCING
  (the read raises [BookNotReadyError][binance.orderbook.book.BookNotReadyError], the next
  [OrderBook.apply_diff][binance.orderbook.book.OrderBook.apply_diff] raises
  [InvalidDepthEventError][binance.orderbook.book.InvalidDepthEventError]): the levels are already in the book, so it
  is resynced, not patched;
* the best bid must be below the best ask: a crossed book is never served, it turns RESYNCING
  (the read raises [BookNotReadyError][binance.orderbook.book.BookNotReadyError], the next `apply_diff` raises
  [BookOutOfSyncError][binance.orderbook.book.BookOutOfSyncError]: fetch a new snapshot);
* a zero quantity in any spelling (`"0"`, `"0.000"`, `"0E-8"`) removes the level; zero
  entries stay in the dict until then (and are dropped when they outnumber the live levels);
* prices are compared as numbers: the book keeps one spelling per price (the snapshot's number
  of decimals); a price that arrives spelled otherwise (`"65000.1"` for `"65000.10"`) is
  respelled, the later of the two updates winning. If the events that would tell which update
  was later are no longer held, the book does not guess: it turns RESYNCING.

An event whose `e` is not `depthUpdate` (a trade given to the book by mistake) is rejected
before anything is applied (`InvalidDepthEventError`, the book unchanged); a snapshot with
a malformed level, or crossed, is rejected the same way.

The index orders prices by their `float` (exact for decimal strings of up to 15 significant
digits); if two prices ever share a float, the book switches to Decimal keys for good.
"""

from __future__ import annotations

import enum
import logging
from array import array
from bisect import bisect_left
from collections import deque
from decimal import Decimal, InvalidOperation
from itertools import chain
from operator import itemgetter
from typing import (
    Any,
    Callable,
    Deque,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
)

from binance.error import Error
from binance.types.params import Number

logger = logging.getLogger(__name__)

Level = Tuple[Decimal, Decimal]
_LEVEL_CACHE_SIZE = 256
_MIN_PENDING = 256
"""The fewest applied events remembered for the next index update (more for a deep book); when more
arrive before a read, that read rebuilds the index from the levels instead."""
_ZEROS = frozenset(["0", "0.", ".0"] + ["0." + "0" * places for places in range(1, 19)])
_first = itemgetter(0)
_get_bids = itemgetter("b")
_get_asks = itemgetter("a")
_DEPTH_UPDATE = "depthUpdate"
_GONE = object()
_INF = float("inf")

__all__ = [
    "ApplyResult",
    "BookDict",
    "BookNotReadyError",
    "BookOutOfSyncError",
    "BookState",
    "FillEstimate",
    "InsufficientDepthError",
    "InvalidDepthEventError",
    "OrderBook",
    "OrderBookError",
]


class OrderBookError(Error):
    """Base class of the order-book errors."""


class BookOutOfSyncError(OrderBookError):
    """Updates were missed (a gap in the `pu`/`u` chain, or the snapshot is older than the first
    buffered event). The book is RESYNCING: fetch a new REST snapshot and pass it to
    [OrderBook.apply_snapshot][binance.orderbook.book.OrderBook.apply_snapshot]. Events received meanwhile are
    buffered."""

    def __init__(self, symbol: str, message: str, expected: Optional[int] = None, received: Optional[int] = None):
        super().__init__(message)
        self.symbol = symbol
        self.message = message
        self.expected = expected
        self.received = received

    def __str__(self) -> str:
        return f"{self.symbol or 'order book'} out of sync: {self.message}"


class BookNotReadyError(OrderBookError):
    """The book has no valid data: no snapshot yet, or it is RESYNCING after a gap."""


class InsufficientDepthError(OrderBookError, ValueError):
    """The side of the book does not hold enough quantity to fill the requested amount."""

    def __init__(self, side: str, requested: Decimal, available: Decimal) -> None:
        super().__init__(side, requested, available)
        self.side = side
        self.requested = requested
        self.available = available

    def __str__(self) -> str:
        book_side = "asks" if self.side == "BUY" else "bids"
        return f"insufficient depth to {self.side} {self.requested}: the {book_side} hold {self.available}"


class InvalidDepthEventError(OrderBookError, ValueError):
    """A snapshot or event is malformed or is for another symbol."""


class BookState(enum.Enum):
    """Where the book stands with respect to Binance's sequence."""

    SYNCING = "SYNCING"
    """Waiting for a snapshot, or for the first event that bridges it; diff events are buffered."""
    LIVE = "LIVE"
    """Every event since the snapshot has been applied in sequence."""
    RESYNCING = "RESYNCING"
    """A gap was detected: the data is stale until a new snapshot is applied; events are buffered."""


_TRANSITIONS = {
    BookState.SYNCING: frozenset({BookState.LIVE, BookState.RESYNCING}),
    BookState.LIVE: frozenset({BookState.SYNCING, BookState.RESYNCING}),
    BookState.RESYNCING: frozenset({BookState.SYNCING}),
}


class ApplyResult(enum.Enum):
    """What [OrderBook.apply_diff][binance.orderbook.book.OrderBook.apply_diff] did with an event."""

    APPLIED = "APPLIED"
    BUFFERED = "BUFFERED"
    DROPPED = "DROPPED"


_LIVE = BookState.LIVE
_APPLIED = ApplyResult.APPLIED


class FillEstimate(NamedTuple):
    """The outcome of taking `quantity` from one side of the book at its current state."""

    side: str
    quantity: Decimal
    average_price: Decimal
    best_price: Decimal
    worst_price: Decimal
    notional: Decimal
    levels: int
    slippage: Decimal
    """`abs(average_price - best_price) / best_price`: 0 when the first level fills it all."""


class _Diff(NamedTuple):
    first: int
    last: int
    prev: int
    bids: Sequence[Sequence[str]]
    asks: Sequence[Sequence[str]]
    event_time: Optional[int]


def _to_decimal(value: Any, what: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidDepthEventError(f"{what} is not a decimal number: {value!r}")


def _side(side: str) -> str:
    normalized = str(side).upper()
    if normalized not in ("BUY", "SELL"):
        raise ValueError(f"side must be BUY or SELL, not {side!r}")
    return normalized


def _plain_decimals(price: Any) -> Optional[int]:
    """The number of decimals of a plain ASCII decimal string (`"123.45"`: 2), else None."""
    if price.__class__ is not str or not price.isascii():
        return None
    whole, dot, fraction = price.partition(".")
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        return None
    return len(fraction)


def _canonical(price: Any, decimals: int) -> str:
    """The one spelling the book keeps for `price`'s value: at least `decimals` decimals, more
    only if the value needs them, no leading zeros. Raises InvalidDepthEventError if not a number."""
    if price.__class__ is str and price.isascii():
        dot = price.find(".")
        if decimals:
            if (dot > 0 and len(price) - dot == decimals + 1 and price[:dot].isdigit()
                    and price[dot + 1:].isdigit() and (dot == 1 or price[0] != "0")):
                return price
        elif dot < 0 and price.isdigit() and (price[0] != "0" or len(price) == 1):
            return price
    value = _to_decimal(price if price.__class__ is str else str(price), "price")
    if not value.is_finite():
        raise InvalidDepthEventError(f"price is not a finite number: {price!r}")
    if not value:
        value = Decimal(0)
    places = max(decimals, -value.normalize().as_tuple().exponent)
    return format(value, f".{places}f")


def _is_live(quantity: str) -> bool:
    """Whether a quantity string is non-zero; ValueError if it is not a finite decimal number."""
    number = float(quantity)
    if number:
        if number - number or number < 0:
            raise ValueError("not a finite, non-negative number")
        return True
    return quantity not in _ZEROS and bool(Decimal(quantity))


def _check_price(sort_key: Any, price: Any) -> None:
    """ValueError unless a live level's price is a positive finite number (`sort_key` is its number)."""
    if not sort_key > 0 or sort_key - sort_key:
        raise ValueError(f"price is not a positive finite number: {price!r}")


def _spelled(quantity: Any) -> str:
    return quantity if quantity.__class__ is str else str(quantity)


class _Collision(Exception):
    """Two different prices have the same float: the index needs exact (Decimal) keys."""


class BookDict(TypedDict):
    """`OrderBook.to_dict()`: the REST snapshot's shape plus symbol and state; levels are `[price, quantity]`."""

    symbol: str
    state: str
    lastUpdateId: Optional[int]
    bids: List[List[str]]
    asks: List[List[str]]


class OrderBook:
    """A local order book for one futures symbol, kept in sync by Binance's diff-depth rules.

    Prices and quantities are `Decimal`. Not thread-safe: the caller serialises
    calls (the depth manager does, under its lock). Until its next read, a book keeps references
    to a bounded number of the events applied last: do not modify an event after passing it in.
    """

    __slots__ = (
        "symbol", "max_buffer", "_state", "_bids", "_asks", "_bid_keys", "_bid_prices", "_bid_live",
        "_bid_aliases", "_ask_keys", "_ask_prices", "_ask_live", "_ask_aliases", "_pending", "_synced_at",
        "_synced_sizes", "_key", "_decimals", "_level_cache", "_fault", "_buffer", "_has_snapshot",
        "_last_update_id", "_snapshot_update_id", "_event_time", "events_applied", "events_dropped",
        "gaps_detected", "snapshots_applied", "_update_bids", "_update_asks", "_remember",
    )

    def __init__(self, symbol: str = "", max_buffer: int = 10_000) -> None:
        """`symbol` is checked against each event's `s` when both are given (case-insensitive).
        At most `max_buffer` events wait for a snapshot; the oldest are dropped beyond that (if
        they were needed, the next snapshot reports the gap)."""
        self.symbol = symbol.upper()
        self.max_buffer = max_buffer
        self._state = BookState.SYNCING
        # price string -> quantity string, as received; zero quantities linger until the next sync.
        self._bids: Dict[str, Any] = {}
        self._asks: Dict[str, Any] = {}
        # The sorted index of the non-zero levels, best last (bids by price, asks by minus the
        # price, so that changes near the top move little): sort keys ascending (C doubles), their
        # price strings, and the set of indexed prices.
        self._bid_keys: Any = array("d")
        self._bid_prices: List[str] = []
        self._bid_live: Dict[str, None] = {}
        self._ask_keys: Any = array("d")
        self._ask_prices: List[str] = []
        self._ask_live: Dict[str, None] = {}
        # A price held in a spelling other than _canonical's: canonical spelling -> the key held.
        self._bid_aliases: Dict[str, str] = {}
        self._ask_aliases: Dict[str, str] = {}
        # The events applied since the index was last brought up to date (the latest ones, bounded).
        self._pending: Deque[Mapping[str, Any]] = deque(maxlen=_MIN_PENDING)
        self._synced_at = 0
        self._synced_sizes = (0, 0)
        self._key: Callable[[str], Any] = float
        self._decimals: Optional[int] = None
        self._level_cache: Dict[str, Tuple[str, Level]] = {}
        self._fault: Optional[OrderBookError] = None
        self._buffer: List[_Diff] = []
        self._has_snapshot = False
        self._last_update_id: Optional[int] = None
        self._snapshot_update_id: Optional[int] = None
        self._event_time: Optional[int] = None
        self._bind()
        self.events_applied = 0
        self.events_dropped = 0
        self.gaps_detected = 0
        self.snapshots_applied = 0

    # -- state -------------------------------------------------------------------------------

    @property
    def state(self) -> BookState:
        """The current [BookState][binance.orderbook.book.BookState]."""
        return self._state

    @property
    def is_live(self) -> bool:
        """True when every event since the snapshot has been applied in sequence."""
        return self._state is BookState.LIVE

    @property
    def last_update_id(self) -> Optional[int]:
        """The `u` of the last applied event, or the snapshot's `lastUpdateId`; None before one."""
        return self._last_update_id

    @property
    def last_event_time(self) -> Optional[int]:
        """The `E` (event time, ms) of the last applied event; None before one."""
        if self._pending:
            event_time = self._pending[-1].get("E")
            if event_time is not None:
                return event_time
        return self._event_time

    @property
    def buffered(self) -> int:
        """How many events wait for a snapshot (or for the bridging event)."""
        return len(self._buffer)

    def _set_state(self, new: BookState, reason: str) -> None:
        old = self._state
        if new is old:
            return
        if new not in _TRANSITIONS[old]:
            raise RuntimeError(f"invalid order book transition {old.value} -> {new.value}")
        self._state = new
        logger.debug("%s: %s -> %s (%s)", self.symbol or "book", old.value, new.value, reason)

    def invalidate(self, reason: str = "invalidated by caller") -> None:
        """Force RESYNCING (for example after the stream reconnected); a new snapshot is needed.
        Buffered events are kept: the sequence checks still decide which of them apply."""
        if self._state is not BookState.RESYNCING:
            self._set_state(BookState.RESYNCING, reason)

    # -- input -------------------------------------------------------------------------------

    def apply_snapshot(self, snapshot: Mapping[str, Any]) -> BookState:
        """Replace the book with a REST depth snapshot (`lastUpdateId`, `bids`, `asks`) and
        replay the buffered events that follow it. Returns the new state: LIVE if an event bridged
        the snapshot, SYNCING if none has arrived yet.

        Raises [BookOutOfSyncError][binance.orderbook.book.BookOutOfSyncError] when the buffered events do not connect
        to the snapshot
        (the snapshot is older than the stream's first kept event, or the buffer has a gap): fetch
        another snapshot.
        """
        try:
            last_id = int(snapshot["lastUpdateId"])
            raw_bids = snapshot["bids"]
            raw_asks = snapshot["asks"]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidDepthEventError(f"not a depth snapshot: {exc!r}")
        decimals = None
        for rows in (raw_bids, raw_asks):
            for row in rows[:1]:
                decimals = _plain_decimals(row[0])
                if decimals is not None:
                    break
            if decimals is not None:
                break
        bids: Dict[str, Any] = {}
        asks: Dict[str, Any] = {}
        aliases: List[Dict[str, str]] = []
        for levels, rows in ((bids, raw_bids), (asks, raw_asks)):
            seen: Dict[str, str] = {}
            for price, qty in rows:
                form = _canonical(price, decimals or 0)
                price = seen.setdefault(form, price if price.__class__ is str else form)
                qty = _spelled(qty)
                try:
                    live = _is_live(qty)
                    if live:
                        _check_price(float(form), price)
                except (TypeError, ValueError, InvalidOperation) as exc:
                    raise InvalidDepthEventError(f"snapshot level [{price!r}, {qty!r}] is malformed: {exc}")
                if live:
                    levels[price] = qty
                else:
                    levels.pop(price, None)
            aliases.append({form: key for form, key in seen.items() if form != key})
        if bids and asks and max(map(float, bids)) >= min(map(float, asks)):
            raise InvalidDepthEventError(f"snapshot {last_id} is crossed: its best bid is not below its best ask")
        if self._state is not BookState.SYNCING:
            self._set_state(BookState.SYNCING, f"snapshot {last_id}")
        self._event_time = self.last_event_time
        self._bids, self._asks = bids, asks
        self._bid_aliases, self._ask_aliases = aliases
        self._decimals = decimals if decimals is not None or not (bids or asks) else 0
        self._pending = deque(maxlen=max(_MIN_PENDING, (len(bids) + len(asks)) // 4))
        self._bind()
        self._synced_at = self.events_applied
        self._fault = None
        self._level_cache = {}
        self._key = float
        self._bid_keys, self._ask_keys = array("d"), array("d")
        self._rebuild_index()
        self._synced_sizes = (len(bids), len(asks))
        self._has_snapshot = True
        self._last_update_id = last_id
        self._snapshot_update_id = last_id
        self.snapshots_applied += 1
        pending = sorted(self._buffer, key=lambda diff: diff.last)
        self._buffer = []
        for index, diff in enumerate(pending):
            try:
                self._process(diff)
            except BookOutOfSyncError:
                self._buffer.extend(pending[index + 1 :])
                raise
        return self._state

    def apply_diff(self, event: Mapping[str, Any]) -> ApplyResult:
        """Apply one `depthUpdate` event (a combined-stream `{"stream", "data"}` wrapper is
        accepted too). Returns APPLIED, BUFFERED (no snapshot yet, or RESYNCING) or DROPPED (older
        than the book: already reflected in it).

        Raises [BookOutOfSyncError][binance.orderbook.book.BookOutOfSyncError] when the event reveals a gap; the event
        is kept in the
        buffer, the book is RESYNCING, and the caller must fetch a new snapshot. Raises
        `InvalidDepthEventError` for a malformed event (not a `depthUpdate`, or for
        another symbol: rejected, the book unchanged; its levels not `[price, quantity]`
        pairs: the book is then RESYNCING). The numbers in the levels are checked at the next
        read: a malformed one (not a number, a negative quantity or price, a `None`
        quantity) makes that read raise `BookNotReadyError`, the book RESYNCING, and the
        next call here raise `InvalidDepthEventError`; a crossed book (best bid >= best
        ask) the same, with `BookOutOfSyncError` here.
        """
        try:
            last = event["u"]
            prev = event["pu"]
            if (prev != self._last_update_id or not last > prev or self._state is not _LIVE
                    or event.get("s") != self.symbol or event.get("e", _DEPTH_UPDATE) != _DEPTH_UPDATE):
                return self._process(self._parse(event))
            # The fast path (a LIVE event in sequence): _apply_levels' steps, inlined.
            self._update_bids(event["b"])
            self._update_asks(event["a"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, OrderBookError):
                raise
            return self._not_fast(event, exc)
        self._remember(event)
        self._last_update_id = last
        self.events_applied += 1
        return _APPLIED

    def _bind(self) -> None:
        """The fast path's bound methods, set again whenever the dicts or the deque are replaced."""
        self._update_bids = self._bids.update
        self._update_asks = self._asks.update
        self._remember = self._pending.append

    def _not_fast(self, event: Any, exc: Exception) -> ApplyResult:
        """The fast path failed: if the event was in sequence its levels were (partly) applied."""
        try:
            in_sequence = (self._state is _LIVE and event["pu"] == self._last_update_id
                           and event["u"] > event["pu"] and event.get("s") == self.symbol
                           and event.get("e", _DEPTH_UPDATE) == _DEPTH_UPDATE)
        except (KeyError, TypeError, ValueError, AttributeError):
            in_sequence = False
        if in_sequence:
            self._malformed(event["u"], f"levels are not [price, quantity] pairs: {exc!r}")
        return self._process(self._parse(event))

    def _parse(self, event: Mapping[str, Any]) -> _Diff:
        if "data" in event and "U" not in event:
            event = event["data"]
        try:
            if event.get("e", _DEPTH_UPDATE) != _DEPTH_UPDATE:
                raise InvalidDepthEventError(f"not a depthUpdate event: {event.get('e')!r}")
            symbol = event.get("s")
            if symbol and self.symbol and symbol.upper() != self.symbol:
                raise InvalidDepthEventError(f"event for {symbol} given to the {self.symbol} book")
            return _Diff(int(event["U"]), int(event["u"]), int(event["pu"]), event["b"], event["a"], event.get("E"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, InvalidDepthEventError):
                raise
            raise InvalidDepthEventError(f"not a futures depthUpdate event: {exc!r}")

    def _process(self, diff: _Diff) -> ApplyResult:
        if self._fault is not None:
            self._buffer_diff(diff)
            raise self._take_fault()
        state = self._state
        if state is BookState.LIVE:
            last = self._last_update_id
            if diff.last <= last:  # type: ignore[operator]
                self.events_dropped += 1
                return ApplyResult.DROPPED
            if diff.prev != last:
                self._gap(diff, f"event pu={diff.prev} does not follow u={last}", last)
            self._apply_levels(diff)
            return ApplyResult.APPLIED
        if state is BookState.RESYNCING or not self._has_snapshot:
            self._buffer_diff(diff)
            return ApplyResult.BUFFERED
        snapshot_id = self._snapshot_update_id
        if diff.last < snapshot_id:  # type: ignore[operator]
            self.events_dropped += 1
            return ApplyResult.DROPPED
        if diff.first > snapshot_id and diff.prev != snapshot_id:  # type: ignore[operator]
            self._gap(diff, f"first event U={diff.first} is after snapshot lastUpdateId={snapshot_id}", snapshot_id)
        self._apply_levels(diff)
        self._set_state(BookState.LIVE, f"event U={diff.first} u={diff.last} bridges snapshot {snapshot_id}")
        return ApplyResult.APPLIED

    def _gap(self, diff: _Diff, message: str, expected: Optional[int]) -> None:
        self.gaps_detected += 1
        self._set_state(BookState.RESYNCING, message)
        self._buffer = [diff]
        raise BookOutOfSyncError(self.symbol, message, expected, diff.prev)

    def _buffer_diff(self, diff: _Diff) -> None:
        self._buffer.append(diff)
        if len(self._buffer) > self.max_buffer:
            del self._buffer[0]
            self.events_dropped += 1

    def _apply_levels(self, diff: _Diff) -> None:
        try:
            self._bids.update(diff.bids)
            self._asks.update(diff.asks)
        except (TypeError, ValueError) as exc:
            self._malformed(diff.last, f"levels are not [price, quantity] pairs: {exc!r}")
        self._pending.append({"b": diff.bids, "a": diff.asks, "E": diff.event_time})
        self._last_update_id = diff.last
        self.events_applied += 1

    def _malformed(self, last: Any, message: str) -> None:
        message = f"malformed event u={last} was partly applied: {message}"
        self._set_state(BookState.RESYNCING, message)
        self._buffer = []
        raise InvalidDepthEventError(message)

    def _take_fault(self) -> OrderBookError:
        fault, self._fault = self._fault, None
        return fault  # type: ignore[return-value]

    # -- the sorted index --------------------------------------------------------------------

    def _sync(self) -> None:
        """Bring the sorted indexes up to date with the events applied since the last sync (or
        rebuild them if more arrived than were kept), respell prices the book holds in another
        spelling, and drop zero levels if they pile up. A malformed level makes the book
        RESYNCING and is kept in `_fault`."""
        pending = self._pending
        since = self.events_applied - self._synced_at
        if not since:
            return
        if since == 1 and pending and len(self._bids) == self._synced_sizes[0] \
                and len(self._asks) == self._synced_sizes[1]:
            self._sync_one(pending)
            return
        self._event_time = self.last_event_time
        self._synced_at = self.events_applied
        complete = since <= len(pending)
        quick = since == 1 and complete and (len(self._bids), len(self._asks)) == self._synced_sizes
        sides = () if quick else (
            (self._bids, self._bid_keys, self._bid_prices, self._bid_live, self._bid_aliases, _get_bids,
             self._synced_sizes[0], 1),
            (self._asks, self._ask_keys, self._ask_prices, self._ask_live, self._ask_aliases, _get_asks,
             self._synced_sizes[1], -1))
        try:
            try:
                if quick:
                    entry = pending[-1]
                    self._reindex(self._bids, self._bid_keys, self._bid_prices, self._bid_live,
                                  map(_first, entry["b"]), 1)
                    self._reindex(self._asks, self._ask_keys, self._ask_prices, self._ask_live,
                                  map(_first, entry["a"]), -1)
                for levels, keys, prices, live, aliases, get, synced_size, sign in sides:
                    changed: Optional[Iterable[Any]] = None
                    if complete:
                        if since == 1 and len(levels) == synced_size:
                            changed = map(_first, get(pending[-1]))
                        else:
                            changed = set(map(_first, chain.from_iterable(map(get, pending))))
                    if len(levels) > synced_size:
                        self._merge_spellings(levels, aliases, list(levels) if changed is None else changed,
                                              pending, get, changed)  # type: ignore[arg-type]
                    if changed is None or (changed.__class__ is set and len(changed) > len(keys) // 2 + 16):
                        self._rebuild_side(levels, keys, prices, live, sign)
                    else:
                        self._reindex(levels, keys, prices, live, changed, sign)
            except _Collision:
                self._key = Decimal
                self._rebuild_index()
        except (TypeError, ValueError, InvalidOperation) as exc:
            self._bad_level(exc)
            return
        finally:
            pending.clear()
        bid_keys, ask_keys = self._bid_keys, self._ask_keys
        if bid_keys and ask_keys and bid_keys[-1] >= -ask_keys[-1]:
            self._crossed()
            return
        if quick:
            return
        for levels, prices, aliases in ((self._bids, self._bid_prices, self._bid_aliases),
                                        (self._asks, self._ask_prices, self._ask_aliases)):
            if len(levels) > 2 * len(prices) + 256:
                for price in [price for price, qty in levels.items() if qty in _ZEROS]:
                    del levels[price]
                for form in [form for form, price in aliases.items() if price not in levels]:
                    del aliases[form]
        self._synced_sizes = (len(self._bids), len(self._asks))

    def _sync_one(self, pending: Deque[Mapping[str, Any]]) -> None:
        """`_sync`'s quick case: one event since the last sync, and no price new to the dicts."""
        entry = pending[-1]
        event_time = entry.get("E")
        if event_time is not None:
            self._event_time = event_time
        self._synced_at = self.events_applied
        try:
            try:
                self._reindex(self._bids, self._bid_keys, self._bid_prices, self._bid_live,
                              map(_first, entry["b"]), 1)
                self._reindex(self._asks, self._ask_keys, self._ask_prices, self._ask_live,
                              map(_first, entry["a"]), -1)
            except _Collision:
                self._key = Decimal
                self._rebuild_index()
        except (TypeError, ValueError, InvalidOperation) as exc:
            self._bad_level(exc)
            return
        finally:
            pending.clear()
        bid_keys, ask_keys = self._bid_keys, self._ask_keys
        if bid_keys and ask_keys and bid_keys[-1] >= -ask_keys[-1]:
            self._crossed()

    def _bad_level(self, exc: Exception) -> None:
        """A level applied since the last sync is malformed: the book resyncs, the fault is kept."""
        message = f"a level applied before u={self._last_update_id} is malformed: {exc}"
        if self._state is not BookState.RESYNCING:
            self._set_state(BookState.RESYNCING, message)
            self._buffer = []
        self._fault = InvalidDepthEventError(message)

    def _crossed(self) -> None:
        """The best bid is not below the best ask: the book cannot be right, so it resyncs."""
        message = (f"the book is crossed after u={self._last_update_id}: best bid {self._bid_prices[-1]}"
                   f" >= best ask {self._ask_prices[-1]}")
        self.gaps_detected += 1
        if self._state is not BookState.RESYNCING:
            self._set_state(BookState.RESYNCING, message)
            self._buffer = []
        self._fault = BookOutOfSyncError(self.symbol, message, self._last_update_id)
        logger.warning("%s: %s; a new snapshot is needed", self.symbol or "book", message)

    def _merge_spellings(self, levels: Dict[Any, Any], aliases: Dict[str, str], candidates: Iterable[Any],
                         pending: Iterable[Mapping[str, Any]],
                         get: Callable[[Mapping[str, Any]], Sequence[Sequence[Any]]], changed: Optional[set]) -> None:
        """Make each price among `candidates` one level with any other spelling of the same number
        that the book holds (the spelling held first stays the key). When two spellings were
        updated, the later update wins, read from the events still held; raises ValueError if
        those no longer tell which was later."""
        if self._decimals is None:
            found = (_plain_decimals(price) for price in candidates)
            self._decimals = next((d for d in found if d is not None), 0)
        decimals = self._decimals
        merges: Dict[Any, str] = {}
        owners = set()
        for price in list(candidates):
            if price not in levels or price in merges or price in owners:
                continue
            form = _canonical(price, decimals)
            # The key held before these events: a registered alias, else the canonical spelling.
            owner = aliases.get(form)
            if owner is None or owner not in levels:
                owner = form if form != price and form in levels else None
            owner = merges.get(owner, owner)
            if owner is None or owner == price or owner not in levels:
                if price.__class__ is not str:
                    owner = form
                else:
                    if form != price:
                        aliases[form] = price
                    continue
            merges[price] = owner
            owners.add(owner)
        if not merges:
            return
        latest: Dict[str, Any] = {}
        for entry in pending:
            for price, qty in get(entry):
                owner = merges.get(price, price)
                if owner in owners:
                    latest[owner] = qty
        for owner in owners:
            if owner in latest:
                continue
            spellings = [owner, *(price for price, target in merges.items() if target == owner)]
            values = [levels[price] for price in spellings if price in levels]
            if len({Decimal(_spelled(value)) for value in values}) > 1:
                raise ValueError(f"price {owner} came in several spellings and the order of their updates is "
                                 "lost (the book was not read for too long)")
            latest[owner] = values[0]
        for price in merges:
            del levels[price]
        levels.update(latest)
        if changed is not None:
            changed.difference_update(merges)
            changed.update(owners)

    def _reindex(self, levels: Dict[str, Any], keys: List[Any], prices: List[str], live: Dict[str, Any],
                 changed: Iterable[str], sign: int) -> None:
        key = self._key
        for price in changed:
            qty = levels.get(price, _GONE)
            if qty.__class__ is str:
                number = float(qty)
                if 0.0 < number < _INF:
                    if price in live:
                        continue  # a new quantity for an indexed level: the index is unchanged
                    alive = True
                elif number == 0.0:
                    alive = qty not in _ZEROS and bool(Decimal(qty))
                else:
                    raise ValueError(f"quantity is not a finite, non-negative number: {qty!r}")
            elif qty is _GONE:
                alive = False
            else:
                if qty is None:
                    raise ValueError(f"quantity of price {price!r} is missing (None)")
                qty = levels[price] = str(qty)
                alive = _is_live(qty)
            if price in live:
                if not alive:
                    index = bisect_left(keys, key(price) if sign > 0 else -key(price))
                    del keys[index]
                    del prices[index]
                    del live[price]
            elif alive:
                number = key(price)
                _check_price(number, price)
                sort_key = number if sign > 0 else -number
                index = bisect_left(keys, sort_key)
                if index < len(keys) and keys[index] == sort_key:
                    raise _Collision(price)
                keys.insert(index, sort_key)
                prices.insert(index, price)
                live[price] = None

    def _rebuild_side(self, levels: Dict[str, Any], keys: List[Any], prices: List[str], live: Dict[str, Any],
                      sign: int) -> None:
        key = self._key
        pairs = []
        for price, qty in levels.items():
            if qty.__class__ is not str:
                if qty is None:
                    raise ValueError(f"quantity of price {price!r} is missing (None)")
                qty = levels[price] = str(qty)
            if _is_live(qty):
                number = key(price)
                _check_price(number, price)
                pairs.append((number if sign > 0 else -number, price))
        pairs.sort()
        del keys[:]
        keys.extend([sort_key for sort_key, _price in pairs])
        prices[:] = [price for _sort_key, price in pairs]
        live.clear()
        live.update(dict.fromkeys(prices))
        if any(keys[i] == keys[i - 1] for i in range(1, len(keys))):
            raise _Collision(prices)

    def _rebuild_index(self) -> None:
        for key in (self._key, Decimal):
            self._key = key
            if key is Decimal:
                self._bid_keys, self._ask_keys = [], []
            try:
                self._rebuild_side(self._bids, self._bid_keys, self._bid_prices, self._bid_live, 1)
                self._rebuild_side(self._asks, self._ask_keys, self._ask_prices, self._ask_live, -1)
                return
            except _Collision:
                if key is Decimal:
                    raise

    def _ready(self) -> None:
        if self._state is _LIVE and self.events_applied == self._synced_at:
            return
        self._require_data()
        if self.events_applied != self._synced_at:
            self._sync()
            self._require_data()

    def _levels(self, chosen: Iterable[str], levels: Dict[str, str]) -> List[Level]:
        """`(Decimal price, Decimal quantity)` for each price in `chosen`, reusing the Decimals
        made at an earlier read (the quantity's while its string is the same object)."""
        cache = self._level_cache
        out = []
        for price in chosen:
            qty = levels[price]
            hit = cache.get(price)
            if hit is None:
                level = (Decimal(price), Decimal(qty))
            elif hit[0] is qty:
                out.append(hit[1])
                continue
            else:
                level = (hit[1][0], Decimal(qty))
            cache[price] = (qty, level)
            out.append(level)
        if len(cache) > _LEVEL_CACHE_SIZE:
            cache.clear()
        return out

    # -- queries -----------------------------------------------------------------------------

    def _require_data(self) -> None:
        if self._state is BookState.RESYNCING:
            raise BookNotReadyError(f"{self.symbol or 'book'} is resyncing: waiting for a new snapshot")
        if not self._has_snapshot:
            raise BookNotReadyError(f"{self.symbol or 'book'} has no snapshot yet")

    def best_bid(self) -> Optional[Level]:
        """The highest bid as `(price, quantity)`, or None if there are no bids."""
        self._ready()
        prices = self._bid_prices
        if not prices:
            return None
        price = prices[-1]
        hit = self._level_cache.get(price)
        if hit is not None and hit[0] is self._bids[price]:
            return hit[1]
        return self._levels((price,), self._bids)[0]

    def best_ask(self) -> Optional[Level]:
        """The lowest ask as `(price, quantity)`, or None if there are no asks."""
        self._ready()
        prices = self._ask_prices
        if not prices:
            return None
        price = prices[-1]
        hit = self._level_cache.get(price)
        if hit is not None and hit[0] is self._asks[price]:
            return hit[1]
        return self._levels((price,), self._asks)[0]

    def bids(self, n: Optional[int] = None) -> List[Level]:
        """The top `n` bids (all if None), best (highest) first."""
        self._ready()
        prices = self._bid_prices
        chosen = prices[::-1] if n is None else prices[: -n - 1 : -1] if n > 0 else []
        return self._levels(chosen, self._bids)

    def asks(self, n: Optional[int] = None) -> List[Level]:
        """The top `n` asks (all if None), best (lowest) first."""
        self._ready()
        prices = self._ask_prices
        chosen = prices[::-1] if n is None else prices[: -n - 1 : -1] if n > 0 else []
        return self._levels(chosen, self._asks)

    def spread(self) -> Optional[Decimal]:
        """Best ask minus best bid, or None if a side is empty."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return ask[0] - bid[0]

    def mid(self) -> Optional[Decimal]:
        """The midpoint of the best bid and ask, or None if a side is empty."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return (ask[0] + bid[0]) / 2

    def estimate_fill(self, side: str, quantity: Number) -> FillEstimate:
        """Walk the book as a market order of `quantity` on `side` would: a BUY takes the asks,
        a SELL the bids. Raises [InsufficientDepthError][binance.orderbook.book.InsufficientDepthError] if the side
        holds less."""
        side = _side(side)
        wanted = _to_decimal(str(quantity) if isinstance(quantity, float) else quantity, "quantity")
        if wanted <= 0:
            raise ValueError(f"quantity must be positive, not {quantity!r}")
        self._ready()
        if side == "BUY":
            levels = self._asks
            prices: Iterable[str] = reversed(self._ask_prices)
        else:
            levels = self._bids
            prices = reversed(self._bid_prices)
        remaining = wanted
        notional = Decimal(0)
        used = 0
        best = worst = None
        for raw_price in prices:
            price = Decimal(raw_price)
            take = min(remaining, Decimal(levels[raw_price]))
            if best is None:
                best = price
            worst = price
            notional += take * price
            remaining -= take
            used += 1
            if not remaining:
                break
        if remaining or best is None or worst is None:
            raise InsufficientDepthError(side, wanted, wanted - remaining)
        average = notional / wanted
        return FillEstimate(side, wanted, average, best, worst, notional, used, abs(average - best) / best)

    def average_fill_price(self, side: str, quantity: Number) -> Decimal:
        """The volume-weighted price a market order of `quantity` on `side` would get."""
        return self.estimate_fill(side, quantity).average_price

    def slippage(self, side: str, quantity: Number) -> Decimal:
        """The fill's relative distance from the best price on the side taken (0.001 = 0.1 %)."""
        return self.estimate_fill(side, quantity).slippage

    def to_dict(self) -> BookDict:
        """The book in the REST snapshot's shape (plus symbol and state): levels as strings, best
        first, prices in the book's one spelling per price. Works in every state, for inspection."""
        self._sync()
        return {
            "symbol": self.symbol,
            "state": self._state.value,
            "lastUpdateId": self._last_update_id,
            "bids": [[p, self._bids[p]] for p in reversed(self._bid_prices)],
            "asks": [[p, self._asks[p]] for p in reversed(self._ask_prices)],
        }

    def matches_snapshot(self, snapshot: Mapping[str, Any], depth: Optional[int] = None) -> bool:
        """Whether the book's levels equal a REST snapshot's (numerically). With `depth`, only
        the top `depth` levels of each side are compared (a REST snapshot is limited to 1000)."""
        def parse(rows: Iterable[Sequence[str]]) -> List[Level]:
            return [(Decimal(p), Decimal(q)) for p, q in rows if Decimal(q)]

        snap_bids = sorted(parse(snapshot["bids"]), reverse=True)
        snap_asks = sorted(parse(snapshot["asks"]))
        self._sync()
        bids = [(Decimal(p), Decimal(self._bids[p])) for p in reversed(self._bid_prices)]
        asks = [(Decimal(p), Decimal(self._asks[p])) for p in reversed(self._ask_prices)]
        if depth is not None:
            snap_bids, snap_asks, bids, asks = snap_bids[:depth], snap_asks[:depth], bids[:depth], asks[:depth]
        return snap_bids == bids and snap_asks == asks

    def __len__(self) -> int:
        self._sync()
        return len(self._bid_prices) + len(self._ask_prices)

    def __repr__(self) -> str:
        self._sync()
        return (
            f"<OrderBook {self.symbol or '?'} {self._state.value} u={self._last_update_id} "
            f"bids={len(self._bid_prices)} asks={len(self._ask_prices)}>"
        )
