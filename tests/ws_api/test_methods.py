"""The method table and the client's method names match the WebSocket API of each market."""

from __future__ import annotations

import inspect

from binance.websocket.api import CMFuturesWebsocketAPIClient, UMFuturesWebsocketAPIClient
from binance.websocket.api._methods import METHODS, python_name

UM_METHODS = {
    "account.status", "v2/account.status", "account.balance", "v2/account.balance", "depth", "ticker.book",
    "ticker.price", "algoOrder.cancel", "order.cancel", "order.modify", "algoOrder.place", "order.place",
    "account.position", "v2/account.position", "order.status", "userDataStream.stop", "userDataStream.ping",
    "userDataStream.start",
}
CM_METHODS = {
    "account.status", "account.balance", "order.cancel", "order.modify", "order.place", "account.position",
    "order.status", "userDataStream.stop", "userDataStream.ping", "userDataStream.start",
}


def test_tables_list_every_method_of_each_market():
    assert set(METHODS["um"]) == UM_METHODS and len(UM_METHODS) == 18
    assert set(METHODS["cm"]) == CM_METHODS and len(CM_METHODS) == 10


def test_python_names():
    assert python_name("order.place") == "order_place"
    assert python_name("algoOrder.cancel") == "algo_order_cancel"
    assert python_name("userDataStream.start") == "user_data_stream_start"
    assert python_name("v2/account.status") == "account_status_v2"
    assert python_name("ticker.book") == "ticker_book"


def _ws_methods(cls):
    return {name for name, _ in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_") and name in {python_name(m) for t in METHODS.values() for m in t}}


def test_each_client_has_exactly_its_markets_methods():
    assert _ws_methods(UMFuturesWebsocketAPIClient) == {python_name(m) for m in UM_METHODS}
    assert _ws_methods(CMFuturesWebsocketAPIClient) == {python_name(m) for m in CM_METHODS}


def test_required_params_are_positional():
    sig = inspect.signature(UMFuturesWebsocketAPIClient.order_place)
    assert list(sig.parameters)[1:4] == ["symbol", "side", "type"]
    for market, table in METHODS.items():
        cls = UMFuturesWebsocketAPIClient if market == "um" else CMFuturesWebsocketAPIClient
        for info in table.values():
            params = list(inspect.signature(getattr(cls, info.python_name)).parameters)
            assert params[1:1 + len(info.required)] == list(info.required), info.method


def test_security_of_each_method():
    assert METHODS["um"]["order.place"].signed and METHODS["um"]["order.status"].signed
    assert not METHODS["um"]["depth"].needs_api_key
    assert METHODS["cm"]["userDataStream.start"].needs_api_key and not METHODS["cm"]["userDataStream.start"].signed
