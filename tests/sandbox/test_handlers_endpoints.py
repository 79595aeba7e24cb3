"""Every endpoint of both spec files dispatches through the sandbox with valid parameters and answers the
documented top-level shape; mandatory parameters and weights follow the spec."""

from __future__ import annotations

import json

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.handlers import ENDPOINTS, dispatch

KEY = "endpoint-test-key"
T0 = 1_800_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture(scope="module")
def ex() -> Exchange:
    exchange = Exchange(seed=7, clock=Clock())
    exchange.create_account(KEY)
    return exchange


SYMBOL = {"um": "BTCUSDT", "cm": "BTCUSD_PERP"}
PAIR = {"um": "BTCUSDT", "cm": "BTCUSD"}


def _limit_price(ex: Exchange, market: str, below: bool) -> str:
    m = ex.market(market)
    st = m.states[SYMBOL[market]]
    ins = st.ins
    price = st.book.best_bid() - ins.tick * 200 if below else st.book.best_ask() + ins.tick * 200
    return ins.fmt_price(price)


def _side(ex: Exchange, market: str) -> dict:
    return {"positionSide": "LONG"} if ex.market(market).accounts[KEY].dual_side else {}


def _resting_order(ex: Exchange, market: str) -> dict:
    qty = "0.010" if market == "um" else "1"
    return dispatch(ex, market, "POST", ("/fapi" if market == "um" else "/dapi") + "/v1/order", KEY,
                    {"symbol": SYMBOL[market], "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                     "quantity": qty, "price": _limit_price(ex, market, True), **_side(ex, market)})


def params_for(ex: Exchange, market: str, method: str, path: str) -> dict:
    """Valid parameters for one endpoint given the current exchange state."""
    now = ex.now()
    sym, pair = SYMBOL[market], PAIR[market]
    qty = "0.010" if market == "um" else "1"
    p: dict = {}
    info = ENDPOINTS[(market, method, path)]
    for name in info.required:
        p[name] = {
            "symbol": sym, "pair": pair, "interval": "1m", "contractType": "PERPETUAL", "period": "5m",
            "startTime": str(now - 86_400_000), "endTime": str(now), "asset": "USDT",
        }.get(name, "")
    if path.endswith("/constituents") and market == "cm":
        p["symbol"] = "BTCUSD"
    if path.endswith(("/v1/order", "/order/test")) and method == "POST":
        p.update({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": qty,
                  "price": _limit_price(ex, market, True), **_side(ex, market)})
    elif path.endswith("/v1/order") and method in ("PUT", "DELETE", "GET") or path.endswith("/openOrder") \
            or path.endswith("/orderAmendment"):
        o = _resting_order(ex, market)
        p["orderId"] = str(o["orderId"])
        if method == "PUT":
            p.update({"side": "BUY", "quantity": "0.020" if market == "um" else "2", "price": o["price"]})
    elif path.endswith("/batchOrders"):
        if method == "POST":
            p["batchOrders"] = json.dumps([{"symbol": sym, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": qty, "price": _limit_price(ex, market, True),
                                            **_side(ex, market)}])
        elif method == "PUT":
            o = _resting_order(ex, market)
            p["batchOrders"] = json.dumps([{"symbol": sym, "orderId": o["orderId"], "side": "BUY",
                                            "quantity": "0.020" if market == "um" else "2", "price": o["price"]}])
        else:
            o = _resting_order(ex, market)
            p["orderIdList"] = json.dumps([o["orderId"]])
    elif path.endswith("/countdownCancelAll"):
        p["countdownTime"] = "120000"
    elif path.endswith("/leverage"):
        p["leverage"] = "10"
    elif path.endswith("/marginType"):
        acct = ex.market(market).accounts[KEY]
        p["marginType"] = "CROSSED" if acct.margin_type[sym] == "ISOLATED" else "ISOLATED"
        for o in acct.open_orders(sym):
            ex.market(market).cancel_order(KEY, {"symbol": sym, "orderId": str(o.order_id)})
    elif path.endswith("/positionMargin") and method == "POST":
        m = ex.market(market)
        acct = m.accounts[KEY]
        for o in acct.open_orders(sym):
            m.cancel_order(KEY, {"symbol": sym, "orderId": str(o.order_id)})
        if acct.margin_type[sym] != "ISOLATED":
            m.change_margin_type(KEY, sym, "ISOLATED")
        side = _side(ex, market)
        if acct.position(sym, side.get("positionSide", "BOTH")).amt == 0:
            m.place_order(KEY, {"symbol": sym, "side": "BUY", "type": "MARKET", "quantity": qty, **side})
        p.update({"amount": "1" if market == "um" else "0.001", "type": "1", **side})
    elif path.endswith("/positionSide/dual") and method == "POST":
        acct = ex.market(market).accounts[KEY]
        p["dualSidePosition"] = "true" if not acct.dual_side else "false"
        for o in acct.open_orders():
            ex.market(market).cancel_order(KEY, {"symbol": o.symbol, "orderId": str(o.order_id)})
        for (s, side), pos in list(acct.positions.items()):
            if pos.amt:
                close = {"positionSide": side} if acct.dual_side else {"reduceOnly": "true"}
                ex.market(market).place_order(KEY, {
                    "symbol": s, "side": "SELL" if pos.amt > 0 else "BUY", "type": "MARKET",
                    "quantity": format(abs(pos.amt), "f"), **close})
    elif path.endswith("/multiAssetsMargin") and method == "POST":
        p["multiAssetsMargin"] = "false" if ex.um.accounts[KEY].multi_assets else "true"
    elif path.endswith("/feeBurn") and method == "POST":
        p["feeBurn"] = "true"
    elif path.endswith("/asyn/id"):
        p["downloadId"] = dispatch(ex, market, "GET", path[:-3], KEY, {
            "startTime": str(now - 86_400_000), "endTime": str(now)})["downloadId"]
    elif path.endswith("/convert/getQuote"):
        p.update({"fromAsset": "USDT", "toAsset": "BTC", "fromAmount": "100"})
    elif path.endswith("/convert/acceptQuote"):
        p["quoteId"] = dispatch(ex, market, "POST", "/fapi/v1/convert/getQuote", KEY, {
            "fromAsset": "USDT", "toAsset": "BTC", "fromAmount": "100"})["quoteId"]
    elif path.endswith("/convert/orderStatus"):
        q = dispatch(ex, market, "POST", "/fapi/v1/convert/getQuote", KEY, {
            "fromAsset": "USDT", "toAsset": "BTC", "fromAmount": "100"})["quoteId"]
        p["orderId"] = dispatch(ex, market, "POST", "/fapi/v1/convert/acceptQuote", KEY, {"quoteId": q})["orderId"]
    elif path.endswith("/algoOrder") and method in ("POST", "GET", "DELETE"):
        st = ex.um.states[sym]
        trigger = st.ins.fmt_price(st.last_price * 2)
        body = {"algoType": "CONDITIONAL", "symbol": sym, "side": "BUY", "type": "STOP_MARKET",
                "quantity": "0.010", "triggerPrice": trigger, **_side(ex, market)}
        if method == "POST":
            p.update(body)
        else:
            p["algoId"] = str(dispatch(ex, market, "POST", path, KEY, body)["algoId"])
    elif path.endswith("/ticker/24hr") or path.endswith("/ticker/price") or path.endswith("/bookTicker") \
            or path.endswith("/premiumIndex") or path.endswith("/symbolAdlRisk") or path.endswith("/assetIndex"):
        if market == "um":
            p["symbol"] = sym if not path.endswith("/assetIndex") else "BTCUSD"
    elif path.endswith("/leverageBracket") and market == "um":
        p["symbol"] = sym
    elif path.endswith("/insuranceBalance"):
        p["symbol"] = sym
    elif path.endswith(("/allOrders", "/userTrades")):
        p["symbol"] = sym
    elif path.endswith("/listenKey") and method != "POST":
        dispatch(ex, market, "POST", path, KEY, {})
    return p


ALL = sorted(ENDPOINTS)


@pytest.mark.parametrize("key", ALL, ids=[f"{m}-{meth}-{path}" for m, meth, path in ALL])
def test_every_endpoint_answers_documented_shape(ex: Exchange, key) -> None:
    market, method, path = key
    info = ENDPOINTS[key]
    params = params_for(ex, market, method, path)
    body = dispatch(ex, market, method, path, KEY, params)
    json.dumps(body)
    example = info.example
    if example is not None:
        assert isinstance(body, type(example)), (key, type(body), type(example))
        if isinstance(example, dict) and isinstance(body, dict) and "code" not in body:
            missing = [k for k in example if k not in body]
            assert len(missing) <= max(2, len(example) // 3), (key, missing)


@pytest.mark.parametrize("key", [k for k in ALL if ENDPOINTS[k].required],
                         ids=[f"{m}-{meth}-{path}" for m, meth, path in ALL if ENDPOINTS[(m, meth, path)].required])
def test_missing_mandatory_parameter_is_1102(ex: Exchange, key) -> None:
    market, method, path = key
    info = ENDPOINTS[key]
    params = params_for(ex, market, method, path)
    first = info.required[0]
    params.pop(first, None)
    with pytest.raises(EngineError) as err:
        dispatch(ex, market, method, path, KEY, params)
    assert err.value.code == -1102
    assert err.value.msg == f"Mandatory parameter '{first}' was not sent, was empty/null, or malformed."


def test_weights_follow_spec_rules() -> None:
    depth = ENDPOINTS[("um", "GET", "/fapi/v1/depth")]
    assert [depth.weight_for({"limit": str(n)}) for n in (5, 50, 100, 500, 1000)] == [2, 2, 5, 10, 20]
    assert depth.weight == 10
    klines = ENDPOINTS[("cm", "GET", "/dapi/v1/klines")]
    assert [klines.weight_for({"limit": str(n)}) for n in (99, 100, 499, 500, 1000, 1500)] == [1, 2, 2, 5, 5, 10]
    ticker = ENDPOINTS[("um", "GET", "/fapi/v1/ticker/24hr")]
    assert ticker.weight_for({"symbol": "BTCUSDT"}) == 1 and ticker.weight_for({}) == 40
    assert ENDPOINTS[("um", "POST", "/fapi/v1/order")].is_order
    assert not ENDPOINTS[("um", "DELETE", "/fapi/v1/order")].is_order
    assert ENDPOINTS[("um", "GET", "/fapi/v1/historicalTrades")].security == "MARKET_DATA"
    assert ("cm", "GET", "/dapi/v1/leverageBracket") in ENDPOINTS
    assert ("cm", "GET", "/dapi/v2/leverageBracket") in ENDPOINTS


def test_user_endpoint_without_account_is_2015(ex: Exchange) -> None:
    with pytest.raises(EngineError) as err:
        dispatch(ex, "um", "GET", "/fapi/v2/balance", "nobody", {})
    assert err.value.code == -2015
