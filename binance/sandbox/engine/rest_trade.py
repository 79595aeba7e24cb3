"""REST handlers of order entry and order queries, going through the matching engine."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from . import views
from .errors import ALGO_ONLY, EngineError, invalid_value, mandatory
from .orders import CONDITIONAL_TYPES, Order
from .rest_common import Ctx

CANCEL_ALL_DONE = {"code": 200, "msg": "The operation of cancel all open order is done."}


def _render(c: Ctx, o: Order, with_time: bool, answer: Optional[str] = None, modify_id: Optional[str] = None) -> dict:
    """The order as this endpoint's documented answer (its fields only)."""
    answer = answer or views.order_answer_kind(c.info.http_method, c.info.path)
    echo = int(modify_id) if modify_id is not None and modify_id.lstrip("-").isdecimal() else None
    return views.order_json(o, c.m.states[o.symbol].ins, with_time=with_time, answer=answer, modify_id=echo)


def _new_order_response(c: Ctx, o: Order, resp_type: str) -> dict:
    if resp_type == "RESULT" or o.ack is None:
        return _render(c, o, with_time=False, answer="result" if resp_type == "RESULT" else None)
    return {k: o.ack[k] for k in views.ORDER_FIELDS[(c.kind, "new")] if k in o.ack}


def _refuse_conditional(c: Ctx, params: Mapping[str, str]) -> None:
    """USDⓈ-M conditional types go through the Algo Order API (POST /fapi/v1/algoOrder) since 2025-12-09."""
    if c.kind == "um" and params.get("type") in CONDITIONAL_TYPES:
        raise EngineError(*ALGO_ONLY)


def new_order(c: Ctx) -> dict:
    """POST order (USDⓈ-M conditional types: -4120, they are algo orders)."""
    _refuse_conditional(c, c.params)
    resp_type = c.str("newOrderRespType") or "ACK"
    if resp_type not in ("ACK", "RESULT"):
        raise EngineError(-1130, "Data sent for parameter 'newOrderRespType' is not valid.")
    o = c.m.place_order(c.api_key, c.params, source=c.source)
    return _new_order_response(c, o, resp_type)


def test_order(c: Ctx) -> dict:
    """POST order/test: full validation, nothing placed."""
    o = c.m.place_order(c.api_key, c.params, source=c.source, test=True)
    return _render(c, o, with_time=False)


def modify_order(c: Ctx) -> dict:
    """PUT order."""
    return _render(c, c.m.modify_order(c.api_key, c.params), with_time=False, modify_id=c.str("modifyId"))


def cancel_order(c: Ctx) -> dict:
    """DELETE order."""
    return _render(c, c.m.cancel_order(c.api_key, c.params), with_time=False)


def query_order(c: Ctx) -> dict:
    """GET order."""
    return _render(c, c.m.get_order(c.api_key, c.params), with_time=True)


def query_open_order(c: Ctx) -> dict:
    """GET openOrder."""
    return _render(c, c.m.get_open_order(c.api_key, c.params), with_time=True)


def open_orders(c: Ctx) -> list:
    """GET openOrders."""
    acct = c.acct
    symbols = {st.ins.symbol for st in c.states()}
    return [_render(c, o, True) for o in acct.open_orders() if o.symbol in symbols]


def all_orders(c: Ctx) -> list:
    """GET allOrders."""
    if c.kind == "cm":
        c.require_one("symbol", "pair")
    acct = c.acct
    symbols = {st.ins.symbol for st in c.states()}
    order_id = c.int("orderId")
    rows = [o for o in acct.orders.values() if o.symbol in symbols and (order_id is None or o.order_id >= order_id)]
    start, end = c.int("startTime"), c.int("endTime")
    rows = [o for o in rows if (start is None or o.time >= start) and (end is None or o.time <= end)]
    limit = c.limit(500, 1000)
    rows = rows[:limit] if order_id is not None or start is not None else rows[-limit:]
    return [_render(c, o, True) for o in rows]


def cancel_all(c: Ctx) -> dict:
    """DELETE allOpenOrders."""
    c.m.cancel_all(c.api_key, c.str("symbol", True))
    return dict(CANCEL_ALL_DONE)


def countdown_cancel_all(c: Ctx) -> dict:
    """POST countdownCancelAll."""
    return c.m.countdown_cancel_all(c.api_key, c.str("symbol", True), c.int("countdownTime", True) or 0)


def _error_item(e: EngineError) -> dict:
    return {"code": e.code, "msg": e.msg}


