"""The simulated market: determinism by seed, depth snapshot + diff continuity, stream names and payloads."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from binance.sandbox.engine import Exchange

T0 = 1_800_000_000_000
SPEC = json.loads((Path(__file__).resolve().parents[2] / "binance" / "sandbox" / "spec_data.json").read_text())


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


def run(ex: Exchange, clock: Clock, steps: int, ms: int = 100) -> None:
    for _ in range(steps):
        clock.now += ms
        ex.step()


def test_same_seed_same_market_and_different_seed_differs() -> None:
    books = []
    for seed in (5, 5, 6):
        clock = Clock()
        ex = Exchange(seed=seed, clock=clock)
        run(ex, clock, 30)
        books.append((ex.um.depth_json("BTCUSDT", 20), ex.cm.trades_json("BTCUSD_PERP", 50),
                      ex.um.premium_index(ex.um.states["ETHUSDT"])))
    assert books[0] == books[1]
    assert books[0][0]["bids"] != books[2][0]["bids"]


@pytest.mark.parametrize("market,symbol", [("um", "BTCUSDT"), ("cm", "ETHUSD_PERP")])
@pytest.mark.parametrize("speed", ["@100ms", "", "@500ms"])
def test_depth_snapshot_plus_diffs_rebuilds_the_book(market: str, symbol: str, speed: str) -> None:
    clock = Clock()
    ex = Exchange(seed=3, clock=clock)
    m = ex.market(market)
    key = f"{symbol.lower()}@depth{speed}"
    diffs: list = []
    at_emit: list = []

    def listen(ch: str, k: object, p: dict) -> None:
        if ch == "market" and k == key:
            diffs.append(p)
            at_emit.append(m.depth_json(symbol, 1000))

    m.add_listener(listen)
    run(ex, clock, 3)
    snap = m.depth_json(symbol, 1000)
    book = {"b": {p: q for p, q in snap["bids"]}, "a": {p: q for p, q in snap["asks"]}}
    start = len(diffs)
    run(ex, clock, 40)
    events = diffs[start:]
    assert len(events) >= 5
    prev_u = None
    for ev in diffs:
        assert ev["U"] <= ev["u"] and ev["e"] == "depthUpdate" and ev["s"] == symbol
        if prev_u is not None:
            assert ev["pu"] == prev_u
        prev_u = ev["u"]
    first = events[0]
    assert first["U"] <= snap["lastUpdateId"] + 1 <= first["u"] + 1
    for ev in events:
        if ev["u"] < snap["lastUpdateId"]:
            continue
        for side in ("b", "a"):
            for price, qty in ev[side]:
                if D(qty) == 0:
                    book[side].pop(price, None)
                else:
                    book[side][price] = qty
    final = at_emit[-1]
    assert all(snap_at["lastUpdateId"] == ev["u"] for snap_at, ev in zip(at_emit, diffs))
    assert sorted(book["b"].items(), key=lambda x: -D(x[0])) == [tuple(x) for x in final["bids"]]
    assert sorted(book["a"].items(), key=lambda x: D(x[0])) == [tuple(x) for x in final["asks"]]


def test_market_moves_and_publishes_trades_and_book_tickers() -> None:
    clock = Clock()
    ex = Exchange(seed=9, clock=clock)
    seen: dict = {}
    ex.um.add_listener(lambda ch, k, p: seen.setdefault(k, []).append(p) if ch == "market" else None)
    start_mark = ex.um.states["BTCUSDT"].mark
    run(ex, clock, 60)
    assert seen["btcusdt@aggTrade"] and seen["!bookTicker"] and seen["btcusdt@bookTicker"]
    agg = seen["btcusdt@aggTrade"][-1]
    assert set(agg) >= {"e", "E", "s", "a", "p", "q", "f", "l", "T", "m"}
    rest = ex.um.agg_trades_json("BTCUSDT", 1)[-1]
    assert rest["a"] == agg["a"] and rest["p"] == agg["p"]
    assert ex.um.states["BTCUSDT"].mark != start_mark
    bt = seen["btcusdt@bookTicker"][-1]
    st = ex.um.states["BTCUSDT"]
    assert D(bt["b"]) == st.book.best_bid() and D(bt["a"]) == st.book.best_ask()
    assert st.book.best_bid() < st.book.best_ask()


def _stream_examples(market: str) -> list:
    names = []
    for s in SPEC["streams"]:
        if market not in s["markets"] or s["key"] == "user_data":
            continue
        names.append((s["key"], s["stream_name_pattern"]))
    return names


STREAM_NAMES = {
    "um": {
        "agg_trade": ["btcusdt@aggTrade"], "mark_price": ["btcusdt@markPrice", "btcusdt@markPrice@1s"],
        "mark_price_all_market": ["!markPrice@arr", "!markPrice@arr@1s"], "kline": ["ethusdt@kline_1m"],
        "continuous_kline": ["btcusdt_perpetual@continuousKline_5m"], "mini_ticker": ["bnbusdt@miniTicker"],
        "all_mini_ticker": ["!miniTicker@arr"], "ticker": ["solusdt@ticker"], "all_ticker": ["!ticker@arr"],
        "book_ticker": ["btcusdt@bookTicker"], "all_book_ticker": ["!bookTicker"],
        "diff_book_depth": ["btcusdt@depth", "btcusdt@depth@100ms", "btcusdt@depth@500ms"],
        "partial_book_depth": ["btcusdt@depth5", "btcusdt@depth10@100ms", "btcusdt@depth20@500ms"],
        "rpi_diff_book_depth": ["btcusdt@rpiDepth@500ms"], "liquidation_order": ["btcusdt@forceOrder"],
        "all_liquidation_order": ["!forceOrder@arr"],
        "composite_index": ["btcusdt@compositeIndex", "defiusdt@compositeIndex"],
        "contract_info": ["!contractInfo"], "all_asset_index": ["!assetIndex@arr"],
        "asset_index": ["btcusd@assetIndex", "adausd@assetIndex"], "trading_session": ["tradingSession"],
    },
    "cm": {
        "agg_trade": ["btcusd_perp@aggTrade"], "mark_price": ["btcusd_perp@markPrice", "ethusd_perp@markPrice@1s"],
        "pair_mark_price": ["btcusd@markPrice", "btcusd@markPrice@1s"], "kline": ["btcusd_perp@kline_1h"],
        "continuous_kline": ["btcusd_current_quarter@continuousKline_1m"],
        "index_kline": ["btcusd@indexPriceKline_1m"], "mark_kline": ["btcusd_perp@markPriceKline_1m"],
        "index_price": ["btcusd@indexPrice", "btcusd@indexPrice@1s"], "mini_ticker": ["btcusd_perp@miniTicker"],
        "all_mini_ticker": ["!miniTicker@arr"], "ticker": ["ethusd_perp@ticker"], "all_ticker": ["!ticker@arr"],
        "book_ticker": ["btcusd_perp@bookTicker"], "all_book_ticker": ["!bookTicker"],
        "diff_book_depth": ["btcusd_perp@depth", "btcusd_perp@depth@100ms", "btcusd_perp@depth@500ms"],
        "partial_book_depth": ["btcusd_perp@depth5", "btcusd_perp@depth20@100ms"],
        "liquidation_order": ["btcusd_perp@forceOrder"], "all_liquidation_order": ["!forceOrder@arr"],
        "contract_info": ["!contractInfo"],
    },
}


@pytest.fixture(scope="module")
def ex() -> Exchange:
    return Exchange(seed=2, clock=Clock())


@pytest.mark.parametrize("market", ["um", "cm"])
def test_every_spec_stream_is_valid_and_periodic_ones_render_like_the_example(ex: Exchange, market: str) -> None:
    m = ex.market(market)
    spec = {s["key"]: s for s in SPEC["streams"]}
    for key, _pattern in _stream_examples(market):
        assert key in STREAM_NAMES[market], key
        example = (spec[key].get("example_payload_by_market") or {}).get(market) or spec[key]["example_payload"]
        for name in STREAM_NAMES[market][key]:
            assert m.is_valid_stream(name), name
            payload = m.render_stream(name, ex.now())
            if m.is_event_stream(name):
                assert payload is None
                continue
            assert payload is not None, name
            if example is None:
                continue
            assert isinstance(payload, type(example)), name
            one = payload[0] if isinstance(payload, list) else payload
            ref = example[0] if isinstance(example, list) else example
            missing = set(ref) - set(one) - {"st", "ps", "ap"}
            assert not missing, (name, missing)
            if "e" in ref:
                assert one["e"] == ref["e"], name


@pytest.mark.parametrize("name", ["BTCUSDT@aggTrade", "xyzusdt@aggTrade", "btcusdt@kline_7m", "btcusdt@depth7",
                                  "btcusdt@depth@250ms", "btcusd@indexPrice", "nonsense", "!ticker"])
def test_unknown_um_streams_are_invalid(ex: Exchange, name: str) -> None:
    assert not ex.um.is_valid_stream(name)
    assert ex.um.render_stream(name, ex.now()) is None


def test_listen_key_streams_are_valid_only_in_their_market(ex: Exchange) -> None:
    ex.create_account("lk")
    key = ex.listen_keys.create("lk", "um")
    assert ex.um.is_valid_stream(key) and not ex.cm.is_valid_stream(key)
    assert ex.listen_keys.owner(key) == "lk"


def test_mark_price_stream_agrees_with_premium_index(ex: Exchange) -> None:
    m = ex.um
    payload = m.render_stream("btcusdt@markPrice@1s", ex.now())
    rest = m.premium_index(m.states["BTCUSDT"])
    assert (payload["p"], payload["i"], payload["r"], payload["T"]) == (
        rest["markPrice"], rest["indexPrice"], rest["lastFundingRate"], rest["nextFundingTime"])
    partial = m.render_stream("btcusdt@depth5@100ms", ex.now())
    depth = m.depth_json("BTCUSDT", 5)
    assert partial["b"] == depth["bids"] and partial["a"] == depth["asks"] and partial["u"] == depth["lastUpdateId"]


def test_kline_stream_sends_the_closed_candle_once_after_rollover() -> None:
    clock = Clock()
    clock.now = T0 - T0 % 60_000 + 50_000
    ex = Exchange(seed=8, clock=clock)
    first = ex.um.render_stream("btcusdt@kline_1m", clock.now)
    assert first["k"]["x"] is False and first["k"]["t"] == clock.now - 50_000
    run(ex, clock, 120)
    closed = ex.um.render_stream("btcusdt@kline_1m", clock.now)
    assert closed["k"]["x"] is True and closed["k"]["t"] == first["k"]["t"]
    current = ex.um.render_stream("btcusdt@kline_1m", clock.now)
    assert current["k"]["x"] is False and current["k"]["t"] == closed["k"]["t"] + 60_000
    rest = ex.um.kline_rows(ex.um.states["BTCUSDT"], "trade", "1m", None, None, 2)
    assert rest[0][0] == closed["k"]["t"] and rest[0][4] == closed["k"]["c"] and rest[0][5] == closed["k"]["v"]
