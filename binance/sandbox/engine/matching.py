"""Matching: price-time priority execution, fills into accounts, and the user-data events of fills."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Callable, List

from . import views
from .account_views import AccountViews
from .core import MarketCore
from .orders import Order
from .publisher import EventPublisher
from .state import SymbolState
from .util import ZERO, q8

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account

__all__ = ["Matcher", "is_hedge_close", "q8"]

def is_hedge_close(order: Order) -> bool:
    """Whether a hedge-mode order closes its position side (SELL LONG or BUY SHORT)."""
    return (order.position_side == "LONG" and not order.is_buy) or (order.position_side == "SHORT" and order.is_buy)


class Matcher:
    """The book and matching: price-time execution, fills into positions (through `AccountViews`), order events.

    `after_trades` are called with a symbol's state after its trades were published (the trading
    part checks conditional orders there), so that matching never depends on the parts above it.
    """

    def __init__(self, core: MarketCore, events: EventPublisher, margin: AccountViews) -> None:
        self.core = core
        self.events = events
        self.margin = margin
        self.after_trades: List[Callable[[SymbolState], None]] = []

    def set_status(self, order: Order, status: str) -> None:
        """Change an order's status; a user order's account re-indexes its open orders."""
        order.status = status
        if order.owner is not None:
            acct = self.core.accounts.get(order.owner)
            if acct is not None:
                acct.order_changed(order)

    def crosses(self, order: Order, price: Decimal) -> bool:
        """Whether a resting price is acceptable to `order` (market orders take any price)."""
        if order.type == "MARKET":
            return True
        return price <= order.price if order.is_buy else price >= order.price

    def fillable_qty(self, st: SymbolState, order: Order) -> Decimal:
        """Quantity the book could give `order` now (for FOK), ignoring self-trades."""
        side = st.book.side(not order.is_buy)
        total = ZERO
        for price in side.prices():
            if not self.crosses(order, price):
                break
            total += sum((o.remaining for o in side.levels[price] if o.owner is None or o.owner != order.owner),
                         ZERO)
            if total >= order.remaining:
                break
        return total

    def match(self, st: SymbolState, taker: Order) -> None:
        """Execute `taker` against resting orders until it is filled or no longer crosses."""
        side = st.book.side(not taker.is_buy)
        aggs: List[dict] = []
        while taker.remaining > 0:
            best = side.best()
            if best is None or not self.crosses(taker, best):
                break
            maker = side.levels[best][0]
            if taker.owner is not None and maker.owner == taker.owner:
                mode = taker.stp_mode if taker.stp_mode != "NONE" else "EXPIRE_MAKER"
                if mode in ("EXPIRE_MAKER", "EXPIRE_BOTH"):
                    self.finish_order(st, maker, "EXPIRED", exec_type="EXPIRED", on_book=True)
                if mode in ("EXPIRE_TAKER", "EXPIRE_BOTH"):
                    taker.stp_expired = True
                    break
                continue
            qty = min(taker.remaining, maker.remaining)
            maker_cap = self.reduce_cap(maker, qty)
            if maker_cap <= 0:
                self.finish_order(st, maker, "EXPIRED", exec_type="EXPIRED", on_book=True)
                continue
            taker_cap = self.reduce_cap(taker, min(qty, maker_cap))
            if taker_cap <= 0:
                break
            self.execute_fill(st, maker, taker, best, taker_cap, aggs)
        self.publish_aggs(st, aggs)

    def reduce_cap(self, order: Order, qty: Decimal) -> Decimal:
        """How much of `qty` a reduce-only or closing order (hedge mode: SELL LONG, BUY SHORT) may fill."""
        if order.owner is None or not (order.reduce_only or order.close_position or is_hedge_close(order)):
            return qty
        acct = self.core.accounts.get(order.owner)
        if acct is None:
            return qty
        pos = acct.position(order.symbol, order.position_side)
        if order.position_side == "BOTH":
            if (pos.amt > 0 and order.is_buy) or (pos.amt < 0 and not order.is_buy) or pos.amt == 0:
                return ZERO
        return min(qty, abs(pos.amt))

    def execute_fill(self, st: SymbolState, maker: Order, taker: Order, price: Decimal,
                     qty: Decimal, aggs: List[dict]) -> None:
        """One trade between `maker` (resting) and `taker` at `price`.

        On a replayed symbol the trade is private: the replayed market's trades, prices and candles
        are the files' (no market impact); the level it took stays taken until the file changes it.
        """
        ins = st.ins
        now = self.core.now()
        st.book.fill_front(maker, qty)
        trade_id = st.next_trade_id
        st.next_trade_id += 1
        for o in (maker, taker):
            self._order_filled(st, o, price, qty, now)
        if ins.symbol not in self.core.replayed:
            quote = self.core.math.notional(qty, price, ins) if ins.kind == "cm" else qty * price
            st.last_price = price
            st.last_qty = qty
            st.ticker_changed = True
            buyer_maker = maker.is_buy
            trade = {"id": trade_id, "price": price, "qty": qty, "quote": quote, "time": now,
                     "isBuyerMaker": buyer_maker}
            st.trades.append(trade)
            st.klines.sample(now, price, qty, quote, not buyer_maker, trade_id)
            if aggs and aggs[-1]["p"] == price:
                aggs[-1]["q"] += qty
                aggs[-1]["l"] = trade_id
            else:
                aggs.append({"a": st.next_agg_id, "p": price, "q": qty, "f": trade_id, "l": trade_id, "T": now,
                             "m": buyer_maker})
                st.next_agg_id += 1
        for o, is_maker in ((maker, True), (taker, False)):
            if o.owner is not None and o.owner in self.core.accounts:
                self.apply_fill(st, self.core.accounts[o.owner], o, price, qty, is_maker, trade_id, now)

    def _order_filled(self, st: SymbolState, o: Order, price: Decimal, qty: Decimal, now: int) -> None:
        ins = st.ins
        o.filled += qty
        if ins.kind == "cm":
            o.cum_quote += qty * ins.contract_size
            o.cum_base += qty * ins.contract_size / price
        else:
            o.cum_quote += qty * price
        self.set_status(o, "FILLED" if o.remaining <= 0 else "PARTIALLY_FILLED")
        o.update_time = now

    def fill_resting(self, st: SymbolState, o: Order, price: Decimal, qty: Decimal) -> None:
        """A resting user order of a replayed symbol fills `qty` at `price` as a maker (the replay's queue rule
        decided it): the order, its position, PnL, fees and user-data events, as for any fill; no public trade."""
        now = self.core.now()
        trade_id = st.next_trade_id
        st.next_trade_id += 1
        self._order_filled(st, o, price, qty, now)
        if o.remaining <= 0:
            st.book.remove(o)
        if o.owner is not None and o.owner in self.core.accounts:
            self.apply_fill(st, self.core.accounts[o.owner], o, price, qty, True, trade_id, now)

    def trades_happened(self, st: SymbolState) -> None:
        """Tell the parts above (conditional orders) that `st` traded or its prices moved."""
        for hook in self.after_trades:
            hook(st)

    def publish_aggs(self, st: SymbolState, aggs: List[dict]) -> None:
        """Store aggregate trades and push them on `<symbol>@aggTrade`, their trades on `<symbol>@trade`."""
        if not aggs:
            return
        ins = st.ins
        self._publish_trades(st, aggs[0]["f"])
        key = f"{ins.symbol.lower()}@aggTrade"
        for a in aggs:
            st.aggs.append(a)
            payload = {"e": "aggTrade", "E": a["T"], "s": ins.symbol, "a": a["a"], "p": ins.fmt_price(a["p"]),
                       "q": ins.fmt_qty(a["q"])}
            if ins.kind == "um":
                payload["nq"] = ins.fmt_qty(a["q"])
            payload.update({"f": a["f"], "l": a["l"], "T": a["T"], "m": a["m"],
                            "st": 1 if ins.kind == "um" else 2})
            self.events.emit("market", key, payload)
        self.trades_happened(st)

    def _publish_trades(self, st: SymbolState, first_id: int) -> None:
        ins = st.ins
        key = f"{ins.symbol.lower()}@trade"
        fresh = []
        for t in reversed(st.trades):
            if t["id"] < first_id:
                break
            fresh.append(t)
        for t in reversed(fresh):
            self.events.emit("market", key, {"e": "trade", "E": t["time"], "T": t["time"], "s": ins.symbol,
                                             "t": t["id"],
                                      "p": ins.fmt_price(t["price"]), "q": ins.fmt_qty(t["qty"]), "X": "MARKET",
                                      "m": t["isBuyerMaker"]})

    def apply_fill(self, st: SymbolState, acct: "Account", o: Order, price: Decimal, qty: Decimal,
                   is_maker: bool, trade_id: int, now: int) -> None:
        """Book one fill of a user order: position, entry, realized PnL, commission, income, events."""
        ins = st.ins
        m = self.core.math
        rate = self.core.maker_rate if is_maker else self.core.taker_rate
        commission = q8(m.notional(qty, price, ins) * rate)
        pos = acct.position(o.symbol, o.position_side)
        lev = acct.leverage[o.symbol]
        isolated = acct.margin_type[o.symbol] == "ISOLATED"
        signed = qty if o.is_buy else -qty
        realized = ZERO
        amt = pos.amt
        if amt == 0 or (amt > 0) == (signed > 0):
            pos.entry = price if amt == 0 else m.add_entry(abs(amt), pos.entry, qty, price, ins)
            pos.amt = amt + signed
            if isolated:
                pos.isolated_wallet += q8(m.notional(qty, price, ins) / lev)
        else:
            close = min(abs(amt), qty)
            realized = q8(m.pnl(close if amt > 0 else -close, pos.entry, price, ins))
            pos.amt = amt + signed
            if isolated and amt:
                pos.isolated_wallet = q8(pos.isolated_wallet * (abs(amt) - close) / abs(amt))
            if pos.amt == 0:
                pos.entry = ZERO
                pos.isolated_wallet = ZERO
            elif (pos.amt > 0) != (amt > 0):
                pos.entry = price
                if isolated:
                    pos.isolated_wallet = q8(m.notional(abs(pos.amt), price, ins) / lev)
        pos.realized += realized
        pos.fees = pos.fees + commission if pos.amt else ZERO
        pos.update_time = now
        bal = acct.balance(ins.margin_asset)
        bal.wallet += realized - commission
        bal.update_time = now
        st.open_interest += qty if (amt == 0 or (amt > 0) == (signed > 0)) else -min(abs(amt), qty)
        st.open_interest = max(st.open_interest, ZERO)
        quote_qty = qty * price if ins.kind == "um" else qty * ins.contract_size
        base_qty = qty if ins.kind == "um" else q8(qty * ins.contract_size / price)
        acct.trades.append({
            "symbol": o.symbol, "id": trade_id, "orderId": o.order_id, "pair": ins.pair, "side": o.side,
            "price": price, "qty": qty, "realizedPnl": realized, "marginAsset": ins.margin_asset,
            "quoteQty": quote_qty, "baseQty": base_qty, "commission": commission,
            "commissionAsset": ins.margin_asset, "time": now, "positionSide": o.position_side,
            "buyer": o.is_buy, "maker": is_maker,
        })
        if realized:
            acct.income.append(self.core.income_record(o.symbol, "REALIZED_PNL", realized, ins.margin_asset, now,
                                                   "", str(trade_id)))
        if commission:
            acct.income.append(self.core.income_record(o.symbol, "COMMISSION", -commission, ins.margin_asset, now,
                                                   "", str(trade_id)))
        if ins.kind == "um":
            self.events.emit_user(acct.api_key, views.trade_lite_event(o, ins, now, qty, price, trade_id, is_maker))
        bids, asks = self.margin.open_notional(acct, o.symbol)
        self.events.emit_user(acct.api_key, views.order_event(
            o, ins, "TRADE", now, acct.alias, qty, price, commission, trade_id, is_maker, realized, bids, asks))
        update = self.margin.account_update_event(acct, "ORDER", [(o.symbol, o.position_side)], now)
        self.events.emit_user(acct.api_key, update)
        if o.algo_id is not None and o.status == "FILLED":
            self.events.emit_user(acct.api_key, views.algo_event(o, ins, now))
        if pos.amt == 0:
            self.expire_reduce_only(st, acct, o)

    def expire_reduce_only(self, st: SymbolState, acct: "Account", filled: Order) -> None:
        """Once a position is flat, its open reduce-only orders expire (Binance cancels them)."""
        for o in acct.open_orders(filled.symbol):
            if o is filled or not (o.reduce_only or is_hedge_close(o)) or o.position_side != filled.position_side:
                continue
            if o.is_conditional and not o.triggered:
                continue
            self.finish_order(st, o, "EXPIRED", exec_type="EXPIRED", on_book=True)

    def finish_order(self, st: SymbolState, o: Order, status: str, exec_type: str,
                     on_book: bool) -> None:
        """Close a working order (cancel or expiry): off the book/stop list, status set, event sent."""
        if on_book and o.type in ("LIMIT",) and o.remaining > 0 and o.status in ("NEW", "PARTIALLY_FILLED"):
            st.book.remove(o)
        if o in st.stops:
            st.stops.remove(o)
        self.set_status(o, status)
        o.update_time = self.core.now()
        if o.owner is not None and o.owner in self.core.accounts:
            acct = self.core.accounts[o.owner]
            if o.algo_id is None or o.triggered:
                bids, asks = self.margin.open_notional(acct, o.symbol)
                self.events.emit_user(o.owner, views.order_event(o, st.ins, exec_type, o.update_time, acct.alias,
                                                          bids_notional=bids, asks_notional=asks))
            if o.algo_id is not None:
                self.events.emit_user(o.owner, views.algo_event(o, st.ins, o.update_time))

