"""Stream dispatch rate from one burst, and memory (RSS after import, after 1k and after 1M stream messages).

    .venv/bin/python bench/bench_memory.py [--quick]

A burst server (aiohttp, 127.0.0.1, port 0, its own process) answers the client's SUBSCRIBE, sends
``N`` identical aggTrade events as fast as it can, then one end marker, and keeps the connection
open. Three clients, each in its own process and interpreter, count what reaches the user callback
(the same callback in all three):

* ``ours``: ``UMFuturesWebsocketClient`` from the project venv;
* ``theirs``: 4.2.0's ``UMFuturesWebsocketClient`` from the bench venv ``bench/.venvs/ref``;
* ``floor``: a bare websocket-client loop, ``create_connection(skip_utf8_validation=True)`` + ``recv()``
  (``recv()`` still decodes the text, in C; websocket-client's default check is pure Python and slow).

The rate is delivered events / (time the end marker reaches the callback - time the SUBSCRIBE is sent,
the connection being open already), so messages still queued inside a client count against it
and messages it drops are not counted. RSS is read
from ``/proc/self/statm`` in the client process: after the imports, when the 1,000th event reaches
the callback, and after the end marker.
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
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

IMPLS = ("ours", "theirs", "floor")
EVENT = ('{"e":"aggTrade","E":1700000000000,"s":"BTCUSDT","a":5933014,"p":"43210.10","q":"0.015",'
         '"nq":"0.015","f":100,"l":105,"T":1700000000000,"m":true}')
END = '{"e":"benchEnd"}'
IMPORTS = {
    "ours": "import binance.um_futures, binance.cm_futures, binance.websocket.um_futures.websocket_client",
    "theirs": "import binance.um_futures, binance.cm_futures, binance.websocket.um_futures.websocket_client",
    "sdk": "import binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures",
    "ccxt": "import ccxt, ccxt.pro",
    "pybinance": "import binance.client, binance.ws.streams",
    "floor": "import requests, websocket",
}
# The import figures: every peer, each in its own venv (the REST and stream clients of each).
IMPORT_IMPLS = ("ours", "theirs", "sdk", "ccxt", "pybinance", "floor")
PEER_LABELS = {"theirs": "4.2.0", "sdk": "SDK", "ccxt": "ccxt", "pybinance": "python-binance"}
VENV_OF = {"theirs": "ref", "sdk": "sdk", "ccxt": "ccxt", "pybinance": "pybinance"}


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


# ---------------------------------------------------------------------------- server process
def serve(messages: int) -> None:
    """Burst server: on each SUBSCRIBE, ``messages`` events then :data:`END`; prints its port first."""

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
            send = ws.send_str
            for _ in range(messages):
                await send(EVENT)
            await send(END)
        return ws

    from _serve import serve_forever

    serve_forever(handle)


# ---------------------------------------------------------------------------- client process
def client(impl: str, port: int, timeout: float) -> Dict[str, Any]:
    """Receive one burst with ``impl``; return its figures (rate, counts, RSS)."""
    if impl == "ours":
        sys.path.insert(1, ROOT)
    exec(IMPORTS[impl], {})
    result: Dict[str, Any] = {"rss_import": rss_mb()}
    state = {"count": 0, "start": 0.0, "end": 0.0}
    done = threading.Event()

    def on_message(_: Any, message: Any) -> None:
        if message == END:
            state["end"] = time.perf_counter()
            result["rss_end"] = rss_mb()
            done.set()
            return
        if message[2] != "e":  # the SUBSCRIBE reply
            return
        count = state["count"] = state["count"] + 1
        if count == 1000:
            result["rss_1k"] = rss_mb()

    subscribe, stop = _open(impl, f"ws://127.0.0.1:{port}", on_message, done)
    state["start"] = time.perf_counter()
    subscribe()
    if not done.wait(timeout):
        result["error"] = f"no end marker within {timeout:g} s"
    result["delivered"] = state["count"]
    if state["end"] > state["start"]:
        result["rate"] = state["count"] / (state["end"] - state["start"])
    result["dropped"] = stop()
    return result


def _open(impl: str, url: str, on_message: Any, done: threading.Event) -> Tuple[Callable[[], None], Any]:
    """Connect ``impl``'s client (open before returning); return (subscribe, stop)."""
    if impl == "floor":
        import websocket

        ws = websocket.create_connection(url + "/ws", skip_utf8_validation=True)

        def loop() -> None:
            recv = ws.recv
            while not done.is_set():
                on_message(ws, recv())

        def subscribe() -> None:
            ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": 1}))

        def close() -> int:
            ws.close(timeout=1)
            reader.join(5)
            return 0

        reader = threading.Thread(target=loop, daemon=True)
        reader.start()
        return subscribe, close
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    opened = threading.Event()
    kwargs = {"silence_timeout": None} if impl == "ours" else {}
    ws_client = UMFuturesWebsocketClient(stream_url=url, on_message=on_message, on_open=lambda *_: opened.set(),
                                         **kwargs)
    opened.wait(30)

    def stop() -> int:
        dropped = getattr(ws_client, "dropped_messages", 0)
        if impl == "ours":
            ws_client.stop()
        else:  # 4.2.0's stop() can hang; the process exits right after anyway
            threading.Thread(target=ws_client.stop, daemon=True).start()
        return dropped

    return lambda: ws_client.agg_trade(symbol="btcusdt"), stop


