"""User order entry: validation with Binance's codes, placement, cancel, modify, triggers, expiry, settings."""

from __future__ import annotations

import json
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, List, Mapping, Optional

from . import views
from .account_views import AccountViews
from .core import MarketCore
from .errors import (
    MARGIN_INSUFFICIENT,
    NO_SUCH_ORDER,
    PRECISION,
    REDUCE_ONLY_REJECTED,
    UNKNOWN_ORDER,
    EngineError,
    invalid_value,
    mandatory,
    not_required,
)
from .matching import Matcher
from .orders import CONDITIONAL_TYPES, Order
from .publisher import EventPublisher
from .state import FUNDING_INTERVAL_MS, SymbolState
from .util import ZERO, decimals_of, get_bool, get_dec, get_enum, get_int, get_str, q8

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account

ORDER_TYPES = ("LIMIT", "MARKET") + CONDITIONAL_TYPES
TIFS = ("GTC", "IOC", "FOK", "GTX", "GTD")
CLIENT_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CLIENT_ID_RE = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
PRICE_MATCHES = ("NONE", "OPPONENT", "OPPONENT_5", "OPPONENT_10", "OPPONENT_20", "QUEUE", "QUEUE_5",
                 "QUEUE_10", "QUEUE_20")
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_BOTH", "EXPIRE_MAKER")
POST_ONLY_REJECT = (-5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. "
                           "The order will not be recorded in the order history")
FOK_REJECT = (-5021, "Due to the order could not be filled immediately, the FOK order has been rejected. "
                     "The order will not be recorded in the order history")
SUCCESS = {"code": 200, "msg": "success"}
MAX_ALGO_ORDERS = 10  # the MAX_NUM_ALGO_ORDERS filter of exchangeInfo


