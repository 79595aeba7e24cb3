"""REST call overhead on localhost (unsigned, HMAC, RSA, Ed25519) and signing alone: ours, 4.2.0, floor.

    .venv/bin/python bench/bench_rest.py [--quick]

One minimal HTTP server (aiohttp, 127.0.0.1, port 0, its own process, keep-alive, canned Binance-like
JSON bodies and rate-limit headers, no checks) is hit by three worker processes, each with its own
interpreter and one keep-alive ``requests`` session:

* ``ours``: this project, ``UMFutures`` from the project venv;
* ``theirs``: the official 4.2.0 ``UMFutures`` from the bench venv ``bench/.venvs/ref``;
* ``floor``: a bare ``requests.Session`` call (plus ``.json()``) to the same URL, with the signed
  query string computed once up front.

Signed calls are 4.2.0's README order (``new_order`` with a float quantity and an int price).
The parent drives the workers over stdin/stdout, interleaving them round by round, and keeps the
median of the rounds, each round's figure being the median wall time of its calls (each call timed
on its own, so that a call preempted by another process does not skew the round).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bench_signing  # noqa: E402
from bench_signing import API_KEY, SECRET  # noqa: E402

KINDS = ("unsigned", "hmac", "rsa", "ed25519")
# "theirs" is 4.2.0 (the name bench_signing knows it by); each peer runs in its own bench venv.
IMPLS = ("ours", "theirs", "sdk", "ccxt", "pybinance", "floor")
PEER_LABELS = {"theirs": "4.2.0", "sdk": "SDK", "ccxt": "ccxt", "pybinance": "python-binance"}
VENV_OF = {"theirs": "ref", "sdk": "sdk", "ccxt": "ccxt", "pybinance": "pybinance"}
ORDER = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": 0.002,
         "price": 59808}
ORDER_BODY = json.dumps({
    "clientOrderId": "testOrder", "cumQty": "0", "cumQuote": "0", "executedQty": "0", "orderId": 22542179,
    "avgPrice": "0.00000", "origQty": "0.002", "price": "59808", "reduceOnly": False, "side": "SELL",
    "positionSide": "BOTH", "status": "NEW", "stopPrice": "0", "closePosition": False, "symbol": "BTCUSDT",
    "timeInForce": "GTC", "type": "LIMIT", "origType": "LIMIT", "updateTime": 1700000000000,
    "workingType": "CONTRACT_PRICE", "priceProtect": False, "priceMatch": "NONE",
    "selfTradePreventionMode": "NONE", "goodTillDate": 0,
}).encode()
TIME_BODY = b'{"serverTime":1700000000000}'


# ---------------------------------------------------------------------------- server process
def serve() -> None:
    """Run the minimal HTTP server; print its port on the first line of stdout."""
    import asyncio

    from aiohttp import web

    weight = {"X-MBX-USED-WEIGHT-1M": "1"}
    order_headers = dict(weight, **{"X-MBX-ORDER-COUNT-10S": "1", "X-MBX-ORDER-COUNT-1M": "1"})

    async def handle(request: web.BaseRequest) -> web.Response:
        if request.path.endswith("/order"):
            return web.Response(body=ORDER_BODY, content_type="application/json", headers=order_headers)
        return web.Response(body=TIME_BODY, content_type="application/json", headers=weight)

    async def main() -> None:
        server = web.Server(handle, access_log=None)
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(server, "127.0.0.1", 0)
        print(listener.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# ---------------------------------------------------------------------------- worker process
def make_call(impl: str, kind: str, url: str, keys: Dict[str, str]) -> Optional[Callable[[], Any]]:
    """One REST call of ``kind`` for ``impl``, ready to repeat; None when ``impl`` cannot make it."""
    if impl == "floor":
        return _floor_call(kind, url, keys)
    if impl in PEER_CALLS:
        return PEER_CALLS[impl](kind, url, keys)
    from binance.um_futures import UMFutures

    if kind == "unsigned":
        return UMFutures(API_KEY, base_url=url).time
    if kind == "hmac":
        client = UMFutures(API_KEY, SECRET, base_url=url)
    elif impl == "theirs" and kind == "ed25519":
        return None
    else:
        client = UMFutures(API_KEY, private_key=bench_signing.read_pem(keys[kind]), base_url=url)
    return lambda: client.new_order(**ORDER)


def _sdk_call(kind: str, url: str, keys: Dict[str, str]) -> Optional[Callable[[], Any]]:
    """The official modular SDK's REST client; ``.data()`` parses the reply into its pydantic model."""
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
        DerivativesTradingUsdsFutures,
    )
    from binance_sdk_derivatives_trading_usds_futures.rest_api.models import (
        NewOrderSideEnum,
        NewOrderTimeInForceEnum,
        NewOrderTypeEnum,
    )

    if kind in ("unsigned", "hmac"):
        config = ConfigurationRestAPI(api_key=API_KEY, api_secret=SECRET, base_path=url)
    else:
        config = ConfigurationRestAPI(api_key=API_KEY, private_key=bench_signing.read_pem(keys[kind]), base_path=url)
    api = DerivativesTradingUsdsFutures(config_rest_api=config).rest_api
    if kind == "unsigned":
        return lambda: api.check_server_time().data()
    order = dict(symbol="BTCUSDT", side=NewOrderSideEnum["SELL"].value, type=NewOrderTypeEnum["LIMIT"].value,
                 time_in_force=NewOrderTimeInForceEnum["GTC"].value, quantity=ORDER["quantity"],
                 price=ORDER["price"])
    return lambda: api.new_order(**order).data()


