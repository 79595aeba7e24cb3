"""Order entry rules with Binance's error codes, time in force, conditional orders, modify, countdown, GTD,
funding and listenKeys."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.handlers import dispatch

T0 = 1_800_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def ex(clock: Clock) -> Exchange:
    exchange = Exchange(seed=4, clock=clock)
    exchange.create_account("K")
    m = exchange.um
    m.reset_book("BTCUSDT")
    m.set_mark_price("BTCUSDT", "60000")
    m.add_liquidity("BTCUSDT", "SELL", "60000", "0.001")
    m.add_liquidity("BTCUSDT", "BUY", "60000", "0.001")
    m.add_liquidity("BTCUSDT", "SELL", "60010", "5")
    m.add_liquidity("BTCUSDT", "BUY", "59990", "5")
    return exchange


def order(ex: Exchange, **params: str) -> dict:
    base = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
            "price": "59000"}
    base.update(params)
    return dispatch(ex, "um", "POST", "/fapi/v1/order", "K", {k: v for k, v in base.items() if v is not None})


def algo(ex: Exchange, **params: str) -> dict:
    base = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "BUY", "quantity": "0.010"}
    base.update(params)
    return dispatch(ex, "um", "POST", "/fapi/v1/algoOrder", "K", {k: v for k, v in base.items() if v is not None})


def actual_order(ex: Exchange, placed: dict) -> dict:
    """The matching-engine order an algo order placed when it triggered."""
    got = dispatch(ex, "um", "GET", "/fapi/v1/algoOrder", "K", {"algoId": str(placed["algoId"])})
    assert got["actualOrderId"], got
    return dispatch(ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": got["actualOrderId"]})


def code_of(fn, *args, **kwargs) -> tuple:
    with pytest.raises(EngineError) as err:
        fn(*args, **kwargs)
    return err.value.code, err.value.msg


@pytest.mark.parametrize("params,code,msg", [
    ({"symbol": "FOOUSDT"}, -1121, "Invalid symbol."),
    ({"side": "UP"}, -1117, "Invalid side."),
    ({"type": "ICEBERG"}, -1116, "Invalid orderType."),
    ({"timeInForce": "DAY"}, -1115, "Invalid timeInForce."),
    ({"quantity": None}, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."),
    ({"price": None}, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."),
    ({"timeInForce": None}, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
    ({"quantity": "abc"}, -1100, "Illegal characters found in parameter 'quantity'; legal range is "
     "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
    ({"quantity": "1e400"}, -1100, "Illegal characters found in parameter 'quantity'; legal range is "
     "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
    ({"price": "٥٩٠٠٠"}, -1100, "Illegal characters found in parameter 'price'; legal range is "
     "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
    ({"quantity": "0.0001"}, -1111, "Precision is over the maximum defined for this asset."),
    ({"price": "59000.123"}, -1111, "Precision is over the maximum defined for this asset."),
    ({"price": "59000.15"}, -4014, "Price not increased by tick size."),
    ({"quantity": "0"}, -4003, "Quantity less than or equal to zero."),
    ({"quantity": "1001"}, -1013, "Filter failure: LOT_SIZE"),
    ({"type": "MARKET", "price": None, "timeInForce": None, "quantity": "121"}, -1013,
     "Filter failure: MARKET_LOT_SIZE"),
    ({"price": "100"}, -1013, "Filter failure: PRICE_FILTER"),
    ({"quantity": "0.001"}, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only)."),
    ({"price": "63000.10"}, -4016, "Limit price can't be higher than 63000.00."),
    ({"side": "SELL", "price": "56999.90"}, -4024, "Limit price can't be lower than 57000.00."),
    ({"quantity": "40"}, -2019, "Margin is insufficient."),
    ({"price": "60010", "timeInForce": "GTX"}, -5022, "Due to the order could not be executed as maker, the Post "
     "Only order will be rejected. The order will not be recorded in the order history"),
    ({"price": "60010", "timeInForce": "FOK", "quantity": "6"}, -5021, "Due to the order could not be filled "
     "immediately, the FOK order has been rejected. The order will not be recorded in the order history"),
    ({"positionSide": "LONG"}, -4061, "Order's position side does not match user's setting."),
    ({"reduceOnly": "true"}, -2022, "ReduceOnly Order is rejected."),
    ({"type": "STOP_MARKET", "price": None, "timeInForce": None, "stopPrice": "59000"}, -4120,
     "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."),
    ({"type": "TRAILING_STOP_MARKET", "price": None, "timeInForce": None, "callbackRate": "1"}, -4120,
     "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."),
    ({"newClientOrderId": "bad id!"}, -4015, "Client order id is not valid."),
])
def test_new_order_rejections(ex: Exchange, params: dict, code: int, msg: str) -> None:
    before = len(ex.order_log)
    assert code_of(order, ex, **params) == (code, msg)
    assert len(ex.order_log) == before


def test_cancel_and_query_unknown_orders(ex: Exchange) -> None:
    assert code_of(dispatch, ex, "um", "DELETE", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": "1"}) == \
        (-2011, "Unknown order sent.")
    assert code_of(dispatch, ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": "1"}) == \
        (-2013, "Order does not exist.")
    o = order(ex)
    dispatch(ex, "um", "DELETE", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(o["orderId"])})
    assert code_of(dispatch, ex, "um", "DELETE", "/fapi/v1/order", "K",
                   {"symbol": "BTCUSDT", "orderId": str(o["orderId"])})[0] == -2011
    got = dispatch(ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(o["orderId"])})
    assert got["status"] == "CANCELED" and got["time"] == T0


def test_time_in_force_ioc_gtx_and_gtd(ex: Exchange, clock: Clock) -> None:
    res = order(ex, price="60010", timeInForce="IOC", quantity="6", newOrderRespType="RESULT")
    assert (res["status"], res["executedQty"]) == ("EXPIRED", "5.000")
    assert code_of(order, ex, price="59990", side="SELL", timeInForce="GTX")[0] == -5022
    post = order(ex, price="60000", side="SELL", timeInForce="GTX", newOrderRespType="RESULT")
    assert post["status"] == "NEW"
    assert code_of(order, ex, timeInForce="GTD")[0] == -1102
    gtd = order(ex, timeInForce="GTD", goodTillDate=str(T0 + 700_123))
    assert gtd["goodTillDate"] == T0 + 700_000
    clock.now = T0 + 700_000
    ex.um.expire_orders(clock.now)
    got = dispatch(ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(gtd["orderId"])})
    assert got["status"] == "EXPIRED"


def test_ack_response_is_the_state_at_acceptance(ex: Exchange) -> None:
    ack = order(ex, type="MARKET", price=None, timeInForce=None)
    assert (ack["status"], ack["executedQty"]) == ("NEW", "0.000")
    got = dispatch(ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(ack["orderId"])})
    assert got["status"] == "FILLED" and got["avgPrice"] == "60010.00000"
    assert ex.order_log[-1]["orderId"] == ack["orderId"] and ex.order_log[-1]["source"] == "REST"


def test_stop_market_triggers_on_last_price_and_take_profit_on_mark(ex: Exchange) -> None:
    m = ex.um
    assert code_of(algo, ex, type="STOP_MARKET", triggerPrice="59000") == (-2021, "Order would immediately trigger.")
    stop = algo(ex, type="STOP_MARKET", triggerPrice="60005")
    tp = algo(ex, type="TAKE_PROFIT", timeInForce="GTC", price="59995", triggerPrice="59500",
              workingType="MARK_PRICE")
    m.add_liquidity("BTCUSDT", "BUY", "60010", "0.5")
    got = actual_order(ex, stop)
    assert (got["status"], got["type"], got["origType"]) == ("FILLED", "MARKET", "STOP_MARKET")
    m.reset_book("BTCUSDT")
    m.add_liquidity("BTCUSDT", "SELL", "59990", "1")
    m.set_mark_price("BTCUSDT", "59400")
    got = actual_order(ex, tp)
    assert (got["status"], got["type"], got["avgPrice"]) == ("FILLED", "LIMIT", "59990.00000")
    pos = dispatch(ex, "um", "GET", "/fapi/v2/positionRisk", "K", {"symbol": "BTCUSDT"})[0]
    assert pos["positionAmt"] == "0.020"


def test_trailing_stop_and_close_position(ex: Exchange) -> None:
    m = ex.um
    order(ex, type="MARKET", price=None, timeInForce=None, quantity="0.100")
    trail = algo(ex, side="SELL", type="TRAILING_STOP_MARKET", quantity="0.100", callbackRate="1",
                 reduceOnly="true", workingType="MARK_PRICE")
    assert trail["callbackRate"] == "1"
    for mark in ("60500", "61000", "60600"):
        m.set_mark_price("BTCUSDT", mark)
    assert dispatch(ex, "um", "GET", "/fapi/v1/openAlgoOrders", "K", {"symbol": "BTCUSDT"})
    assert dispatch(ex, "um", "GET", "/fapi/v1/openOrders", "K", {"symbol": "BTCUSDT"}) == []
    m.set_mark_price("BTCUSDT", "60390")  # 1% below the 61000 high
    assert actual_order(ex, trail)["status"] == "FILLED"
    order(ex, type="MARKET", price=None, timeInForce=None, quantity="0.050")
    close = algo(ex, side="SELL", type="STOP_MARKET", quantity=None, triggerPrice="59000", closePosition="true",
                 workingType="MARK_PRICE")
    m.set_mark_price("BTCUSDT", "58990")
    got = actual_order(ex, close)
    assert got["status"] == "FILLED" and got["executedQty"] == "0.050"
    assert dispatch(ex, "um", "GET", "/fapi/v2/positionRisk", "K", {"symbol": "BTCUSDT"})[0]["positionAmt"] == "0.000"


def test_conditional_orders_refused_on_um_order_endpoints_but_not_on_coin_m(ex: Exchange) -> None:
    batch = dispatch(ex, "um", "POST", "/fapi/v1/batchOrders", "K", {"batchOrders": json.dumps([
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
         "price": "59000"},
        {"symbol": "BTCUSDT", "side": "BUY", "type": "TAKE_PROFIT_MARKET", "quantity": "0.010",
         "stopPrice": "59000"},
    ])})
    assert batch[0]["status"] == "NEW"
    assert batch[1] == {"code": -4120, "msg": "Order type not supported for this endpoint. Please use the Algo "
                                              "Order API endpoints instead."}
    # order/test still documents the conditional types and validates them
    test = dispatch(ex, "um", "POST", "/fapi/v1/order/test", "K", {
        "symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010", "stopPrice": "61000"})
    assert test["type"] == "STOP_MARKET"
    # an algo order is not a matching-engine order: PUT/GET/DELETE order do not know its algoId
    waiting = algo(ex, type="STOP_MARKET", triggerPrice="61000")
    for method in ("PUT", "GET"):
        assert code_of(dispatch, ex, "um", method, "/fapi/v1/order", "K", {
            "symbol": "BTCUSDT", "orderId": str(waiting["algoId"]), "side": "BUY", "quantity": "0.010",
            "price": "59000"})[0] == -2013
    assert code_of(dispatch, ex, "um", "DELETE", "/fapi/v1/order", "K", {
        "symbol": "BTCUSDT", "orderId": str(waiting["algoId"])})[0] == -2011
    cm = ex.cm
    st = cm.states["BTCUSD_PERP"]
    trigger = st.ins.fmt_price(st.last_price * 2 // st.ins.tick * st.ins.tick)
    placed = dispatch(ex, "cm", "POST", "/dapi/v1/order", "K", {
        "symbol": "BTCUSD_PERP", "side": "BUY", "type": "STOP_MARKET", "quantity": "1", "stopPrice": trigger})
    assert placed["type"] == "STOP_MARKET" and placed["status"] == "NEW"


def test_algo_orders_expire_refuse_duplicates_and_cap_per_symbol(ex: Exchange, clock: Clock) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" else None)
    gtd = algo(ex, type="STOP", price="61000", triggerPrice="61000", timeInForce="GTD",
               goodTillDate=str(T0 + 700_000), clientAlgoId="gtd-1")
    assert code_of(algo, ex, type="STOP_MARKET", triggerPrice="61000", clientAlgoId="gtd-1")[0] == -4116
    clock.now = T0 + 700_000
    ex.um.expire_orders(clock.now)
    assert dispatch(ex, "um", "GET", "/fapi/v1/algoOrder", "K", {"algoId": str(gtd["algoId"])})["algoStatus"] == \
        "EXPIRED"
    assert got[-1]["e"] == "ALGO_UPDATE" and got[-1]["o"]["X"] == "EXPIRED"
    assert not [e for e in got if e["e"] == "ORDER_TRADE_UPDATE"]
    for i in range(10):
        algo(ex, type="STOP_MARKET", triggerPrice=str(61000 + i))
    assert code_of(algo, ex, type="STOP_MARKET", triggerPrice="62000") == (-4045, "Reach max stop order limit.")


def test_modify_order_keeps_id_and_emits_amendment(ex: Exchange) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" else None)
    o = order(ex)
    mod = dispatch(ex, "um", "PUT", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(o["orderId"]),
                                                           "side": "BUY", "quantity": "0.020", "price": "59100"})
    assert (mod["orderId"], mod["price"], mod["origQty"]) == (o["orderId"], "59100", "0.020")
    assert got[-1]["o"]["x"] == "AMENDMENT"
    assert code_of(dispatch, ex, "um", "PUT", "/fapi/v1/order", "K", {
        "symbol": "BTCUSDT", "orderId": str(o["orderId"]), "side": "BUY", "quantity": "0.020",
        "price": "59100"}) == (-5027, "No need to modify the order.")
    hist = dispatch(ex, "um", "GET", "/fapi/v1/orderAmendment", "K", {"symbol": "BTCUSDT"})
    assert hist[-1]["amendment"]["price"] == {"before": "59000", "after": "59100"}
    crossed = dispatch(ex, "um", "PUT", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(o["orderId"]),
                                                               "side": "BUY", "quantity": "0.020", "price": "60010"})
    assert crossed["status"] == "FILLED"


def test_batch_orders_report_errors_per_item(ex: Exchange) -> None:
    import json
    items = [{"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
              "price": "59000"},
             {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
              "price": "59000.05"}]
    res = dispatch(ex, "um", "POST", "/fapi/v1/batchOrders", "K", {"batchOrders": json.dumps(items)})
    assert res[0]["status"] == "NEW" and res[1] == {"code": -4014, "msg": "Price not increased by tick size."}
    assert code_of(dispatch, ex, "um", "POST", "/fapi/v1/batchOrders", "K",
                   {"batchOrders": json.dumps(items * 3)})[0] == -1130
    res = dispatch(ex, "um", "DELETE", "/fapi/v1/batchOrders", "K",
                   {"symbol": "BTCUSDT", "orderIdList": json.dumps([res[0]["orderId"], 42])})
    assert res[0]["status"] == "CANCELED" and res[1] == {"code": -2011, "msg": "Unknown order sent."}


def test_countdown_cancel_all_runs_in_step(ex: Exchange, clock: Clock) -> None:
    order(ex)
    dispatch(ex, "um", "POST", "/fapi/v1/countdownCancelAll", "K", {"symbol": "BTCUSDT", "countdownTime": "5000"})
    clock.now += 4000
    ex.um.step()
    assert dispatch(ex, "um", "GET", "/fapi/v1/openOrders", "K", {"symbol": "BTCUSDT"})
    clock.now += 1000
    ex.um.step()
    assert not [o for o in dispatch(ex, "um", "GET", "/fapi/v1/openOrders", "K", {"symbol": "BTCUSDT"})]


def test_settings_errors_and_config_event(ex: Exchange) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" else None)
    res = dispatch(ex, "um", "POST", "/fapi/v1/leverage", "K", {"symbol": "BTCUSDT", "leverage": "50"})
    assert res["leverage"] == 50 and got[-1]["e"] == "ACCOUNT_CONFIG_UPDATE" and got[-1]["ac"] == {
        "s": "BTCUSDT", "l": 50}
    assert code_of(dispatch, ex, "um", "POST", "/fapi/v1/leverage", "K",
                   {"symbol": "BTCUSDT", "leverage": "126"}) == (-4028, "Leverage 126 is not valid")
    assert code_of(dispatch, ex, "um", "POST", "/fapi/v1/marginType", "K",
                   {"symbol": "BTCUSDT", "marginType": "CROSSED"}) == (-4046, "No need to change margin type.")
    dispatch(ex, "um", "POST", "/fapi/v1/marginType", "K", {"symbol": "BTCUSDT", "marginType": "ISOLATED"})
    order(ex, type="MARKET", price=None, timeInForce=None, quantity="0.100")
    pos = dispatch(ex, "um", "GET", "/fapi/v2/positionRisk", "K", {"symbol": "BTCUSDT"})[0]
    assert pos["marginType"] == "isolated" and D(pos["isolatedWallet"]) == D("0.1") * 60010 / 50
    iw, amt, mmr = D("0.1") * 60010 / 50, D("0.1"), D("0.004")
    assert pos["liquidationPrice"] == str(((iw - amt * 60010) / (amt * mmr - amt)).quantize(D("0.01")))
    res = dispatch(ex, "um", "POST", "/fapi/v1/positionMargin", "K", {"symbol": "BTCUSDT", "amount": "10",
                                                                      "type": "1"})
    assert res["code"] == 200
    pos = dispatch(ex, "um", "GET", "/fapi/v2/positionRisk", "K", {"symbol": "BTCUSDT"})[0]
    assert D(pos["isolatedWallet"]) == D("0.1") * 60010 / 50 + 10
    assert code_of(dispatch, ex, "um", "POST", "/fapi/v1/marginType", "K",
                   {"symbol": "BTCUSDT", "marginType": "CROSSED"})[0] == -4048


def test_funding_fee_is_paid_at_funding_time(ex: Exchange, clock: Clock) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" else None)
    order(ex, type="MARKET", price=None, timeInForce=None, quantity="0.100")
    st = ex.um.states["BTCUSDT"]
    before = ex.um.accounts["K"].balance("USDT").wallet
    clock.now = st.next_funding
    ex.um.settle_funding(clock.now)
    rate = st.last_funding_rate
    fee = (-D("0.1") * st.mark * rate).quantize(D("0.00000001"))
    assert ex.um.accounts["K"].balance("USDT").wallet == before + fee
    ev = got[-1]
    assert ev["e"] == "ACCOUNT_UPDATE" and ev["a"]["m"] == "FUNDING_FEE" and ev["a"]["S"] == "BTCUSDT"
    inc = dispatch(ex, "um", "GET", "/fapi/v1/income", "K", {"incomeType": "FUNDING_FEE"})
    assert D(inc[-1]["income"]) == fee


def test_listen_keys_create_keepalive_delete_and_expire(ex: Exchange, clock: Clock) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append((k, p)) if ch == "user" else None)
    key = dispatch(ex, "um", "POST", "/fapi/v1/listenKey", "K", {})["listenKey"]
    assert len(key) == 64 and ex.listen_keys.owner(key) == "K"
    assert dispatch(ex, "um", "POST", "/fapi/v1/listenKey", "K", {})["listenKey"] == key
    clock.now += 30 * 60_000
    assert dispatch(ex, "um", "PUT", "/fapi/v1/listenKey", "K", {})["listenKey"] == key
    clock.now += 59 * 60_000
    ex.um.step()
    assert ex.listen_keys.owner(key) == "K"
    clock.now += 2 * 60_000
    ex.um.step()
    assert ex.listen_keys.owner(key) is None
    assert got[-1] == ("K", {"e": "listenKeyExpired", "E": clock.now, "listenKey": key})
    assert code_of(dispatch, ex, "um", "PUT", "/fapi/v1/listenKey", "K", {}) == (-1125,
                                                                                 "This listenKey does not exist.")
    key2 = dispatch(ex, "um", "POST", "/fapi/v1/listenKey", "K", {})["listenKey"]
    assert key2 != key
    assert dispatch(ex, "um", "DELETE", "/fapi/v1/listenKey", "K", {}) == {}
    assert ex.listen_keys.owner(key2) is None


def test_margin_call_when_maintenance_nears_margin_balance(ex: Exchange, clock: Clock) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" and p["e"] == "MARGIN_CALL" else None)
    m = ex.um
    m.accounts["K"].balance("USDT").wallet = D("400")
    dispatch(ex, "um", "POST", "/fapi/v1/leverage", "K", {"symbol": "BTCUSDT", "leverage": "125"})
    order(ex, type="MARKET", price=None, timeInForce=None, quantity="0.800")
    m.set_mark_price("BTCUSDT", "59800")  # maintenance ~92% of the margin balance (59700 would liquidate)
    m.check_margin_calls(clock.now)
    assert got and got[0]["p"][0]["s"] == "BTCUSDT" and got[0]["p"][0]["pa"] == "0.800"


def test_algo_orders_trigger_through_the_engine_with_algo_updates(ex: Exchange) -> None:
    got: list = []
    ex.um.add_listener(lambda ch, k, p: got.append(p) if ch == "user" else None)
    base = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "BUY", "quantity": "0.010"}
    algo = dispatch(ex, "um", "POST", "/fapi/v1/algoOrder", "K", dict(base, type="STOP_MARKET",
                                                                      triggerPrice="60005", clientAlgoId="my-algo"))
    assert (algo["algoStatus"], algo["clientAlgoId"], algo["triggerPrice"]) == ("NEW", "my-algo", "60005")
    assert [e["e"] for e in got] == ["ALGO_UPDATE"] and got[0]["o"]["X"] == "NEW"
    other = dispatch(ex, "um", "POST", "/fapi/v1/algoOrder", "K", dict(base, type="TAKE_PROFIT_MARKET",
                                                                       triggerPrice="59000"))
    open_ids = [o["algoId"] for o in dispatch(ex, "um", "GET", "/fapi/v1/openAlgoOrders", "K", {})]
    assert open_ids == [algo["algoId"], other["algoId"]]
    ex.um.add_liquidity("BTCUSDT", "BUY", "60010", "0.5")
    kinds = [(e["e"], e["o"]["X"]) for e in got[2:] if e["e"] in ("ALGO_UPDATE", "ORDER_TRADE_UPDATE")]
    assert kinds[:3] == [("ALGO_UPDATE", "TRIGGERING"), ("ALGO_UPDATE", "TRIGGERED"), ("ORDER_TRADE_UPDATE", "NEW")]
    triggering, triggered = [e["o"] for e in got if e["e"] == "ALGO_UPDATE"][2:4]
    assert triggering["ai"] == "" and "act" not in triggering
    assert triggered["ai"] not in ("", str(algo["algoId"])) and triggered["act"] == "MARKET"
    assert ("ORDER_TRADE_UPDATE", "FILLED") in kinds
    assert kinds[-1] == ("ALGO_UPDATE", "FINISHED")
    done = dispatch(ex, "um", "GET", "/fapi/v1/algoOrder", "K", {"algoId": str(algo["algoId"])})
    assert done["algoStatus"] == "FINISHED" and done["actualOrderId"] not in ("", str(algo["algoId"]))
    assert [e["o"]["i"] for e in got if e["e"] == "ORDER_TRADE_UPDATE"][0] == int(done["actualOrderId"])
    before = len(got)
    res = dispatch(ex, "um", "DELETE", "/fapi/v1/algoOrder", "K", {"algoId": str(other["algoId"])})
    assert res["code"] == "200"
    assert [(e["e"], e["o"]["X"]) for e in got[before:]] == [("ALGO_UPDATE", "CANCELED")]
    assert dispatch(ex, "um", "GET", "/fapi/v1/openAlgoOrders", "K", {}) == []


def test_self_trade_prevention_expires_the_resting_order(ex: Exchange) -> None:
    resting = order(ex, side="SELL", price="60005", quantity="0.010")
    taker = order(ex, side="BUY", price="60010", quantity="0.010", newOrderRespType="RESULT")
    got = dispatch(ex, "um", "GET", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "orderId": str(resting["orderId"])})
    assert got["status"] == "EXPIRED" and got["executedQty"] == "0.000"
    assert taker["status"] == "FILLED" and taker["avgPrice"] == "60010.00000"
