"""Stream dispatch rate and reconnect time: ours against the official 4.2.0 connector and a bare receive loop.

    .venv/bin/python bench/bench_streams.py [--messages 100000] [--rounds 5] [--quick]

A local burst server (aiohttp, 127.0.0.1, port 0, its own process) answers the client's SUBSCRIBE,
then sends ``--messages`` aggTrade-sized events as fast as it can. Three clients, each in its own
process, count what reaches the same ``on_message`` callback:

* ``ours``: ``UMFuturesWebsocketClient`` from this repository, with this interpreter;
* ``ref``: 4.2.0's ``UMFuturesWebsocketClient`` from the bench venv (``_venvs.competitor_python("ref")``);
* ``floor``: a bare websocket-client loop, ``create_connection(skip_utf8_validation=True)`` + ``recv()``
  on one thread, calling the callback inline (no thread handoff, no reconnects, no ping guarantee).

The rate is the messages delivered from the first to the last message of the burst. Afterwards ours
and 4.2.0 send LIST_SUBSCRIPTIONS; the server then cuts the connection (no close frame) and, on the
next connection, sends one event carrying the drop time: the reconnect figure is the time from the
drop to that event reaching the callback (4.2.0 does not reconnect: n/a). Rounds are interleaved,
medians are kept. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

IMPLS = ("ours", "ref", "floor")
EVENT = {
    "e": "aggTrade",
    "E": 1700000000000,
    "s": "BTCUSDT",
    "a": 5933014,
    "p": "43210.10",
    "q": "0.015",
    "nq": "0.015",
    "f": 100,
    "l": 105,
    "T": 1700000000000,
    "m": True,
}


# ---------------------------------------------------------------------------- server process
def run_server(messages: int) -> None:
    """Burst server: ``messages`` events per SUBSCRIBE; drops the connection on LIST_SUBSCRIPTIONS."""
    from aiohttp import WSMsgType, web

    state = {"drop_at": None}
    burst = [json.dumps(dict(EVENT, a=i)) for i in range(messages)]

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            request_msg = json.loads(msg.data)
            if request_msg.get("method") == "LIST_SUBSCRIPTIONS":
                state["drop_at"] = time.time()
                request.transport.abort()
                break
            if request_msg.get("method") != "SUBSCRIBE":
                continue
            await ws.send_str(json.dumps({"result": None, "id": request_msg["id"]}))
            if state["drop_at"] is not None:
                await ws.send_str(json.dumps({"e": "afterDrop", "drop_at": state["drop_at"]}))
                state["drop_at"] = None
                continue
            send = ws.send_str
            for text in burst:
                await send(text)
        return ws

    from _serve import serve_forever

    serve_forever(handle)


# ---------------------------------------------------------------------------- client process
def run_client(impl: str, port: int, messages: int) -> Dict[str, Any]:
    """Receive one burst (and, except for the floor, one reconnect) with ``impl``; return its figures."""
    if impl == "ours":
        sys.path.insert(0, ROOT)
    state = {"count": 0, "first": 0.0, "last": 0.0}
    done = threading.Event()
    recovered = threading.Event()
    result: Dict[str, Any] = {}
    clock = time.perf_counter

    def on_message(_: Any, message: Any) -> None:
        if '"aggTrade"' in message:
            now = clock()
            count = state["count"] = state["count"] + 1
            if count == 1:
                state["first"] = now
            state["last"] = now
            if count >= messages:
                done.set()
        elif '"afterDrop"' in message:
            result["recovery_ms"] = (time.time() - json.loads(message)["drop_at"]) * 1000
            recovered.set()

    url = f"ws://127.0.0.1:{port}"
    subscribe = json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": 1})
    if impl == "floor":
        import websocket

        ws = websocket.create_connection(url + "/ws", skip_utf8_validation=True)

        def loop() -> None:
            recv = ws.recv
            while not done.is_set():
                on_message(ws, recv())

        reader = threading.Thread(target=loop, daemon=True)
        reader.start()
        ws.send(subscribe)
        done.wait(120)
    else:
        from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

        kwargs = {"silence_timeout": None} if impl == "ours" else {}
        client = UMFuturesWebsocketClient(stream_url=url, on_message=on_message, **kwargs)
        client.agg_trade(symbol="btcusdt")
        done.wait(120)
        result["dropped"] = getattr(client, "dropped_messages", 0)
        client.list_subscribe()
        recovered.wait(5)
        if impl == "ours":
            client.stop()
        else:  # 4.2.0's stop() can hang; the process exits right after anyway
            threading.Thread(target=client.stop, daemon=True).start()
    count = state["count"]
    if count > 1:
        result["rate"] = (count - 1) / (state["last"] - state["first"])
    result["count"] = count
    return result


# ---------------------------------------------------------------------------- orchestration
def interpreters() -> Dict[str, Optional[str]]:
    """The python of each implementation: ours and the floor in this venv, 4.2.0 in its bench venv."""
    import _venvs

    return {"ours": sys.executable, "ref": _venvs.competitor_python("ref"), "floor": sys.executable}


def one_burst(python: str, impl: str, messages: int, timeout: float = 180.0) -> Dict[str, Any]:
    """One burst received by ``impl`` (fresh server and client processes)."""
    server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "server", "--messages",
                               str(messages)], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.strip():
            return {"error": "burst server did not start"}
        args = [python, os.path.abspath(__file__), "--role", "client", "--impl", impl, "--port", line.strip(),
                "--messages", str(messages)]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        try:
            out = subprocess.run(args, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:g} s"}
    finally:
        server.kill()
        server.wait()
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout or f"exit {out.returncode}")[-400:]}
    return json.loads(lines[-1])



def measure(messages: int, rounds: int, pythons: Optional[Dict[str, Optional[str]]] = None) -> Dict[str, Any]:
    """Interleaved rounds of one burst per implementation; per-round results are printed."""
    pythons = pythons or interpreters()
    rates: Dict[str, List[float]] = {impl: [] for impl in IMPLS}
    recovery: Dict[str, List[float]] = {impl: [] for impl in IMPLS}
    notes = set()
    for round_no in range(rounds):
        for impl in IMPLS[round_no % 3:] + IMPLS[:round_no % 3]:
            python = pythons.get(impl)
            if not python:
                continue
            result = one_burst(python, impl, messages)
            print(f"round {round_no + 1} {impl:5s}: {json.dumps(result)}", flush=True)
            if "rate" in result:
                rates[impl].append(result["rate"])
            if "recovery_ms" in result:
                recovery[impl].append(result["recovery_ms"])
            if result.get("error") or result.get("count", 0) < messages:
                notes.add(f"{impl}: {result.get('count', 0)}/{messages} delivered {result.get('error', '')}".strip())
    return {"rates": rates, "recovery": recovery, "notes": sorted(notes)}


def rows_from(figures: Dict[str, Any], messages: int) -> List[Any]:
    """The bench table rows: dispatch rate (with the floor) and reconnect time."""
    from _table import Row, median

    rates, recovery = figures["rates"], figures["recovery"]
    theirs_rec = median(recovery["ref"])
    return [
        Row("Streams", f"dispatch to on_message, first to last of a {messages:,}-msg burst", "msg/s",
            median(rates["ours"]), median(rates["ref"]), median(rates["floor"]),
            floor_label="bare websocket-client recv loop", higher_is_better=True, ratio_min=1.0, floor_min=0.8,
            note="; ".join(figures["notes"])),
        Row("Streams", "reconnect: drop -> first message after it", "ms", median(recovery["ours"]), theirs_rec,
            note="" if theirs_rec is not None else "4.2.0 never reconnects (n/a)"),
    ]


def run(quick: bool = False) -> List[Any]:
    """Dispatch rate and reconnect rows (``quick``: one small round)."""
    messages, rounds = (2_000, 1) if quick else (100_000, 3)
    return rows_from(measure(messages, rounds), messages)


def main(argv: Optional[List[str]] = None) -> None:
    """Command line: the orchestrator by default, or the server / client roles."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default="bench", choices=["bench", "server", "client"])
    parser.add_argument("--impl", default="ours", choices=IMPLS)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "server":
        return run_server(args.messages)
    if args.role == "client":
        print(json.dumps(run_client(args.impl, args.port, args.messages)), flush=True)
        os._exit(0)
    from _table import format_text, median

    messages, rounds = (2_000, 1) if args.quick else (args.messages, args.rounds)
    figures = measure(messages, rounds)
    print()
    print(format_text(rows_from(figures, messages)))
    ours, ref, floor = (median(figures["rates"][impl]) for impl in IMPLS)
    if ours and ref and floor:
        print(f"\nmedian msg/s: ours {ours:,.0f}  4.2.0 {ref:,.0f}  floor {floor:,.0f}  "
              f"ours/4.2.0 {ours / ref:.2f}  ours/floor {ours / floor:.2f}")


if __name__ == "__main__":
    main()
