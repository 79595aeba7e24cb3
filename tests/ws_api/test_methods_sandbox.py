"""Every WebSocket API method of both markets, called against the sandbox, with each key type."""

from __future__ import annotations

import uuid

import pytest

from binance.cm_futures import CMFutures
from binance.error import (
    ClientError,
    InvalidApiKeyError,
    InvalidSignatureError,
    ParameterRequiredError,
    TimestampError,
)
from binance.websocket.api._methods import METHODS

UM_SYMBOL, CM_SYMBOL = "BTCUSDT", "BTCUSD_PERP"
called = {"um": set(), "cm": set()}


def _track(client, market):
    """Record which Binance methods went out through ``client`` (to prove every one is called)."""
    send = client.submit

    def submit(method, *args, **kwargs):
        called[market].add(method)
        return send(method, *args, **kwargs)

    client.submit = submit
    return client


def _cid(tag):
    return f"{tag}-{uuid.uuid4().hex[:12]}"


def test_every_um_method(make_client):
    c = _track(make_client("um"), "um")
    price = float(c.ticker_price(symbol=UM_SYMBOL)["price"])
    assert len(c.ticker_price()) >= 2
    book = c.ticker_book(symbol=UM_SYMBOL)
    assert book["symbol"] == UM_SYMBOL and "bidPrice" in book
    assert isinstance(c.ticker_book(), list)
    depth = c.depth(UM_SYMBOL, limit=5)
    assert "bids" in depth and "asks" in depth and len(depth["bids"]) <= 5

    low = f"{price * 0.8:.1f}"
    order = c.order_place(UM_SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity="0.003", price=low,
                          newClientOrderId=_cid("um"))
    assert order["status"] == "NEW" and order["symbol"] == UM_SYMBOL
    status = c.order_status(UM_SYMBOL, orderId=order["orderId"])
    assert status["orderId"] == order["orderId"]
    modified = c.order_modify(UM_SYMBOL, "BUY", "0.004", f"{price * 0.79:.1f}", orderId=order["orderId"])
    assert modified["origQty"] == "0.004"
    cancelled = c.order_cancel(UM_SYMBOL, origClientOrderId=order["clientOrderId"])
    assert cancelled["status"] == "CANCELED"

    algo = c.algo_order_place("CONDITIONAL", UM_SYMBOL, "BUY", "STOP_MARKET", quantity="0.003",
                              triggerPrice=f"{price * 1.2:.1f}", clientAlgoId=_cid("algo"))
    assert algo["algoId"]
    assert c.algo_order_cancel(algoId=algo["algoId"])

    assert "assets" in c.account_status()
    assert "assets" in c.account_status_v2()
    balances = c.account_balance()
    assert any(b["asset"] == "USDT" for b in balances)
    assert any(b["asset"] == "USDT" for b in c.account_balance_v2())
    assert isinstance(c.account_position(symbol=UM_SYMBOL), list)
    assert isinstance(c.account_position_v2(), list)

    key = c.user_data_stream_start()["listenKey"]
    assert key
    assert c.user_data_stream_ping()["listenKey"] == key
    assert c.user_data_stream_stop() == {}
    assert called["um"] == set(METHODS["um"])


def test_every_cm_method(make_client, sandbox):
    c = _track(make_client("cm"), "cm")
    price = float(CMFutures(base_url=sandbox.cm_rest_url).ticker_price(CM_SYMBOL)[0]["price"])
    order = c.order_place(CM_SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity=1, price=f"{price * 0.8:.1f}",
                          newClientOrderId=_cid("cm"))
    assert order["status"] == "NEW"
    assert c.order_status(CM_SYMBOL, orderId=order["orderId"])["orderId"] == order["orderId"]
    modified = c.order_modify(CM_SYMBOL, "BUY", 2, f"{price * 0.79:.1f}", orderId=order["orderId"])
    assert modified["origQty"] == "2"
    assert c.order_cancel(CM_SYMBOL, orderId=order["orderId"])["status"] == "CANCELED"
    assert "assets" in c.account_status()
    assert any(b["asset"] == "BTC" for b in c.account_balance())
    assert isinstance(c.account_position(pair="BTCUSD"), list)
    key = c.user_data_stream_start()["listenKey"]
    assert c.user_data_stream_ping()["listenKey"] == key
    assert c.user_data_stream_stop() == {}
    assert called["cm"] == set(METHODS["cm"])


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_asymmetric_keys_sign_requests(sandbox, make_client, rsa_pair, ed25519_pair, kind):
    private, public = rsa_pair if kind == "rsa" else ed25519_pair
    api_key = f"wsapi{kind}{uuid.uuid4().hex}"
    sandbox.add_account(api_key, **{f"{kind}_public_key": public})
    c = make_client("um", api_key=api_key, private_key=private)
    assert any(b["asset"] == "USDT" for b in c.account_balance())
    cm = make_client("cm", api_key=api_key, private_key=private)
    assert "assets" in cm.account_status()


