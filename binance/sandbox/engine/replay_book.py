"""`ReplayOrderBook`: the book of a replayed symbol. Its levels are the recorded market's; user orders rest beside it.

Each replayed price level is one participant order whose quantity is the level's recorded
quantity (set by snapshots and depth diffs, or by book-ticker rows when only those were recorded).
User orders never join the replayed queues: a resting user limit order is kept in `user_orders`
and fills by the replay's queue rule (`binance.sandbox.engine.replay_fills`), so the replayed
levels, `update_id` and every published depth stay exactly as recorded. A user taker order
matches the replayed levels through the engine's usual matching (level by level); what it takes
stays taken until the file next updates that level (the replayed market does not react).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .book import OrderBook
from .orders import Order

__all__ = ["ReplayOrderBook"]

Level = Tuple[Decimal, Decimal]


class ReplayOrderBook(OrderBook):
    """An `OrderBook` holding the replayed levels; `new_level(is_buy, price, qty)` makes a level's participant order."""

    def __init__(self, first_update_id: int, new_level: Callable[[bool, Decimal, Decimal], Order],
                 on_rest: Optional[Callable[["ReplayOrderBook", Order], None]] = None) -> None:
        super().__init__(first_update_id)
        self._new_level = new_level
        self._on_rest = on_rest
        self.user_orders: List[Order] = []
        self.synced = False
        """True once a snapshot (or a book-ticker row) has set the levels."""

    def _touch(self, is_buy: bool, price: Decimal) -> None:
        """Replayed levels take their update ids from the file (`apply_levels`); nothing is tracked."""

    # ------------------------------------------------------------------ user orders (beside the book)
    def add(self, order: Order) -> None:
        """Rest a user order beside the replayed book (participant orders go on it)."""
        if order.owner is None:
            super().add(order)
            return
        self.user_orders.append(order)
        if self._on_rest is not None:
            self._on_rest(self, order)

    def remove(self, order: Order) -> None:
        """Take an order away (a user order from beside the book)."""
        if order.owner is None:
            super().remove(order)
            return
        if order in self.user_orders:
            self.user_orders.remove(order)

    def amend_qty(self, order: Order, delta: Decimal) -> None:
        """A user order's quantity changes in place; the replayed levels are untouched."""
        if order.owner is None:
            super().amend_qty(order, delta)

    def resting(self, is_buy: bool) -> List[Order]:
        """The user orders resting on one side, best price first, then oldest first."""
        orders = [o for o in self.user_orders if o.is_buy == is_buy and o.remaining > 0]
        orders.sort(key=lambda o: (-o.price if is_buy else o.price, o.seq, o.time))
        return orders

    # ------------------------------------------------------------------ replayed levels
    def set_level(self, is_buy: bool, price: Decimal, qty: Decimal) -> None:
        """Make the replayed level at `price` hold `qty` (zero removes it)."""
        side = self.side(is_buy)
        queue = side.levels.get(price)
        if queue:
            if qty > 0 and len(queue) == 1:  # the level's one participant order takes the new quantity
                o = queue[0]
                o.qty = o.filled + qty
                side.qty[price] = qty
                return
            for o in list(queue):
                side.remove(o, o.remaining)
        if qty > 0:
            side.add(self._new_level(is_buy, price, qty))

    def apply_levels(self, bids: Iterable[Sequence[str]], asks: Iterable[Sequence[str]], update_id: int) -> None:
        """Apply the levels of a depth diff (price/quantity text pairs) and take its last update id."""
        for is_buy, rows in ((True, bids), (False, asks)):
            for price, qty in rows:
                self.set_level(is_buy, Decimal(price), Decimal(qty))
        self.update_id = update_id

    def reset(self, bids: Iterable[Sequence[str]], asks: Iterable[Sequence[str]], update_id: int) -> None:
        """Replace every replayed level (a snapshot, or a book-ticker top) and take its update id."""
        for is_buy in (True, False):
            side = self.side(is_buy)
            for price in list(side.prices()):
                self.set_level(is_buy, price, Decimal(0))
        self.apply_levels(bids, asks, update_id)
        self.synced = True

    def top(self) -> Tuple[Optional[Decimal], Decimal, Optional[Decimal], Decimal]:
        """(best bid, its qty, best ask, its qty)."""
        bid, ask = self.best_bid(), self.best_ask()
        return (bid, self.level_qty(True, bid) if bid is not None else Decimal(0),
                ask, self.level_qty(False, ask) if ask is not None else Decimal(0))

    def levels(self) -> Dict[str, List[Level]]:
        """Every replayed level: `{"bids": [...], "asks": [...]}`, best first."""
        bids, asks = self.depth(10**9)
        return {"bids": bids, "asks": asks}
