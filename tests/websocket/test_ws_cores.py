"""Pure cores of the stream client: backoff, throttle, stream names, routing and frames."""

from __future__ import annotations

import itertools
import json

import pytest

from binance.websocket import _streams as s
from binance.websocket._backoff import ReconnectPolicy, backoff
from binance.websocket._throttle import Throttle


# ---------------------------------------------------------------- backoff
def test_backoff_without_jitter_doubles_up_to_the_cap():
    delays = list(itertools.islice(backoff(ReconnectPolicy(jitter=0.0)), 12))
    assert delays[:5] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6])
    assert delays[-1] == 30.0
    assert max(delays) == 30.0


def test_backoff_jitter_stays_within_the_band():
    policy = ReconnectPolicy(initial=1.0, maximum=8.0, jitter=0.5)
    lows = list(itertools.islice(backoff(policy, rand=lambda: 0.999999), 5))
    highs = list(itertools.islice(backoff(policy, rand=lambda: 0.0), 5))
    assert highs == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert lows == pytest.approx([0.5, 1.0, 2.0, 4.0, 4.0], rel=1e-5)


def test_backoff_never_gives_up_by_default_and_stops_when_the_policy_says_so():
    assert len(list(itertools.islice(backoff(), 1000))) == 1000
    assert len(list(backoff(ReconnectPolicy(max_attempts=3)))) == 3
    assert list(backoff(ReconnectPolicy(max_attempts=0))) == []


@pytest.mark.parametrize(
    "kwargs", [dict(initial=0), dict(initial=2, maximum=1), dict(factor=0.5), dict(jitter=2), dict(max_attempts=-1)]
)
def test_backoff_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        ReconnectPolicy(**kwargs)


# ---------------------------------------------------------------- throttle
def test_throttle_lets_ten_through_then_spaces_the_rest():
    throttle = Throttle(10, 1.0)
    waits = [throttle.reserve(0.0) for _ in range(10)]
    assert waits == [0.0] * 10
    assert throttle.reserve(0.0) == pytest.approx(1.0)
    assert throttle.reserve(0.5) == pytest.approx(0.5)


def test_throttle_never_allows_more_than_rate_in_any_window():
    throttle = Throttle(10, 1.0)
    send_times = []
    now = 0.0
    for i in range(55):
        now += 0.013 * (i % 3)
        send_times.append(now + throttle.reserve(now))
    send_times.sort()
    for t in send_times:
        assert sum(1 for u in send_times if t <= u < t + 1.0) <= 10


def test_throttle_reset_gives_a_fresh_allowance():
    throttle = Throttle(2, 1.0)
    throttle.reserve(0.0)
    throttle.reserve(0.0)
    assert throttle.reserve(0.0) > 0
    throttle.reset()
    assert throttle.reserve(0.0) == 0.0


# ---------------------------------------------------------------- names (4.2.0 legacy forms + fixes)
@pytest.mark.parametrize(
    "name, expected",
    [
        (s.agg_trade("BTCUSDT"), "btcusdt@aggTrade"),
        (s.mark_price("BTCUSDT", 1), "btcusdt@markPrice@1s"),
        (s.mark_price("BTCUSDT", 3), "btcusdt@markPrice"),
        (s.mark_price_all_market(1), "!markPrice@arr@1s"),
        (s.mark_price_all_market(3), "!markPrice@arr"),
        (s.pair_mark_price("BTCUSD"), "btcusd@markPrice@1s"),
        (s.index_price("BTCUSD", 3), "btcusd@indexPrice"),
        (s.kline("BTCUSDT", "1m"), "btcusdt@kline_1m"),
        (s.continuous_kline("BTCUSDT", "perpetual", "1m"), "btcusdt_perpetual@continuousKline_1m"),
        (s.index_kline("BTCUSD", "1h"), "btcusd@indexPriceKline_1h"),
        (s.mark_kline("BTCUSD_PERP", "1h"), "btcusd_perp@markPriceKline_1h"),
        (s.mini_ticker(), "!miniTicker@arr"),
        (s.mini_ticker("BTCUSDT"), "btcusdt@miniTicker"),
        (s.ticker(), "!ticker@arr"),
        (s.book_ticker(), "!bookTicker"),
        (s.book_ticker("BTCUSDT"), "btcusdt@bookTicker"),
        (s.diff_book_depth("BTCUSDT"), "btcusdt@depth@100ms"),
        (s.diff_book_depth("BTCUSDT", 500), "btcusdt@depth@500ms"),
        (s.diff_book_depth("BTCUSDT", None), "btcusdt@depth"),
        (s.diff_book_depth("BTCUSDT", 250), "btcusdt@depth"),
        (s.partial_book_depth("BTCUSDT"), "btcusdt@depth5@500ms"),
        (s.partial_book_depth("BTCUSDT", 20, 100), "btcusdt@depth20@100ms"),
        (s.partial_book_depth("BTCUSDT", 10, None), "btcusdt@depth10"),
        (s.rpi_diff_book_depth("BTCUSDT"), "btcusdt@rpiDepth@500ms"),
        (s.liquidation_order(), "!forceOrder@arr"),
        (s.liquidation_order("BTCUSDT"), "btcusdt@forceOrder"),
        (s.composite_index("DEFIUSDT"), "defiusdt@compositeIndex"),
        (s.contract_info(), "!contractInfo"),
        (s.asset_index(), "!assetIndex@arr"),
        (s.asset_index("ADAUSD"), "adausd@assetIndex"),
        (s.trading_session(), "tradingSession"),
    ],
)
def test_stream_names(name, expected):
    assert name == expected


