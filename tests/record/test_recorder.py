"""The recorder against a running sandbox: CLI, clean close on SIGINT, snapshots, gaps, book rebuild."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from binance.orderbook import OrderBook
from binance.record import Recorder, read_header, read_records

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)

STREAMS = ["btcusdt@depth@100ms", "btcusdt@aggTrade", "btcusdt@bookTicker", "ethusdt@markPrice@1s"]


class _Stepper:
    """Moves a sandbox started with tick_interval=None, so the test knows when the market is still."""

    def __init__(self, sb):
        self.sb = sb
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.wait(0.05):
            self.sb.exchange.step()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def _rebuild(path, symbol):
    book = OrderBook(symbol)
    for rec in read_records(path):
        if rec.kind == "snapshot" and rec.data["symbol"] == symbol:
            book.apply_snapshot(rec.data["depth"])
        elif rec.kind == "message" and (rec.stream or "").startswith(symbol.lower() + "@depth"):
            book.apply_diff(rec.data)
    return book


def test_cli_records_until_sigint_and_the_book_rebuilds(tmp_path):
    from binance.sandbox import Sandbox
    from binance.um_futures import UMFutures

    out = str(tmp_path / "rec.jsonl.gz")
    with Sandbox(seed=3, tick_interval=None) as sb, _Stepper(sb) as stepper:
        cmd = [sys.executable, "-m", "binance.record", "--out", out, "--stream-url", sb.um_stream_url,
               "--base-url", sb.um_rest_url, *STREAMS]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert sb.wait_for_subscription("btcusdt@aggTrade", timeout=15)
        time.sleep(2.0)
        stepper.stop.set()
        stepper.thread.join(5)
        time.sleep(0.2)
        with sb.exchange.lock:  # send the changes of the last step that the 100 ms diff stream still holds
            engine = sb.exchange.um
            engine.emit_depth_diffs(engine.state("BTCUSDT"), sb.exchange.now())
        time.sleep(0.6)  # the last diffs reach the recorder
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
        final = UMFutures(base_url=sb.um_rest_url).depth(symbol="BTCUSDT", limit=1000)
    summary = json.loads(stdout.strip().splitlines()[-1])
    header = read_header(out)
    assert header["market"] == "um" and header["streams"] == STREAMS and header["library"]
    records = list(read_records(out))
    assert records[-1].kind == "end" and records[-1].data["messages"] == summary["messages"] > 20
    assert summary["snapshots"] == 1 and summary["gaps"] == 0
    streams = {r.stream for r in records if r.kind == "message"} - {None}  # None: SUBSCRIBE replies
    assert streams == set(STREAMS)
    times = [r.received for r in records]
    assert times == sorted(times) and times[0] >= header["start"]
    book = _rebuild(out, "BTCUSDT")
    assert book.is_live and book.last_update_id == final["lastUpdateId"]
    assert book.matches_snapshot(final)


def test_reconnect_is_recorded_as_a_gap_with_a_fresh_snapshot(tmp_path):
    from binance.sandbox import Sandbox

    out = str(tmp_path / "rec.jsonl.gz")
    with Sandbox(seed=4, tick_interval=0.05) as sb:
        with Recorder(out, STREAMS[:2], stream_url=sb.um_stream_url, base_url=sb.um_rest_url) as rec:
            deadline = time.monotonic() + 15
            while rec.snapshots < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sb.faults.drop_all("stream") >= 1
            while rec.snapshots < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        rec.stop()  # idempotent
    records = list(read_records(out))
    kinds = [r.kind for r in records]
    gaps = [r for r in records if r.kind == "gap"]
    assert gaps and {g.data["reason"] for g in gaps} == {"reconnect"}
    assert "btcusdt@depth@100ms" in {s for g in gaps for s in g.data["streams"]}
    snaps = [i for i, k in enumerate(kinds) if k == "snapshot"]
    depth_gap = next(i for i, r in enumerate(records) if r.kind == "gap" and "btcusdt@depth@100ms" in r.data["streams"])
    assert len(snaps) == 2 and snaps[0] < depth_gap < snaps[1]
    assert kinds[-1] == "end"


def test_recorder_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        Recorder(str(tmp_path / "x"), [])
    with pytest.raises(ValueError):
        Recorder(str(tmp_path / "x"), ["btcusdt@aggTrade"], market="spot")
    proc = subprocess.run([sys.executable, "-m", "binance.record", "--out", str(tmp_path / "x"), "--environment",
                           "testnet", "--stream-url", "ws://127.0.0.1:1", "btcusdt@aggTrade"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr
