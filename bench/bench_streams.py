"""Stream client throughput and recovery: ours against the official 4.2.0 connector, same burst, same run.

    .venv/bin/python bench/bench_streams.py [--messages 100000] [--rounds 3]

A local burst server (aiohttp, 127.0.0.1, port 0, its own process) answers the client's SUBSCRIBE,
then sends ``--messages`` aggTrade-sized events as fast as it can. Once the client has received
them all it sends LIST_SUBSCRIPTIONS; the server then cuts the connection (no close frame) and, on
the next connection, sends one event carrying the drop time. Each client
runs in its own process: ours with this interpreter, 4.2.0 with ``/tmp/bfc-ref/bin/python`` (a
virtualenv holding binance-futures-connector 4.2.0). Printed per client: messages per second
delivered to ``on_message`` (first to last message of the burst), and milliseconds from the drop
to the first message after it (4.2.0 does not reconnect: "never"). Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF_PYTHON = "/tmp/bfc-ref/bin/python"
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
    from aiohttp import WSMsgType, web

    state = {"drop_at": None}

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
            for i in range(messages):
                event = dict(EVENT, a=i, last=i == messages - 1)
                await ws.send_str(json.dumps(event))
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)
        while True:
            await asyncio.sleep(3600)

    asyncio.run(main())


# ---------------------------------------------------------------------------- client process
def run_client(impl: str, port: int, messages: int) -> None:
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    count = 0
    first = last = None
    done = threading.Event()
    recovered = threading.Event()
    result = {}

    def on_message(_, message):
        nonlocal count, first, last
        if '"aggTrade"' in message:
            now = time.perf_counter()
            if first is None:
                first = now
            count += 1
            last = now
            if count >= messages:
                done.set()
        elif '"afterDrop"' in message:
            result["recovery_ms"] = (time.time() - json.loads(message)["drop_at"]) * 1000
            recovered.set()

    kwargs = {"silence_timeout": None} if impl == "ours" else {}
    client = UMFuturesWebsocketClient(stream_url=f"ws://127.0.0.1:{port}", on_message=on_message, **kwargs)
    client.agg_trade(symbol="btcusdt")
    done.wait(120)
    if count > 1:
        result["rate"] = (count - 1) / (last - first)
    result["count"] = count
    client.list_subscribe()
    recovered.wait(5)
    try:
        client.stop()
    except Exception:
        pass
    print(json.dumps(result), flush=True)
    os._exit(0)


# ---------------------------------------------------------------------------- orchestration
def _client(impl: str, port: int, messages: int) -> dict:
    if impl == "ours":
        python, env = sys.executable, dict(os.environ, PYTHONPATH=ROOT)
    else:
        python, env = REF_PYTHON, {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    args = [python, os.path.abspath(__file__), "--role", "client", "--impl", impl]
    args += ["--port", str(port), "--messages", str(messages)]
    out = subprocess.run(args, env=env, cwd="/tmp", capture_output=True, text=True, timeout=300)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout)[-500:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default="bench", choices=["bench", "server", "client"])
    parser.add_argument("--impl", default="ours", choices=["ours", "ref"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.role == "server":
        return run_server(args.messages)
    if args.role == "client":
        return run_client(args.impl, args.port, args.messages)

    rates = {"ours": [], "ref": []}
    recovery = {"ours": [], "ref": []}
    for round_no in range(args.rounds):
        for impl in ("ours", "ref") if round_no % 2 == 0 else ("ref", "ours"):
            server = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--role", "server", "--messages", str(args.messages)],
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                port = int(server.stdout.readline())
                result = _client(impl, port, args.messages)
            finally:
                server.kill()
                server.wait()
            if "rate" in result:
                rates[impl].append(result["rate"])
            if "recovery_ms" in result:
                recovery[impl].append(result["recovery_ms"])
            print(f"round {round_no + 1} {impl:4s}: {json.dumps(result)}", flush=True)

    print()
    for impl, label in (("ours", "ours (5.x)"), ("ref", "official 4.2.0")):
        rate = f"{statistics.median(rates[impl]):,.0f} msg/s" if rates[impl] else "n/a"
        rec = f"{statistics.median(recovery[impl]):.0f} ms" if recovery[impl] else "never (no reconnect)"
        print(f"{label:16s} throughput {rate:>16s}   drop -> first message after it: {rec}")
    if rates["ours"] and rates["ref"]:
        ratio = statistics.median(rates["ours"]) / statistics.median(rates["ref"])
        print(f"throughput ratio ours/4.2.0: {ratio:.2f}")


if __name__ == "__main__":
    main()
