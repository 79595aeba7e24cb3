"""Stream protocol core: control messages and their error replies, URL forms, categories."""

from __future__ import annotations

import json

import pytest

from binance.sandbox.streams import (
    ControlRequest,
    cadence_ms,
    combined_text,
    is_depth_diff,
    parse_control,
    path_route,
    stream_category,
)


def test_subscribe_is_parsed():
    req = parse_control('{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth"],"id":1}')
    assert req == ControlRequest("SUBSCRIBE", ("btcusdt@aggTrade", "btcusdt@depth"), 1)


def test_list_subscriptions_without_params():
    assert parse_control('{"method":"LIST_SUBSCRIPTIONS","id":3}') == ControlRequest("LIST_SUBSCRIPTIONS", (), 3)


@pytest.mark.parametrize(
    "message, error",
    [
        ({"method": "SET_PROPERTY", "params": ["colour", True], "id": 5}, {"code": 0, "msg": "Unknown property"}),
        ({"method": "GET_PROPERTY", "params": ["colour"], "id": 5}, {"code": 0, "msg": "Unknown property"}),
        (
            {"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 5},
            {"code": 1, "msg": "Invalid value type: expected Boolean"},
        ),
        (
            {"method": "SET_PROPERTY", "params": [7, True], "id": 5},
            {"code": 2, "msg": "Invalid request: property name must be a string"},
        ),
        (
            {"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"]},
            {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"},
        ),
        (
            {"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": -1},
            {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"},
        ),
    ],
)
def test_documented_error_replies(message, error):
    reply = parse_control(json.dumps(message))
    assert reply["error"] == error


def test_unknown_method_names_the_variant_and_the_expected_ones():
    reply = parse_control('{"method":"SUBSCRIB","params":[],"id":1}')
    assert reply["error"]["code"] == 2
    msg = reply["error"]["msg"]
    assert msg.startswith("Invalid request: unknown variant `SUBSCRIB`, expected one of `SUBSCRIBE`")
    assert msg.endswith("at line 1 column 20")


def test_not_json():
    reply = parse_control("hello")
    assert reply["error"]["code"] == 3 and reply["error"]["msg"].startswith("Invalid JSON")


def test_string_ids_are_accepted_like_the_official_sdk_sends():
    assert parse_control('{"method":"LIST_SUBSCRIPTIONS","id":"6f1c"}').id == "6f1c"


@pytest.mark.parametrize(
    "name, category",
    [
        ("btcusdt@depth", "public"),
        ("btcusdt@depth5@100ms", "public"),
        ("!bookTicker", "public"),
        ("btcusdt@bookTicker", "public"),
        ("btcusdt@rpiDepth@500ms", "public"),
        ("btcusdt@aggTrade", "market"),
        ("!markPrice@arr@1s", "market"),
        ("btcusdt_perpetual@continuousKline_1m", "market"),
    ],
)
def test_um_categories(name, category):
    assert stream_category(name) == category


def test_listen_key_is_private():
    assert stream_category("abc", is_listen_key=True) == "private"


def test_path_routes():
    r = path_route("/ws/btcusdt@aggTrade/btcusdt@depth", "")
    assert (r.category, r.combined, r.streams) == (None, False, ["btcusdt@aggTrade", "btcusdt@depth"])
    r = path_route("/market/stream", "streams=btcusdt@aggTrade/btcusdt@markPrice@1s")
    assert (r.category, r.combined, r.streams) == ("market", True, ["btcusdt@aggTrade", "btcusdt@markPrice@1s"])
    r = path_route("/private/ws", "listenKey=K1&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE&listenKey=K2")
    assert r.listen_keys == [("K1", ("ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE")), ("K2", None)]
    assert path_route("/ws", "").streams == []
    assert path_route("/nope", "") is None


def test_cadences():
    assert cadence_ms("um", "btcusdt@markPrice") == 3000
    assert cadence_ms("um", "btcusdt@markPrice@1s") == 1000
    assert cadence_ms("um", "btcusdt@kline_1m") == 250
    assert cadence_ms("um", "btcusdt@depth5@100ms") == 100
    assert cadence_ms("um", "btcusdt@depth10") == 250
    assert cadence_ms("um", "!ticker@arr") == 1000


def test_depth_diff_detection():
    assert is_depth_diff("btcusdt@depth") and is_depth_diff("btcusdt@depth@100ms")
    assert not is_depth_diff("btcusdt@depth5@100ms") and not is_depth_diff("btcusdt@bookTicker")


def test_combined_wrapper():
    assert json.loads(combined_text("a@b", '{"e":1}')) == {"stream": "a@b", "data": {"e": 1}}