def import_rss(impl: str, site_dirs: List[str]) -> Dict[str, Any]:
    """Wall time of importing ``impl``'s REST and stream clients, and the RSS right after.

    The interpreter runs with ``-S`` (no ``site``: no ``.pth`` hooks, such as the editable-install finder
    of our dev venv), the venv's site-packages put on ``sys.path`` by hand: only the library's imports count.
    """
    for path in site_dirs:
        if path not in sys.path:
            sys.path.append(path)
    if impl == "ours":
        sys.path.insert(1, ROOT)
    started = time.perf_counter()
    exec(IMPORTS[impl], {})
    return {"import_ms": (time.perf_counter() - started) * 1000, "rss_import": rss_mb()}


# ---------------------------------------------------------------------------- orchestration
def _run_child(python: str, args: List[str], timeout: float, flags: Optional[List[str]] = None) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    try:
        out = subprocess.run([python] + (flags or []) + [os.path.abspath(__file__)] + args, env=env,
                             cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout or f"exit {out.returncode}")[-400:]}
    return json.loads(lines[-1])


def start_server(messages: int) -> subprocess.Popen:
    """Start a burst server of ``messages`` events per SUBSCRIBE; its port is in ``proc.port``."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "server",
                             "--messages", str(messages)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.strip():
        proc.kill()
        raise RuntimeError("burst server did not start")
    proc.port = int(line)  # type: ignore[attr-defined]
    return proc


def burst(python: str, impl: str, messages: int, timeout: float) -> Dict[str, Any]:
    """One burst of ``messages`` events received by ``impl`` (fresh server and client processes)."""
    server = start_server(messages)
    try:
        return _run_child(python, ["--role", "client", "--impl", impl, "--port", str(server.port),  # type: ignore
                                   "--timeout", str(timeout)], timeout + 30)
    finally:
        server.kill()
        server.wait()


def interpreters() -> Dict[str, Optional[str]]:
    """The python of each implementation: ours and the floor in this venv, 4.2.0 in its bench venv."""
    import _venvs

    pythons: Dict[str, Optional[str]] = {impl: _venvs.competitor_python(venv) for impl, venv in VENV_OF.items()}
    return dict(pythons, ours=sys.executable, floor=sys.executable)


def site_packages(python: str) -> List[str]:
    """The site-packages directories of ``python`` (its venv's), for a run with ``-S``."""
    code = "import json, sysconfig; p = sysconfig.get_paths(); print(json.dumps(sorted({p['purelib'], p['platlib']})))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def memory_rows(quick: bool = False, pythons: Optional[Dict[str, Optional[str]]] = None) -> List[Any]:
    """RSS after import (ours, 4.2.0, bare requests + websocket-client) and around a 1M-message burst."""
    from _table import Row

    pythons = pythons or interpreters()
    messages = 5_000 if quick else 1_000_000
    from _table import median

    samples: Dict[str, List[Dict[str, Any]]] = {impl: [] for impl in IMPORT_IMPLS}
    sites = {impl: site_packages(pythons[impl]) for impl in IMPORT_IMPLS if pythons.get(impl)}
    for round_no in range(2 if quick else 5):
        for impl in IMPORT_IMPLS[round_no % 6:] + IMPORT_IMPLS[:round_no % 6]:
            if pythons.get(impl):
                samples[impl].append(_run_child(pythons[impl], ["--role", "import", "--impl", impl,
                                                                 "--site", json.dumps(sites[impl])], 120,
                                                flags=["-S"]))
    imports = {impl: {key: median([s.get(key) for s in samples[impl]]) for key in ("import_ms", "rss_import")}
               for impl in IMPORT_IMPLS}
    note = ("the REST and stream clients of each: " + "; ".join(f"{PEER_LABELS.get(i, i)}: {IMPORTS[i]}"
                                                                for i in IMPORT_IMPLS if i != "theirs"))
    rows = [
        Row("Start-up", "import wall time", "ms", imports["ours"]["import_ms"],
            peers={label: imports[impl]["import_ms"] for impl, label in PEER_LABELS.items()},
            floor=imports["floor"]["import_ms"], floor_label="import requests, websocket", note=note),
        Row("Start-up", "RSS after import", "MB", imports["ours"]["rss_import"],
            peers={label: imports[impl]["rss_import"] for impl, label in PEER_LABELS.items()},
            floor=imports["floor"]["rss_import"], floor_label="import requests, websocket"),
    ]
    # The import target is against 4.2.0 (the drop-in it replaces), not the best peer.
    for row in rows:
        row.theirs, row.theirs_label, row.ratio_max = row.peers["4.2.0"], "4.2.0", 1.0
    bursts = {impl: burst(pythons[impl], impl, messages, 400) if pythons.get(impl) else {}
              for impl in ("ours", "theirs")}
    bursts.update(peer_bursts(pythons, messages))
    label = f"{messages // 1000:,}k" if messages < 1_000_000 else f"{messages // 1_000_000}M"

    def peers(key: str) -> Dict[str, Optional[float]]:
        return {PEER_LABELS[impl]: (bursts.get(impl) or {}).get(key) for impl in PEER_LABELS}

    rows.append(Row("Memory", "RSS after 1k stream messages", "MB", bursts["ours"].get("rss_1k"),
                    peers=peers("rss_1k")))
    rows.append(Row("Memory", f"RSS after {label} stream messages", "MB", bursts["ours"].get("rss_end"),
                    peers=peers("rss_end"),
                    note="ours and 4.2.0 with their raw-text callbacks; the peers as in the streams rows (the SDK's "
                         "models, ccxt.pro's trades with tradesLimit above the burst, python-binance's dicts with "
                         "max_queue_size above the burst), each through one burst of identical-size aggTrades"))
    growth = {impl: _growth(bursts.get(impl) or {}) for impl in PEER_LABELS.keys() | {"ours"}}
    notes = [f"{PEER_LABELS.get(impl, impl)}: {b['error']}" for impl, b in bursts.items() if b and b.get("error")]
    notes += [f"{PEER_LABELS.get(impl, impl)}: {b.get('delivered', 0):,}/{messages:,} delivered"
              for impl, b in bursts.items() if b and not b.get("error") and b.get("delivered", 0) < messages]
    rows.append(Row("Memory", f"RSS growth 1k -> {label} messages", "MB", growth["ours"],
                    peers={PEER_LABELS[impl]: growth[impl] for impl in PEER_LABELS},
                    value_max=5.0, show_ratio=False, note="; ".join(notes)))
    return rows


def peer_bursts(pythons: Dict[str, Optional[str]], messages: int) -> Dict[str, Dict[str, Any]]:
    """RSS at the 1,000th and at the last of ``messages`` aggTrades for the modular SDK, ccxt.pro and
    python-binance, through bench_streams' clients (lossless settings)."""
    import bench_streams

    out: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as directory:
        info = bench_streams.exchange_info_file(directory)
        for impl in ("sdk", "ccxt", "pybinance"):
            python = pythons.get(impl)
            if python:
                out[impl] = bench_streams.one_burst(python, impl, "aggTrade", "lossless", True, messages, False,
                                                    info, timeout=240.0)
    return out


def _growth(result: Dict[str, Any]) -> Optional[float]:
    if result.get("rss_end") is not None and result.get("rss_1k") is not None:
        return result["rss_end"] - result["rss_1k"]
    return None


def run(quick: bool = False) -> List[Any]:
    """Stream dispatch and memory rows."""
    pythons = interpreters()
    return memory_rows(quick, pythons)


def main(argv: Optional[List[str]] = None) -> None:
    """Command line: the orchestrator by default, or the server / client / import roles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="bench", choices=["bench", "server", "client", "import"])
    parser.add_argument("--impl", choices=IMPORT_IMPLS)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--site", default="[]", help="site-packages directories (JSON list), for --role import")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "server":
        return serve(args.messages)
    if args.role in ("client", "import"):
        if args.role == "client":
            result = client(args.impl, args.port, args.timeout)
        else:
            result = import_rss(args.impl, json.loads(args.site))
        print(json.dumps(result), flush=True)
        os._exit(0)
    from _table import format_text

    print(format_text(run(args.quick)))


if __name__ == "__main__":
    main()
