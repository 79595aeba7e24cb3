"""Stream delivery from a burst, and reconnect time: ours against 4.2.0, the modular SDK, ccxt.pro, python-binance.

    .venv/bin/python bench/bench_streams.py [--quick]

A local burst server (aiohttp, 127.0.0.1, port 0, its own process, fresh for every client run) sends
``N`` aggTrade events (50,000 in ``run``) or ``N`` diff-depth events (25,000) once a client subscribes, by
SUBSCRIBE (ours, 4.2.0, the modular SDK, ccxt.pro) or by the URL (python-binance), wrapping each event
as ``{"stream": ..., "data": ...}`` on ``/stream`` paths as Binance does. The last event of the burst
carries the id :data:`END_ID`. Each client runs in its own process with its own venv's interpreter and
counts what reaches the user's code:

* ``ours`` / ``ref`` (4.2.0): ``UMFuturesWebsocketClient`` with an ``on_message`` callback (the raw
  text; in the "equal parsing" runs the callback also runs ``json.loads`` on it);
* ``sdk``: the modular SDK's ``websocket_streams`` (``aggregate_trade_streams`` /
  ``diff_book_depth_streams``) with ``.on("message", ...)`` (it hands over pydantic models);
* ``ccxt``: ccxt.pro ``binanceusdm.watch_trades`` in a loop (unified trade dicts);
* ``pybinance``: python-binance ``BinanceSocketManager.futures_multiplex_socket`` and ``recv()``;
* ``floor``: a bare websocket-client loop (``skip_utf8_validation=True``, ``recv()``), with and
  without ``json.loads``.

Each client runs with its default settings (what it loses is reported) and with settings that lose
nothing (ours: ``queue_size`` above the burst; ccxt: ``tradesLimit`` above the burst; python-binance:
``max_queue_size`` above the burst). The rate is the messages delivered / (the end event delivered -
the server's first byte of the burst; the server writes the whole burst at once, as ready-made
frames, so that its own speed is out of the figure), so messages still queued inside a client count
against it, and a client that hands over trades in batches is measured like one that does not. After the burst the
server cuts the connection (no close frame); the reconnect figure is the time from the cut to the first
event after it reaching the user's code (4.2.0 does not reconnect: n/a). Rounds are interleaved,
medians kept.
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

IMPLS = ("ours", "ref", "sdk", "ccxt", "pybinance", "floor")
PEER_LABELS = {"ref": "4.2.0", "sdk": "SDK", "ccxt": "ccxt", "pybinance": "python-binance"}
VENV_OF = {"ref": "ref", "sdk": "sdk", "ccxt": "ccxt", "pybinance": "pybinance"}
KINDS = ("aggTrade", "depth")
END_ID = 999_999_999
AFTER_DROP_ID = 888_888_888
CHUNK = 100_000  # a longer burst (the memory figure's 1M) repeats its first CHUNK events
TAIL_ID = 777_777_777  # after the end event on "/tail/" paths: ccxt.pro hands over a trade when the next arrives
SYMBOL = "BTCUSDT"


def agg_trade(i: int, t: int = 1_700_000_000_000) -> Dict[str, Any]:
    """The ``i``-th aggTrade event of the burst."""
    return {"e": "aggTrade", "E": t, "s": SYMBOL, "a": i, "p": f"{43210 + i % 100 / 10:.2f}", "q": "0.015",
            "nq": "0.015", "f": 100 + i, "l": 105 + i, "T": t, "m": bool(i % 2)}


def depth_diff(i: int, t: int = 1_700_000_000_000) -> Dict[str, Any]:
    """The ``i``-th diff-depth event of the burst (5 levels a side)."""
    bids = [[f"{43200 - k - i % 7:.1f}", f"{(k + i) % 50 / 10:.3f}"] for k in range(5)]
    asks = [[f"{43201 + k + i % 5:.1f}", f"{(k + i) % 40 / 10:.3f}"] for k in range(5)]
    return {"e": "depthUpdate", "E": t, "T": t, "s": SYMBOL, "U": 10 * i + 1, "u": 10 * i + 10, "pu": 10 * i,
            "b": bids, "a": asks}


def event_id(kind: str, event: Dict[str, Any]) -> int:
    """The id that marks an event as the burst's last (``END_ID``) or as the after-drop event."""
    return event["a"] if kind == "aggTrade" else event["u"]


