"""Order round trip (place, then cancel) over the WebSocket API and over REST, against one sandbox.

Prints p50 / p99 / mean in milliseconds side by side, and the ratio of the p50s. No asserts.
The sandbox runs in its own process (as an exchange would), so client and server do not share a GIL;
``--in-process`` runs it in this process instead.

    python bench/bench_ws_api.py [--n 300] [--warmup 30] [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402
from binance.websocket.api import UMFuturesWebsocketAPIClient  # noqa: E402

SYMBOL = "BTCUSDT"
UNLIMITED = RateLimits(weight_per_minute=10**9, orders_per_10s=10**9, orders_per_minute=10**9)


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def _measure(trips: Dict[str, Callable[[], None]], n: int, warmup: int) -> Dict[str, List[float]]:
    """Time each round trip ``n`` times, interleaved (alternating which goes first) so that every
    transport meets the same exchange state (the order count grows as the bench runs)."""
    names = list(trips)
    for _ in range(warmup):
        for name in names:
            trips[name]()
    samples: Dict[str, List[float]] = {name: [] for name in names}
    for name in names:
        samples[name + " cpu"] = []
    for i in range(n):
        for name in names if i % 2 == 0 else reversed(names):
            c0, t0 = time.process_time(), time.perf_counter()
            trips[name]()
            samples[name].append((time.perf_counter() - t0) * 1000)
            samples[name + " cpu"].append((time.process_time() - c0) * 1e6)  # every thread of this process
    return samples


def _serve(pipe: "multiprocessing.connection.Connection") -> None:
    with Sandbox(seed=1, tick_interval=None, limits=UNLIMITED) as sb:
        pipe.send({"api_key": sb.api_key, "api_secret": sb.api_secret, "rest": sb.um_rest_url, "ws": sb.um_ws_api_url})
        pipe.recv()


@contextlib.contextmanager
def _sandbox(in_process: bool) -> Iterator[Dict[str, str]]:
    if in_process:
        with Sandbox(seed=1, tick_interval=None, limits=UNLIMITED) as sb:
            yield {"api_key": sb.api_key, "api_secret": sb.api_secret, "rest": sb.um_rest_url, "ws": sb.um_ws_api_url}
        return
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the sandbox process did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        proc.join(15)
        if proc.is_alive():
            proc.terminate()


PEERS = {"sdk": "SDK", "ccxt": "ccxt", "pybinance": "python-binance"}
HERE = os.path.dirname(os.path.abspath(__file__))


def _peer(impl: str, sb: Dict[str, str], price: str, n: int, warmup: int) -> Dict[str, Any]:
    """One peer's round trips (ms), in its own bench venv's interpreter."""
    sys.path.insert(0, HERE)
    import _venvs

    python = _venvs.competitor_python(impl)
    if not python:
        return {"error": "no venv"}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    args = [python, os.path.join(HERE, "_ws_api_peers.py"), impl, sb["ws"], sb["rest"], sb["api_key"],
            sb["api_secret"], price, str(n), str(warmup)]
    try:
        out = subprocess.run(args, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": (out.stderr or f"exit {out.returncode}")[-300:]}


def _collect(n: int, warmup: int, in_process: bool, peers: bool = False) -> Dict[str, Any]:
    """Samples (ms) of the order round trip and of a price query, per transport (and the peers' round trips:
    one third of them between each third of ours, so that all meet the same exchange state and load)."""
    with _sandbox(in_process) as sb:
        rest = UMFutures(sb["api_key"], sb["api_secret"], base_url=sb["rest"])
        ws = UMFuturesWebsocketAPIClient(sb["api_key"], sb["api_secret"], stream_url=sb["ws"])
        try:
            price = float(ws.ticker_price(symbol=SYMBOL)["price"])
            order = {"timeInForce": "GTC", "quantity": "0.003", "price": f"{price * 0.8:.1f}"}

            def ws_round_trip() -> None:
                placed = ws.order_place(SYMBOL, "BUY", "LIMIT", **order)
                ws.order_cancel(SYMBOL, orderId=placed["orderId"])

            def rest_round_trip() -> None:
                placed = rest.new_order(symbol=SYMBOL, side="BUY", type="LIMIT", **order)
                rest.cancel_order(symbol=SYMBOL, orderId=placed["orderId"])

            trips = {"WS API": ws_round_trip, "REST": rest_round_trip}
            if not peers:
                orders = _measure(trips, n, warmup)
            else:
                orders = {"WS API": [], "REST": [], "WS API cpu": [], "REST cpu": []}
                peer_samples: Dict[str, List[float]] = {key: [] for impl in PEERS for key in (impl, impl + " cpu")}
                errors: Dict[str, str] = {}
                for third in range(3):
                    part = _measure(trips, n // 3, warmup if third == 0 else 3)
                    for name in orders:
                        orders[name] += part[name]
                    for impl in PEERS:
                        if impl in errors:
                            continue
                        result = _peer(impl, sb, order["price"], n // 3, warmup)
                        if "samples" in result:
                            peer_samples[impl] += result["samples"]
                            peer_samples[impl + " cpu"] += result["cpu"]
                        else:
                            errors[impl] = result.get("error", "?")
                            print(f"bench_ws_api: {impl}: {errors[impl]}", file=sys.stderr)
            quotes = _measure(
                {"WS API": lambda: ws.ticker_price(symbol=SYMBOL), "REST": lambda: rest.ticker_price(SYMBOL)},
                n,
                warmup,
            )
        finally:
            ws.stop()
    result: Dict[str, Any] = {"orders": orders, "quotes": quotes}
    if peers:
        result["peers"], result["errors"] = peer_samples, errors
    return result


def run(quick: bool) -> List[Dict[str, object]]:
    """The bench/run.py contract: rows (as dicts): the WebSocket API round trip against each peer's."""
    n, warmup = (12, 3) if quick else (600, 30)
    samples = _collect(n, warmup, in_process=False, peers=True)
    orders, quotes, peers = samples["orders"], samples["quotes"], samples["peers"]

    def pct(values: List[float], q: float) -> Optional[float]:
        return _percentile(values, q) if values else None

    note = ("sandbox in its own process; the peers (each in its own venv: the modular SDK's websocket_api, "
            "ccxt.pro create_order_ws / cancel_order_ws, python-binance ws_futures_create_order / "
            "ws_futures_cancel_order) run a third of their round trips between each third of ours; "
            "4.2.0 has no WebSocket API")
    if samples["errors"]:
        note += "; " + "; ".join(f"{PEERS[i]}: {e}" for i, e in samples["errors"].items())
    return [
        {"section": "WS API", "metric": "order place + cancel, p50", "unit": "ms",
         "ours": _percentile(orders["WS API"], 0.5), "ratio_max": 0.9, "note": note,
         "peers": {label: pct(peers[impl], 0.5) for impl, label in PEERS.items()}},
        {"section": "WS API", "metric": "order place + cancel, p99", "unit": "ms",
         "ours": _percentile(orders["WS API"], 0.99),
         "peers": {label: pct(peers[impl], 0.99) for impl, label in PEERS.items()}},
        {"section": "WS API", "metric": "order place + cancel, client CPU (median)", "unit": "µs",
         "ours": _percentile(orders["WS API cpu"], 0.5),
         "peers": {label: pct(peers[impl + " cpu"], 0.5) for impl, label in PEERS.items()},
         "note": "CPU time of the client process per round trip, every thread (ours: the caller and the reader)"},
        {"section": "WS API", "metric": "order place + cancel over our REST, p50", "unit": "ms",
         "ours": _percentile(orders["WS API"], 0.5), "theirs": _percentile(orders["REST"], 0.5),
         "theirs_label": "our REST", "ratio_max": 0.5},
        {"section": "WS API", "metric": "price query vs our REST, p50", "unit": "ms",
         "ours": _percentile(quotes["WS API"], 0.5), "theirs": _percentile(quotes["REST"], 0.5),
         "theirs_label": "our REST"},
    ]


def main() -> None:
    """Run both transports and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="measured round trips per transport")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--in-process", action="store_true", help="run the sandbox in this process")
    args = parser.parse_args()
    samples = _collect(args.n, args.warmup, args.in_process)
    where = "in this process" if args.in_process else "in its own process"
    print(f"sandbox on 127.0.0.1 {where}; {args.n} samples each, WS API and REST interleaved")
    _report("order round trip (place, then cancel)", samples["orders"])
    _report("price query (ticker.price / GET ticker/price)", samples["quotes"])


def _report(title: str, samples: Dict[str, List[float]]) -> None:
    print()
    print(title)
    print(f"{'':10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name in ("WS API", "REST"):
        values = samples[name]
        print(f"{name:10}{_percentile(values, 0.5):10.3f}{_percentile(values, 0.99):10.3f}"
              f"{statistics.fmean(values):10.3f}")
    ratio = _percentile(samples["WS API"], 0.5) / _percentile(samples["REST"], 0.5)
    print(f"WS API p50 / REST p50 = {ratio:.2f} (goal <= 0.50)")


if __name__ == "__main__":
    main()
