"""The replay market-data source: merging files in time order, the clock, loops (pure, no sockets)."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from binance.record._format import RecordWriter
from binance.sandbox.replay import ReplayClock, ReplaySource


def _agg_csv(path, rows):
    path.write_text("".join(f"{a},{p},1,{a * 2},{a * 2 + 1},{t},false\n" for a, p, t in rows))
    return str(path)


def _recording(path, items):
    buf = io.BytesIO()
    w = RecordWriter(buf)
    w.header("um", ["ethusdt@depth@100ms", "ethusdt@bookTicker"], 0, "test")
    for received, stream, data in items:
        w.message(received, json.dumps({"stream": stream, "data": data}))
    path.write_bytes(gzip.compress(buf.getvalue()))
    return str(path)


def test_merge_in_time_order_ties_keep_file_order(tmp_path):
    a = _agg_csv(tmp_path / "BTCUSDT-aggTrades-2026-11-01.csv", [(1, "10", 100), (2, "11", 300), (3, "12", 300)])
    b = _recording(tmp_path / "eth.jsonl.gz", [
        (100, "ethusdt@bookTicker", {"e": "bookTicker", "u": 5, "s": "ETHUSDT", "b": "1", "B": "1", "a": "2",
                                     "A": "1", "T": 99, "E": 99}),
        (200, "ethusdt@depth@100ms", {"e": "depthUpdate", "E": 199, "T": 199, "s": "ETHUSDT", "U": 6, "u": 7,
                                      "pu": 5, "b": [], "a": []}),
        (150, "ethusdt@bookTicker", {"e": "bookTicker", "u": 8, "s": "ETHUSDT", "b": "1", "B": "1", "a": "2",
                                     "A": "1", "T": 149, "E": 149}),
    ])
    src = ReplaySource([a, b], ReplayClock(speed=None))
    assert src.symbols() == {"BTCUSDT": "um", "ETHUSDT": "um"}
    assert src.start() == 100
    events = list(src.due())
    # receive times are made non-decreasing within a recording (150 after 200 stays in file order)
    assert [(e.time, e.symbol, e.kind) for e in events] == [
        (100, "BTCUSDT", "aggTrade"), (100, "ETHUSDT", "bookTicker"), (200, "ETHUSDT", "depthUpdate"),
        (200, "ETHUSDT", "bookTicker"), (300, "BTCUSDT", "aggTrade"), (300, "BTCUSDT", "aggTrade")]
    assert src.finished and list(src.due()) == []


def test_manual_clock_releases_events_step_by_step(tmp_path):
    a = _agg_csv(tmp_path / "BTCUSDT-aggTrades-2026-11-01.csv", [(1, "10", 1000), (2, "11", 1500), (3, "12", 2600)])
    clock = ReplayClock(manual=True)
    src = ReplaySource([a], clock)
    assert src.start() == 1000
    assert [e.data["a"] for e in src.due()] == [1]
    clock.advance(499)
    assert list(src.due()) == []
    clock.advance(1)
    assert [e.data["a"] for e in src.due()] == [2]
    clock.run_until(5000)
    assert [e.data["a"] for e in src.due()] == [3]
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_paced_clock_follows_speed():
    now = [10.0]
    clock = ReplayClock(speed=4, monotonic=lambda: now[0])
    clock.start(1000)
    now[0] += 0.5
    assert clock.position() == 3000
    with pytest.raises(RuntimeError):
        clock.advance(1)


def test_loop_moves_times_and_ids_forward(tmp_path):
    a = _agg_csv(tmp_path / "BTCUSDT-aggTrades-2026-11-01.csv", [(10, "10", 1000), (11, "11", 1400)])
    src = ReplaySource([a], ReplayClock(manual=True), loop=True)
    src.start()
    src.clock.run_until(1000 + 3 * 401 - 1)
    events = list(src.due())
    assert [(e.time, e.data["a"], e.data["f"], e.data["E"]) for e in events] == [
        (1000, 10, 20, 1000), (1400, 11, 22, 1400),
        (1401, 12, 24, 1401), (1801, 13, 26, 1801),
        (1802, 14, 28, 1802), (2202, 15, 30, 2202)]
    assert src.peek_time() == 2203 and not src.finished  # the next pass is open, waiting
