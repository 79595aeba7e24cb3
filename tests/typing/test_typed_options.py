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


@pytest.mark.parametrize("market", ["um", "cm"])
def test_constructor_overloads_list_every_api_option(market):
    """The typing-only `__new__` overloads (show_limit_usage / show_header) repeat API.__init__'s options:
    after an option is added to API, run tools/gen_endpoints.py again (this fails until then)."""
    import ast
    from pathlib import Path

    from binance.api import API

    path = Path(__file__).resolve().parents[2] / "binance" / f"{market}_futures" / "_wrapped.py"
    tree = ast.parse(path.read_text())
    overloads = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.name == "__new__"
        and any(getattr(d, "id", None) == "overload" for d in node.decorator_list)
    ]
    assert len(overloads) == 4
    expected = [p for p in inspect.signature(API.__init__).parameters if p != "self"]
    for node in overloads:
        names = [a.arg for a in node.args.args + node.args.kwonlyargs if a.arg != "cls"]
        assert names == expected
