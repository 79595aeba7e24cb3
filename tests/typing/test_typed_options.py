"""The typed constructor options (issue 14) agree with the classes they are handed to."""

from __future__ import annotations

import inspect
from pathlib import Path

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


def _overloaded_new(path):
    import ast

    tree = ast.parse(path.read_text())
    overloads = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.name == "__new__"
        and any(getattr(d, "id", None) == "overload" for d in node.decorator_list)
    ]
    return [[a.arg for a in node.args.args + node.args.kwonlyargs if a.arg != "cls"] for node in overloads]


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("market", ["um", "cm"])
def test_constructor_overloads_list_every_option(market):
    """The typing-only `__new__` overloads (show_limit_usage / show_header, return_full_response) repeat the
    constructors' options: after an option is added, run tools/gen_endpoints.py again (this fails until then)."""
    from binance.api import API
    from binance.websocket.api.client import WebsocketAPIClient

    rest = _overloaded_new(ROOT / "binance" / f"{market}_futures" / "_wrapped.py")
    assert len(rest) == 4
    assert all(names == [p for p in inspect.signature(API.__init__).parameters if p != "self"] for names in rest)
    ws_api = _overloaded_new(ROOT / "binance" / "websocket" / "api" / f"_{market}_full.py")
    assert len(ws_api) == 3
    expected = [p for p in inspect.signature(WebsocketAPIClient.__init__).parameters if p != "self"]
    assert all(names == expected for names in ws_api)