def _ccxt_call(kind: str, url: str, keys: Dict[str, str]) -> Optional[Callable[[], Any]]:
    """ccxt's binanceusdm through its implicit endpoint methods (its lightest path: no market lookup, no
    unified parsing); its client-side rate limiter is off, or every call would wait for it."""
    import ccxt

    secret = SECRET if kind in ("unsigned", "hmac") else bench_signing.read_pem(keys[kind])
    exchange = ccxt.binanceusdm({"apiKey": API_KEY, "secret": secret, "enableRateLimit": False})
    _point_ccxt_at(exchange, url)
    if kind == "unsigned":
        return exchange.fapiPublicGetTime
    return lambda: exchange.fapiPrivatePostOrder(dict(ORDER))


def _point_ccxt_at(exchange: Any, url: str) -> None:
    """Point every USDⓈ-M REST base of a ccxt binance exchange at ``url``."""
    for key, value in list(exchange.urls["api"].items()):
        if isinstance(value, str) and "fapi.binance.com" in value:
            exchange.urls["api"][key] = url + value.split("fapi.binance.com", 1)[1]


def _pybinance_call(kind: str, url: str, keys: Dict[str, str]) -> Optional[Callable[[], Any]]:
    """python-binance's synchronous ``Client`` (its futures_* methods)."""
    from binance.client import Client

    if kind in ("unsigned", "hmac"):
        client = Client(API_KEY, SECRET, ping=False)
    else:
        client = Client(API_KEY, private_key=bench_signing.read_pem(keys[kind]), ping=False)
    client.FUTURES_URL = url + "/fapi"
    if kind == "unsigned":
        return client.futures_time
    return lambda: client.futures_create_order(**ORDER)


PEER_CALLS: Dict[str, Callable[[str, str, Dict[str, str]], Optional[Callable[[], Any]]]] = {
    "sdk": _sdk_call, "ccxt": _ccxt_call, "pybinance": _pybinance_call,
}


def _floor_call(kind: str, url: str, keys: Dict[str, str]) -> Callable[[], Any]:
    from urllib.parse import quote_plus

    import requests

    session = requests.Session()
    session.headers.update({"Content-Type": "application/json;charset=utf-8", "X-MBX-APIKEY": API_KEY})
    if kind == "unsigned":
        target = url + "/fapi/v1/time"
        return lambda: session.get(target).json()
    query = "&".join(f"{k}={v}" for k, v in ORDER.items()) + "&timestamp=1700000000000"
    signature = bench_signing.make_sign("floor", kind, keys)(query)
    if isinstance(signature, bytes):
        import base64

        signature = base64.b64encode(signature).decode()
    target = f"{url}/fapi/v1/order?{query}&signature={quote_plus(signature, safe='')}"
    return lambda: session.post(target).json()


def time_calls(call: Callable[[], Any], calls: int) -> float:
    """Median µs of ``calls`` calls, each timed on its own (robust to other processes taking the CPU)."""
    clock = time.perf_counter
    samples = []
    for _ in range(calls):
        started = clock()
        call()
        samples.append(clock() - started)
    return statistics.median(samples) * 1e6


