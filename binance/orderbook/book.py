"""A local futures order book kept in sync with Binance by its sequencing rules (no I/O).

Feed it a REST depth snapshot (``GET /fapi/v1/depth`` or ``/dapi/v1/depth``) and the diff-depth
stream's ``depthUpdate`` events, in any interleaving::

    book = OrderBook("BTCUSDT")
    book.apply_diff(event)          # before the snapshot: buffered
    book.apply_snapshot(snapshot)   # replays the buffer; LIVE once an event bridges the snapshot
    book.apply_diff(event)          # raises BookOutOfSyncError on a gap: fetch a new snapshot

Binance's futures rules, as applied here:

1. events with ``u`` below the snapshot's ``lastUpdateId`` are dropped;
2. the first applied event satisfies ``U <= lastUpdateId <= u`` (or its ``pu`` equals
   ``lastUpdateId``: it starts right after the snapshot, so nothing is missing either);
3. every later event's ``pu`` equals the previous applied event's ``u``; otherwise updates were
   missed, the book is RESYNCING and the caller must fetch a new snapshot.

Events whose ``u`` is not above the last applied ``u`` are already reflected in the book (a
duplicate or a late, reordered copy) and are dropped, never applied: a depth update carries
absolute quantities, so applying an old one would silently revert a level.

States and their transitions live in :data:`_TRANSITIONS` and are changed only by
:meth:`OrderBook._set_state`, which logs each one at DEBUG.
"""

from __future__ import annotations

import enum
import logging
from bisect import bisect_left, insort
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from binance.error import Error

logger = logging.getLogger(__name__)

Level = Tuple[Decimal, Decimal]
_PRICE_CACHE_SIZE = 100_000

