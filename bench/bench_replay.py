"""Replay and recorder figures: replay throughput at maximal speed, RSS growth, recorder burst rate.

    .venv/bin/python bench/bench_replay.py [--rows 2000000] [--diffs 200000] [--burst 200000]
        [--parts source,agg,depth,recorder] [--profile FILE]

1. Writes an archive-format aggTrades day of ``--rows`` rows (``BTCUSDT-aggTrades-2026-11-01.csv``,
   spread over 24 h) and a recording (the recorder's own file format) of ``--diffs`` depth diffs
   of BTCUSDT with a snapshot, into a temporary directory.
2. For each file: a sandbox in its own process (``--role sandbox``) replays it at maximal speed
   once a client subscribes; the client (``UMFuturesWebsocketClient``, in this process) counts
   the events that reach its callback. Rate = events / (last event - first event reached the
   callback). The sandbox process's RSS is read from ``/proc/<pid>/statm`` every 0.2 s: growth =
   peak - RSS when the replay started. Also events per CPU second of the sandbox process (from
   ``/proc/<pid>/stat``; includes its start-up after the subscription), steadier than the rate on a shared machine.
3. Also the file -> event rate of the replay source alone (no sockets), for reference.
4. Recorder: a burst server (aiohttp, its own process) sends ``--burst`` combined-stream
   aggTrade messages as fast as it can; a ``Recorder`` writes them; rate = messages written /
   (time the last one is written - time the first one is); dropped messages are reported.

Goals (issue 18): >= 100,000 events/s replayed; RSS growth <= 50 MB. The machine may be shared:
figures are noisy.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (HERE, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

DAY_START = 1_793_491_200_000  # 2026-11-01T00:00:00Z
END = '{"e":"benchEnd"}'


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc): unlike wall time, not stretched by other
    processes sharing the cores."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: Optional[int] = None) -> float:
    """RSS of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid or 'self'}/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


# ---------------------------------------------------------------------------- files
def write_agg_trades(path: str, rows: int) -> None:
    """An archive-format aggTrades day: ``rows`` rows over 24 h, a random walk around 65,000."""
    rng = random.Random(1)
    price = 65000.0
    step = 86_400_000 / rows
    with open(path, "w") as f:
        f.write("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n")
        buf: List[str] = []
        for i in range(rows):
            price = max(1000.0, price + rng.choice((-0.1, 0.0, 0.1)))
            t = DAY_START + int(i * step)
            buf.append(f"{i + 1},{price:.1f},{rng.randint(1, 500) / 1000:.3f},{3 * i + 1},{3 * i + 3},{t},"
                       f"{'true' if rng.random() < 0.5 else 'false'}\n")
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


def write_depth_recording(path: str, diffs: int) -> None:
    """A recording of ``diffs`` BTCUSDT depth@100ms diffs (10 ms apart) after one snapshot."""
    from binance.record._format import RecordWriter

    rng = random.Random(2)
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as gz:
        w = RecordWriter(gz)
        w.header("um", ["btcusdt@depth@100ms"], DAY_START, "bench")
        mid = 65000.0
        bids = [[f"{mid - 0.1 * (i + 1):.1f}", "1.000"] for i in range(200)]
        asks = [[f"{mid + 0.1 * (i + 1):.1f}", "1.000"] for i in range(200)]
        u = 1_000_000
        w.snapshot(DAY_START, "btcusdt@depth@100ms", "BTCUSDT", {"lastUpdateId": u, "E": DAY_START,
                                                                  "T": DAY_START, "bids": bids, "asks": asks})
        for i in range(diffs):
            t = DAY_START + 10 * (i + 1)
            first, u = u + 1, u + rng.randint(3, 12)
            b = [[f"{mid - 0.1 * rng.randint(1, 200):.1f}", f"{rng.randint(0, 3000) / 1000:.3f}"] for _ in range(5)]
            a = [[f"{mid + 0.1 * rng.randint(1, 200):.1f}", f"{rng.randint(0, 3000) / 1000:.3f}"] for _ in range(5)]
            msg = {"stream": "btcusdt@depth@100ms", "data": {"e": "depthUpdate", "E": t, "T": t, "s": "BTCUSDT",
                                                             "U": first, "u": u, "pu": first - 1, "b": b, "a": a}}
            w.message(t, json.dumps(msg, separators=(",", ":")))
    with open(path, "wb") as f:
        f.write(raw.getvalue())


