"""A price-time priority limit order book with update ids and change tracking for depth diffs."""

from __future__ import annotations

import bisect
from collections import deque
from decimal import Decimal
from typing import Deque, Dict, Iterator, List, Optional, Set, Tuple

from .orders import Order


class _Side:
    """One side of the book: price levels in priority order, FIFO queue at each level."""

    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: Dict[Decimal, Deque[Order]] = {}
        self.qty: Dict[Decimal, Decimal] = {}
        self._keys: List[Decimal] = []

    def _key(self, price: Decimal) -> Decimal:
        return -price if self.descending else price

    def add(self, order: Order) -> None:
        """Append `order` to the queue of its price level."""
        price = order.price
        if price not in self.levels:
            self.levels[price] = deque()
            self.qty[price] = Decimal(0)
            bisect.insort(self._keys, self._key(price))
        self.levels[price].append(order)
        self.qty[price] += order.remaining

    def remove(self, order: Order, qty: Decimal) -> None:
        """Take `order` off its level; `qty` is the quantity it still had on the book."""
        price = order.price
        level = self.levels.get(price)
        if level is None:
            return
        try:
            level.remove(order)
        except ValueError:
            return
        self.qty[price] -= qty
        if not level:
            self._drop(price)

    def reduce(self, price: Decimal, qty: Decimal) -> None:
        """Lower the total open quantity of a level."""
        self.qty[price] -= qty

    def _drop(self, price: Decimal) -> None:
        del self.levels[price]
        del self.qty[price]
        idx = bisect.bisect_left(self._keys, self._key(price))
        del self._keys[idx]

    def pop_front(self, price: Decimal) -> None:
        """Drop the first order of a level (it was filled)."""
        level = self.levels[price]
        level.popleft()
        if not level:
            self._drop(price)

    def best(self) -> Optional[Decimal]:
        """The best price of this side."""
        if not self._keys:
            return None
        k = self._keys[0]
        return -k if self.descending else k

    def prices(self) -> Iterator[Decimal]:
        """Prices from best to worst."""
        for k in list(self._keys):
            yield -k if self.descending else k

    def __len__(self) -> int:
        return len(self._keys)


class OrderBook:
    """Resting orders of one symbol. `update_id` grows with every change; trackers collect changed levels."""

    def __init__(self, first_update_id: int) -> None:
        self.bids = _Side(descending=True)
        self.asks = _Side(descending=False)
        self.update_id = first_update_id
        self._trackers: Dict[str, Tuple[Optional[int], Set[Tuple[str, Decimal]]]] = {}

    def side(self, is_buy: bool) -> _Side:
        """The side a BUY (bids) or SELL (asks) order rests on."""
        return self.bids if is_buy else self.asks

    def track(self, name: str) -> None:
        """Start collecting changed levels under `name` (one tracker per diff stream speed)."""
        self._trackers.setdefault(name, (None, set()))

    def _touch(self, is_buy: bool, price: Decimal) -> None:
        self.update_id += 1
        key = ("b" if is_buy else "a", price)
        for name, (first, changed) in self._trackers.items():
            if first is None:
                self._trackers[name] = (self.update_id, changed)
            changed.add(key)

    def add(self, order: Order) -> None:
        """Rest `order` at the back of its price level."""
        self.side(order.is_buy).add(order)
        self._touch(order.is_buy, order.price)

    def remove(self, order: Order) -> None:
        """Take a resting order off the book (cancel, expiry)."""
        self.side(order.is_buy).remove(order, order.remaining)
        self._touch(order.is_buy, order.price)

    def fill_front(self, order: Order, qty: Decimal) -> None:
        """Record that the first order of its level traded `qty` (the caller updates `order.filled`)."""
        side = self.side(order.is_buy)
        side.reduce(order.price, qty)
        if order.remaining - qty <= 0:
            side.pop_front(order.price)
        self._touch(order.is_buy, order.price)

    def amend_qty(self, order: Order, delta: Decimal) -> None:
        """Change a resting order's open quantity in place (keeps its queue position)."""
        self.side(order.is_buy).reduce(order.price, -delta)
        self._touch(order.is_buy, order.price)

    def best_bid(self) -> Optional[Decimal]:
        """Highest bid price."""
        return self.bids.best()

    def best_ask(self) -> Optional[Decimal]:
        """Lowest ask price."""
        return self.asks.best()

    def level_qty(self, is_buy: bool, price: Decimal) -> Decimal:
        """Total open quantity at a level (zero if empty)."""
        return self.side(is_buy).qty.get(price, Decimal(0))

    def depth(self, limit: int) -> Tuple[List[Tuple[Decimal, Decimal]], List[Tuple[Decimal, Decimal]]]:
        """Top `limit` levels of bids and asks as (price, qty)."""
        bids = []
        for p in self.bids.prices():
            if len(bids) >= limit:
                break
            bids.append((p, self.bids.qty[p]))
        asks = []
        for p in self.asks.prices():
            if len(asks) >= limit:
                break
            asks.append((p, self.asks.qty[p]))
        return bids, asks

    def take_changes(self, name: str) -> Optional[Tuple[int, int, List[Tuple[Decimal, Decimal]],
                                                       List[Tuple[Decimal, Decimal]]]]:
        """Changes collected by tracker `name` since its last call: (U, u, bids, asks); `None` if none."""
        first, changed = self._trackers.get(name, (None, set()))
        if first is None or not changed:
            return None
        self._trackers[name] = (None, set())
        bids = sorted(((p, self.bids.qty.get(p, Decimal(0))) for s, p in changed if s == "b"),
                      key=lambda x: -x[0])
        asks = sorted(((p, self.asks.qty.get(p, Decimal(0))) for s, p in changed if s == "a"),
                      key=lambda x: x[0])
        return first, self.update_id, bids, asks

    def orders_at(self, is_buy: bool, price: Decimal) -> Deque[Order]:
        """The FIFO queue at a level (empty deque if none)."""
        return self.side(is_buy).levels.get(price, deque())