def make_event(kind: str, i: int, t: int = 1_700_000_000_000) -> Dict[str, Any]:
    """Event ``i`` of ``kind``; ``i`` may be :data:`END_ID` or :data:`AFTER_DROP_ID`."""
    if kind == "aggTrade":
        return agg_trade(i, t)
    event = depth_diff(i % 1000, t)
    event["u"] = i
    return event


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))  # compact, as Binance sends


def _frame(payload: bytes) -> bytes:
    """One unmasked WebSocket text frame (FIN set) around ``payload``."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return bytes((0x81, 126)) + size.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + size.to_bytes(8, "big") + payload


# ---------------------------------------------------------------------------- server process
def serve(messages: int, exchange_info: Optional[str]) -> None:
    """Burst server: every path; SUBSCRIBE or ``?streams=`` starts a burst; cuts the connection after it."""
    from aiohttp import WSMsgType, web

    info_body = b"{}"
    if exchange_info:
        with open(exchange_info, "rb") as handle:
            info_body = handle.read()
    bursts: Dict[Tuple[str, bool, bool], Tuple[bytes, bytes]] = {}
    state: Dict[str, Optional[float]] = {"drop_at": None}

    def burst_of(kind: str, stream: str, wrap: bool, tail: bool) -> Tuple[bytes, bytes]:
        """The burst as ready-made WebSocket frames (unmasked text frames, server to client): the body
        (the events before the end; at most CHUNK of them, repeated for a longer burst) and the
        ending (what a longer burst has left, the end event, and the tail on "/tail/" paths)."""
        if (kind, wrap, tail) not in bursts:
            def frames(events: List[Dict[str, Any]]) -> bytes:
                texts = (_dumps({"stream": stream, "data": e}) if wrap else _dumps(e) for e in events)
                return b"".join(_frame(text.encode()) for text in texts)

            body = frames([make_event(kind, i) for i in range(min(messages - 1, CHUNK))])
            rest = (messages - 1) % CHUNK if messages - 1 > CHUNK else 0
            ending = frames([make_event(kind, i) for i in range(rest)] + [make_event(kind, END_ID)]
                            + [make_event(kind, TAIL_ID)] * (3 if tail else 0))
            bursts[kind, wrap, tail] = (body, ending)
        return bursts[kind, wrap, tail]

    async def send_burst(ws: Any, request: web.Request, stream: str, wrap: bool) -> None:
        import asyncio

        kind = "depth" if "depth" in stream else "aggTrade"
        if state["drop_at"] is not None:
            drop_ms = int(state["drop_at"] * 1000)
            event = make_event(kind, AFTER_DROP_ID, drop_ms)
            state["drop_at"] = None
            await ws.send_str(_dumps({"stream": stream, "data": event}) if wrap else _dumps(event))
            return
        body, ending = burst_of(kind, stream, wrap, "/tail/" in request.path)
        # The burst is written at once: the server's own speed is out of the figure. Its start is printed
        # (wall clock) for the rate: delivered / (last delivered - first byte sent).
        print(f"burst {time.time():.6f}", flush=True)
        transport = request.transport
        for _ in range(max(1, (messages - 1) // CHUNK)):  # a long burst: CHUNK events at a time
            transport.write(body)
            while transport.get_write_buffer_size() > 16 * 1024 * 1024:
                await asyncio.sleep(0.002)
        transport.write(ending)

    live: List[Any] = []

    async def handle(request: web.Request) -> Any:
        if request.path.startswith("/fapi/"):
            return web.Response(body=info_body, content_type="application/json")
        if request.path == "/cut":  # a client that has its burst asks for the cut (no close frame)
            state["drop_at"] = time.time()
            for transport in live:
                transport.abort()
            live.clear()
            return web.Response(text="cut")
        ws = web.WebSocketResponse(autoping=True, compress=False, max_msg_size=0)
        await ws.prepare(request)
        live.append(request.transport)
        wrap = request.path.rstrip("/").endswith("stream")
        streams = request.query.get("streams")
        if not streams and request.path.startswith("/ws/") and len(request.path) > 4:
            streams = request.path[4:]
        if streams:
            await send_burst(ws, request, streams.split("/")[0], wrap)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            command = json.loads(msg.data)
            if command.get("method") != "SUBSCRIBE":
                if "id" in command:
                    await ws.send_str(json.dumps({"result": [], "id": command["id"]}))
                continue
            await ws.send_str(json.dumps({"result": None, "id": command.get("id")}))
            await send_burst(ws, request, command["params"][0], wrap)
        return ws

    from _serve import serve_forever

    serve_forever(handle)


# ---------------------------------------------------------------------------- client process
class Counter:
    """What reaches the user's code: the count, the end and the after-drop event."""

    def __init__(self) -> None:
        self.count = 0
        self.start = 0.0
        self.first = 0.0
        self.end = 0.0
        self.end_wall = 0.0
        self.last = 0.0
        self.rss_1k: Optional[float] = None
        self.rss_end: Optional[float] = None
        self.done = threading.Event()
        self.recovered = threading.Event()
        self.recovery_ms: Optional[float] = None

    def seen(self, ident: int, event_ms: Optional[int] = None) -> None:
        """One event with id ``ident`` reached the user's code."""
        if ident == TAIL_ID:
            return
        if ident == AFTER_DROP_ID:
            self.recovery_ms = time.time() * 1000 - (event_ms or 0)
            self.recovered.set()
            return
        self.count += 1
        self.last = time.perf_counter()
        if self.count == 1:
            self.first = self.last
        elif self.count == 1000:
            self.rss_1k = rss_mb()
        if ident == END_ID:
            self.end = self.last
            self.end_wall = time.time()
            self.rss_end = rss_mb()
            self.done.set()


