"""REST handlers of account data, settings, listenKeys, downloads, convert and algo orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Dict, Tuple

from . import views
from .errors import EngineError, invalid_value, mandatory
from .orders import Order
from .rest_common import Ctx, fill_example
from .util import fmt, plain

SUCCESS = {"code": 200, "msg": "success"}


def account(c: Ctx) -> dict:
    """GET account (UM v2/v3, CM v1)."""
    style = "cm" if c.kind == "cm" else ("v3" if "/v3/" in c.info.path else "v2")
    return c.m.account_json(c.acct, style, ws_api=c.ws_api)


def balance(c: Ctx) -> list:
    """GET balance."""
    return c.m.balances_json(c.acct)


def position_risk(c: Ctx) -> list:
    """GET positionRisk (UM v2/v3, CM v1)."""
    style = "cm" if c.kind == "cm" else ("v3" if "/v3/" in c.info.path else "v2")
    pair = c.str("pair") if c.kind == "cm" else None
    return c.m.position_risk_json(c.acct, c.str("symbol"), style, pair, ws_api=c.ws_api)


def income(c: Ctx) -> list:
    """GET income."""
    acct = c.acct
    rows = acct.income
    symbol = c.str("symbol")
    if symbol:
        c.m.state(symbol)
        rows = [r for r in rows if r["symbol"] == symbol]
    kind = c.str("incomeType")
    if kind:
        rows = [r for r in rows if r["incomeType"] == kind]
    rows = c.time_window(rows, "time", 100, 1000)
    return [c.m.income_json(r) for r in rows]


def leverage(c: Ctx) -> dict:
    """POST leverage."""
    return c.m.change_leverage(c.api_key, c.str("symbol", True), c.int("leverage", True) or 0)


def margin_type(c: Ctx) -> dict:
    """POST marginType."""
    return c.m.change_margin_type(c.api_key, c.str("symbol", True), c.str("marginType", True))


def position_margin(c: Ctx) -> dict:
    """POST positionMargin."""
    return c.m.modify_position_margin(c.api_key, c.params)


def position_margin_history(c: Ctx) -> list:
    """GET positionMargin/history."""
    acct = c.acct
    st = c.state()
    rows = [r for r in acct.margin_history if r["symbol"] == st.ins.symbol]
    kind = c.int("type")
    if kind is not None:
        rows = [r for r in rows if r["type"] == kind]
    rows = c.time_window(rows, "time", 500, 500)
    out = [{"symbol": r["symbol"], "type": r["type"], "deltaType": r["deltaType"], "amount": plain(r["amount"]),
            "asset": r["asset"], "time": r["time"], "positionSide": r["positionSide"]} for r in rows]
    if c.kind == "cm":  # COIN-M documents no deltaType
        for row in out:
            del row["deltaType"]
    return out


def set_dual(c: Ctx) -> dict:
    """POST positionSide/dual."""
    if c.str("dualSidePosition", True) is None:
        raise mandatory("dualSidePosition")
    return c.m.change_position_mode(c.api_key, c.bool("dualSidePosition"))


def get_dual(c: Ctx) -> dict:
    """GET positionSide/dual."""
    return {"dualSidePosition": c.acct.dual_side}


def set_multi_assets(c: Ctx) -> dict:
    """POST multiAssetsMargin."""
    c.str("multiAssetsMargin", True)
    return c.m.set_multi_assets(c.api_key, c.bool("multiAssetsMargin"))


def get_multi_assets(c: Ctx) -> dict:
    """GET multiAssetsMargin."""
    return {"multiAssetsMargin": c.acct.multi_assets}


def commission_rate(c: Ctx) -> dict:
    """GET commissionRate."""
    c.check_account()
    st = c.state()
    d = {"symbol": st.ins.symbol, "makerCommissionRate": plain(c.m.maker_rate),
         "takerCommissionRate": plain(c.m.taker_rate)}
    if c.kind == "um":
        d["rpiCommissionRate"] = "0.00005"
    return d


def _number(value: Any) -> Any:
    """A JSON number as Binance writes it: an integer when whole (`0`, not `0.0`)."""
    return int(value) if value == int(value) else float(value)


def _bracket_rows(c: Ctx, ins) -> list:
    rows = []
    for b in ins.brackets:
        row: Dict[str, Any] = {"bracket": b[0], "initialLeverage": b[1]}
        if c.kind == "um":
            row.update({"notionalCap": int(b[3]), "notionalFloor": int(b[2])})
        else:
            row.update({"qtyCap": int(b[3]), "qtylFloor": int(b[2])})
        row.update({"maintMarginRatio": float(b[4]), "cum": _number(b[5])})
        rows.append(row)
    return rows


def leverage_bracket(c: Ctx) -> Any:
    """GET leverageBracket (UM v1, CM v2 by symbol)."""
    c.check_account()
    states = c.states(pair_param=None)
    rows = [{"symbol": st.ins.symbol, "notionalCoef": 1.0, "brackets": _bracket_rows(c, st.ins)} for st in states]
    return rows


def leverage_bracket_pair(c: Ctx) -> list:
    """GET /dapi/v1/leverageBracket (by pair)."""
    c.check_account()
    seen: Dict[str, Any] = {}
    pair = c.str("pair")
    states = c.m.pair_states(pair) if pair else list(c.m.states.values())
    for st in states:
        seen.setdefault(st.ins.pair, {"pair": st.ins.pair, "brackets": _bracket_rows(c, st.ins)})
    return list(seen.values())


def account_config(c: Ctx) -> dict:
    """GET accountConfig."""
    acct = c.acct
    return {"feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True,
            "dualSidePosition": acct.dual_side, "updateTime": 0, "multiAssetsMargin": acct.multi_assets,
            "tradeGroupId": -1}


def symbol_config(c: Ctx) -> list:
    """GET symbolConfig."""
    acct = c.acct
    out = []
    for st in c.states(pair_param=None):
        sym = st.ins.symbol
        lev = acct.leverage[sym]
        out.append({"symbol": sym, "marginType": acct.margin_type[sym], "isAutoAddMargin": False, "leverage": lev,
                    "maxNotionalValue": plain(st.ins.max_notional_for(lev))})
    return out


def api_trading_status(c: Ctx) -> dict:
    """GET apiTradingStatus: no trading-rule indicator is triggered in the sandbox."""
    c.check_account()
    return {"indicators": {}, "updateTime": c.now()}


def get_fee_burn(c: Ctx) -> dict:
    """GET feeBurn."""
    return {"feeBurn": c.acct.fee_burn}


def set_fee_burn(c: Ctx) -> dict:
    """POST feeBurn."""
    acct = c.acct
    c.str("feeBurn", True)
    acct.fee_burn = c.bool("feeBurn")
    return dict(SUCCESS)


def rate_limit_order(c: Ctx) -> list:
    """GET rateLimit/order."""
    c.check_account()
    return [r for r in c.m.exchange_info()["rateLimits"] if r["rateLimitType"] == "ORDERS"]


def download_request(c: Ctx) -> dict:
    """GET income/asyn, order/asyn, trade/asyn: a download id (ready at once in the sandbox)."""
    acct = c.acct
    start, end = c.int("startTime", True), c.int("endTime", True)
    if start is not None and end is not None and start > end:
        raise EngineError(-1023, "Start time is greater than end time.")
    download_id = str(c.m.next_tran_id() * 1000 + len(acct.downloads))
    acct.downloads[download_id] = c.now()
    return {"avgCostTimestampOfLast30d": 7241837, "downloadId": download_id}


def download_link(c: Ctx) -> dict:
    """GET income/asyn/id, order/asyn/id, trade/asyn/id."""
    acct = c.acct
    download_id = c.str("downloadId", True) or ""
    created = acct.downloads.get(download_id)
    if created is None:
        return {"downloadId": download_id, "status": "processing", "url": "", "notified": False,
                "expirationTimestamp": -1, "isExpired": None}
    return {"downloadId": download_id, "status": "completed", "url": "", "notified": True,
            "expirationTimestamp": created + 7 * 86_400_000, "isExpired": None}


def adl_quantile(c: Ctx) -> list:
    """GET adlQuantile."""
    acct = c.acct
    out = []
    for st in c.states(pair_param=None):
        sym = st.ins.symbol
        held = [p for (s, _), p in acct.positions.items() if s == sym and p.amt]
        if not held and not c.str("symbol"):
            continue
        if acct.dual_side:
            q = {"LONG": 1 if any(p.side == "LONG" for p in held) else 0,
                 "SHORT": 1 if any(p.side == "SHORT" for p in held) else 0, "HEDGE": 0}
        else:
            q = {"LONG": 1 if any(p.amt > 0 for p in held) else 0, "SHORT": 1 if any(p.amt < 0 for p in held)
                 else 0, "BOTH": 1 if held else 0}
        out.append({"symbol": sym, "adlQuantile": q})
    return out


def order_amendment(c: Ctx) -> list:
    """GET orderAmendment."""
    acct = c.acct
    st = c.state()
    rows = [a for a in acct.amendments if a["symbol"] == st.ins.symbol]
    for name in ("orderId",):
        value = c.int(name)
        if value is not None:
            rows = [a for a in rows if a["orderId"] == value]
    cid = c.str("origClientOrderId")
    if cid:
        rows = [a for a in rows if a["clientOrderId"] == cid]
    return c.time_window(rows, "time", 50, 100)


def stock_contract(c: Ctx) -> dict:
    """POST stock/contract (TradFi agreement)."""
    c.check_account()
    return dict(SUCCESS)


def pm_account_info(c: Ctx) -> dict:
    """GET pmAccountInfo."""
    acct = c.acct
    asset = c.str("asset", True) or ""
    t = c.m.asset_totals(acct, asset)
    price = Decimal(1)
    for st in c.m.states.values():
        if st.ins.base == asset:
            price = st.mark
    return {"maxWithdrawAmountUSD": fmt(t["max_withdraw"] * price, 8), "asset": asset,
            "maxWithdrawAmount": fmt(t["max_withdraw"], 8)}


# ----------------------------------------------------------------- listenKey
def listen_key_create(c: Ctx) -> dict:
    """POST listenKey."""
    c.check_account()
    return {"listenKey": c.ex.listen_keys.create(c.api_key or "", c.kind)}


def listen_key_keepalive(c: Ctx) -> dict:
    """PUT listenKey."""
    c.check_account()
    return {"listenKey": c.ex.listen_keys.keepalive(c.api_key or "", c.kind, c.str("listenKey"))}


def listen_key_delete(c: Ctx) -> dict:
    """DELETE listenKey."""
    c.check_account()
    c.ex.listen_keys.delete(c.api_key or "", c.kind, c.str("listenKey"))
    return {}


# ----------------------------------------------------------------- convert
def _asset_price(c: Ctx, asset: str) -> Decimal:
    if asset in ("USDT", "USDC", "USD", "FDUSD"):
        return Decimal(1)
    for st in c.ex.um.states.values():
        if st.ins.base == asset:
            return st.mark
    raise EngineError(-1130, "Data sent for parameter 'fromAsset' is not valid.")


def convert_exchange_info(c: Ctx) -> list:
    """GET convert/exchangeInfo."""
    pairs = [(b, "USDT") for b in ("BTC", "ETH", "BNB")] + [("USDT", b) for b in ("BTC", "ETH", "BNB")]
    wanted_from, wanted_to = c.str("fromAsset"), c.str("toAsset")
    return [{"fromAsset": f, "toAsset": t, "fromAssetMinAmount": "0.0004", "fromAssetMaxAmount": "50",
             "toAssetMinAmount": "20", "toAssetMaxAmount": "2500000"} for f, t in pairs
            if (wanted_from is None or wanted_from == f) and (wanted_to is None or wanted_to == t)]


def convert_quote(c: Ctx) -> dict:
    """POST convert/getQuote: a quote at the mark price."""
    acct = c.acct
    from_asset, to_asset = c.str("fromAsset", True) or "", c.str("toAsset", True) or ""
    ratio = _asset_price(c, from_asset) / _asset_price(c, to_asset)
    from_amount, to_amount = c.dec("fromAmount"), c.dec("toAmount")
    if from_amount is None and to_amount is None:
        raise mandatory("fromAmount")
    if from_amount is None:
        from_amount = to_amount / ratio
    to_amount = from_amount * ratio
    quote_id = str(c.m.next_tran_id())
    acct.quotes[quote_id] = (from_asset, to_asset, from_amount, to_amount, ratio)
    return {"quoteId": quote_id, "ratio": fmt(ratio, 8), "inverseRatio": fmt(1 / ratio, 8),
            "validTimestamp": c.now() + 10_000, "toAmount": fmt(to_amount, 8), "fromAmount": fmt(from_amount, 8)}


def convert_accept(c: Ctx) -> dict:
    """POST convert/acceptQuote: moves the balances."""
    acct = c.acct
    quote_id = c.str("quoteId", True) or ""
    quote = acct.quotes.pop(quote_id, None)
    if quote is None:
        raise invalid_value("quoteId")
    from_asset, to_asset, from_amount, to_amount, ratio = quote
    bal = acct.balance(from_asset)
    if bal.wallet < from_amount:
        raise EngineError(-2019, "Margin is insufficient.")
    bal.wallet -= from_amount
    acct.balance(to_asset).wallet += to_amount
    acct.converts[quote_id] = (quote, c.now())
    return {"orderId": quote_id, "createTime": c.now(), "orderStatus": "SUCCESS"}


def convert_status(c: Ctx) -> dict:
    """GET convert/orderStatus."""
    acct = c.acct
    key = c.str("orderId") or c.str("quoteId")
    if key is None:
        raise mandatory("orderId")
    found = acct.converts.get(key)
    if found is None:
        raise invalid_value("orderId")
    (from_asset, to_asset, from_amount, to_amount, ratio), created = found
    return {"orderId": int(key), "orderStatus": "SUCCESS", "fromAsset": from_asset, "fromAmount": fmt(from_amount, 8),
            "toAsset": to_asset, "toAmount": fmt(to_amount, 8), "ratio": fmt(ratio, 8),
            "inverseRatio": fmt(1 / ratio, 8), "createTime": created}


# ----------------------------------------------------------------- algo (conditional) orders
def _algo_json(c: Ctx, o: Order) -> dict:
    ins = c.m.states[o.symbol].ins
    status = views.algo_status(o)
    values = {
        "algoId": o.algo_id, "clientAlgoId": o.client_order_id, "algoType": "CONDITIONAL",
        "orderType": o.orig_type, "symbol": o.symbol, "side": o.side, "positionSide": o.position_side,
        "timeInForce": o.tif, "quantity": ins.fmt_qty(o.qty), "algoStatus": status,
        "actualOrderId": str(o.order_id) if o.triggered else "", "actualPrice": plain(o.avg_price()) if o.filled
        else "0.00000", "actualType": o.type if o.triggered else "", "actualQty": ins.fmt_qty(o.filled),
        "triggerPrice": plain(o.stop_price) if o.stop_price else "0", "price": plain(o.price) if o.price else "0",
        "icebergQuantity": None, "selfTradePreventionMode": o.stp_mode, "workingType": o.working_type,
        "priceMatch": o.price_match, "closePosition": o.close_position, "priceProtect": o.price_protect,
        "reduceOnly": o.reduce_only, "activatePrice": plain(o.activation_price) if o.activation_price else "",
        "callbackRate": plain(o.callback_rate) if o.callback_rate else "", "createTime": o.time,
        "updateTime": o.update_time, "triggerTime": o.update_time if o.triggered else 0,
        "goodTillDate": o.good_till,
    }
    return fill_example(c.info.example[0] if isinstance(c.info.example, list) else c.info.example, values)


def algo_new(c: Ctx) -> dict:
    """POST algoOrder: a conditional order held by the engine until its trigger."""
    c.check_account()
    if c.str("algoType", True) != "CONDITIONAL":
        raise invalid_value("algoType")
    params = dict(c.params)
    if "triggerPrice" in params:
        params["stopPrice"] = params.pop("triggerPrice")
    if "activatePrice" in params:
        params["activationPrice"] = params.pop("activatePrice")
    if "clientAlgoId" in params:
        params["newClientOrderId"] = params.pop("clientAlgoId")
    if params.get("type") not in ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                                  "TRAILING_STOP_MARKET"):
        raise EngineError(-1116, "Invalid orderType.")
    o = c.m.place_order(c.api_key, params, source=f"{c.source}-algo", algo=True)
    return _algo_json(c, o)


def _find_algo(c: Ctx) -> Order:
    acct = c.acct
    algo_id = c.int("algoId")
    cid = c.str("clientAlgoId")
    if algo_id is None and cid is None:
        raise EngineError(-1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!")
    for o in acct.algo_orders.values():
        if (algo_id is not None and o.algo_id == algo_id) or (algo_id is None and o.client_order_id == cid):
            return o
    raise EngineError(-2013, "Order does not exist.")


def algo_query(c: Ctx) -> dict:
    """GET algoOrder."""
    return _algo_json(c, _find_algo(c))


def algo_cancel(c: Ctx) -> dict:
    """DELETE algoOrder."""
    o = c.m.cancel_algo(c.api_key, _find_algo(c))
    return {"algoId": o.algo_id, "clientAlgoId": o.client_order_id, "code": "200", "msg": "success"}


def algo_open(c: Ctx) -> list:
    """GET openAlgoOrders."""
    acct = c.acct
    symbol = c.str("symbol")
    return [_algo_json(c, o) for o in acct.algo_orders.values()
            if o.is_open and not o.triggered and (symbol is None or o.symbol == symbol)]


def algo_all(c: Ctx) -> list:
    """GET allAlgoOrders."""
    acct = c.acct
    st = c.state()
    rows = [o for o in acct.algo_orders.values() if o.symbol == st.ins.symbol]
    algo_id = c.int("algoId")
    if algo_id is not None:
        rows = [o for o in rows if (o.algo_id or 0) >= algo_id]
    rows = [{"time": o.time, "o": o} for o in rows]
    rows = c.time_window(rows, "time", 500, 1000)
    return [_algo_json(c, r["o"]) for r in rows]


def algo_cancel_all(c: Ctx) -> dict:
    """DELETE algoOpenOrders."""
    acct = c.acct
    st = c.state()
    for o in list(acct.algo_orders.values()):
        if o.symbol == st.ins.symbol and o.is_open and not o.triggered:
            c.m.cancel_algo(c.api_key, o)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


ROUTES: Dict[Tuple[str, str, str], Callable[[Ctx], Any]] = {
    ("um", "GET", "v2/account"): account,
    ("um", "GET", "v3/account"): account,
    ("cm", "GET", "v1/account"): account,
    ("um", "GET", "v2/balance"): balance,
    ("um", "GET", "v3/balance"): balance,
    ("cm", "GET", "v1/balance"): balance,
    ("um", "GET", "v2/positionRisk"): position_risk,
    ("um", "GET", "v3/positionRisk"): position_risk,
    ("cm", "GET", "v1/positionRisk"): position_risk,
    ("*", "GET", "v1/income"): income,
    ("*", "POST", "v1/leverage"): leverage,
    ("*", "POST", "v1/marginType"): margin_type,
    ("*", "POST", "v1/positionMargin"): position_margin,
    ("*", "GET", "v1/positionMargin/history"): position_margin_history,
    ("*", "POST", "v1/positionSide/dual"): set_dual,
    ("*", "GET", "v1/positionSide/dual"): get_dual,
    ("um", "POST", "v1/multiAssetsMargin"): set_multi_assets,
    ("um", "GET", "v1/multiAssetsMargin"): get_multi_assets,
    ("*", "GET", "v1/commissionRate"): commission_rate,
    ("um", "GET", "v1/leverageBracket"): leverage_bracket,
    ("cm", "GET", "v2/leverageBracket"): leverage_bracket,
    ("cm", "GET", "v1/leverageBracket"): leverage_bracket_pair,
    ("um", "GET", "v1/accountConfig"): account_config,
    ("um", "GET", "v1/symbolConfig"): symbol_config,
    ("um", "GET", "v1/apiTradingStatus"): api_trading_status,
    ("um", "GET", "v1/feeBurn"): get_fee_burn,
    ("um", "POST", "v1/feeBurn"): set_fee_burn,
    ("um", "GET", "v1/rateLimit/order"): rate_limit_order,
    ("*", "GET", "v1/income/asyn"): download_request,
    ("*", "GET", "v1/order/asyn"): download_request,
    ("*", "GET", "v1/trade/asyn"): download_request,
    ("*", "GET", "v1/income/asyn/id"): download_link,
    ("*", "GET", "v1/order/asyn/id"): download_link,
    ("*", "GET", "v1/trade/asyn/id"): download_link,
    ("*", "GET", "v1/adlQuantile"): adl_quantile,
    ("*", "GET", "v1/orderAmendment"): order_amendment,
    ("um", "POST", "v1/stock/contract"): stock_contract,
    ("um", "GET", "v1/pmAccountInfo"): pm_account_info,
    ("*", "POST", "v1/listenKey"): listen_key_create,
    ("*", "PUT", "v1/listenKey"): listen_key_keepalive,
    ("*", "DELETE", "v1/listenKey"): listen_key_delete,
    ("um", "GET", "v1/convert/exchangeInfo"): convert_exchange_info,
    ("um", "POST", "v1/convert/getQuote"): convert_quote,
    ("um", "POST", "v1/convert/acceptQuote"): convert_accept,
    ("um", "GET", "v1/convert/orderStatus"): convert_status,
    ("um", "POST", "v1/algoOrder"): algo_new,
    ("um", "GET", "v1/algoOrder"): algo_query,
    ("um", "DELETE", "v1/algoOrder"): algo_cancel,
    ("um", "GET", "v1/openAlgoOrders"): algo_open,
    ("um", "GET", "v1/allAlgoOrders"): algo_all,
    ("um", "DELETE", "v1/algoOpenOrders"): algo_cancel_all,
}
