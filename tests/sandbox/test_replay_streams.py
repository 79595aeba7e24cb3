"""A depth-only recording: its diffs serve every diff speed, the book ticker follows the replayed book,
REST depth is the replayed book, and a local order book synced from the sandbox stays in sync."""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

from binance.record._format import RecordWriter

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)

T0 = 1_793_491_200_000


def _recording(path: Path) -> List[dict]:
    buf = io.BytesIO()
    w = RecordWriter(buf)
    w.header("um", ["ethusdt@depth@100ms"], T0, "test")
    w.snapshot(T0, "ethusdt@depth@100ms", "ETHUSDT", {
        "lastUpdateId": 100, "E": T0, "T": T0,
        "bids": [["3000.00", "1.000"], ["2999.99", "2.000"]], "asks": [["3000.01", "1.500"], ["3000.02", "3.000"]]})
    diffs = [
        {"e": "depthUpdate", "E": T0 + 100, "T": T0 + 100, "s": "ETHUSDT", "U": 99, "u": 101, "pu": 98,
         "b": [["3000.00", "0.500"]], "a": []},
        {"e": "depthUpdate", "E": T0 + 200, "T": T0 + 200, "s": "ETHUSDT", "U": 102, "u": 104, "pu": 101,
         "b": [["3000.00", "0"]], "a": [["3000.01", "0.700"]]},
        {"e": "depthUpdate", "E": T0 + 300, "T": T0 + 300, "s": "ETHUSDT", "U": 105, "u": 105, "pu": 104,
         "b": [["2999.98", "4.000"]], "a": [["3000.03", "1.000"]]},
    ]
    for d in diffs:
        w.message(d["E"] + 1, json.dumps({"stream": "ethusdt@depth@100ms", "data": d}, separators=(",", ":")))
    path.write_bytes(gzip.compress(buf.getvalue()))
    return diffs


def test_depth_only_recording_serves_every_speed_and_the_book_ticker(tmp_path: Path) -> None:
    from binance.orderbook import OrderBook
    from binance.sandbox import Sandbox
    from binance.um_futures import UMFutures
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    path = tmp_path / "eth.jsonl.gz"
    diffs = _recording(path)
    got: Dict[str, List[dict]] = {}
    lock = threading.Lock()

    def on_message(_: Any, text: str) -> None:
        doc = json.loads(text)
        if "stream" in doc:
            with lock:
                got.setdefault(doc["stream"], []).append(doc["data"])

    streams = ["ethusdt@depth", "ethusdt@depth@500ms", "ethusdt@bookTicker"]
    with Sandbox(replay=[str(path)], speed="manual", tick_interval=None) as sb:
        client = UMFuturesWebsocketClient(stream_url=sb.um_stream_url, on_message=on_message, is_combined=True)
        try:
            client.subscribe(streams)
            for s in streams:
                assert sb.wait_for_subscription(s, timeout=10)
            sb.replay.advance(0)  # the snapshot
            book = OrderBook("ETHUSDT")
            book.apply_snapshot(UMFutures(base_url=sb.um_rest_url).depth(symbol="ETHUSDT", limit=5))
            sb.replay.advance(1000)
            deadline = time.monotonic() + 10
            while len(got.get("ethusdt@depth", [])) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)
        finally:
            client.stop()
        off = sb.replay.offset
        for stream in ("ethusdt@depth", "ethusdt@depth@500ms"):
            assert [dict(d, E=d["E"] - off, T=d["T"] - off) for d in got[stream]] == diffs
        for d in got["ethusdt@depth"]:
            book.apply_diff(d)
        final = UMFutures(base_url=sb.um_rest_url).depth(symbol="ETHUSDT", limit=5)
    assert final["lastUpdateId"] == 105 and book.is_live and book.matches_snapshot(final)
    assert final["bids"] == [["2999.99", "2.000"], ["2999.98", "4.000"]]
    tops = [(Decimal(t["b"]), Decimal(t["a"])) for t in got["ethusdt@bookTicker"]]
    assert tops == [(Decimal("3000.00"), Decimal("3000.01")), (Decimal("2999.99"), Decimal("3000.01"))]