def run_client(impl: str, port: int, kind: str, settings: str, parse: bool, messages: int,
               reconnect: bool, timeout: float) -> Dict[str, Any]:
    """Receive one burst with ``impl``; return its figures."""
    if impl == "ours":
        sys.path.insert(1, ROOT)
    counter = Counter()
    url = f"ws://127.0.0.1:{port}"
    cut = f"http://127.0.0.1:{port}/cut" if reconnect else None
    stop = CLIENTS[impl](url, kind, settings, parse, messages, counter, timeout, cut)
    result: Dict[str, Any] = {"delivered": counter.count, "lost": messages - counter.count}
    if counter.end:
        result["end_wall"] = counter.end_wall
        result["first_to_last"] = (counter.count - 1) / (counter.end - counter.first) if counter.count > 1 else None
    else:
        result["error"] = "the end event never reached the user's code"
    if counter.recovery_ms is not None:
        result["recovery_ms"] = counter.recovery_ms
    result["rss_1k"], result["rss_end"] = counter.rss_1k, counter.rss_end
    if isinstance(stop, dict):
        result.update(stop)
    return result


def _wait_end(counter: Counter, timeout: float, quiet: float = 2.0, cut_url: Optional[str] = None) -> None:
    """Until the end event, ``timeout``, or ``quiet`` seconds without a delivery (a client that gave up);
    then, with ``cut_url``, ask the server to cut the connection (the reconnect figure)."""
    deadline = time.monotonic() + timeout
    last_count, last_change = -1, time.monotonic()
    while not counter.done.wait(0.1) and time.monotonic() < deadline:
        if counter.count != last_count:
            last_count, last_change = counter.count, time.monotonic()
        elif time.monotonic() - last_change > quiet:
            break
    if cut_url and counter.done.is_set():
        from urllib.request import urlopen

        time.sleep(0.2)
        urlopen(cut_url, timeout=10).read()