__all__ = [
    "ApplyResult",
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
    """Updates were missed (a gap in the ``pu``/``u`` chain, or the snapshot is older than the first
    buffered event). The book is RESYNCING: fetch a new REST snapshot and pass it to
    :meth:`OrderBook.apply_snapshot`. Events received meanwhile are buffered."""

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
    """What :meth:`OrderBook.apply_diff` did with an event."""

    APPLIED = "APPLIED"
    BUFFERED = "BUFFERED"
    DROPPED = "DROPPED"


class FillEstimate(NamedTuple):
    """The outcome of taking ``quantity`` from one side of the book at its current state."""

    side: str
    quantity: Decimal
    average_price: Decimal
    best_price: Decimal
    worst_price: Decimal
    notional: Decimal
    levels: int
    slippage: Decimal
    """``abs(average_price - best_price) / best_price``: 0 when the first level fills it all."""


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


class OrderBook:
    """A local order book for one futures symbol, kept in sync by Binance's diff-depth rules.

    Prices and quantities are :class:`~decimal.Decimal`. Not thread-safe: the caller serialises
    calls (the depth manager does, under its lock).
    """

    def __init__(self, symbol: str = "", max_buffer: int = 10_000) -> None:
        """``symbol`` is checked against each event's ``s`` when both are given (case-insensitive).
        At most ``max_buffer`` events wait for a snapshot; the oldest are dropped beyond that (if
        they were needed, the next snapshot reports the gap)."""
        self.symbol = symbol.upper()
        self.max_buffer = max_buffer
        self._state = BookState.SYNCING
        # price -> quantity as received (a string); converted to Decimal when read.
        self._bids: Dict[Decimal, str] = {}
        self._asks: Dict[Decimal, str] = {}
        self._prices: Dict[str, Decimal] = {}
        self._bid_keys: List[Decimal] = []
        self._ask_keys: List[Decimal] = []
        self._buffer: List[_Diff] = []
        self._has_snapshot = False
        self._last_update_id: Optional[int] = None
        self._snapshot_update_id: Optional[int] = None
        self.last_event_time: Optional[int] = None
        self.events_applied = 0
        self.events_dropped = 0
        self.gaps_detected = 0
        self.snapshots_applied = 0

    # -- state -------------------------------------------------------------------------------

    @property
    def state(self) -> BookState:
        """The current :class:`BookState`."""
        return self._state

    @property
    def is_live(self) -> bool:
        """True when every event since the snapshot has been applied in sequence."""
        return self._state is BookState.LIVE

    @property
    def last_update_id(self) -> Optional[int]:
        """The ``u`` of the last applied event, or the snapshot's ``lastUpdateId``; None before one."""
        return self._last_update_id

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
        """Replace the book with a REST depth snapshot (``lastUpdateId``, ``bids``, ``asks``) and
        replay the buffered events that follow it. Returns the new state: LIVE if an event bridged
        the snapshot, SYNCING if none has arrived yet.

        Raises :class:`BookOutOfSyncError` when the buffered events do not connect to the snapshot
        (the snapshot is older than the stream's first kept event, or the buffer has a gap): fetch
        another snapshot.
        """
        try:
            last_id = int(snapshot["lastUpdateId"])
            raw_bids = snapshot["bids"]
            raw_asks = snapshot["asks"]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidDepthEventError(f"not a depth snapshot: {exc!r}")
        bids: Dict[Decimal, str] = {}
        asks: Dict[Decimal, str] = {}
        self._prices = {}
        for levels, rows in ((bids, raw_bids), (asks, raw_asks)):
            for price, qty in rows:
                if _to_decimal(qty, "quantity"):
                    levels[self._price(price)] = str(qty)
        if self._state is not BookState.SYNCING:
            self._set_state(BookState.SYNCING, f"snapshot {last_id}")
        self._bids, self._asks = bids, asks
        self._bid_keys = sorted(bids)
        self._ask_keys = sorted(asks)
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
        """Apply one ``depthUpdate`` event (a combined-stream ``{"stream", "data"}`` wrapper is
        accepted too). Returns APPLIED, BUFFERED (no snapshot yet, or RESYNCING) or DROPPED (older
        than the book: already reflected in it).

        Raises :class:`BookOutOfSyncError` when the event reveals a gap; the event is kept in the
        buffer, the book is RESYNCING, and the caller must fetch a new snapshot.
        """
        return self._process(self._parse(event))

    def _parse(self, event: Mapping[str, Any]) -> _Diff:
        if "data" in event and "U" not in event:
            event = event["data"]
        try:
            if event.get("e", "depthUpdate") != "depthUpdate":
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

    def _price(self, raw: Any) -> Decimal:
        price = self._prices.get(raw)
        if price is None:
            if len(self._prices) >= _PRICE_CACHE_SIZE:
                self._prices.clear()
            price = self._prices[raw] = _to_decimal(raw, "price")
        return price

    def _apply_levels(self, diff: _Diff) -> None:
        try:
            self._update_side(diff.bids, self._bids, self._bid_keys)
            self._update_side(diff.asks, self._asks, self._ask_keys)
        except InvalidDepthEventError:
            self._set_state(BookState.RESYNCING, f"malformed event u={diff.last} was partly applied")
            self._buffer = []
            raise
        self._last_update_id = diff.last
        if diff.event_time is not None:
            self.last_event_time = diff.event_time
        self.events_applied += 1

    def _update_side(self, updates: Iterable[Sequence[str]], levels: Dict[Decimal, str], keys: List[Decimal]) -> None:
        prices = self._prices
        for raw_price, raw_qty in updates:
            try:
                price = prices.get(raw_price)
                if price is None:
                    price = self._price(raw_price)
                # float() is only a zero test: the quantity is kept as the exact string received.
                nonzero = float(raw_qty)
            except (TypeError, ValueError, InvalidDepthEventError):
                raise InvalidDepthEventError(f"level is not two decimal numbers: {[raw_price, raw_qty]!r}")
            if nonzero:
                if nonzero - nonzero:
                    raise InvalidDepthEventError(f"quantity is not a finite number: {raw_qty!r}")
                if price not in levels:
                    insort(keys, price)
                levels[price] = raw_qty if raw_qty.__class__ is str else str(raw_qty)
            elif price in levels:
                del levels[price]
                del keys[bisect_left(keys, price)]

    # -- queries -----------------------------------------------------------------------------

    def _require_data(self) -> None:
        if self._state is BookState.RESYNCING:
            raise BookNotReadyError(f"{self.symbol or 'book'} is resyncing: waiting for a new snapshot")
        if not self._has_snapshot:
            raise BookNotReadyError(f"{self.symbol or 'book'} has no snapshot yet")

    def best_bid(self) -> Optional[Level]:
        """The highest bid as ``(price, quantity)``, or None if there are no bids."""
        self._require_data()
        if not self._bid_keys:
            return None
        price = self._bid_keys[-1]
        return price, Decimal(self._bids[price])

    def best_ask(self) -> Optional[Level]:
        """The lowest ask as ``(price, quantity)``, or None if there are no asks."""
        self._require_data()
        if not self._ask_keys:
            return None
        price = self._ask_keys[0]
        return price, Decimal(self._asks[price])

    def bids(self, n: Optional[int] = None) -> List[Level]:
        """The top ``n`` bids (all if None), best (highest) first."""
        self._require_data()
        keys = self._bid_keys
        chosen = keys[::-1] if n is None else keys[: -n - 1 : -1] if n > 0 else []
        levels = self._bids
        return [(price, Decimal(levels[price])) for price in chosen]

    def asks(self, n: Optional[int] = None) -> List[Level]:
        """The top ``n`` asks (all if None), best (lowest) first."""
        self._require_data()
        keys = self._ask_keys
        chosen = keys if n is None else keys[:n] if n > 0 else []
        levels = self._asks
        return [(price, Decimal(levels[price])) for price in chosen]

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

    def estimate_fill(self, side: str, quantity: Any) -> FillEstimate:
        """Walk the book as a market order of ``quantity`` on ``side`` would: a BUY takes the asks,
        a SELL the bids. Raises :class:`InsufficientDepthError` if the side holds less."""
        side = _side(side)
        wanted = _to_decimal(str(quantity) if isinstance(quantity, float) else quantity, "quantity")
        if wanted <= 0:
            raise ValueError(f"quantity must be positive, not {quantity!r}")
        self._require_data()
        if side == "BUY":
            keys, levels = self._ask_keys, self._asks
            prices: Iterable[Decimal] = keys
        else:
            keys, levels = self._bid_keys, self._bids
            prices = reversed(keys)
        remaining = wanted
        notional = Decimal(0)
        used = 0
        best = worst = None
        for price in prices:
            take = min(remaining, Decimal(levels[price]))
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

    def average_fill_price(self, side: str, quantity: Any) -> Decimal:
        """The volume-weighted price a market order of ``quantity`` on ``side`` would get."""
        return self.estimate_fill(side, quantity).average_price

    def slippage(self, side: str, quantity: Any) -> Decimal:
        """The fill's relative distance from the best price on the side taken (0.001 = 0.1 %)."""
        return self.estimate_fill(side, quantity).slippage

    def to_dict(self) -> Dict[str, Any]:
        """The book in the REST snapshot's shape (plus symbol and state): levels as strings, best
        first. Works in every state, for inspection."""
        return {
            "symbol": self.symbol,
            "state": self._state.value,
            "lastUpdateId": self._last_update_id,
            "bids": [[format(p, "f"), self._bids[p]] for p in reversed(self._bid_keys)],
            "asks": [[format(p, "f"), self._asks[p]] for p in self._ask_keys],
        }

    def matches_snapshot(self, snapshot: Mapping[str, Any], depth: Optional[int] = None) -> bool:
        """Whether the book's levels equal a REST snapshot's (numerically). With ``depth``, only
        the top ``depth`` levels of each side are compared (a REST snapshot is limited to 1000)."""
        def parse(rows: Iterable[Sequence[str]]) -> List[Level]:
            return [(Decimal(p), Decimal(q)) for p, q in rows if Decimal(q)]

        snap_bids = sorted(parse(snapshot["bids"]), reverse=True)
        snap_asks = sorted(parse(snapshot["asks"]))
        bids = [(p, Decimal(self._bids[p])) for p in reversed(self._bid_keys)]
        asks = [(p, Decimal(self._asks[p])) for p in self._ask_keys]
        if depth is not None:
            snap_bids, snap_asks, bids, asks = snap_bids[:depth], snap_asks[:depth], bids[:depth], asks[:depth]
        return snap_bids == bids and snap_asks == asks

    def __len__(self) -> int:
        return len(self._bids) + len(self._asks)

    def __repr__(self) -> str:
        return (
            f"<OrderBook {self.symbol or '?'} {self._state.value} u={self._last_update_id} "
            f"bids={len(self._bids)} asks={len(self._asks)}>"
        )
