"""The REST server over real sockets: security like Binance, weights and limits, routing, user data."""

from __future__ import annotations

import time

import pytest
import requests

from binance._signing import HmacSigner, load_private_key
from binance.sandbox.ratelimit import RateLimits

from .conftest import now_ms, public, signed

pytestmark = pytest.mark.timeout(60)


def is_event(kind):
    return lambda m: isinstance(m, dict) and m.get("e") == kind


# ----------------------------------------------------------------------------- basics
def test_urls_and_public_endpoints(sandbox):
    assert sandbox.um_rest_url.endswith("/um") and sandbox.cm_rest_url.endswith("/cm")
    assert public(sandbox, "/fapi/v1/ping").json() == {}
    assert public(sandbox, "/dapi/v1/ping", market="cm").json() == {}
    server_time = public(sandbox, "/fapi/v1/time").json()["serverTime"]
    assert abs(server_time - now_ms()) < 5000
    info = public(sandbox, "/fapi/v1/exchangeInfo").json()
    assert "BTCUSDT" in [s["symbol"] for s in info["symbols"]]


def test_each_market_serves_its_own_futures_data(sandbox):
    um = public(sandbox, "/futures/data/openInterestHist", {"symbol": "BTCUSDT", "period": "5m"})
    cm = public(sandbox, "/futures/data/openInterestHist",
                {"pair": "BTCUSD", "contractType": "PERPETUAL", "period": "5m"}, market="cm")
    assert um.status_code == 200 and cm.status_code == 200


def test_unknown_path_is_404_like_binance(sandbox):
    r = public(sandbox, "/fapi/v1/nothingHere")
    assert r.status_code == 404
    assert r.json() == {"code": -5000, "msg": "Path /fapi/v1/nothingHere, Method GET is invalid"}
    assert public(sandbox, "/dapi/v1/time").status_code == 404


def test_engine_errors_keep_binance_code_and_status(sandbox):
    r = public(sandbox, "/fapi/v1/depth", {"symbol": "NOPE"})
    assert r.status_code == 400 and r.json()["code"] == -1121


# --------------------------------------------------------------------------- security
def test_hmac_signed_request_accepted(sandbox):
    r = signed(sandbox, "GET", "/fapi/v2/balance")
    assert r.status_code == 200, r.text
    assert any(b["asset"] == "USDT" and float(b["balance"]) > 0 for b in r.json())


def test_wrong_secret_is_1022(sandbox):
    r = signed(sandbox, "GET", "/fapi/v2/balance", signer=HmacSigner("wrong"))
    assert r.status_code == 400
    assert r.json() == {"code": -1022, "msg": "Signature for this request is not valid."}


def test_stale_timestamp_is_1021(sandbox):
    r = signed(sandbox, "GET", "/fapi/v2/balance", timestamp=now_ms() - 10_000)
    assert r.status_code == 400
    assert r.json() == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}


