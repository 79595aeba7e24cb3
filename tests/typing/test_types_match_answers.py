"""The generated types describe the answers the clients really get (here: from the sandbox, over real sockets).

Every required key of a response's `TypedDict` must be in the answer, with the JSON type the type says
(nested objects and lists too); keys the type does not know are allowed (Binance adds fields).
"""

from __future__ import annotations

import inspect
import json
import time
import typing
from typing import Any, List, Union

import pytest

from binance.types import um as um_types
from binance.um_futures import UMFutures

pytest.importorskip("aiohttp")
from binance.sandbox import Sandbox  # noqa: E402

SYMBOL = "BTCUSDT"


def mismatches(value: Any, tp: Any, where: str = "answer") -> List[str]:
    """Where ``value`` does not have type ``tp`` (a TypedDict, List, Union, Literal or a JSON scalar type)."""
    origin = typing.get_origin(tp)
    if origin is Union:
        options = [mismatches(value, option, where) for option in typing.get_args(tp)]
        return [] if any(not o for o in options) else min(options, key=len)
    if origin is typing.Literal:
        return [] if value in typing.get_args(tp) else [f"{where}: {value!r} not in {typing.get_args(tp)}"]
    if origin in (list, List):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        (item,) = typing.get_args(tp)
        return [m for i, v in enumerate(value) for m in mismatches(v, item, f"{where}[{i}]")]
    if isinstance(tp, type) and hasattr(tp, "__required_keys__"):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        hints = typing.get_type_hints(tp)
        out = [f"{where}: no {key!r}" for key in sorted(tp.__required_keys__) if key not in value]
        for key, hint in hints.items():
            if key in value:
                out += mismatches(value[key], hint, f"{where}.{key}")
        return out
    if tp is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not a number"]
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not an integer"]
    if tp in (str, bool):
        return [] if isinstance(value, tp) else [f"{where}: {value!r} is not {tp.__name__}"]
    raise TypeError(f"{where}: cannot check {tp!r}")


def test_the_checker_finds_a_missing_key_and_a_wrong_type():
    assert mismatches({"serverTime": 1}, um_types.TimeResponse) == []
    assert mismatches({}, um_types.TimeResponse) == ["answer: no 'serverTime'"]
    assert mismatches({"serverTime": "1"}, um_types.TimeResponse) == ["answer.serverTime: '1' is not an integer"]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=11) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(sandbox):
    with UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url) as rest:
        yield rest


def _hint(method: Any) -> Any:
    """The method's return type (its annotation is text: the names are imported for type checkers only)."""
    text = inspect.signature(method).return_annotation
    return eval(text, {**vars(typing), **vars(um_types)})  # noqa: S307 - our own annotation text


@pytest.mark.parametrize(
    "name, call",
    [
        ("time", lambda c: c.time()),
        ("exchange_info", lambda c: c.exchange_info()),
        ("depth", lambda c: c.depth(SYMBOL, limit=5)),
        ("klines", lambda c: c.klines(SYMBOL, "1m", limit=3)),
        ("trades", lambda c: c.trades(SYMBOL, limit=3)),
        ("agg_trades", lambda c: c.agg_trades(SYMBOL, limit=3)),
        ("mark_price", lambda c: c.mark_price(SYMBOL)),
        ("ticker_price", lambda c: c.ticker_price(SYMBOL)),
        ("book_ticker", lambda c: c.book_ticker(SYMBOL)),
        ("account", lambda c: c.account()),
        ("balance", lambda c: c.balance()),
        ("get_position_risk", lambda c: c.get_position_risk(symbol=SYMBOL)),
        ("change_leverage", lambda c: c.change_leverage(SYMBOL, 7)),
        ("get_open_orders", lambda c: c.get_orders(symbol=SYMBOL)),
        ("get_income_history", lambda c: c.get_income_history()),
        ("get_account_trades", lambda c: c.get_account_trades(SYMBOL)),
        ("new_listen_key", lambda c: c.new_listen_key()),
    ],
)
def test_market_and_account_answers_match_their_types(client, name, call):
    method = getattr(type(client), "get_orders" if name == "get_open_orders" else name)
    hint = _hint(method)
    if name in ("mark_price", "ticker_price", "book_ticker"):  # overloaded: one object for a symbol
        hint = typing.get_args(hint)[0]
    assert mismatches(call(client), hint) == []


def test_order_answers_match_their_types(client):
    placed = client.new_order(SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity="0.01", price="20000")
    assert mismatches(placed, _hint(UMFutures.new_order)) == []
    result = client.new_order(
        SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity="0.01", price="20001", newOrderRespType="RESULT"
    )
    assert mismatches(result, _hint(UMFutures.new_order)) == []
    assert "avgPrice" in result  # an optional key of the type, present with RESULT
    queried = client.query_order(SYMBOL, orderId=placed["orderId"])
    assert mismatches(queried, _hint(UMFutures.query_order)) == []
    modified = client.modify_order(SYMBOL, "BUY", "0.01", "20002", orderId=placed["orderId"])
    assert mismatches(modified, _hint(UMFutures.modify_order)) == []
    canceled = client.cancel_order(SYMBOL, orderId=placed["orderId"])
    assert mismatches(canceled, _hint(UMFutures.cancel_order)) == []
    batch = client.new_batch_order(
        batchOrders=[
            {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "1"},
            {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "20000"},
        ]
    )
    assert mismatches(batch, _hint(UMFutures.new_batch_order)) == []
    assert client.cancel_open_orders(SYMBOL)


