"""The typed constructor options (issue 14) agree with the classes they are handed to."""

from __future__ import annotations

import inspect

import pytest

from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from binance.websocket.user_data import UserDataStream
from binance.websocket.websocket_client import BinanceWebsocketClient


def _defaults(func: object) -> dict:
    return {
        p.name: p.default
        for p in inspect.signature(func).parameters.values()  # type: ignore[arg-type]
        if p.name != "self"
    }


BASE = _defaults(BinanceWebsocketClient.__init__)


@pytest.mark.parametrize("cls", [UMFuturesWebsocketClient, CMFuturesWebsocketClient, UserDataStream])
def test_stream_options_have_the_base_clients_defaults(cls):
    ours = _defaults(cls.__init__)
    shared = set(ours) & set(BASE) - {"stream_url", "on_message", "on_error", "logger"}
    assert len(shared) >= 10
    assert {name: ours[name] for name in shared} == {name: BASE[name] for name in shared}
    kinds = [p.kind for p in inspect.signature(cls.__init__).parameters.values()]
    assert inspect.Parameter.VAR_KEYWORD not in kinds


@pytest.mark.parametrize("cls", [UMFuturesWebsocketClient, CMFuturesWebsocketClient])
def test_stream_clients_pass_every_base_option(cls):
    missing = set(BASE) - set(_defaults(cls.__init__)) - {"stream_url"}
    assert missing == set()


@pytest.mark.parametrize("cls", [UMFuturesWebsocketClient, CMFuturesWebsocketClient])
def test_misspelt_stream_option_is_refused_before_connecting(cls):
    with pytest.raises(TypeError):
        cls("ws://127.0.0.1:9", on_mesage=print)


def test_stream_clients_keep_the_4_2_0_positional_order():
    expected = [
        "stream_url",
        "on_message",
        "on_open",
        "on_close",
        "on_error",
        "on_ping",
        "on_pong",
        "is_combined",
        "proxies",
    ]
    for cls in (UMFuturesWebsocketClient, CMFuturesWebsocketClient):
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional == expected