def batch_new(c: Ctx) -> list:
    """POST batchOrders: up to 5 orders, each answered by its order or its error."""
    items = c.m.parse_batch(c.params, 5)
    out: List[dict] = []
    for item in items:
        try:
            _refuse_conditional(c, item)
            o = c.m.place_order(c.api_key, item, source=f"{c.source}-batch")
            out.append(_new_order_response(c, o, item.get("newOrderRespType") or "ACK"))
        except EngineError as e:
            out.append(_error_item(e))
    return out


def batch_modify(c: Ctx) -> list:
    """PUT batchOrders: up to 5 amendments."""
    items = c.m.parse_batch(c.params, 5)
    out: List[dict] = []
    for item in items:
        try:
            for name in ("symbol", "side"):
                if not item.get(name):
                    raise mandatory(name)
            out.append(_render(c, c.m.modify_order(c.api_key, item), with_time=False, modify_id=item.get("modifyId")))
        except EngineError as e:
            out.append(_error_item(e))
    return out


def _id_list(c: Ctx, name: str) -> list:
    raw = c.str(name)
    if raw is None:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        raise mandatory(name) from None
    if not isinstance(values, list):
        raise mandatory(name)
    if len(values) > 10:
        raise EngineError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return values


def batch_cancel(c: Ctx) -> list:
    """DELETE batchOrders: cancel by orderIdList or origClientOrderIdList (up to 10)."""
    symbol = c.str("symbol", True)
    c.m.state(symbol)
    ids = _id_list(c, "orderIdList")
    cids = _id_list(c, "origClientOrderIdList")
    if not ids and not cids:
        raise EngineError(-1102, "Param 'orderIdList' or 'origClientOrderIdList' must be sent, but both were "
                                 "empty/null!")
    out: List[dict] = []
    targets = [{"symbol": symbol, "orderId": str(i)} for i in ids] + \
        [{"symbol": symbol, "origClientOrderId": str(i)} for i in cids]
    for params in targets:
        try:
            out.append(_render(c, c.m.cancel_order(c.api_key, params), with_time=False))
        except EngineError as e:
            out.append(_error_item(e))
    return out


def user_trades(c: Ctx) -> list:
    """GET userTrades."""
    if c.kind == "cm":
        c.require_one("symbol", "pair")
    acct = c.acct
    symbols = {st.ins.symbol for st in c.states()}
    rows = [t for t in acct.trades if t["symbol"] in symbols]
    order_id = c.int("orderId")
    if order_id is not None:
        rows = [t for t in rows if t["orderId"] == order_id]
    from_id = c.int("fromId")
    if from_id is not None:
        rows = [t for t in rows if t["id"] >= from_id]
        rows = rows[:c.limit(500, 1000)]
    else:
        rows = c.time_window(rows, "time", 500, 1000)
    return [c.m.trade_json(t) for t in rows]


def force_orders(c: Ctx) -> list:
    """GET forceOrders: the account's liquidation orders (see `engine.liquidation`), oldest first."""
    acct = c.acct
    symbol = c.str("symbol")
    if symbol:
        c.m.state(symbol)
    kind = c.str("autoCloseType")
    if kind is not None and kind not in ("LIQUIDATION", "ADL"):
        raise invalid_value("autoCloseType")
    rows = [acct.orders[oid] for oid, k in acct.liquidations if (kind is None or k == kind) and oid in acct.orders]
    rows = [o for o in rows if symbol is None or o.symbol == symbol]
    docs = [views.order_json(o, c.m.states[o.symbol].ins, answer="force") for o in rows]
    return c.time_window(docs, "time", 50, 100)


ROUTES: Dict[Tuple[str, str, str], Callable[[Ctx], Any]] = {
    ("*", "POST", "v1/order"): new_order,
    ("um", "POST", "v1/order/test"): test_order,
    ("*", "PUT", "v1/order"): modify_order,
    ("*", "DELETE", "v1/order"): cancel_order,
    ("*", "GET", "v1/order"): query_order,
    ("*", "GET", "v1/openOrder"): query_open_order,
    ("*", "GET", "v1/openOrders"): open_orders,
    ("*", "GET", "v1/allOrders"): all_orders,
    ("*", "DELETE", "v1/allOpenOrders"): cancel_all,
    ("*", "POST", "v1/countdownCancelAll"): countdown_cancel_all,
    ("*", "POST", "v1/batchOrders"): batch_new,
    ("*", "PUT", "v1/batchOrders"): batch_modify,
    ("*", "DELETE", "v1/batchOrders"): batch_cancel,
    ("*", "GET", "v1/userTrades"): user_trades,
    ("*", "GET", "v1/forceOrders"): force_orders,
}