class Trading:
    """Order entry and account settings: validation, placement, cancel/modify, conditional orders, expiry,
    countdowns, funding. Depends on the core, the publisher, accounts and margin, and the matcher."""

    def __init__(self, core: MarketCore, events: EventPublisher, margin: AccountViews, matcher: Matcher) -> None:
        self.core = core
        self.events = events
        self.margin = margin
        self.matcher = matcher
        matcher.after_trades.append(self.check_triggers)

    # ----------------------------------------------------------------- validation helpers
    def _check_price(self, st: SymbolState, value: Decimal, name: str) -> None:
        ins = st.ins
        if value <= 0:
            raise EngineError(-4001 if name == "price" else -4006, "Price less than 0." if name == "price"
                              else "Stop price less than zero.")
        if decimals_of(value) > ins.price_precision:
            raise EngineError(*PRECISION)
        if value % ins.tick != 0:
            raise EngineError(-4014, "Price not increased by tick size.")
        if value < ins.min_price or value > ins.max_price:
            raise EngineError(-1013, "Filter failure: PRICE_FILTER")

    def _check_qty(self, st: SymbolState, qty: Decimal, market: bool) -> None:
        ins = st.ins
        if qty <= 0:
            raise EngineError(-4003, "Quantity less than or equal to zero.")
        if decimals_of(qty) > ins.qty_precision:
            raise EngineError(*PRECISION)
        max_qty = ins.market_max_qty if market else ins.max_qty
        if qty % ins.step != 0 or qty < ins.min_qty or qty > max_qty:
            raise EngineError(-1013, "Filter failure: MARKET_LOT_SIZE" if market else "Filter failure: LOT_SIZE")

    def _percent_price(self, st: SymbolState, is_buy: bool, price: Decimal) -> None:
        ins = st.ins
        if is_buy:
            up = (st.mark * ins.multiplier_up / ins.tick).to_integral_value(ROUND_FLOOR) * ins.tick
            if price > up:
                raise EngineError(-4016, f"Limit price can't be higher than {ins.fmt_price(up)}.")
        else:
            down = (st.mark * ins.multiplier_down / ins.tick).to_integral_value(ROUND_CEILING) * ins.tick
            if price < down:
                raise EngineError(-4024, f"Limit price can't be lower than {ins.fmt_price(down)}.")

    def _match_price(self, st: SymbolState, is_buy: bool, mode: str) -> Decimal:
        opponent = mode.startswith("OPPONENT")
        side = st.book.side(not is_buy if opponent else is_buy)
        depth = int(mode.rsplit("_", 1)[1]) if "_" in mode else 1
        price = None
        for i, p in enumerate(side.prices()):
            price = p
            if i + 1 >= depth:
                break
        if price is None:
            raise EngineError(-1130, "Price match failed: the book is empty.")
        return price

    def _would_trigger(self, st: SymbolState, o: Order) -> bool:
        price = st.mark if o.working_type == "MARK_PRICE" else st.last_price
        return self._trigger_hit(o, price)

    @staticmethod
    def _trigger_hit(o: Order, price: Decimal) -> bool:
        t = o.orig_type
        if t in ("STOP", "STOP_MARKET"):
            return price >= o.stop_price if o.is_buy else price <= o.stop_price
        if t in ("TAKE_PROFIT", "TAKE_PROFIT_MARKET"):
            return price <= o.stop_price if o.is_buy else price >= o.stop_price
        return False


    # ----------------------------------------------------------------- new order
    def build_order(self, acct: "Account", params: Mapping[str, str]) -> Order:
        """Parse and validate new-order parameters into an (unplaced) order; raises EngineError."""
        symbol = get_str(params, "symbol", required=True)
        st = self.core.state(symbol)
        ins = st.ins
        side = get_str(params, "side", required=True)
        if side not in ("BUY", "SELL"):
            raise EngineError(-1117, "Invalid side.")
        otype = get_str(params, "type", required=True)
        if otype not in ORDER_TYPES:
            raise EngineError(-1116, "Invalid orderType.")
        is_buy = side == "BUY"
        ps = get_str(params, "positionSide")
        if acct.dual_side:
            if ps not in ("LONG", "SHORT"):
                raise EngineError(-4061, "Order's position side does not match user's setting.")
            if get_str(params, "reduceOnly") is not None:
                raise not_required("reduceOnly")
        else:
            if ps not in (None, "BOTH"):
                raise EngineError(-4061, "Order's position side does not match user's setting.")
            ps = "BOTH"
        reduce_only = get_bool(params, "reduceOnly")
        close_position = get_bool(params, "closePosition")
        if close_position:
            if otype not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
                raise not_required("closePosition")
            if get_str(params, "quantity") is not None:
                raise not_required("quantity")
            if get_str(params, "reduceOnly") is not None:
                raise not_required("reduceOnly")
        qty = get_dec(params, "quantity", required=not close_position)
        price_match = get_enum(params, "priceMatch", PRICE_MATCHES, -1130,
                               "Data sent for parameter 'priceMatch' is not valid.", default="NONE") or "NONE"
        has_price_type = otype in ("LIMIT", "STOP", "TAKE_PROFIT")
        price = get_dec(params, "price")
        if has_price_type and price_match != "NONE":
            if price is not None:
                raise not_required("price")
            price = self._match_price(st, is_buy, price_match)
        elif price_match != "NONE":
            raise not_required("priceMatch")
        if has_price_type and price is None:
            raise mandatory("price")
        if not has_price_type:
            if price is not None and price != 0:
                raise not_required("price")
            price = ZERO
        tif = get_str(params, "timeInForce")
        if tif is None:
            if otype == "LIMIT":
                raise mandatory("timeInForce")
            tif = "GTC"
        elif tif not in TIFS:
            raise EngineError(-1115, "Invalid timeInForce.")
        stop_price = get_dec(params, "stopPrice")
        if otype in ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"):
            if stop_price is None:
                raise mandatory("stopPrice")
            self._check_price(st, stop_price, "stopPrice")
        else:
            stop_price = ZERO
        activation = None
        callback = None
        if otype == "TRAILING_STOP_MARKET":
            callback = get_dec(params, "callbackRate", required=True)
            if callback < Decimal("0.1") or callback > Decimal("10") or decimals_of(callback) > 1:
                raise EngineError(-2007, "Invalid callBack rate.")
            activation = get_dec(params, "activationPrice")
            if activation is not None:
                self._check_price(st, activation, "activationPrice")
        working_type = get_enum(params, "workingType", ("MARK_PRICE", "CONTRACT_PRICE"), -1130,
                                "Data sent for parameter 'workingType' is not valid.", default="CONTRACT_PRICE")
        stp = get_enum(params, "selfTradePreventionMode", STP_MODES, -1130,
                       "Data sent for parameter 'selfTradePreventionMode' is not valid.", default="EXPIRE_MAKER")
        now = self.core.now()
        gtd = 0
        if tif == "GTD":
            gtd_raw = get_int(params, "goodTillDate", required=True)
            if gtd_raw is None or gtd_raw <= now + 600_000 or gtd_raw >= 253402300799000:
                raise invalid_value("goodTillDate")
            gtd = gtd_raw - gtd_raw % 1000
        cid = get_str(params, "newClientOrderId")
        if cid is None:
            cid = "sbx" + "".join(self.core.id_rng.choices(CLIENT_ID_ALPHABET, k=19))
        elif not CLIENT_ID_RE.match(cid):
            raise EngineError(-4015, "Client order id is not valid.")
        if acct.open_client_id(cid) is not None:
            raise EngineError(-4116, "ClientOrderId is duplicated.")
        if has_price_type and price is not None:
            self._check_price(st, price, "price")
        if qty is not None:
            self._check_qty(st, qty, market=otype in ("MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET",
                                                      "TRAILING_STOP_MARKET"))
        if otype == "LIMIT":
            self._percent_price(st, is_buy, price)
        o = Order(order_id=0, symbol=ins.symbol, side=side, type=otype, qty=qty or ZERO, price=price,
                  owner=acct.api_key, client_order_id=cid, orig_type=otype, tif=tif, stop_price=stop_price,
                  activation_price=activation, callback_rate=callback, working_type=working_type or "CONTRACT_PRICE",
                  price_protect=get_bool(params, "priceProtect"), reduce_only=reduce_only,
                  close_position=close_position, position_side=ps, time=now, update_time=now, good_till=gtd,
                  stp_mode=stp or "EXPIRE_MAKER", price_match=price_match)
        if ins.kind == "um" and qty is not None and not reduce_only and not close_position:
            ref = price if price else (st.book.best_ask() if is_buy else st.book.best_bid()) or st.mark
            if otype in CONDITIONAL_TYPES and not price:
                ref = stop_price or st.mark
            if qty * ref < ins.min_notional:
                raise EngineError(-4164, f"Order's notional must be no smaller than {ins.min_notional} "
                                         "(unless you choose reduce only).")
        pos = acct.position(ins.symbol, ps)
        if reduce_only and ps == "BOTH":
            if pos.amt == 0 or (pos.amt > 0) == is_buy:
                raise EngineError(*REDUCE_ONLY_REJECTED)
        if ps == "LONG" and not is_buy and pos.amt == 0 and not o.is_conditional:
            raise EngineError(*REDUCE_ONLY_REJECTED)
        if ps == "SHORT" and is_buy and pos.amt == 0 and not o.is_conditional:
            raise EngineError(*REDUCE_ONLY_REJECTED)
        if otype in ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET") and self._would_trigger(st, o):
            raise EngineError(-2021, "Order would immediately trigger.")
        if acct.open_order_count(ins.symbol) >= 200:
            raise EngineError(-2025, "Reach max open order limit.")
        est = o.price or ((st.book.best_ask() if is_buy else st.book.best_bid()) or st.mark)
        if o.is_conditional and not o.price:
            est = stop_price or st.mark
        need = self.margin.order_margin(acct, o, est)
        if need > 0 and need > self.margin.available_balance(acct, ins.margin_asset):
            raise EngineError(*MARGIN_INSUFFICIENT)
        if otype == "LIMIT" and tif == "GTX":
            best = st.book.best_ask() if is_buy else st.book.best_bid()
            if best is not None and self.matcher.crosses(o, best):
                raise EngineError(*POST_ONLY_REJECT)
        if otype == "LIMIT" and tif == "FOK" and self.matcher.fillable_qty(st, o) < o.qty:
            raise EngineError(*FOK_REJECT)
        return o

    def place_order(self, api_key: Optional[str], params: Mapping[str, str],
                    source: str = "REST", test: bool = False, algo: bool = False) -> Order:
        """Validate and place a new order; returns it with `ack` set to its state at acceptance.

        `test` validates only; `algo` places a conditional order through the algo service (ALGO_UPDATE
        events until it triggers; its `algo_id` is its order id)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            o = self.build_order(acct, params)
            if algo:
                self._check_algo_slot(acct, o)
            if test:
                return o
            o.order_id = self.core.next_order_id()
            o.seq = self.core.next_seq()
            st = self.core.states[o.symbol]
            if algo:
                # held by the algo service: not a matching-engine order (no orderId) until it triggers
                o.algo_id = o.order_id
                acct.algo_orders[o.algo_id] = o
                self.core.exchange.log_order(self.core.kind, o, source)
                o.ack = views.order_json(o, st.ins, with_time=False)
                self.events.emit_user(acct.api_key, views.algo_event(o, st.ins, self.core.now()))
            else:
                acct.add_order(o)
                self.core.exchange.log_order(self.core.kind, o, source)
                o.ack = views.order_json(o, st.ins, with_time=False)
                self._emit_order(acct, st, o, "NEW")
            if o.is_conditional:
                st.stops.append(o)
                if o.orig_type == "TRAILING_STOP_MARKET":
                    self._update_trailing(st, o)
            else:
                self.execute(st, acct, o)
            return o

    def _check_algo_slot(self, acct: "Account", o: Order) -> None:
        if not o.is_conditional:
            raise EngineError(-1116, "Invalid orderType.")
        working = self._waiting_algo_orders(acct.api_key)
        if any(a.client_order_id == o.client_order_id for a in working):
            raise EngineError(-4116, "ClientOrderId is duplicated.")
        if sum(1 for a in working if a.symbol == o.symbol) >= MAX_ALGO_ORDERS:
            raise EngineError(-4045, "Reach max stop order limit.")

    def _waiting_algo_orders(self, api_key: Optional[str] = None) -> List[Order]:
        """Algo orders waiting for their trigger (of `api_key`, or of everyone), from the trigger lists: the
        cost follows the working orders, not the history."""
        return [o for st in self.core.states.values() for o in st.stops
                if o.algo_id is not None and not o.triggered and o.is_open and (api_key is None or o.owner == api_key)]

    def cancel_algo(self, api_key: Optional[str], o: Order) -> Order:
        """Cancel an algo order still waiting for its trigger (-2011 once triggered or final)."""
        with self.core.lock:
            self.core.account(api_key)
            if not o.is_open or o.triggered:
                raise EngineError(*UNKNOWN_ORDER)
            self.matcher.finish_order(self.core.states[o.symbol], o, "CANCELED", "CANCELED", on_book=False)
            return o

    def _emit_order(self, acct: "Account", st: SymbolState, o: Order, exec_type: str,
                    modify_id: Optional[int] = None) -> None:
        bids, asks = self.margin.open_notional(acct, o.symbol)
        self.events.emit_user(acct.api_key, views.order_event(o, st.ins, exec_type, self.core.now(), acct.alias,
                                                       bids_notional=bids, asks_notional=asks,
                                                       modify_id=modify_id))

    def execute(self, st: SymbolState, acct: "Account", o: Order) -> None:
        """Run a live (non-conditional or triggered) order: match, then rest or expire per time in force."""
        if o.type == "LIMIT":
            if o.tif == "GTX":
                best = st.book.best_ask() if o.is_buy else st.book.best_bid()
                if best is not None and self.matcher.crosses(o, best):
                    self.matcher.finish_order(st, o, "EXPIRED", "EXPIRED", on_book=False)
                    return
            if o.tif == "FOK" and self.matcher.fillable_qty(st, o) < o.remaining:
                self.matcher.finish_order(st, o, "EXPIRED", "EXPIRED", on_book=False)
                return
        self.matcher.match(st, o)
        if o.remaining <= 0 or not o.is_open:
            return
        if o.stp_expired or o.type == "MARKET" or o.tif in ("IOC", "FOK"):
            self.matcher.finish_order(st, o, "EXPIRED", "EXPIRED", on_book=False)
            return
        if self.matcher.reduce_cap(o, o.remaining) <= 0:
            self.matcher.finish_order(st, o, "EXPIRED", "EXPIRED", on_book=False)
            return
        st.book.add(o)

    # ----------------------------------------------------------------- query / cancel / modify
    def _lookup(self, acct: "Account", params: Mapping[str, str], missing: tuple) -> Order:
        symbol = get_str(params, "symbol", required=True)
        self.core.state(symbol)
        order_id = get_int(params, "orderId")
        client_id = get_str(params, "origClientOrderId")
        if order_id is None and client_id is None:
            raise EngineError(-1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!")
        o = acct.find_order(symbol or "", order_id, client_id)
        if o is None:
            raise EngineError(*missing)
        return o

    def get_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """An order of the account (-2013 Order does not exist)."""
        with self.core.lock:
            return self._lookup(self.core.account(api_key), params, NO_SUCH_ORDER)

    def get_open_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """A working order (-2013 when absent or no longer open)."""
        with self.core.lock:
            o = self._lookup(self.core.account(api_key), params, NO_SUCH_ORDER)
            if not o.is_open:
                raise EngineError(-2013, "Order does not exist.")
            return o

    def cancel_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """Cancel a working order (-2011 Unknown order sent when absent or already final)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            o = self._lookup(acct, params, UNKNOWN_ORDER)
            if not o.is_open:
                raise EngineError(*UNKNOWN_ORDER)
            self.matcher.finish_order(self.core.states[o.symbol], o, "CANCELED", "CANCELED", on_book=True)
            return o

    def cancel_all(self, api_key: Optional[str], symbol: Optional[str]) -> List[Order]:
        """Cancel every working order of `symbol`."""
        with self.core.lock:
            acct = self.core.account(api_key)
            st = self.core.state(symbol)
            done = []
            for o in acct.open_orders(st.ins.symbol):
                self.matcher.finish_order(st, o, "CANCELED", "CANCELED", on_book=True)
                done.append(o)
            return done

    def modify_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """Amend price/quantity of a working LIMIT order (PUT order)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            side = get_str(params, "side", required=True)
            if side not in ("BUY", "SELL"):
                raise EngineError(-1117, "Invalid side.")
            o = self._lookup(acct, params, NO_SUCH_ORDER)
            st = self.core.states[o.symbol]
            if not o.is_open:
                raise EngineError(-2013, "Order does not exist.")
            if o.type != "LIMIT" or o.is_conditional:
                raise EngineError(-1013, "Only LIMIT orders can be modified.")
            if side != o.side:
                raise EngineError(-1013, "Order side does not match.")
            qty = get_dec(params, "quantity", required=True)
            price_match = get_str(params, "priceMatch") or "NONE"
            price = get_dec(params, "price")
            if price_match != "NONE":
                if price_match not in PRICE_MATCHES:
                    raise invalid_value("priceMatch")
                price = self._match_price(st, o.is_buy, price_match)
            if price is None:
                raise mandatory("price")
            self._check_price(st, price, "price")
            self._check_qty(st, qty, market=False)
            if qty == o.qty and price == o.price:
                raise EngineError(-5027, "No need to modify the order.")
            if qty <= o.filled:
                raise EngineError(-1013, "Quantity less than or equal to the executed quantity.")
            self._percent_price(st, o.is_buy, price)
            before = {"price": o.price, "qty": o.qty}
            on_book = o.remaining > 0
            if price != o.price or qty > o.qty:
                if on_book:
                    st.book.remove(o)
                o.price = price
                o.qty = qty
                o.update_time = self.core.now()
                o.modify_count += 1
                self._record_amendment(acct, o, before, params)
                self._emit_order(acct, st, o, "AMENDMENT", get_int(params, "modifyId"))
                self.execute(st, acct, o)
            else:
                st.book.amend_qty(o, qty - o.qty)
                o.qty = qty
                o.update_time = self.core.now()
                o.modify_count += 1
                self._record_amendment(acct, o, before, params)
                self._emit_order(acct, st, o, "AMENDMENT", get_int(params, "modifyId"))
            return o

    def _record_amendment(self, acct: "Account", o: Order, before: dict,
                          params: Mapping[str, str]) -> None:
        ins = self.core.states[o.symbol].ins
        acct.amendments.append({
            "amendmentId": len(acct.amendments) + 1, "symbol": o.symbol, "pair": ins.pair, "orderId": o.order_id,
            "clientOrderId": o.client_order_id, "time": o.update_time,
            "amendment": {"price": {"before": str(before["price"]), "after": str(o.price)},
                          "origQty": {"before": str(before["qty"]), "after": str(o.qty)},
                          "count": o.modify_count},
        })

    def countdown_cancel_all(self, api_key: Optional[str], symbol: Optional[str],
                             countdown_ms: int) -> dict:
        """Arm (or with 0 disarm) the auto-cancel of all open orders of `symbol` after `countdown_ms`."""
        with self.core.lock:
            acct = self.core.account(api_key)
            st = self.core.state(symbol)
            if countdown_ms <= 0:
                acct.countdowns.pop(st.ins.symbol, None)
            else:
                acct.countdowns[st.ins.symbol] = self.core.now() + countdown_ms
            return {"symbol": st.ins.symbol, "countdownTime": str(countdown_ms)}

    # ----------------------------------------------------------------- time-driven work
    def check_triggers(self, st: SymbolState) -> None:
        """Trigger conditional orders whose condition the mark or last price meets."""
        for o in list(st.stops):
            if o not in st.stops:
                continue
            if not o.is_open:
                st.stops.remove(o)
                continue
            if o.orig_type == "TRAILING_STOP_MARKET":
                hit = self._update_trailing(st, o)
            else:
                hit = self._would_trigger(st, o)
            if hit:
                st.stops.remove(o)
                self._trigger(st, o)

    def _update_trailing(self, st: SymbolState, o: Order) -> bool:
        price = st.mark if o.working_type == "MARK_PRICE" else st.last_price
        if not o.activated:
            if o.activation_price is None or (price <= o.activation_price if o.is_buy
                                               else price >= o.activation_price):
                o.activated = True
                o.trail_extreme = price
            else:
                return False
        ext = o.trail_extreme if o.trail_extreme is not None else price
        ext = min(ext, price) if o.is_buy else max(ext, price)
        o.trail_extreme = ext
        rate = (o.callback_rate or ZERO) / 100
        return price >= ext * (1 + rate) if o.is_buy else price <= ext * (1 - rate)

    def _trigger(self, st: SymbolState, o: Order) -> None:
        acct = self.core.accounts.get(o.owner or "")
        if acct is None:
            return
        if o.algo_id is not None:
            # the algo service places the actual order in the matching engine, under a new orderId
            self.events.emit_user(acct.api_key, views.algo_event(o, st.ins, self.core.now(), status="TRIGGERING"))
        o.triggered = True
        o.type = "LIMIT" if o.orig_type in ("STOP", "TAKE_PROFIT") else "MARKET"
        if o.algo_id is not None:
            o.order_id = self.core.next_order_id()
            acct.add_order(o)
        if o.close_position:
            pos = acct.position(o.symbol, o.position_side)
            closable = abs(pos.amt) if (pos.amt > 0) != o.is_buy and pos.amt != 0 else ZERO
            if closable == 0:
                self.matcher.finish_order(st, o, "EXPIRED", "EXPIRED", on_book=False)
                return
            o.qty = closable
        o.update_time = self.core.now()
        if o.algo_id is not None:
            self.events.emit_user(acct.api_key, views.algo_event(o, st.ins, o.update_time))
        self._emit_order(acct, st, o, "NEW")
        self.execute(st, acct, o)

    def expire_orders(self, now: int) -> None:
        """Expire GTD orders (and GTD algo orders waiting for their trigger) whose goodTillDate has passed."""
        for acct in self.core.accounts.values():
            for o in acct.open_orders():
                if o.tif == "GTD" and o.good_till and now >= o.good_till:
                    self.matcher.finish_order(self.core.states[o.symbol], o, "EXPIRED", "EXPIRED", on_book=True)
        for o in self._waiting_algo_orders():
            if o.tif == "GTD" and o.good_till and now >= o.good_till:
                self.matcher.finish_order(self.core.states[o.symbol], o, "EXPIRED", "EXPIRED", on_book=False)

    def run_countdowns(self, now: int) -> None:
        """Cancel all open orders of symbols whose countdown has run out."""
        for acct in self.core.accounts.values():
            for symbol, deadline in list(acct.countdowns.items()):
                if now >= deadline:
                    del acct.countdowns[symbol]
                    st = self.core.states[symbol]
                    for o in acct.open_orders(symbol):
                        self.matcher.finish_order(st, o, "CANCELED", "CANCELED", on_book=True)

    def settle_funding(self, now: int) -> None:
        """At each funding time, pay or receive funding on open perpetual positions."""
        for st in self.core.states.values():
            if st.ins.contract_type != "PERPETUAL" or now < st.next_funding:
                continue
            rate = st.funding_rate
            st.funding_history.append({"time": st.next_funding, "rate": rate, "mark": st.mark})
            st.last_funding_rate = rate
            st.next_funding += FUNDING_INTERVAL_MS
            ins = st.ins
            for acct in self.core.accounts.values():
                for key, pos in acct.positions.items():
                    if key[0] != ins.symbol or pos.amt == 0:
                        continue
                    fee = q8(-self.core.math.notional(pos.amt, st.mark, ins) * rate)
                    bal = acct.balance(ins.margin_asset)
                    bal.wallet += fee
                    bal.update_time = now
                    acct.income.append(self.core.income_record(ins.symbol, "FUNDING_FEE", fee, ins.margin_asset, now))
                    ev = self.margin.account_update_event(acct, "FUNDING_FEE", [key], now)
                    ev["a"]["S"] = ins.symbol
                    self.events.emit_user(acct.api_key, ev)

    # ----------------------------------------------------------------- settings
    def change_leverage(self, api_key: Optional[str], symbol: Optional[str], leverage: int) -> dict:
        """Set the symbol's leverage; emits ACCOUNT_CONFIG_UPDATE."""
        with self.core.lock:
            acct = self.core.account(api_key)
            st = self.core.state(symbol)
            ins = st.ins
            if leverage < 1 or leverage > ins.max_leverage:
                raise EngineError(-4028, f"Leverage {leverage} is not valid")
            cap = ins.max_notional_for(leverage)
            for side in ("BOTH", "LONG", "SHORT"):
                pos = acct.positions.get((ins.symbol, side))
                if pos is not None and pos.amt and self.core.math.notional(abs(pos.amt), st.mark, ins) > cap:
                    raise EngineError(-2027, "Exceeded the maximum allowable position at current leverage.")
            acct.leverage[ins.symbol] = leverage
            now = self.core.now()
            self.events.emit_user(acct.api_key, {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now,
                                          "ac": {"s": ins.symbol, "l": leverage}})
            out: dict = {"leverage": leverage}
            if ins.kind == "um":
                out["maxNotionalValue"] = str(cap)
            else:
                out["maxQty"] = str(int(cap * st.mark / ins.contract_size))
            out["symbol"] = ins.symbol
            return out

    def change_margin_type(self, api_key: Optional[str], symbol: Optional[str],
                           margin_type: Optional[str]) -> dict:
        """Switch ISOLATED/CROSSED for a symbol (-4046 when already so)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            st = self.core.state(symbol)
            mt = (margin_type or "").upper()
            if mt == "CROSS":
                mt = "CROSSED"
            if mt not in ("ISOLATED", "CROSSED"):
                raise mandatory("marginType")
            if acct.margin_type[st.ins.symbol] == mt:
                raise EngineError(-4046, "No need to change margin type.")
            if acct.open_orders(st.ins.symbol):
                raise EngineError(-4047, "Margin type cannot be changed if there exists open orders.")
            if any(p.amt for (s, _), p in acct.positions.items() if s == st.ins.symbol):
                raise EngineError(-4048, "Margin type cannot be changed if there exists position.")
            acct.margin_type[st.ins.symbol] = mt
            return dict(SUCCESS)

    def change_position_mode(self, api_key: Optional[str], dual: bool) -> dict:
        """Switch hedge (dual side) / one-way mode (-4059 when already so)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            if acct.dual_side == dual:
                raise EngineError(-4059, "No need to change position side.")
            if acct.open_orders():
                raise EngineError(-4067, "Position side cannot be changed if there exists open orders.")
            if any(p.amt for p in acct.positions.values()):
                raise EngineError(-4068, "Position side cannot be changed if there exists position.")
            acct.dual_side = dual
            return dict(SUCCESS)

    def set_multi_assets(self, api_key: Optional[str], enabled: bool) -> dict:
        """Multi-assets margin mode on/off (UM)."""
        with self.core.lock:
            acct = self.core.account(api_key)
            if acct.multi_assets == enabled:
                raise EngineError(-4171, "Adjusted asset mode is currently set and does not need to be adjusted")
            acct.multi_assets = enabled
            now = self.core.now()
            event = {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ai": {"j": enabled}}
            self.events.emit_user(acct.api_key, event)
            return dict(SUCCESS)

    def modify_position_margin(self, api_key: Optional[str], params: Mapping[str, str]) -> dict:
        """Add (type 1) or reduce (type 2) the isolated margin of a position."""
        with self.core.lock:
            acct = self.core.account(api_key)
            st = self.core.state(get_str(params, "symbol", required=True))
            amount = get_dec(params, "amount", required=True)
            kind = get_int(params, "type", required=True)
            if kind not in (1, 2):
                raise invalid_value("type")
            ps = get_str(params, "positionSide") or ("BOTH" if not acct.dual_side else None)
            if ps is None or (ps == "BOTH") == acct.dual_side:
                raise EngineError(-4061, "Order's position side does not match user's setting.")
            pos = acct.position(st.ins.symbol, ps)
            if acct.margin_type[st.ins.symbol] != "ISOLATED" or pos.amt == 0:
                raise EngineError(-4051, "Isolated balance insufficient.")
            if amount <= 0:
                raise invalid_value("amount")
            if kind == 1:
                if amount > self.margin.available_balance(acct, st.ins.margin_asset):
                    raise EngineError(*MARGIN_INSUFFICIENT)
                pos.isolated_wallet += amount
            else:
                if amount > pos.isolated_wallet:
                    raise EngineError(-4051, "Isolated balance insufficient.")
                pos.isolated_wallet -= amount
            now = self.core.now()
            acct.margin_history.append({"symbol": st.ins.symbol, "type": kind, "deltaType": "TRADE",
                                        "amount": amount, "asset": st.ins.margin_asset, "time": now,
                                        "positionSide": ps})
            self.events.emit_user(acct.api_key, self.margin.account_update_event(acct, "MARGIN_TRANSFER",
                                                                   [(st.ins.symbol, ps)], now))
            return {"amount": float(amount), "code": 200, "msg": "Successfully modify position margin.",
                    "type": kind}

    def parse_batch(self, params: Mapping[str, str], limit: int = 5) -> list:
        """The JSON list of a batchOrders parameter (-1102 malformed, -1130 too long)."""
        raw = get_str(params, "batchOrders", required=True)
        try:
            items = json.loads(raw or "")
        except ValueError:
            raise mandatory("batchOrders") from None
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise mandatory("batchOrders")
        if len(items) > limit:
            raise EngineError(-1130, "Data sent for parameter 'batchOrders' is not valid.")
        return [{k: (json.dumps(v) if isinstance(v, bool) else str(v)) for k, v in i.items()} for i in items]