def test_error_replies_raise_typed_errors(sandbox, make_client):
    c = make_client("um")
    with pytest.raises(ClientError) as info:
        c.order_place("NOPEUSDT", "BUY", "LIMIT", timeInForce="GTC", quantity="1", price="1")
    assert info.value.error_code == -1121 and info.value.status_code == 400
    assert info.value.rate_limits and info.value.rate_limits[0]["rateLimitType"] == "REQUEST_WEIGHT"
    with pytest.raises(ClientError) as info:
        c.order_place(UM_SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity="0.003")
    assert info.value.error_code == -1102
    with pytest.raises(ClientError) as info:
        c.order_status(UM_SYMBOL, orderId=987654321)
    assert info.value.error_code == -2013

    with pytest.raises(InvalidSignatureError):
        make_client("um", api_key=sandbox.api_key, api_secret="wrong" * 10).account_balance()
    with pytest.raises(InvalidApiKeyError):
        make_client("um", api_key="unknownkey" * 6, api_secret="x").account_balance()
    with pytest.raises(InvalidApiKeyError):
        make_client("cm", api_key="unknownkey" * 6).user_data_stream_start()
    with pytest.raises(TimestampError):
        make_client("um", time_offset_ms=-120_000).account_balance()


def test_missing_required_argument_is_refused_before_sending(make_client):
    c = make_client("um")
    with pytest.raises(ParameterRequiredError):
        c.order_place("", "BUY", "LIMIT")


def test_rate_limits_are_available(make_client):
    c = make_client("um")
    c.ticker_price(symbol=UM_SYMBOL)
    assert c.last_rate_limits[0]["rateLimitType"] == "REQUEST_WEIGHT" and c.last_rate_limits[0]["count"] >= 1
    full = make_client("um", return_full_response=True).ticker_price(symbol=UM_SYMBOL)
    assert full["status"] == 200 and full["result"]["symbol"] == UM_SYMBOL and full["rateLimits"]
    assert isinstance(full["id"], int)
    quiet = make_client("um", return_full_response=True, return_rate_limits=False).ticker_price(symbol=UM_SYMBOL)
    assert "rateLimits" not in quiet


def test_recv_window_and_decimal_params_go_on_the_wire(make_client):
    from decimal import Decimal

    c = make_client("um", recv_window=10_000)
    price = Decimal(c.ticker_price(symbol=UM_SYMBOL)["price"]) * Decimal("0.8")
    order = c.order_place(UM_SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity=Decimal("3E-3"),
                          price=price.quantize(Decimal("0.1")), newClientOrderId=_cid("dec"))
    assert order["origQty"] == "0.003"
    c.order_cancel(UM_SYMBOL, orderId=order["orderId"])


@pytest.mark.parametrize("window", [60001, 0, 60000.5, True, "1e4", float("inf")])
def test_recv_window_outside_the_rule_is_refused_before_sending(make_client, window):
    from binance.error import ParameterArgumentError

    c = make_client("um")
    with pytest.raises(ParameterArgumentError, match="recvWindow"):
        c.order_status(UM_SYMBOL, orderId=1, recvWindow=window)
    with pytest.raises(ParameterArgumentError, match="recvWindow"):
        make_client("um", recv_window=window)


def test_signed_call_without_credentials_is_refused_before_sending(make_client, sandbox):
    from binance.error import ParameterArgumentError

    keyless = make_client("um", api_key=None)
    with pytest.raises(ParameterArgumentError):
        keyless.account_balance()
    assert keyless.ticker_price(symbol=UM_SYMBOL)["symbol"] == UM_SYMBOL  # public methods need no key
    no_secret = make_client("um", api_key=sandbox.api_key, api_secret=None)
    with pytest.raises(ParameterArgumentError):
        no_secret.order_status(UM_SYMBOL, orderId=1)


def test_send_request_reaches_methods_by_name(make_client):
    c = make_client("um")
    assert c.send_request("ticker.price", {"symbol": UM_SYMBOL})["symbol"] == UM_SYMBOL
    assert c.send_request("v2/account.balance", security="USER_DATA")
    from binance.error import ParameterArgumentError

    with pytest.raises(ParameterArgumentError):
        c.send_request("no.such.method")
    with pytest.raises(ClientError) as info:
        c.send_request("no.such.method", security="NONE")
    assert info.value.status_code == 400


def test_um_order_place_refuses_conditional_types(make_client):
    c = make_client("um")
    price = float(c.ticker_price(symbol=UM_SYMBOL)["price"])
    with pytest.raises(ClientError) as err:
        c.order_place(UM_SYMBOL, "BUY", "STOP_MARKET", quantity="0.003", stopPrice=f"{price * 1.2:.1f}")
    assert err.value.error_code == -4120
    assert err.value.error_message == ("Order type not supported for this endpoint. "
                                       "Please use the Algo Order API endpoints instead.")