def test_future_timestamp_is_1021(sandbox):
    r = signed(sandbox, "GET", "/fapi/v2/balance", timestamp=now_ms() + 5_000)
    assert r.json() == {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."}


def test_recv_window_widens_the_rule_up_to_60000(sandbox):
    ok = signed(sandbox, "GET", "/fapi/v2/balance", {"recvWindow": 60000}, timestamp=now_ms() - 30_000)
    assert ok.status_code == 200
    too_big = signed(sandbox, "GET", "/fapi/v2/balance", {"recvWindow": 60001})
    assert too_big.status_code == 400 and too_big.json()["code"] == -1131


def test_missing_signature_and_timestamp_are_1102(sandbox):
    headers = {"X-MBX-APIKEY": sandbox.api_key}
    r = requests.get(f"{sandbox.um_rest_url}/fapi/v2/balance?timestamp={now_ms()}", headers=headers, timeout=5)
    assert r.json()["code"] == -1102 and "'signature'" in r.json()["msg"]
    r = requests.get(f"{sandbox.um_rest_url}/fapi/v2/balance?recvWindow=5000", headers=headers, timeout=5)
    assert r.json()["code"] == -1102 and "'timestamp'" in r.json()["msg"]


def test_api_key_errors(sandbox):
    missing = requests.get(f"{sandbox.um_rest_url}/fapi/v2/balance?timestamp=1&signature=x", timeout=5)
    assert missing.status_code == 401 and missing.json()["code"] == -2014
    unknown = signed(sandbox, "GET", "/fapi/v2/balance", api_key="someoneelse")
    assert unknown.status_code == 401
    assert unknown.json() == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    market_data = requests.get(f"{sandbox.um_rest_url}/fapi/v1/historicalTrades?symbol=BTCUSDT", timeout=5)
    assert market_data.json()["code"] == -2014


def test_signature_over_query_plus_body(sandbox):
    query = "symbol=BTCUSDT&side=BUY&type=MARKET"
    body = f"quantity=0.002&newClientOrderId=body-split-1&timestamp={now_ms()}"
    signature = HmacSigner(sandbox.api_secret).sign(query + body)
    r = requests.post(
        f"{sandbox.um_rest_url}/fapi/v1/order?{query}",
        data=f"{body}&signature={signature}",
        headers={"X-MBX-APIKEY": sandbox.api_key, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    assert r.json()["clientOrderId"] == "body-split-1"


def test_rsa_and_ed25519_accounts(sandbox, rsa_pair, ed25519_pair):
    sandbox.add_account("rsaAccount", rsa_public_key=rsa_pair[1])
    sandbox.add_account("edAccount", ed25519_public_key=ed25519_pair[1])
    rsa = load_private_key(rsa_pair[0])
    ed = load_private_key(ed25519_pair[0])
    assert signed(sandbox, "GET", "/fapi/v2/balance", api_key="rsaAccount", signer=rsa).status_code == 200
    assert signed(sandbox, "GET", "/dapi/v1/balance", market="cm", api_key="edAccount", signer=ed).status_code == 200
    wrong = signed(sandbox, "GET", "/fapi/v2/balance", api_key="rsaAccount", signer=ed)
    assert wrong.json()["code"] == -1022
    stale = signed(sandbox, "GET", "/fapi/v2/balance", api_key="edAccount", signer=ed, timestamp=now_ms() - 9000)
    assert stale.json()["code"] == -1021


def test_admin_adds_accounts(sandbox, ed25519_pair):
    r = requests.post(sandbox.admin_url + "/accounts", headers=sandbox.admin_headers,
                      json={"api_key": "viaAdmin", "ed25519_public_key": ed25519_pair[1]}, timeout=5)
    assert r.json() == {"ok": True, "api_key": "viaAdmin"}
    ed = load_private_key(ed25519_pair[0])
    assert signed(sandbox, "GET", "/fapi/v2/balance", api_key="viaAdmin", signer=ed).status_code == 200


# ------------------------------------------------------------------------------ limits
def avoid_minute_boundary(margin: float = 4.0) -> None:
    """Weight windows reset on the minute: start a counting test well inside one."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


def test_weight_and_order_count_headers(sandbox):
    avoid_minute_boundary()
    r1 = public(sandbox, "/fapi/v1/time")
    r2 = public(sandbox, "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 1000})
    assert int(r2.headers["X-MBX-USED-WEIGHT-1M"]) - int(r1.headers["X-MBX-USED-WEIGHT-1M"]) == 20
    order = signed(sandbox, "POST", "/fapi/v1/order",
                   {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"})
    assert order.status_code == 200, order.text
    assert int(order.headers["X-MBX-ORDER-COUNT-10S"]) >= 1 and int(order.headers["X-MBX-ORDER-COUNT-1M"]) >= 1
    assert "X-MBX-ORDER-COUNT-1M" not in r1.headers


def test_429_then_418_for_a_client_that_keeps_going(make_sandbox):
    sb = make_sandbox(limits=RateLimits(weight_per_minute=5, ban_after=2, ban_seconds=30))
    avoid_minute_boundary()
    statuses = [public(sb, "/fapi/v1/time") for _ in range(9)]
    codes = [r.status_code for r in statuses]
    assert codes[:5] == [200] * 5
    first_429 = statuses[5]
    assert first_429.status_code == 429 and first_429.json()["code"] == -1003
    assert 1 <= int(first_429.headers["Retry-After"]) <= 60
    assert codes[5:] == [429, 429, 418, 418]
    assert int(statuses[-1].headers["Retry-After"]) >= 25
    sb.limiter.reset()
    assert public(sb, "/fapi/v1/time").status_code == 200


# ---------------------------------------------------------------------------- user data
def _listen_key(sb, market="um"):
    path = "/fapi/v1/listenKey" if market == "um" else "/dapi/v1/listenKey"
    base = sb.um_rest_url if market == "um" else sb.cm_rest_url
    r = requests.post(base + path, headers={"X-MBX-APIKEY": sb.api_key}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["listenKey"]


def test_user_data_events_after_an_order(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/ws/" + key)
    routed = ws_reader(sandbox.um_stream_url + "/private/stream?listenKey=" + key)
    sandbox.wait_for_subscription(key)
    r = signed(sandbox, "POST", "/fapi/v1/order",
               {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002",
                "newClientOrderId": "user-data-1"})
    assert r.status_code == 200, r.text
    update = reader.wait_for(lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and m["o"]["X"] == "FILLED")
    assert update["o"]["c"] == "user-data-1"
    reader.wait_for(is_event("ACCOUNT_UPDATE"))
    wrapped = routed.wait_for(lambda m: m.get("data", {}).get("e") == "ORDER_TRADE_UPDATE")
    assert wrapped["stream"] == key


def test_private_event_filter(sandbox, ws_reader):
    key = _listen_key(sandbox)
    only_orders = ws_reader(f"{sandbox.um_stream_url}/private/ws?listenKey={key}&events=ORDER_TRADE_UPDATE")
    everything = ws_reader(f"{sandbox.um_stream_url}/private/ws?listenKey={key}")
    assert sandbox.wait_for_subscription(key)
    time.sleep(0.1)
    r = signed(sandbox, "POST", "/fapi/v1/order",
               {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"})
    assert r.status_code == 200, r.text
    everything.wait_for(is_event("ACCOUNT_UPDATE"))
    only_orders.wait_for(is_event("ORDER_TRADE_UPDATE"))
    time.sleep(0.3)
    assert {m["e"] for m in only_orders.messages} == {"ORDER_TRADE_UPDATE"}


def test_stop_is_idempotent_and_closes_the_port(make_sandbox):
    sb = make_sandbox()
    url = sb.um_rest_url + "/fapi/v1/ping"
    assert requests.get(url, timeout=5).status_code == 200
    sb.stop()
    sb.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_user_data_by_subscribe_on_cm(sandbox, ws_reader):
    key = _listen_key(sandbox, "cm")
    reader = ws_reader(sandbox.cm_stream_url + "/ws")
    reader.send({"method": "SUBSCRIBE", "params": [key], "id": 1})
    assert reader.reply(1) == {"result": None, "id": 1}
    r = signed(sandbox, "POST", "/dapi/v1/order",
               {"symbol": "BTCUSD_PERP", "side": "BUY", "type": "MARKET", "quantity": "1"}, market="cm")
    assert r.status_code == 200, r.text
    reader.wait_for(is_event("ORDER_TRADE_UPDATE"))


def test_listen_key_expiry_then_silence(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/ws/" + key)
    sandbox.wait_for_subscription(key)
    sandbox.faults.expire_listen_key(key)
    expired = reader.wait_for(is_event("listenKeyExpired"))
    assert expired["listenKey"] == key
    count = len(reader.messages)
    signed(sandbox, "POST", "/fapi/v1/order", {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET",
                                              "quantity": "0.002"})
    time.sleep(0.5)
    assert reader.messages[count:] == []
    r = requests.put(sandbox.um_rest_url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": sandbox.api_key},
                     timeout=5)
    assert r.json()["code"] == -1125


def test_listen_key_ttl_is_configurable(make_sandbox, ws_reader):
    sb = make_sandbox(listen_key_ttl=0.5)
    key = _listen_key(sb)
    reader = ws_reader(sb.um_stream_url + "/ws/" + key)
    assert reader.wait_for(is_event("listenKeyExpired"), timeout=5)["listenKey"] == key


def test_logs_carry_no_secrets(sandbox, ws_reader, caplog):
    caplog.set_level("DEBUG", logger="binance.sandbox")
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/ws/" + key)
    sandbox.wait_for_subscription(key)
    response = signed(sandbox, "GET", "/fapi/v2/balance")
    signature = response.request.url.rsplit("signature=", 1)[1]
    reader.close()
    time.sleep(0.2)
    assert "/fapi/v2/balance" in caplog.text
    for secret in (key, sandbox.api_secret, signature):
        assert secret not in caplog.text
