"""Done-when soak: 20 streams on one client survive 30 drops, 5 stalls and 5 malformed frames.

Against the project's sandbox (real server, real sockets). After every fault all 20 streams must
deliver again within 2 s (stalls: within 2 s of the client's silence deadline, the moment a silent
server becomes detectable), no subscription may be lost, and ``stop()`` must leave the thread
count where it was. The figures are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import json
import statistics
import threading
import time

import pytest

from binance.websocket._backoff import ReconnectPolicy
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(120)

SYMBOLS = ["btcusdt", "ethusdt", "bnbusdt", "solusdt"]
KINDS = ["kline_1m", "kline_5m", "depth5@100ms", "depth10@100ms", "depth20@100ms"]
STREAMS = [f"{symbol}@{kind}" for symbol in SYMBOLS for kind in KINDS]
SILENCE_TIMEOUT = 1.0
DEADLINE = 2.0


class LastSeen:
    """Arrival time of the latest message of each stream (combined payloads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = {}
        self.errors = 0
        self.malformed = 0

    def on_message(self, client, message):
        if not isinstance(message, str) or not message.startswith('{"stream"'):
            self.malformed += 1
            return
        stream = json.loads(message)["stream"]
        with self.lock:
            self.at[stream] = time.monotonic()

    def on_error(self, client, exc):
        self.errors += 1

    def all_after(self, t0):
        with self.lock:
            return all(self.at.get(s, 0) > t0 for s in STREAMS)


def _recover(seen: LastSeen, t0: float, limit: float) -> float:
    deadline = t0 + limit + 3.0
    while time.monotonic() < deadline:
        if seen.all_after(t0):
            with seen.lock:
                return max(seen.at[s] for s in STREAMS) - t0
        time.sleep(0.01)
    with seen.lock:
        missing = [s for s in STREAMS if seen.at.get(s, 0) <= t0]
    pytest.fail(f"streams silent after the fault: {missing}")


def test_twenty_streams_survive_drops_stalls_and_malformed_frames(sandbox):
    threads_before = threading.active_count()
    seen = LastSeen()
    client = UMFuturesWebsocketClient(
        sandbox.um_stream_url,
        on_message=seen.on_message,
        on_error=seen.on_error,
        is_combined=True,
        silence_timeout=SILENCE_TIMEOUT,
        reconnect_policy=ReconnectPolicy(initial=0.05, maximum=1.0),
    )
    started = time.monotonic()
    figures = {"drop": [], "stall": [], "malformed": []}
    try:
        client.subscribe(STREAMS)
        assert _recover(seen, started, 5.0) < 5.0
        malformed_kinds = ["non_json", "truncated_json", "binary", "invalid_frame", "non_json"]
        plan = (["drop"] * 6 + ["stall", "malformed"]) * 5
        for fault in plan:
            t0 = time.monotonic()
            if fault == "drop":
                assert sandbox.faults.drop_all(kind="stream") >= 2
                limit = DEADLINE
            elif fault == "stall":
                sandbox.faults.stall(kind="stream")
                limit = SILENCE_TIMEOUT + DEADLINE
            else:
                sandbox.faults.send_malformed(malformed_kinds.pop(0), conn_kind="stream")
                limit = DEADLINE
            took = _recover(seen, t0, limit)
            figures[fault].append(took)
            assert took <= limit, f"{fault}: all streams back after {took:.2f} s"
            sandbox.faults.unstall()
        assert sorted(client.subscriptions) == sorted(STREAMS)
        served = sorted(s for conn in sandbox.connections.snapshot("stream") for s in conn.subscriptions)
        assert served == sorted(STREAMS)
    finally:
        client.stop()
    total = time.monotonic() - started
    assert not any(t.is_alive() for t in client.threads())
    assert threading.active_count() == threads_before
    print(
        "\nsoak: 20 streams, {} drops / {} stalls / {} malformed in {:.1f} s; reconnects {}; recovery s "
        "(median / max): drop {:.2f}/{:.2f}, stall {:.2f}/{:.2f}, malformed {:.2f}/{:.2f}; "
        "non-stream messages delivered raw (replies, malformed) {}".format(
            len(figures["drop"]),
            len(figures["stall"]),
            len(figures["malformed"]),
            total,
            client.reconnects,
            statistics.median(figures["drop"]),
            max(figures["drop"]),
            statistics.median(figures["stall"]),
            max(figures["stall"]),
            statistics.median(figures["malformed"]),
            max(figures["malformed"]),
            seen.malformed,
        )
    )
    assert len(figures["drop"]) == 30 and len(figures["stall"]) == 5 and len(figures["malformed"]) == 5