def _threaded_client(impl: str) -> Callable[..., Any]:
    def run(url: str, kind: str, settings: str, parse: bool, messages: int, counter: Counter, timeout: float,
            reconnect: Optional[str]) -> Any:
        from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

        key = '"a":' if kind == "aggTrade" else '"u":'
        end_text, drop_text = f"{key}{END_ID}", f"{key}{AFTER_DROP_ID}"
        loads = json.loads
        seen = counter.seen

        if parse:
            field = "a" if kind == "aggTrade" else "u"

            def on_message(_: Any, message: str) -> None:
                event = loads(message)
                if "e" in event:
                    ident = event[field]
                    seen(ident, event["E"] if ident == AFTER_DROP_ID else None)
        else:
            def on_message(_: Any, message: str) -> None:
                if message[2] != "e":  # replies to SUBSCRIBE
                    return
                if end_text in message:
                    seen(END_ID)
                elif drop_text in message:
                    seen(AFTER_DROP_ID, loads(message)["E"])
                else:
                    seen(0)

        opened = threading.Event()
        kwargs: Dict[str, Any] = {}
        if impl == "ours" and settings == "lossless":
            kwargs["queue_size"] = messages + 100
        client = UMFuturesWebsocketClient(stream_url=url, on_message=on_message, on_open=lambda *_: opened.set(),
                                          **kwargs)
        opened.wait(30)
        counter.start = time.perf_counter()
        if kind == "aggTrade":
            client.agg_trade(symbol="btcusdt")
        else:
            client.diff_book_depth(symbol="btcusdt", speed=100)
        _wait_end(counter, timeout, cut_url=reconnect)
        dropped = getattr(client, "dropped_messages", 0)
        if reconnect:
            counter.recovered.wait(10)
        if impl == "ours":
            client.stop()
        else:  # 4.2.0's stop() can hang; the process exits right after anyway
            threading.Thread(target=client.stop, daemon=True).start()
        return {"dropped": dropped}

    return run


def _floor_client(url: str, kind: str, settings: str, parse: bool, messages: int, counter: Counter,
                  timeout: float, reconnect: Optional[str]) -> Any:
    import websocket

    ws = websocket.create_connection(url + "/ws", skip_utf8_validation=True)
    field = "a" if kind == "aggTrade" else "u"
    end_text = f'"{field}":{END_ID}'
    loads, seen, done = json.loads, counter.seen, counter.done

    def loop() -> None:
        recv = ws.recv
        while not done.is_set():
            message = recv()
            if parse:
                event = loads(message)
                if "e" in event:
                    seen(event[field])
            elif message[2] == "e":
                seen(END_ID if end_text in message else 0)

    reader = threading.Thread(target=loop, daemon=True)
    reader.start()
    counter.start = time.perf_counter()
    stream = "btcusdt@aggTrade" if kind == "aggTrade" else "btcusdt@depth@100ms"
    ws.send(json.dumps({"method": "SUBSCRIBE", "params": [stream], "id": 1}))
    _wait_end(counter, timeout)
    return {}


def _sdk_client(url: str, kind: str, settings: str, parse: bool, messages: int, counter: Counter,
                timeout: float, reconnect: Optional[str]) -> Any:
    import asyncio
    import logging

    from binance_common.configuration import ConfigurationWebSocketStreams
    from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
        DerivativesTradingUsdsFutures,
    )

    logging.disable(logging.CRITICAL)  # it logs every reconnect step at error level
    field = "a" if kind == "aggTrade" else "u"
    seen = counter.seen

    def on_message(model: Any) -> None:
        ident = getattr(model, field)
        seen(ident, model.E if ident == AFTER_DROP_ID else None)

    async def main() -> None:
        client = DerivativesTradingUsdsFutures(config_ws_streams=ConfigurationWebSocketStreams(stream_url=url))
        streams = client.websocket_streams
        await streams.create_connection()
        counter.start = time.perf_counter()
        if kind == "aggTrade":
            handle = await streams.aggregate_trade_streams(symbol="btcusdt")
        else:
            handle = await streams.diff_book_depth_streams(symbol="btcusdt")
        handle.on("message", on_message)
        await asyncio.get_running_loop().run_in_executor(None, _wait_end, counter, timeout, 2.0, reconnect)
        if reconnect:
            await asyncio.get_running_loop().run_in_executor(None, counter.recovered.wait, 3)

    _run_async(asyncio.wait_for(main(), timeout + 20))
    return {}


