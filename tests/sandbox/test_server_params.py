"""Parameter rules over real sockets: duplicates (-1101), query string over body, malformed values (-1100)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
import requests

from binance._signing import HmacSigner

from .conftest import now_ms

pytestmark = pytest.mark.timeout(60)


def _send(sb, method, path, query, body="", sign=True):
    signer = HmacSigner(sb.api_secret)
    if sign:
        query = f"{query}&signature={quote(signer.sign(query + body), safe='')}"
    headers = {"X-MBX-APIKEY": sb.api_key}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return requests.request(method, f"{sb.um_rest_url}{path}?{query}", data=body or None, headers=headers, timeout=10)


def test_duplicate_parameters_are_refused(sandbox):
    ts = now_ms()
    r = _send(sandbox, "GET", "/fapi/v2/balance", f"timestamp={ts}&timestamp={ts}")
    assert (r.status_code, r.json()) == (400, {"code": -1101, "msg": "Duplicate values for a parameter detected."})
    query = f"timestamp={ts}"
    sig = HmacSigner(sandbox.api_secret).sign(query)
    r = _send(sandbox, "GET", "/fapi/v2/balance", f"{query}&signature={sig}&signature={sig}", sign=False)
    assert (r.status_code, r.json()["code"]) == (400, -1101)
    r = requests.get(f"{sandbox.um_rest_url}/fapi/v1/depth?symbol=BTCUSDT&symbol=ETHUSDT", timeout=10)
    assert (r.status_code, r.json()["code"]) == (400, -1101)


def test_the_query_string_wins_over_the_body(sandbox):
    price = float(requests.get(f"{sandbox.um_rest_url}/fapi/v1/ticker/price", params={"symbol": "BTCUSDT"},
                               timeout=10).json()["price"])
    query = urlencode({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                       "quantity": "0.010", "price": f"{price * 0.9:.1f}", "newOrderRespType": "RESULT",
                       "timestamp": now_ms()})
    r = _send(sandbox, "POST", "/fapi/v1/order", query, body="quantity=0.020&side=SELL")
    assert r.status_code == 200, r.text
    assert (r.json()["origQty"], r.json()["side"]) == ("0.010", "BUY")


@pytest.mark.parametrize("name, value, code", [
    ("timestamp", "²", -1100), ("timestamp", "١٧٠٠٠٠٠٠٠٠٠٠٠", -1100), ("recvWindow", "٥٠٠٠", -1100),
    ("quantity", "1e400", -1100), ("quantity", "٣", -1100), ("price", "NaN", -1100), ("orderId", "12abc", -1100),
])
def test_malformed_values_get_a_4xx_code(sandbox, name, value, code):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
              "price": "60000", "orderId": "1", "timestamp": str(now_ms())}
    params[name] = value
    r = _send(sandbox, "POST", "/fapi/v1/order", urlencode(params))
    assert r.status_code == 400 and r.json()["code"] == code, r.text
    assert f"'{name}'" in r.json()["msg"]


def test_non_ascii_digits_in_public_parameters(sandbox):
    r = requests.get(f"{sandbox.um_rest_url}/fapi/v1/depth", params={"symbol": "BTCUSDT", "limit": "٥"}, timeout=10)
    assert r.status_code == 400 and r.json()["code"] == -1100
