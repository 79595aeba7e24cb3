"""Connection paths as ccxt uses them: `/ws/<id>`, `btcusdt@trade`, and the private route's listenKey forms."""

from __future__ import annotations

import logging

import pytest
import requests

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("path", ["/ws/0", "/public/ws/1", "/stream/2"])
def test_a_numeric_path_segment_is_a_connection_id(sandbox, ws_reader, caplog, path):
    caplog.set_level(logging.WARNING, logger="binance.sandbox")
    reader = ws_reader(sandbox.um_stream_url + path)
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 1})
    assert reader.reply(1) == {"result": [], "id": 1}
    reader.send({"method": "SUBSCRIBE", "params": ["btcusdt@trade"], "id": 2})
    assert reader.reply(2) == {"result": None, "id": 2}
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 3})
    assert reader.reply(3) == {"result": ["btcusdt@trade"], "id": 3}
    got = reader.wait_for(lambda m: isinstance(m, dict) and (m.get("e") == "trade" or "data" in m), timeout=10)
    assert (got.get("data") or got)["s"] == "BTCUSDT"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_coin_m_numeric_path(sandbox, ws_reader):
    reader = ws_reader(sandbox.cm_stream_url + "/ws/0")
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 1})
    assert reader.reply(1) == {"result": [], "id": 1}


def _listen_key(sb):
    r = requests.post(f"{sb.um_rest_url}/fapi/v1/listenKey", headers={"X-MBX-APIKEY": sb.api_key}, timeout=10)
    return r.json()["listenKey"]


@pytest.mark.parametrize("form", ["query", "path"])
def test_private_route_takes_the_listen_key_in_the_query_or_the_path(sandbox, ws_reader, form):
    key = _listen_key(sandbox)
    url = sandbox.um_stream_url + (f"/private/ws?listenKey={key}" if form == "query" else f"/private/ws/{key}")
    reader = ws_reader(url)
    assert sandbox.wait_for_subscription(key)
    requests.post(f"{sandbox.um_rest_url}/fapi/v1/listenKey", headers={"X-MBX-APIKEY": sandbox.api_key}, timeout=10)
    sandbox.exchange.um.change_leverage(sandbox.api_key, "ETHUSDT", 7)
    event = reader.wait_for(lambda m: isinstance(m, dict) and m.get("e") == "ACCOUNT_CONFIG_UPDATE")
    assert event["ac"] == {"s": "ETHUSDT", "l": 7}