def _ccxt_client(url: str, kind: str, settings: str, parse: bool, messages: int, counter: Counter,
                 timeout: float, reconnect: Optional[str]) -> Any:
    import asyncio

    import ccxt.pro as ccxtpro

    options: Dict[str, Any] = {"watchTrades": {"name": "aggTrade"}}
    if settings == "lossless":
        options["tradesLimit"] = messages + 100
    exchange = ccxtpro.binanceusdm({"options": options})
    http = url.replace("ws://", "http://")
    for key, value in list(exchange.urls["api"].items()):
        if isinstance(value, str) and "fapi.binance.com" in value:
            exchange.urls["api"][key] = http + value.split("fapi.binance.com", 1)[1]
    for key, value in list(exchange.urls["api"]["ws"].items()):
        if isinstance(value, str) and "fstream.binance.com" in value:
            exchange.urls["api"]["ws"][key] = url + "/tail" + value.split("fstream.binance.com", 1)[1]
    seen = counter.seen

    async def main() -> None:
        await exchange.load_markets()
        symbol = "BTC/USDT:USDT"
        loop = asyncio.get_running_loop()
        waiter = loop.run_in_executor(None, _wait_end, counter, timeout, 2.0, reconnect)
        counter.start = time.perf_counter()
        while not waiter.done() or (reconnect and not counter.recovered.is_set()):
            try:
                trades = await asyncio.wait_for(exchange.watch_trades(symbol), 0.5)
            except asyncio.TimeoutError:
                if waiter.done() and (not reconnect or time.perf_counter() - counter.last > 10):
                    break
                continue
            except Exception:  # the cut: a user's loop calls watch_trades again, which reconnects
                continue
            for trade in trades:
                ident = int(trade["id"])
                seen(ident, trade["timestamp"] if ident == AFTER_DROP_ID else None)
        await waiter

    _run_async(main())
    return {}


def _pybinance_client(url: str, kind: str, settings: str, parse: bool, messages: int, counter: Counter,
                      timeout: float, reconnect: Optional[str]) -> Any:
    import asyncio
    import logging

    from binance.async_client import AsyncClient
    from binance.ws.streams import BinanceSocketManager

    logging.disable(logging.CRITICAL)
    field = "a" if kind == "aggTrade" else "u"
    seen = counter.seen
    result: Dict[str, Any] = {}

    async def main() -> None:
        client = AsyncClient()
        kwargs = {"max_queue_size": messages + 100} if settings == "lossless" else {}
        manager = BinanceSocketManager(client, **kwargs)
        manager.FSTREAM_URL = url + "/"
        stream = "btcusdt@aggTrade" if kind == "aggTrade" else "btcusdt@depth@100ms"
        loop = asyncio.get_running_loop()
        counter.start = time.perf_counter()
        socket = manager.futures_multiplex_socket([stream])
        connection = await socket.__aenter__()  # never left: its exit can hang; the process ends right after
        if True:
            waiter = loop.run_in_executor(None, _wait_end, counter, timeout, 2.0, reconnect)
            while not waiter.done() or (reconnect and not counter.recovered.is_set()):
                try:
                    message = await asyncio.wait_for(connection.recv(), 0.5)
                except asyncio.TimeoutError:
                    if waiter.done() and (not reconnect or time.perf_counter() - counter.last > 10):
                        break
                    continue
                except Exception as exc:  # the read loop ended (e.g. its queue overflowed)
                    result["closed"] = f"{type(exc).__name__}"
                    break
                data = message.get("data")
                if data is None:
                    if message.get("e") == "error":
                        result["closed"] = message.get("type")
                        if message.get("type") in ("BinanceWebsocketQueueOverflow", "BinanceWebsocketUnableToConnect"):
                            break
                    continue
                ident = data[field]
                seen(ident, data["E"] if ident == AFTER_DROP_ID else None)
            await waiter

    _run_async(main())
    return result


def _run_async(coroutine: Any) -> None:
    """Run ``coroutine`` on a new loop and leave the loop as it is (clients' shutdowns can hang; the process
    exits right after with ``os._exit``)."""
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(coroutine)


CLIENTS: Dict[str, Callable[..., Any]] = {
    "ours": _threaded_client("ours"), "ref": _threaded_client("ref"), "sdk": _sdk_client, "ccxt": _ccxt_client,
    "pybinance": _pybinance_client, "floor": _floor_client,
}


# ---------------------------------------------------------------------------- orchestration
def interpreters() -> Dict[str, Optional[str]]:
    """The python of each implementation: ours and the floor in this venv, every peer in its bench venv."""
    import _venvs

    pythons: Dict[str, Optional[str]] = {impl: _venvs.competitor_python(venv) for impl, venv in VENV_OF.items()}
    return dict(pythons, ours=sys.executable, floor=sys.executable)