# ---------------------------------------------------------------- routing
@pytest.mark.parametrize(
    "stream, category",
    [
        ("btcusdt@bookTicker", "public"),
        ("!bookTicker", "public"),
        ("btcusdt@depth", "public"),
        ("btcusdt@depth@100ms", "public"),
        ("btcusdt@depth5@500ms", "public"),
        ("btcusdt@rpiDepth@500ms", "public"),
        ("btcusdt@aggTrade", "market"),
        ("btcusdt@markPrice@1s", "market"),
        ("!markPrice@arr", "market"),
        ("btcusdt@kline_1m", "market"),
        ("btcusdt_perpetual@continuousKline_1m", "market"),
        ("!ticker@arr", "market"),
        ("!forceOrder@arr", "market"),
        ("!contractInfo", "market"),
        ("!assetIndex@arr", "market"),
        ("tradingSession", "market"),
        ("pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1", "private"),
    ],
)
def test_um_category(stream, category):
    assert s.um_category(stream) == category


@pytest.mark.parametrize(
    "url, base",
    [
        ("wss://fstream.binance.com", "wss://fstream.binance.com"),
        ("wss://fstream.binance.com/", "wss://fstream.binance.com"),
        ("wss://fstream.binance.com/ws", "wss://fstream.binance.com"),
        ("wss://fstream.binance.com/stream", "wss://fstream.binance.com"),
        ("wss://fstream.binance.com/market/ws", "wss://fstream.binance.com"),
        ("ws://127.0.0.1:8765/private", "ws://127.0.0.1:8765"),
        ("ws://127.0.0.1:8765/sandbox/um", "ws://127.0.0.1:8765/sandbox/um"),
    ],
)
def test_stream_base(url, base):
    assert s.stream_base(url) == base


def test_connection_url_forms():
    assert s.connection_url("wss://h", "public", False) == "wss://h/public/ws"
    assert s.connection_url("wss://h", "market", True) == "wss://h/market/stream"
    assert s.connection_url("wss://h", None, False) == "wss://h/ws"
    assert s.connection_url("wss://h", None, True) == "wss://h/stream"


# ---------------------------------------------------------------- frames
def test_frames_are_binance_control_requests():
    assert json.loads(s.frame("SUBSCRIBE", ["a@aggTrade"], 7)) == {
        "method": "SUBSCRIBE",
        "params": ["a@aggTrade"],
        "id": 7,
    }
    assert json.loads(s.frame("LIST_SUBSCRIPTIONS", None, 3)) == {"method": "LIST_SUBSCRIPTIONS", "id": 3}


def test_as_list_accepts_what_4_2_0_accepts():
    assert s.as_list("a") == ["a"]
    assert s.as_list(["a", "b"]) == ["a", "b"]
    with pytest.raises(ValueError):
        s.as_list(5)


def test_masked_hides_listen_keys_only():
    assert s.masked(["btcusdt@aggTrade", "SecretListenKey123"]) == ["btcusdt@aggTrade", "***"]


def test_chunks():
    assert s.chunks(list("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]


# ---------------------------------------------------------------- user-data decisions
def test_only_a_real_listen_key_expired_event_triggers_a_new_key():
    from binance.websocket.user_data import _is_expiry

    assert _is_expiry('{"e":"listenKeyExpired","E":1,"listenKey":"k"}')
    assert _is_expiry('{"stream":"k","data":{"e":"listenKeyExpired","E":1,"listenKey":"k"}}')
    assert not _is_expiry('{"e":"ORDER_TRADE_UPDATE","o":{"c":"listenKeyExpired"}}')
    assert not _is_expiry("listenKeyExpired but not json")


def test_keepalive_rejections_are_4xx_answers_but_not_rate_limits():
    from binance.error import ClientError, ServerError
    from binance.websocket.user_data import _is_rejection

    assert _is_rejection(ClientError(400, -1125, "This listenKey does not exist.", {}))
    assert not _is_rejection(ClientError(429, -1003, "Too many requests", {}))
    assert not _is_rejection(ServerError(503, "busy"))
    assert not _is_rejection(ConnectionError("down"))