def cpu_per_call(call: Callable[[], Any], calls: int) -> float:
    """This process's CPU time per call in µs (the client's own work; the server and waiting excluded)."""
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


def worker(impl: str, url: str, keys: Dict[str, str]) -> None:
    """Answer JSON commands on stdin, one per line: ``{"op": "rest"|"cpu"|"sign", "kind": ..., "calls": n}``."""
    if impl == "ours":
        sys.path.insert(1, ROOT)
    calls: Dict[str, Optional[Callable[[], Any]]] = {}
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        kind, n = command["kind"], int(command["calls"])
        try:
            if command["op"] == "sign":
                value = bench_signing.time_signing(impl, kind, keys, n)
            else:
                if kind not in calls:
                    calls[kind] = make_call(impl, kind, url, keys)
                    if calls[kind] is not None:
                        calls[kind]()
                call = calls[kind]
                timer = cpu_per_call if command["op"] == "cpu" else time_calls
                value = None if call is None else timer(call, n)
            reply: Dict[str, Any] = {"us": value}
        except Exception as exc:  # reported to the parent, which shows n/a
            reply = {"us": None, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


# ---------------------------------------------------------------------------- orchestration
class Worker:
    """A worker process driven over its stdin/stdout."""

    def __init__(self, impl: str, python: str, url: str, keys: Dict[str, str]) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        args = [python, os.path.abspath(__file__), "--role", "worker", "--impl", impl, "--url", url,
                "--keys", json.dumps(keys)]
        self.impl = impl
        self.errors: List[str] = []
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                     cwd=tempfile.gettempdir())
        self._read()

    def _read(self) -> Dict[str, Any]:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench worker {self.impl} exited (code {self.proc.poll()})")
        return json.loads(line)

    def measure(self, op: str, kind: str, calls: int) -> Optional[float]:
        """µs per call (or signature) measured in the worker; None when unavailable."""
        self.proc.stdin.write(json.dumps({"op": op, "kind": kind, "calls": calls}) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        if reply.get("error"):
            self.errors.append(f"{op} {kind}: {reply['error']}")
        return reply.get("us")

    def close(self) -> None:
        """End the worker."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def start_server(python: str = sys.executable) -> subprocess.Popen:
    """Start the HTTP server process; its port is in ``proc.port``."""
    proc = subprocess.Popen([python, os.path.abspath(__file__), "--role", "server"], stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    if not line.strip():
        proc.kill()
        raise RuntimeError("bench HTTP server did not start")
    proc.port = int(line)  # type: ignore[attr-defined]
    return proc


def rest_calls_for(kind: str, impl: str, quick: bool) -> int:
    """Calls per round (RSA in 4.2.0 and ccxt costs tens of ms per call, so fewer)."""
    slow_rsa = kind == "rsa" and impl in ("theirs", "ccxt")  # tens of ms per call
    if quick:
        return 5 if slow_rsa else 20
    if kind == "rsa":
        return 20 if slow_rsa else 60
    return 150


def interpreters() -> Dict[str, Optional[str]]:
    """The python of each implementation: ours and the floor in this venv, 4.2.0 in its bench venv."""
    import _venvs

    pythons: Dict[str, Optional[str]] = {impl: _venvs.competitor_python(venv) for impl, venv in VENV_OF.items()}
    return dict(pythons, ours=sys.executable, floor=sys.executable)


def measure(workers: Dict[str, Worker], op: str, kinds: Sequence[str], rounds: int, quick: bool
            ) -> Dict[str, Dict[str, List[Optional[float]]]]:
    """``results[kind][impl] = [µs per round]``, the workers interleaved (order rotated each round)."""
    results: Dict[str, Dict[str, List[Optional[float]]]] = {k: {i: [] for i in workers} for k in kinds}
    order = list(workers)
    for round_no in range(rounds):
        for kind in kinds:
            for impl in order[round_no % len(order):] + order[:round_no % len(order)]:
                if op == "sign" and impl not in bench_signing.IMPLS:
                    continue
                if op == "sign":
                    calls = bench_signing.calls_for(kind, quick)
                    if impl == "theirs" and kind == "rsa":
                        calls = max(2, calls // 4)
                else:
                    calls = rest_calls_for(kind, impl, quick)
                results[kind][impl].append(workers[impl].measure(op, kind, calls))
    return results


LABELS = {"unsigned": "unsigned GET (time)", "hmac": "HMAC-signed POST order",
          "rsa": "RSA-signed POST order", "ed25519": "Ed25519-signed POST order"}


def _medians(results: Dict[str, Dict[str, List[Optional[float]]]], kind: str) -> Dict[str, Optional[float]]:
    from _table import median

    return {impl: median(results[kind].get(impl, [])) for impl in IMPLS}


def rest_rows(results: Dict[str, Dict[str, List[Optional[float]]]]) -> List[Any]:
    """Wall-time rows from ``results[kind][impl] = [µs per round]`` (ratio against the best peer)."""
    from _table import Row

    rows = []
    for kind in KINDS:
        if kind not in results:
            continue
        med = _medians(results, kind)
        row = Row("REST", LABELS[kind] + ", wall", "µs/call", med["ours"], floor=med["floor"],
                  floor_label="bare requests.Session",
                  peers={PEER_LABELS[impl]: med.get(impl) for impl in PEER_LABELS})
        if kind == "unsigned":
            row.note = ("ours reads the proxy / CA-bundle / netrc environment once per client; requests (so 4.2.0, "
                        "the modular SDK, python-binance and the floor) re-reads the whole environment on every call")
        elif kind == "hmac":
            row.floor_max = 1.15
            row.note = ("ccxt through its implicit fapiPrivatePostOrder (no market lookup, no unified parsing), "
                        "its client-side rate limiter off; the modular SDK with .data() (its pydantic model)")
        elif kind == "rsa":
            row.note = ("RSA-2048; 4.2.0 parses the key on every call; the floor's query is signed once up front, "
                        "so ours/floor includes the signature")
        elif kind == "ed25519":
            row.note = "4.2.0 has no Ed25519"
        rows.append(row)
    return rows


def cpu_rows(results: Dict[str, Dict[str, List[Optional[float]]]]) -> List[Any]:
    """Client-CPU rows per kind: the targets (<= 0.9x the best peer) are on these."""
    from _table import Row

    rows = []
    for kind in KINDS:
        if kind not in results:
            continue
        med = _medians(results, kind)
        rows.append(Row("REST", LABELS[kind] + ", client CPU", "µs/call", med["ours"], floor=med["floor"],
                        floor_label="bare requests.Session", ratio_max=0.9,
                        peers={PEER_LABELS[impl]: med.get(impl) for impl in PEER_LABELS},
                        note="" if kind != "hmac" else
                        "CPU time of the client process per call (server and waiting excluded)"))
    return rows


def run(quick: bool = False, sections: Sequence[str] = ("rest", "signing")) -> List[Any]:
    """REST and/or signing rows for one run (``quick``: tiny counts, for smoke tests)."""
    pythons = interpreters()
    rounds = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        keys = bench_signing.make_keys(directory)
        server = start_server()
        url = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]
        workers: Dict[str, Worker] = {}
        try:
            for impl in IMPLS:
                python = pythons.get(impl)
                if python:
                    workers[impl] = Worker(impl, python, url, keys)
            rows: List[Any] = []
            if "rest" in sections:
                rows += rest_rows(measure(workers, "rest", KINDS, rounds, quick))
                rows += cpu_rows(measure(workers, "cpu", KINDS, rounds, quick))
            if "signing" in sections:
                sign = measure(workers, "sign", bench_signing.ALGORITHMS, rounds, quick)
                rows += bench_signing.signing_rows(sign)
        finally:
            for w in workers.values():
                w.close()
            server.kill()
            server.wait()
    for w in workers.values():
        for error in sorted(set(w.errors)):
            print(f"bench_rest: {w.impl}: {error}", file=sys.stderr)
    return rows


def main(argv: Optional[List[str]] = None) -> None:
    """Command line: the orchestrator by default, or one of the server / worker roles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="bench", choices=["bench", "server", "worker"])
    parser.add_argument("--impl", choices=IMPLS)
    parser.add_argument("--url")
    parser.add_argument("--keys", default="{}")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "server":
        return serve()
    if args.role == "worker":
        return worker(args.impl, args.url, json.loads(args.keys))
    from _table import format_text

    print(format_text(run(args.quick)))


if __name__ == "__main__":
    main()