def test_user_data_events_match_their_types(sandbox, client):
    from binance.websocket.user_data import UserDataStream

    received: List[Any] = []
    stream = UserDataStream(
        client, on_message=lambda _c, m: received.append(json.loads(m)), stream_url=sandbox.um_stream_url
    )
    try:
        assert sandbox.wait_for_subscription(stream.listen_key)
        client.change_leverage(SYMBOL, 5)
        client.new_order(SYMBOL, "BUY", "MARKET", quantity="0.01")
        client.new_order(SYMBOL, "SELL", "MARKET", quantity="0.01", reduceOnly="true")
        deadline = time.monotonic() + 10
        kinds = {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "TRADE_LITE", "ACCOUNT_CONFIG_UPDATE"}
        while time.monotonic() < deadline and not kinds <= {e.get("e") for e in received}:
            time.sleep(0.05)
    finally:
        stream.stop()
    events = [e for e in received if "e" in e]
    assert kinds <= {e["e"] for e in events}
    for event in events:
        assert mismatches(event, um_types.UserDataEvent, event["e"]) == []


def test_coin_m_answers_match_their_types(sandbox):
    from binance.cm_futures import CMFutures
    from binance.types import cm as cm_types

    def hint(method: Any) -> Any:
        return eval(inspect.signature(method).return_annotation, {**vars(typing), **vars(cm_types)})  # noqa: S307

    with CMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.cm_rest_url) as cm:
        assert mismatches(cm.exchange_info(), hint(CMFutures.exchange_info)) == []
        assert mismatches(cm.depth("BTCUSD_PERP", limit=5), hint(CMFutures.depth)) == []
        assert mismatches(cm.account(), hint(CMFutures.account)) == []
        assert mismatches(cm.get_position_risk(), hint(CMFutures.get_position_risk)) == []
        order = cm.new_order("BTCUSD_PERP", "BUY", "LIMIT", timeInForce="GTC", quantity=1, price="20000")
        assert mismatches(order, hint(CMFutures.new_order)) == []
        assert mismatches(cm.cancel_order("BTCUSD_PERP", orderId=order["orderId"]), hint(CMFutures.cancel_order)) == []


def test_websocket_api_results_match_their_types(sandbox):
    from binance.websocket.api.um_futures import UMFuturesWebsocketAPIClient

    with UMFuturesWebsocketAPIClient(sandbox.api_key, sandbox.api_secret, stream_url=sandbox.um_ws_api_url) as ws:
        placed = ws.order_place(SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity="0.01", price="20000")
        assert mismatches(placed, um_types.OrderPlaceResult) == []
        status = ws.order_status(SYMBOL, orderId=placed["orderId"])
        assert mismatches(status, um_types.OrderStatusResult) == []
        assert mismatches(ws.order_cancel(SYMBOL, orderId=placed["orderId"]), um_types.OrderCancelResult) == []
        assert mismatches(ws.account_status(), um_types.AccountStatusResult) == []
        assert mismatches(ws.account_balance(), um_types.AccountBalanceResult) == []
        assert mismatches(ws.account_position(), um_types.AccountPositionResult) == []
        assert mismatches(ws.ticker_price(symbol=SYMBOL), um_types.TickerPriceResult) == []
        assert mismatches(ws.ticker_book(symbol=SYMBOL), um_types.TickerBookResult) == []
        assert mismatches(ws.depth(SYMBOL, limit=5), um_types.DepthResult) == []


def test_coin_m_websocket_api_results_match_their_types(sandbox):
    from binance.types import cm as cm_types
    from binance.websocket.api.cm_futures import CMFuturesWebsocketAPIClient

    with CMFuturesWebsocketAPIClient(sandbox.api_key, sandbox.api_secret, stream_url=sandbox.cm_ws_api_url) as ws:
        assert mismatches(ws.account_status(), cm_types.AccountStatusResult) == []
        assert mismatches(ws.account_position(pair="BTCUSD"), cm_types.AccountPositionResult) == []
        assert mismatches(ws.account_balance(), cm_types.AccountBalanceResult) == []


def test_market_stream_events_match_their_types(sandbox):
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    received: List[Any] = []
    client = UMFuturesWebsocketClient(
        stream_url=sandbox.um_stream_url, on_message=lambda _c, m: received.append(json.loads(m))
    )
    wanted = {"aggTrade", "bookTicker", "depthUpdate", "markPriceUpdate", "kline", "24hrMiniTicker"}
    try:
        client.agg_trade(symbol="btcusdt")
        client.book_ticker(symbol="btcusdt")
        client.diff_book_depth(symbol="btcusdt", speed=100)
        client.mark_price(symbol="btcusdt", speed=1)
        client.kline(symbol="btcusdt", interval="1m")
        client.mini_ticker(symbol="btcusdt")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not wanted <= {e.get("e") for e in received if isinstance(e, dict)}:
            time.sleep(0.05)
    finally:
        client.stop()
    events = [e for e in received if isinstance(e, dict) and "e" in e]
    assert wanted <= {e["e"] for e in events}
    for event in events:
        assert mismatches(event, um_types.MarketEvent, event["e"]) == []
