"""JSON renderings of orders, positions, balances and user-data events (Binance field names)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Dict, Optional, Tuple

from .instruments import Instrument
from .orders import Order
from .util import fmt, plain

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Position


def price_text(value: Decimal) -> str:
    """A computed price (average or entry) as short text with at most 8 decimals."""
    return plain(value.quantize(Decimal("0.00000001"))) if value else "0"


def _fields(text: str) -> Tuple[str, ...]:
    return tuple(text.split())


# The fields of each REST order answer, in Binance's order, as the official SDK's response models document them
# (USDⓈ-M 18.1.0, COIN-M 14.1.0). activatePrice/priceRate appear only for TRAILING_STOP_MARKET orders.
_UM_NEW = _fields("""clientOrderId cumQty executedQty orderId origQty price reduceOnly side positionSide status
    stopPrice closePosition symbol timeInForce type origType updateTime workingType priceProtect priceMatch
    selfTradePreventionMode goodTillDate""")
_UM_QUERY = _fields("""avgPrice clientOrderId cumQuote executedQty orderId origQty origType price reduceOnly side
    positionSide status stopPrice closePosition symbol time timeInForce type activatePrice priceRate updateTime
    workingType priceProtect priceMatch selfTradePreventionMode goodTillDate""")
_CM_NEW = _fields("""clientOrderId cumQty executedQty orderId origQty price reduceOnly closePosition side positionSide
    status stopPrice symbol pair timeInForce type origType activatePrice priceRate updateTime workingType priceProtect
    priceMatch selfTradePreventionMode""")
_CM_QUERY = _fields("""avgPrice clientOrderId cumBase executedQty orderId origQty origType price reduceOnly side
    positionSide status stopPrice closePosition symbol pair time timeInForce type activatePrice priceRate updateTime
    workingType priceProtect priceMatch selfTradePreventionMode""")
ORDER_FIELDS: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("um", "new"): _UM_NEW,
    ("um", "cancel"): _fields("""clientOrderId cumQty executedQty orderId origQty price reduceOnly side positionSide
        status stopPrice closePosition symbol timeInForce origType type activatePrice priceRate updateTime workingType
        priceProtect priceMatch selfTradePreventionMode goodTillDate"""),
    ("um", "modify"): _fields("""orderId symbol pair status clientOrderId modifyId price origQty executedQty cumQty
        timeInForce type reduceOnly closePosition side positionSide stopPrice workingType priceProtect origType
        priceMatch selfTradePreventionMode goodTillDate updateTime"""),
    ("um", "query"): _UM_QUERY,
    ("um", "all"): _fields("""avgPrice clientOrderId cumQuote cumBase executedQty orderId origQty origType price
        reduceOnly side positionSide status stopPrice closePosition symbol pair time timeInForce type activatePrice
        priceRate updateTime workingType priceProtect priceMatch selfTradePreventionMode goodTillDate"""),
    ("um", "test"): _fields("""clientOrderId cumQty cumQuote executedQty orderId avgPrice origQty price reduceOnly side
        positionSide status stopPrice closePosition symbol timeInForce type origType activatePrice priceRate updateTime
        workingType priceProtect priceMatch selfTradePreventionMode goodTillDate"""),
    # newOrderRespType=RESULT: the ACK fields plus the fill summary ("the final FILLED result").
    ("um", "result"): _UM_NEW + ("avgPrice", "cumQuote"),
    ("cm", "new"): _CM_NEW,
    ("cm", "cancel"): _fields("""clientOrderId cumQty executedQty orderId origQty price reduceOnly side positionSide
        status stopPrice closePosition symbol pair timeInForce origType type activatePrice priceRate updateTime
        workingType priceProtect priceMatch selfTradePreventionMode"""),
    ("cm", "modify"): _fields("""orderId symbol pair status clientOrderId modifyId price origQty executedQty cumQty
        timeInForce type reduceOnly closePosition side positionSide stopPrice workingType priceProtect origType
        priceMatch selfTradePreventionMode updateTime"""),
    ("cm", "query"): _CM_QUERY,
    ("cm", "all"): _fields("""avgPrice clientOrderId cumBase cumQuote executedQty orderId origQty origType price
        reduceOnly side positionSide status stopPrice closePosition symbol pair time timeInForce type activatePrice
        priceRate updateTime workingType priceProtect priceMatch selfTradePreventionMode goodTillDate"""),
    ("cm", "result"): _CM_NEW + ("avgPrice", "cumBase"),
    # forceOrders: the account's liquidation orders.
    ("um", "force"): _fields("""orderId symbol pair status clientOrderId price avgPrice origQty executedQty cumQuote
        cumBase timeInForce type reduceOnly closePosition side positionSide stopPrice workingType origType time
        updateTime"""),
    ("cm", "force"): _fields("""orderId symbol pair status clientOrderId price avgPrice origQty executedQty cumBase
        cumQuote timeInForce type reduceOnly closePosition side positionSide stopPrice workingType priceProtect
        origType time updateTime goodTillDate"""),
}


def order_answer_kind(http_method: str, path: str) -> str:
    """Which order answer a REST endpoint gives: new, cancel, modify, query, all or test."""
    if path.endswith("/order/test"):
        return "test"
    if path.endswith("/allOrders"):
        return "all"
    return {"POST": "new", "DELETE": "cancel", "PUT": "modify"}.get(http_method, "query")


def order_json(o: Order, ins: Instrument, with_time: bool = True, answer: Optional[str] = None,
               modify_id: Optional[int] = None) -> dict:
    """An order as the REST API returns it; `answer` (see `order_answer_kind`, or "result" for a new order
    with newOrderRespType=RESULT) keeps exactly the fields that answer documents."""
    d = _order_fields(o, ins, with_time)
    if modify_id is not None:
        d["modifyId"] = modify_id
    if answer is None:
        return d
    return {k: d[k] for k in ORDER_FIELDS[(ins.kind, answer)] if k in d}


def force_order_event(o: Order, ins: Instrument, price: Decimal, now: int) -> dict:
    """The `<symbol>@forceOrder` event of the liquidation order `o` (a LIMIT IOC at `price`, the price band's
    bound), for the `!forceOrder@arr` stream with `ps` and `st` added."""
    payload: dict = {
        "e": "forceOrder", "E": now,
        "o": {"s": ins.symbol, "S": o.side, "o": "LIMIT", "f": "IOC", "q": ins.fmt_qty(o.qty),
              "p": ins.fmt_price(price), "ap": ins.fmt_price(o.avg_price()), "X": "FILLED",
              "l": ins.fmt_qty(o.filled), "z": ins.fmt_qty(o.filled), "T": now},
    }
    if ins.kind == "cm":
        payload["o"]["ps"] = ins.pair
    return payload


def _order_fields(o: Order, ins: Instrument, with_time: bool) -> dict:
    is_um = ins.kind == "um"
    avg = o.avg_price()
    d: dict = {
        "orderId": o.order_id,
        "symbol": o.symbol,
        "pair": ins.pair,
        "status": o.status,
        "clientOrderId": o.client_order_id,
        "price": plain(o.price) if o.price else "0",
        "avgPrice": fmt(avg, max(ins.price_precision, 5)) if is_um else (price_text(avg) if avg else "0.0"),
        "origQty": ins.fmt_qty(o.qty),
        "executedQty": ins.fmt_qty(o.filled),
        "cumQty": ins.fmt_qty(o.filled),
    }
    d["cumQuote"] = fmt(o.cum_quote, 5) if o.cum_quote else "0"
    d["cumBase"] = fmt(o.cum_base, 8) if o.cum_base else "0"
    d.update({
        "timeInForce": o.tif,
        "type": o.type,
        "reduceOnly": o.reduce_only,
        "closePosition": o.close_position,
        "side": o.side,
        "positionSide": o.position_side,
        "stopPrice": plain(o.stop_price) if o.stop_price else "0",
        "workingType": o.working_type,
        "priceProtect": o.price_protect,
        "origType": o.orig_type,
        "priceMatch": o.price_match,
        "selfTradePreventionMode": o.stp_mode,
        "goodTillDate": o.good_till,
    })
    if o.orig_type == "TRAILING_STOP_MARKET":
        d["activatePrice"] = plain(o.activation_price) if o.activation_price is not None else ""
        d["priceRate"] = plain(o.callback_rate) if o.callback_rate is not None else ""
    if with_time:
        d["time"] = o.time
    d["updateTime"] = o.update_time
    return d


def order_event(o: Order, ins: Instrument, exec_type: str, now: int, alias: str, last_qty: Decimal = Decimal(0),
                last_price: Decimal = Decimal(0), commission: Decimal = Decimal(0), trade_id: int = 0,
                maker: bool = False, realized: Decimal = Decimal(0), bids_notional: Decimal = Decimal(0),
                asks_notional: Decimal = Decimal(0), modify_id: Optional[int] = None) -> dict:
    """ORDER_TRADE_UPDATE for an order lifecycle step (x = NEW, TRADE, CANCELED, EXPIRED, AMENDMENT ...)."""
    is_um = ins.kind == "um"
    o_d: dict = {
        "s": o.symbol,
        "c": o.client_order_id,
        "S": o.side,
        "o": o.type,
        "f": o.tif,
        "q": ins.fmt_qty(o.qty),
        "p": plain(o.price) if o.price else "0",
        "ap": price_text(o.avg_price()) if o.filled else "0",
        "sp": plain(o.stop_price) if o.stop_price else "0",
        "x": exec_type,
        "X": o.status,
        "i": o.order_id,
        "l": ins.fmt_qty(last_qty),
        "z": ins.fmt_qty(o.filled),
        "L": plain(last_price) if last_price else "0",
    }
    if not is_um:
        o_d["ma"] = ins.margin_asset
    o_d.update({
        "N": ins.margin_asset,
        "n": fmt(commission, 8) if commission else "0",
        "T": now,
        "t": trade_id,
        "b": plain(bids_notional) if bids_notional else "0",
        "a": plain(asks_notional) if asks_notional else "0",
        "m": maker,
        "R": o.reduce_only,
        "wt": o.working_type,
        "ot": o.orig_type,
        "ps": o.position_side,
        "cp": o.close_position,
        "rp": fmt(realized, 8) if realized else "0",
        "pP": o.price_protect,
        "si": 0,
        "ss": 0,
        "V": o.stp_mode,
        "pm": o.price_match,
    })
    if is_um:
        o_d["gtd"] = o.good_till
    else:  # COIN-M documents no si/ss
        del o_d["si"], o_d["ss"]
    o_d["er"] = "0"  # expiry reason: none (the sandbox does not model Binance's reason codes)
    if o.orig_type == "TRAILING_STOP_MARKET":
        o_d["AP"] = plain(o.activation_price) if o.activation_price is not None else "0"
        o_d["cr"] = plain(o.callback_rate) if o.callback_rate is not None else "0"
    if modify_id is not None:
        o_d["M"] = modify_id
    event: dict = {"e": "ORDER_TRADE_UPDATE", "E": now, "T": now}
    if not is_um:
        event["i"] = alias
    event["o"] = o_d
    return event


def trade_lite_event(o: Order, ins: Instrument, now: int, last_qty: Decimal, last_price: Decimal, trade_id: int,
                     maker: bool) -> dict:
    """TRADE_LITE (UM only) for one fill."""
    return {
        "e": "TRADE_LITE", "E": now, "T": now, "s": o.symbol, "q": ins.fmt_qty(o.qty),
        "p": plain(o.price) if o.price else "0", "m": maker, "c": o.client_order_id, "S": o.side,
        "L": plain(last_price), "l": ins.fmt_qty(last_qty), "t": trade_id, "i": o.order_id,
    }


def position_event_entry(p: "Position", ins: Instrument, unrealized: Decimal, margin_type: str,
                         bep: Decimal) -> dict:
    """One `a.P[]` entry of ACCOUNT_UPDATE."""
    return {
        "s": p.symbol,
        "pa": ins.fmt_qty(p.amt),
        "ep": price_text(p.entry),
        "bep": price_text(bep),
        "cr": fmt(p.realized, 8),
        "up": fmt(unrealized, 8),
        "mt": "isolated" if margin_type == "ISOLATED" else "cross",
        "iw": fmt(p.isolated_wallet, 8),
        "ps": p.side,
    }


ALGO_STATUS = {"NEW": "NEW", "PARTIALLY_FILLED": "TRIGGERED", "FILLED": "FINISHED", "CANCELED": "CANCELED",
               "EXPIRED": "EXPIRED"}


def algo_status(o: Order) -> str:
    """Algo-service status of a conditional order placed through the algo endpoints."""
    if o.status == "NEW" and o.triggered:
        return "TRIGGERED"
    if o.triggered and o.status in ("CANCELED", "EXPIRED"):
        return "FINISHED"
    return ALGO_STATUS.get(o.status, o.status)


def algo_event(o: Order, ins: Instrument, now: int, status: Optional[str] = None) -> dict:
    """ALGO_UPDATE (UM) for an algo order's lifecycle step (`status` overrides the one derived from `o`)."""
    d: dict = {
        "caid": o.client_order_id, "aid": o.algo_id, "at": "CONDITIONAL", "o": o.orig_type, "s": o.symbol,
        "S": o.side, "ps": o.position_side, "f": o.tif, "q": ins.fmt_qty(o.qty), "X": status or algo_status(o),
        "ai": str(o.order_id) if o.triggered else "",
    }
    if o.triggered:
        d.update({"ap": price_text(o.avg_price()) if o.filled else "0", "aq": ins.fmt_qty(o.filled), "act": o.type})
    d.update({
        "tp": plain(o.stop_price) if o.stop_price else "0", "p": plain(o.price) if o.price else "0",
        "V": o.stp_mode, "wt": o.working_type, "pm": o.price_match, "cp": o.close_position, "pP": o.price_protect,
        "R": o.reduce_only, "tt": o.update_time if o.triggered else 0, "gtd": o.good_till, "rm": "",
    })
    if o.orig_type == "TRAILING_STOP_MARKET":
        d["ia"] = o.activated
    return {"e": "ALGO_UPDATE", "T": now, "E": now, "o": d}
