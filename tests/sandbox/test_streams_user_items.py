"""SUBSCRIBE items of the form ``<listenKey>@<EVENT>``: one user-data event type of one listenKey."""

from __future__ import annotations

import time

import pytest
import requests

from binance.sandbox.streams import split_user_item

from .conftest import signed

pytestmark = pytest.mark.timeout(60)


def _listen_key(sb) -> str:
    r = requests.post(sb.um_rest_url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": sb.api_key}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["listenKey"]


def _market_buy(sb) -> None:
    r = signed(sb, "POST", "/fapi/v1/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                             "quantity": "0.002"})
    assert r.status_code == 200, r.text


def _wait_new(reader, seen: int, predicate, timeout: float = 5.0) -> None:
    """Wait for a message after the first ``seen`` ones that matches ``predicate``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(isinstance(m, dict) and predicate(m) for m in reader.messages[seen:]):
            return
        time.sleep(0.02)
    raise AssertionError(f"no matching message after #{seen}: {reader.messages[seen:][-5:]!r}")


def _events(reader) -> set:
    return {m.get("e") for m in reader.messages if isinstance(m, dict) and "e" in m}


def test_split_user_item():
    assert split_user_item("KEY@ORDER_TRADE_UPDATE") == ("KEY", "ORDER_TRADE_UPDATE")
    assert split_user_item("KEY@ACCOUNT_UPDATE") == ("KEY", "ACCOUNT_UPDATE")
    assert split_user_item("btcusdt@aggTrade") is None
    assert split_user_item("KEY") is None
    assert split_user_item("@ORDER_TRADE_UPDATE") is None


def test_subscribe_one_event_of_a_listen_key(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/private/ws")
    reader.send({"method": "SUBSCRIBE", "params": [f"{key}@ORDER_TRADE_UPDATE"], "id": 1})
    assert reader.reply(1) == {"result": None, "id": 1}
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 2})
    assert reader.reply(2)["result"] == [f"{key}@ORDER_TRADE_UPDATE"]
    _market_buy(sandbox)
    reader.wait_for(lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and m["o"]["X"] == "FILLED")
    time.sleep(0.3)
    assert _events(reader) == {"ORDER_TRADE_UPDATE"}


def test_items_add_up_and_unsubscribe_one_by_one(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/private/stream")
    reader.send({"method": "SUBSCRIBE", "params": [f"{key}@ORDER_TRADE_UPDATE", f"{key}@ACCOUNT_UPDATE"], "id": 1})
    assert reader.reply(1)["result"] is None
    _market_buy(sandbox)
    wrapped = reader.wait_for(lambda m: m.get("data", {}).get("e") == "ACCOUNT_UPDATE")
    assert wrapped["stream"] == key
    time.sleep(0.3)
    assert {m["data"]["e"] for m in reader.messages if "data" in m} == {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"}

    reader.send({"method": "UNSUBSCRIBE", "params": [f"{key}@ORDER_TRADE_UPDATE"], "id": 2})
    assert reader.reply(2)["result"] is None
    seen = len(reader.messages)
    _market_buy(sandbox)
    _wait_new(reader, seen, lambda m: m.get("data", {}).get("e") == "ACCOUNT_UPDATE")
    time.sleep(0.3)
    assert {m["data"]["e"] for m in reader.messages[seen:] if "data" in m} == {"ACCOUNT_UPDATE"}

    reader.send({"method": "UNSUBSCRIBE", "params": [f"{key}@ACCOUNT_UPDATE"], "id": 3})
    assert reader.reply(3)["result"] is None
    seen = len(reader.messages)
    _market_buy(sandbox)
    time.sleep(0.5)
    assert [m for m in reader.messages[seen:] if "data" in m] == []


def test_bare_key_next_to_an_item_means_every_event(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/private/ws")
    reader.send({"method": "SUBSCRIBE", "params": [f"{key}@ORDER_TRADE_UPDATE", key], "id": 1})
    assert reader.reply(1)["result"] is None
    _market_buy(sandbox)
    reader.wait_for(lambda m: m.get("e") == "ACCOUNT_UPDATE")
    reader.send({"method": "UNSUBSCRIBE", "params": [key], "id": 2})
    assert reader.reply(2)["result"] is None
    seen = len(reader.messages)
    _market_buy(sandbox)
    _wait_new(reader, seen, lambda m: m.get("e") == "ORDER_TRADE_UPDATE")
    time.sleep(0.3)
    assert {m.get("e") for m in reader.messages[seen:] if "e" in m} == {"ORDER_TRADE_UPDATE"}


def test_item_of_an_unknown_key_or_event_is_refused(sandbox, ws_reader):
    key = _listen_key(sandbox)
    reader = ws_reader(sandbox.um_stream_url + "/private/ws")
    reader.send({"method": "SUBSCRIBE", "params": ["notakey@ORDER_TRADE_UPDATE"], "id": 1})
    assert reader.reply(1)["error"]["code"] == 2
    reader.send({"method": "SUBSCRIBE", "params": [f"{key}@NO_SUCH_EVENT"], "id": 2})
    assert reader.reply(2)["error"]["code"] == 2