def exchange_info_file(directory: str) -> str:
    """exchangeInfo (BTCUSDT only) from the project's sandbox, for ccxt's ``load_markets``; its path."""
    import requests

    sys.path.insert(1, ROOT)
    from binance.sandbox import Sandbox

    with Sandbox(seed=1, tick_interval=None) as sandbox:
        info = requests.get(sandbox.um_rest_url + "/fapi/v1/exchangeInfo", timeout=30).json()
    info["symbols"] = [s for s in info["symbols"] if s["symbol"] == SYMBOL]
    path = os.path.join(directory, "exchangeInfo.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    return path


def one_burst(python: str, impl: str, kind: str, settings: str, parse: bool, messages: int, reconnect: bool,
              exchange_info: str, timeout: float = 60.0) -> Dict[str, Any]:
    """One burst received by ``impl`` (fresh server and client processes)."""
    server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "server", "--messages",
                               str(messages), "--exchange-info", exchange_info], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.strip():
            return {"error": "burst server did not start"}
        args = [python, os.path.abspath(__file__), "--role", "client", "--impl", impl, "--port", line.strip(),
                "--kind", kind, "--settings", settings, "--messages", str(messages), "--timeout", str(timeout)]
        args += ["--parse"] if parse else []
        args += ["--reconnect"] if reconnect else []
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        try:
            out = subprocess.run(args, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True,
                                 timeout=timeout + 40)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout + 40:g} s"}
    finally:
        server.kill()
        rest = server.stdout.read()
        server.wait()
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout or f"exit {out.returncode}")[-400:]}
    result = json.loads(lines[-1])
    starts = [float(line.split()[1]) for line in rest.splitlines() if line.startswith("burst ")]
    if starts and result.get("end_wall"):
        result["rate"] = result["delivered"] / (result["end_wall"] - starts[0])
    return result


# (impl, settings, parse, reconnect) per kind: each peer with its defaults and lossless; ours and 4.2.0 with
# and without parsing; the floor with and without parsing. Peers that parse anyway run once per setting.
def plan(kind: str) -> List[Tuple[str, str, bool, bool]]:
    """The client runs of one round for ``kind``."""
    runs = [("ours", "default", False, False), ("ours", "lossless", False, kind == "aggTrade"),
            ("ours", "lossless", True, False), ("ref", "default", False, False),
            ("ref", "default", True, False), ("sdk", "default", True, kind == "aggTrade"),
            ("pybinance", "default", True, False), ("pybinance", "lossless", True, kind == "aggTrade"),
            ("floor", "default", False, False), ("floor", "default", True, False)]
    if kind == "aggTrade":  # ccxt.pro has no raw diff-depth stream (its book: bench_orderbook)
        runs += [("ccxt", "default", True, False), ("ccxt", "lossless", True, True)]
    return runs


def measure(counts: Dict[str, int], rounds: int, pythons: Optional[Dict[str, Optional[str]]] = None
            ) -> Dict[str, Any]:
    """Interleaved rounds; ``results[kind][(impl, settings, parse)] = [figures per round]``."""
    pythons = pythons or interpreters()
    results: Dict[str, Dict[Tuple[str, str, bool], List[Dict[str, Any]]]] = {kind: {} for kind in counts}
    with tempfile.TemporaryDirectory(prefix="bench-streams-") as directory:
        info = exchange_info_file(directory)
        for round_no in range(rounds):
            for kind, messages in counts.items():
                runs = plan(kind)
                shift = round_no * 3 % len(runs)
                for impl, settings, parse, reconnect in runs[shift:] + runs[:shift]:
                    python = pythons.get(impl)
                    if not python:
                        continue
                    result = one_burst(python, impl, kind, settings, parse, messages, reconnect, info)
                    print(f"round {round_no + 1} {kind} {impl} {settings} parse={parse}: {json.dumps(result)}",
                          flush=True)
                    results[kind].setdefault((impl, settings, parse), []).append(result)
    return results


def _median_of(results: List[Dict[str, Any]], key: str) -> Optional[float]:
    from _table import median

    return median([r.get(key) for r in results])


