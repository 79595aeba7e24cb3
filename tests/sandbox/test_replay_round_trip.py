"""Record 10 s of a sandbox with `python -m binance.record`, replay it into a fresh sandbox: the clients
(ours, and the official 4.2.0 in its own venv) receive the recorded events, in order, times shifted;
the replayed book equals the book rebuilt from the recording."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from binance.orderbook import OrderBook
from binance.record import read_records

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(600)

ROOT = Path(__file__).resolve().parents[2]
STREAMS = ["btcusdt@depth@100ms", "btcusdt@aggTrade", "btcusdt@bookTicker", "ethusdt@aggTrade"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> str:
    """10 s of STREAMS recorded from a simulated sandbox with the command-line recorder."""
    from binance.sandbox import Sandbox

    out = str(tmp_path_factory.mktemp("rec") / "rec.jsonl.gz")
    with Sandbox(seed=9, tick_interval=0.05) as live:
        cmd = [sys.executable, "-m", "binance.record", "--out", out, "--seconds", "10",
               "--stream-url", live.um_stream_url, "--base-url", live.um_rest_url, *STREAMS]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["messages"] > 100 and summary["snapshots"] == 1 and summary["gaps"] == 0
    return out


def _recorded(path: str) -> Dict[str, List[dict]]:
    out: Dict[str, List[dict]] = {s: [] for s in STREAMS}
    for rec in read_records(path):
        if rec.kind == "message" and rec.stream in out:
            out[rec.stream].append(rec.data)
    return out


def _unshift(data: dict, offset: int) -> dict:
    d = dict(data)
    for key in ("E", "T"):
        if isinstance(d.get(key), int):
            d[key] -= offset
    return d


def _check_same(received: Dict[str, List[dict]], recorded: Dict[str, List[dict]], offset: int) -> None:
    for stream in STREAMS:
        got = [_unshift(d, offset) for d in received.get(stream, [])]
        want = recorded[stream]
        assert len(want) > 0, stream
        assert got == want, f"{stream}: {len(got)} received, {len(want)} recorded"


def test_our_client_receives_the_recording_and_the_book_matches(recording: str) -> None:
    from binance.sandbox import Sandbox
    from binance.um_futures import UMFutures
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    recorded = _recorded(recording)
    received: Dict[str, List[dict]] = {}
    lock = threading.Lock()
    total = sum(len(v) for v in recorded.values())

    def on_message(_: Any, text: str) -> None:
        doc = json.loads(text)
        if "stream" in doc:
            with lock:
                received.setdefault(doc["stream"], []).append(doc["data"])

    with Sandbox(replay=[recording], speed="manual", tick_interval=None) as sb:
        client = UMFuturesWebsocketClient(stream_url=sb.um_stream_url, on_message=on_message, is_combined=True)
        try:
            client.subscribe(STREAMS)
            for s in STREAMS:
                assert sb.wait_for_subscription(s, timeout=10)
            sb.replay.run_until(sb.replay.now() + 60_000)
            deadline = time.monotonic() + 30
            while sum(len(v) for v in received.values()) < total and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            client.stop()
        _check_same(received, recorded, sb.replay.offset)
        assert sb.replay.finished
        depth = UMFutures(base_url=sb.um_rest_url).depth(symbol="BTCUSDT", limit=1000)
    book = OrderBook("BTCUSDT")
    for rec in read_records(recording):
        if rec.kind == "snapshot":
            book.apply_snapshot(rec.data["depth"])
        elif rec.kind == "message" and rec.stream == "btcusdt@depth@100ms":
            book.apply_diff(rec.data)
    assert book.is_live and depth["lastUpdateId"] == book.last_update_id
    assert book.matches_snapshot(depth)


def _ref_python() -> str:
    spec = importlib.util.spec_from_file_location("ref_venv", ROOT / "tools" / "ref_venv.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    try:
        return module.ensure_ref_venv(timeout=300.0)
    except module.RefVenvError as exc:
        pytest.skip(f"cannot create the official 4.2.0 venv: {exc}")


def test_the_official_4_2_0_client_receives_the_recording(recording: str) -> None:
    from binance.sandbox import Sandbox

    python = _ref_python()
    recorded = _recorded(recording)
    total = sum(len(v) for v in recorded.values())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    script = str(Path(__file__).resolve().parents[1] / "compat" / "official_replay_client.py")
    with Sandbox(replay=[recording], speed="manual", tick_interval=None) as sb:
        proc = subprocess.Popen([python, "-I", script, "--stream-url", sb.um_stream_url, "--count", str(total),
                                 "--deadline", "60", *STREAMS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        try:
            assert json.loads(proc.stdout.readline()) == {"ready": True}
            for s in STREAMS:
                assert sb.wait_for_subscription(s, timeout=20), s
            sb.replay.run_until(sb.replay.now() + 60_000)
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
        offset = sb.replay.offset
    received: Dict[str, List[dict]] = {}
    for line in out.splitlines():
        doc = json.loads(line)
        received.setdefault(doc["stream"], []).append(doc["data"])
    _check_same(received, recorded, offset)
