"""What goes on the wire: timeouts, number and boolean formats, JSON lists, and the 4.2.0 request helpers."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import unquote

import pytest
import requests

from binance._signing import verify_hmac
from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures

KEY, SECRET = "wire-key", "wire-secret"


class TimeoutSpyAdapter(requests.adapters.HTTPAdapter):
    """A real adapter that remembers the per-operation ``timeout`` each request reached it with."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts = []

    def send(self, request, **kwargs):
        self.timeouts.append(kwargs.get("timeout", "absent"))
        return super().send(request, **kwargs)


@pytest.mark.parametrize(
    "options, expected, per_read",
    [({}, 10, (10.0, 10.0)), ({"timeout": None}, None, None), ({"timeout": 3}, 3, (3.0, 3.0)),
     ({"timeout": (2, 5)}, (2, 5), (2, 5))],
)
def test_timeout_default_is_10s_and_none_means_wait_forever(server, options, expected, per_read):
    session = requests.Session()
    spy = TimeoutSpyAdapter()
    session.mount("http://", spy)
    client = UMFutures(KEY, SECRET, base_url=server.url, session=session, **options)
    assert client.timeout == expected
    client.ping()
    client.account()
    assert spy.timeouts == [per_read, per_read]


def test_cm_default_timeout_is_10s_too():
    assert CMFutures().timeout == 10


def _params(server):
    return server.last.param_dict()


def test_floats_and_decimals_are_sent_without_exponent(server):
    client = UMFutures(KEY, SECRET, base_url=server.url)
    client.new_order(
        "BTCUSDT",
        "BUY",
        "LIMIT",
        quantity=1e-08,
        price=Decimal("3E+4"),
        stopPrice=Decimal("0.000001000"),
        activationPrice=1.5e16,
        callbackRate=0.1,
        timeInForce="GTC",
    )
    sent = _params(server)
    assert sent["quantity"] == "0.00000001"
    assert sent["price"] == "30000"
    assert sent["stopPrice"] == "0.000001"
    assert sent["activationPrice"] == "15000000000000000"
    assert sent["callbackRate"] == "0.1"
    assert "e" not in "".join(sent[n] for n in ("quantity", "price", "stopPrice", "activationPrice")).lower()


def test_floats_inside_batch_orders_are_sent_without_exponent(server):
    client = UMFutures(KEY, SECRET, base_url=server.url)
    client.new_batch_order([{"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": 1e-08, "orderId": 5}])
    sent = json.loads(_params(server)["batchOrders"])
    assert sent == [{"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.00000001", "orderId": 5}]


def test_booleans_are_sent_as_true_false(server):
    client = UMFutures(KEY, SECRET, base_url=server.url)
    client.change_position_mode(True)
    assert _params(server)["dualSidePosition"] == "true"
    client.change_multi_asset_mode(False)
    assert _params(server)["multiAssetsMargin"] == "false"
    client.new_order("BTCUSDT", "SELL", "MARKET", quantity="1", reduceOnly=True, priceProtect=False)
    assert (_params(server)["reduceOnly"], _params(server)["priceProtect"]) == ("true", "false")


@pytest.mark.parametrize("client_class, symbol", [(UMFutures, "BTCUSDT"), (CMFutures, "BTCUSD_PERP")])
def test_lists_are_sent_as_compact_json_and_signed_as_sent(server, client_class, symbol):
    client = client_class(KEY, SECRET, base_url=server.url)
    client.cancel_batch_order(symbol, [11, 12], None)
    assert _params(server)["orderIdList"] == "[11,12]"
    client.cancel_batch_order(symbol, None, ["a-1", "b@2"])
    assert _params(server)["origClientOrderIdList"] == '["a-1","b@2"]'
    orders = [
        {
            "symbol": symbol,
            "side": "BUY",
            "type": "LIMIT",
            "quantity": Decimal("1.50"),
            "price": "30000",
            "timeInForce": "GTC",
        },
        {"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": "2"},
    ]
    client.new_batch_order(orders)
    sent = _params(server)["batchOrders"]
    assert " " not in sent
    assert json.loads(sent)[0]["quantity"] == "1.5"
    assert json.loads(sent)[1] == orders[1]
    payload, raw = server.last.signed_payload_and_signature()
    assert verify_hmac(SECRET, payload, unquote(raw))
    client.modify_batch_order([{"symbol": symbol, "orderId": 1, "side": "BUY", "quantity": "1", "price": "1"}])
    assert server.last.method == "PUT"
    assert json.loads(_params(server)["batchOrders"])[0]["orderId"] == 1


def test_none_values_are_dropped_and_order_is_kept(server):
    client = UMFutures(KEY, SECRET, base_url=server.url)
    client.query_order("BTCUSDT", orderId=None, origClientOrderId="x1", recvWindow=None)
    keys = [k for k, _ in server.last.params]
    assert keys == ["symbol", "origClientOrderId", "timestamp", "signature"]


def test_cm_leverage_brackets_dispatch_on_pair_or_symbol(server):
    client = CMFutures(KEY, SECRET, base_url=server.url)
    client.leverage_brackets(pair="BTCUSD")
    assert (server.last.path, _params(server)["pair"]) == ("/dapi/v1/leverageBracket", "BTCUSD")
    client.leverage_brackets(symbol="BTCUSD_PERP")
    assert (server.last.path, _params(server)["symbol"]) == ("/dapi/v2/leverageBracket", "BTCUSD_PERP")
    client.leverage_brackets()
    assert server.last.path == "/dapi/v2/leverageBracket"
    assert "symbol" not in _params(server)


def test_request_helpers_keep_their_4_2_0_behaviour(server):
    client = UMFutures(KEY, SECRET, base_url=server.url)
    client.query("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 5})
    assert "signature" not in _params(server) and _params(server)["limit"] == "5"
    client.limit_request("GET", "/fapi/v1/historicalTrades", {"symbol": "BTCUSDT"})
    assert server.last.headers["X-MBX-APIKEY"] == KEY and "signature" not in _params(server)
    client.sign_request("POST", "/fapi/v1/order", {"symbol": "BTCUSDT", "side": "BUY"})
    assert "signature" in _params(server) and "timestamp" in _params(server)
    client.limited_encoded_sign_request("GET", "/fapi/v1/allOrders", {"symbol": "BTCUSDT"})
    assert "signature" in _params(server)
    client.send_request("POST", "/fapi/v1/listenKey")
    assert server.last.headers["X-MBX-APIKEY"] == KEY and "signature" not in _params(server)


def test_listen_key_calls_send_the_key_unsigned(server):
    client = CMFutures(KEY, SECRET, base_url=server.url)
    server.respond(200, {"listenKey": "abc123"})
    assert client.new_listen_key() == {"listenKey": "abc123"}
    assert (server.last.method, server.last.path, server.last.params) == ("POST", "/dapi/v1/listenKey", [])
    client.renew_listen_key("abc123")
    assert (server.last.method, server.last.params) == ("PUT", [("listenKey", "abc123")])
    client.close_listen_key("abc123")
    assert (server.last.method, server.last.params) == ("DELETE", [("listenKey", "abc123")])
    assert all(r.headers["X-MBX-APIKEY"] == KEY for r in server.requests)


def test_show_limit_usage_and_header_shapes(server):
    client = UMFutures(KEY, SECRET, base_url=server.url, show_limit_usage=True, show_header=True)
    result = client.time()
    assert result["data"] == {}
    assert result["limit_usage"] == {"x-mbx-used-weight-1m": "1"}
    assert result["header"]["X-MBX-USED-WEIGHT-1M"] == "1"


@pytest.mark.parametrize(
    "client_class, call, expected",
    [
        # 4.2.0 calls (positional and keyword) send what they always sent.
        (UMFutures, lambda c: c.get_all_orders("BTCUSDT"), [("symbol", "BTCUSDT")]),
        (UMFutures, lambda c: c.funding_rate("BTCUSDT", limit=5), [("symbol", "BTCUSDT"), ("limit", "5")]),
        (
            CMFutures,
            lambda c: c.open_interest_hist("BTCUSD", "PERPETUAL", "5m"),
            [("pair", "BTCUSD"), ("contractType", "PERPETUAL"), ("period", "5m")],
        ),
        (
            CMFutures,
            lambda c: c.open_interest_hist(pair="BTCUSD", contractType="PERPETUAL", period="5m"),
            [("pair", "BTCUSD"), ("contractType", "PERPETUAL"), ("period", "5m")],
        ),
        # Binance made them optional (2026-10): they can now be left out.
        (UMFutures, lambda c: c.get_all_orders(), []),
        (UMFutures, lambda c: c.funding_rate(), []),
        (CMFutures, lambda c: c.open_interest_hist("BTCUSD", period="5m"), [("pair", "BTCUSD"), ("period", "5m")]),
    ],
)
def test_params_made_optional_keep_4_2_0_calls_and_can_be_left_out(server, client_class, call, expected):
    call(client_class(KEY, SECRET, base_url=server.url))
    sent = [(k, v) for k, v in server.last.params if k not in ("timestamp", "signature")]
    assert sent == expected


def test_cm_open_interest_hist_still_needs_a_period(server):
    from binance.error import ParameterRequiredError

    with pytest.raises(ParameterRequiredError):
        CMFutures(base_url=server.url).open_interest_hist("BTCUSD", "PERPETUAL")
    assert server.requests == []