def rows_from(results: Dict[str, Any], counts: Dict[str, int]) -> List[Any]:
    """The table rows: per kind, default settings (rate, losses), lossless, lossless with equal parsing;
    the reconnect time."""
    from _table import Row

    rows = []
    for kind, messages in counts.items():
        per: Dict[Tuple[str, str, bool], List[Dict[str, Any]]] = results.get(kind, {})
        name = f"{messages:,} aggTrades" if kind == "aggTrade" else f"{messages:,} depth diffs"

        def fig(impl: str, settings: str, parse: bool, key: str = "rate", per: Any = per) -> Optional[float]:
            return _median_of(per.get((impl, settings, parse), []), key)

        def peers(settings: str, key: str = "rate") -> Dict[str, Optional[float]]:
            out = {}
            for impl, label in PEER_LABELS.items():
                parse = impl != "ref" or (settings == "parsed")
                mode = "lossless" if settings in ("lossless", "parsed") and impl in ("ccxt", "pybinance") \
                    else "default"
                out[label] = fig(impl, mode, parse, key)
            return out

        default_notes = []
        for impl, label in PEER_LABELS.items():
            for result in per.get((impl, "default", impl != "ref"), [])[:1]:
                if result.get("lost"):
                    closed = f", closed: {result['closed']}" if result.get("closed") else ""
                    default_notes.append(f"{label} delivered {result.get('delivered', 0):,} of {messages:,}{closed}")
        rows.append(Row("Streams", f"{name}, default settings", "msg/s", fig("ours", "default", False),
                        floor=fig("floor", "default", False), floor_label="bare websocket-client recv loop",
                        higher_is_better=True, peers=peers("default"),
                        note="; ".join(default_notes) or "nothing lost"))
        lost = Row("Streams", f"{name}, default settings: lost", "msgs", fig("ours", "default", False, "lost"),
                   peers=peers("default", "lost"), show_ratio=False)
        rows.append(lost)
        rows.append(Row("Streams", f"{name}, lossless settings", "msg/s", fig("ours", "lossless", False),
                        floor=fig("floor", "default", False), floor_label="bare websocket-client recv loop",
                        higher_is_better=True, peers=peers("lossless"),
                        note="ours and 4.2.0 hand over the raw text; the peers parse it (see the next row)"))
        rows.append(Row("Streams", f"{name}, lossless, equal parsing", "msg/s", fig("ours", "lossless", True),
                        floor=fig("floor", "default", True), floor_label="bare recv loop + json.loads",
                        higher_is_better=True, ratio_min=2.0, peers=peers("parsed"),
                        note="ours' and 4.2.0's callbacks run json.loads on each message"))
    agg = results.get("aggTrade", {})
    recovery = {impl: _median_of(agg.get(key, []), "recovery_ms") for impl, key in (
        ("ours", ("ours", "lossless", False)), ("ref", ("ref", "default", False)), ("sdk", ("sdk", "default", True)),
        ("ccxt", ("ccxt", "lossless", True)), ("pybinance", ("pybinance", "lossless", True)))}
    rows.append(Row("Streams", "reconnect: cut -> first message after it", "ms", recovery["ours"],
                    peers={label: recovery[impl] for impl, label in PEER_LABELS.items()},
                    note="each with its default reconnect policy; 4.2.0 never reconnects and the modular SDK drops a "
                         "cut connection without reconnecting (n/a: nothing within 3 s)"))
    return rows


def run(quick: bool = False) -> List[Any]:
    """Stream rows (``quick``: one small round)."""
    counts = {"aggTrade": 2_000, "depth": 1_000} if quick else {"aggTrade": 50_000, "depth": 25_000}
    return rows_from(measure(counts, 1 if quick else 3), counts)


def main(argv: Optional[List[str]] = None) -> None:
    """Command line: the orchestrator by default, or the server / client roles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="bench", choices=["bench", "server", "client"])
    parser.add_argument("--impl", default="ours", choices=IMPLS)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--kind", default="aggTrade", choices=KINDS)
    parser.add_argument("--settings", default="default", choices=["default", "lossless"])
    parser.add_argument("--parse", action="store_true")
    parser.add_argument("--reconnect", action="store_true")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--exchange-info", default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "server":
        return serve(args.messages, args.exchange_info)
    if args.role == "client":
        print(json.dumps(run_client(args.impl, args.port, args.kind, args.settings, args.parse, args.messages,
                                    args.reconnect, args.timeout)), flush=True)
        os._exit(0)
    from _table import format_text

    print(format_text(run(args.quick)))


if __name__ == "__main__":
    main()