# ---------------------------------------------------------------------------- sandbox process
def run_sandbox(files: List[str], profile: Optional[str] = None) -> None:
    """Serve a paused max-speed replay of ``files``; resume once a client subscribes. Prints URLs, then stats.

    ``profile``: write a cProfile of the replay (all threads' Python work on the server loop) to that path."""
    from binance.sandbox import Sandbox

    profiler: Any = None

    with Sandbox(replay=files, speed="max", replay_paused=True, tick_interval=0.05) as sb:
        print(json.dumps({"um_stream_url": sb.um_stream_url, "pid": os.getpid()}), flush=True)
        stream = "btcusdt@depth@100ms" if files[0].endswith(".gz") else "btcusdt@aggTrade"
        if not sb.wait_for_subscription(stream, timeout=60):
            return
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            sb._server.call_soon(profiler.enable)
        sb.replay.resume()
        while not sb.replay.finished:
            time.sleep(0.1)
        print(json.dumps({"events": sb.replay.source.emitted}), flush=True)
        if profiler is not None:
            done = threading.Event()
            sb._server.call_soon(lambda: (profiler.disable(), profiler.dump_stats(profile), done.set()))
            done.wait(30)
        time.sleep(600)


def replay_rate(path: str, stream: str, timeout: float, profile: Optional[str] = None) -> Dict[str, Any]:
    """Max-speed replay of ``path`` to one subscribed client; events/s and the sandbox's RSS growth."""
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    command = [sys.executable, os.path.abspath(__file__), "--role", "sandbox", path]
    if profile:
        command += ["--profile", os.path.abspath(profile)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    try:
        info = json.loads(proc.stdout.readline())
        state = {"n": 0, "first": 0.0, "last": 0.0}
        lock = threading.Lock()

        def on_message(_: Any, message: str) -> None:
            if message.startswith('{"result"'):
                return
            now = time.perf_counter()
            with lock:
                if state["n"] == 0:
                    state["first"] = now
                state["n"] += 1
                state["last"] = now

        base = rss_mb(info["pid"])
        cpu_start = cpu_s(info["pid"])
        peak = base
        client = UMFuturesWebsocketClient(stream_url=info["um_stream_url"], on_message=on_message,
                                          queue_size=1_000_000)
        client.subscribe(stream)
        deadline = time.monotonic() + timeout
        expected: Optional[int] = None
        reader = threading.Thread(target=lambda: state.__setitem__("events", json.loads(proc.stdout.readline())),
                                  daemon=True)
        reader.start()
        idle_since = time.monotonic()
        seen = 0
        while time.monotonic() < deadline:
            time.sleep(0.2)
            peak = max(peak, rss_mb(info["pid"]))
            if "events" in state and expected is None:
                expected = state["events"]["events"]
            if state["n"] != seen:
                seen, idle_since = state["n"], time.monotonic()
            if expected is not None and (state["n"] >= expected or time.monotonic() - idle_since > 5):
                break
        cpu_used = cpu_s(info["pid"]) - cpu_start
        dropped = client.dropped_messages
        client.stop()
        if profile:
            time.sleep(3)  # the sandbox writes its profile
        elapsed = max(state["last"] - state["first"], 1e-9)
        return {"file": os.path.basename(path), "events_sent": expected, "events_received": state["n"],
                "seconds": round(elapsed, 2), "events_per_s": round(state["n"] / elapsed),
                "sandbox_cpu_s": round(cpu_used, 2),
                "events_per_sandbox_cpu_s": round(state["n"] / max(cpu_used, 1e-9)),
                "rss_start_mb": round(base, 1), "rss_peak_mb": round(peak, 1),
                "rss_growth_mb": round(peak - base, 1), "client_dropped": dropped}
    finally:
        proc.kill()
        proc.wait()


def source_rate(path: str) -> Dict[str, Any]:
    """File -> events through the replay source alone (no sandbox, no sockets)."""
    from binance.sandbox.replay import ReplayClock, ReplaySource

    src = ReplaySource([path], ReplayClock(speed=None))
    src.start()
    start = time.perf_counter()
    n = sum(1 for _ in src.due())
    elapsed = time.perf_counter() - start
    return {"file": os.path.basename(path), "events": n, "events_per_s": round(n / elapsed)}


# ---------------------------------------------------------------------------- recorder burst
def serve_burst(messages: int) -> None:
    """Burst server: on SUBSCRIBE, ``messages`` combined-stream aggTrade messages, then END."""
    from _serve import serve_forever
    from aiohttp import WSMsgType, web

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            command = json.loads(msg.data)
            if command.get("method") != "SUBSCRIBE":
                continue
            await ws.send_str(json.dumps({"result": None, "id": command.get("id")}))
            for i in range(messages):
                await ws.send_str('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1700000000000,'
                                  f'"s":"BTCUSDT","a":{i},"p":"43210.10","q":"0.015","f":{i},"l":{i},'
                                  '"T":1700000000000,"m":true}}')
            await ws.send_str('{"stream":"btcusdt@aggTrade","data":' + END + "}")
        return ws

    serve_forever(handle)


def recorder_rate(messages: int, out: str, timeout: float) -> Dict[str, Any]:
    """Messages per second the recorder writes during one burst."""
    from binance.record import Recorder

    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "burst", "--burst",
                             str(messages)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        rec = Recorder(out, ["btcusdt@aggTrade"], stream_url=f"ws://127.0.0.1:{port}",
                       base_url=f"http://127.0.0.1:{port}", client_options={"queue_size": 1_000_000})
        marks: Dict[str, float] = {}
        original = rec._on_message

        def timed(client: Any, text: Any) -> None:
            original(client, text)
            now = time.perf_counter()
            marks.setdefault("first", now)
            marks["last"] = now

        rec._on_message = timed  # type: ignore[method-assign]
        rec.start()
        deadline = time.monotonic() + timeout
        while rec.messages < messages + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        dropped = rec.client.dropped_messages
        rec.stop()
        written = rec.messages - 1  # the SUBSCRIBE reply
        elapsed = max(marks.get("last", 0) - marks.get("first", 0), 1e-9)
        return {"messages_sent": messages + 1, "messages_written": written, "dropped": dropped,
                "seconds": round(elapsed, 2), "messages_per_s": round(written / elapsed),
                "file_mb": round(os.path.getsize(out) / 1e6, 1)}
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    """Run every figure and print them as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=("main", "sandbox", "burst"), default="main")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--diffs", type=int, default=200_000)
    parser.add_argument("--burst", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--parts", default="source,agg,depth,recorder",
                        help="comma-separated figures to run: source, agg, depth, recorder (default: all)")
    parser.add_argument("--profile", help="write a cProfile of the sandbox process's replay to this path "
                        "(with --parts agg or depth; slows the replay down)")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if args.role == "sandbox":
        return run_sandbox(args.files, args.profile)
    if args.role == "burst":
        return serve_burst(args.burst)
    with tempfile.TemporaryDirectory() as tmp:
        agg = os.path.join(tmp, "BTCUSDT-aggTrades-2026-11-01.csv")
        depth = os.path.join(tmp, "btc-depth.jsonl.gz")
        t0 = time.perf_counter()
        write_agg_trades(agg, args.rows)
        write_depth_recording(depth, args.diffs)
        print(json.dumps({"generated_s": round(time.perf_counter() - t0, 1), "agg_rows": args.rows,
                          "agg_mb": round(os.path.getsize(agg) / 1e6, 1), "depth_diffs": args.diffs}), flush=True)
        if "source" in parts:
            print(json.dumps({"source_only": source_rate(agg)}), flush=True)
            print(json.dumps({"source_only": source_rate(depth)}), flush=True)
        if "agg" in parts:
            print(json.dumps({"replay": replay_rate(agg, "btcusdt@aggTrade", args.timeout, args.profile)}),
                  flush=True)
        if "depth" in parts:
            print(json.dumps({"replay": replay_rate(depth, "btcusdt@depth@100ms", args.timeout, args.profile)}),
                  flush=True)
        if "recorder" in parts:
            print(json.dumps({"recorder": recorder_rate(args.burst, os.path.join(tmp, "burst.jsonl.gz"), 120)}),
                  flush=True)


if __name__ == "__main__":
    main()
