"""Order-book benchmark: diff events applied per second, and the memory of a 5,000-level book.

    python bench/bench_orderbook.py [--events 200000] [--levels 5000] [--seed 1] [--repeat 3]

The event stream is generated from a seed (reproducible): a futures diff-depth stream in
Binance's wire format (strings), around a slowly moving mid price, with level changes, new levels
and removals. Every implementation in ``IMPLEMENTATIONS`` replays the same snapshot and events;
add another with :func:`register` (a function ``(snapshot, events) -> seconds`` that builds its
book from ``snapshot`` untimed, then times applying ``events``). Figures are printed, not asserted.

python-binance's depth cache runs on the same events, written once to a JSON file, in a subprocess
of its own bench virtualenv (``bench/.venvs/pybinance``, built by ``bench/_venvs.py``; never a
dependency of the library), started with ``-I`` so that nothing of ours is importable there. Its
futures manager (``FuturesDepthCacheManager``) does not merge diffs: it replaces the whole book
with each message (it reads partial-depth streams), so the comparison uses the diff-merging apply
of its ``BaseDepthCacheManager._apply_orders`` (``DepthCache.add_bid``/``add_ask``), timed the same
way; the futures manager's figure is printed for information only. ``--no-python-binance`` skips it.
``run(quick)`` gives the rows of ``bench/run.py``'s table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from binance.orderbook import OrderBook  # noqa: E402

Snapshot = Dict[str, Any]
Event = Dict[str, Any]
Runner = Callable[[Snapshot, List[Event]], float]

TICK = 0.1
IMPLEMENTATIONS: Dict[str, Runner] = {}


def register(name: str) -> Callable[[Runner], Runner]:
    """Decorator adding a runner to :data:`IMPLEMENTATIONS` under ``name``."""

    def decorate(runner: Runner) -> Runner:
        IMPLEMENTATIONS[name] = runner
        return runner

    return decorate


def _price(ticks: int) -> str:
    return f"{ticks * TICK:.1f}"


def _qty(rng: random.Random) -> str:
    return f"{rng.randint(1, 50000) / 1000:.3f}"


def generate(levels: int, events: int, seed: int = 1, updates_per_event: Tuple[int, int] = (1, 20)
             ) -> Tuple[Snapshot, List[Event]]:
    """A snapshot with ``levels`` levels (half per side) and ``events`` diff events after it."""
    rng = random.Random(seed)
    mid = 300_000  # in ticks: 30000.0
    per_side = levels // 2
    bids = {mid - 1 - i: _qty(rng) for i in range(per_side)}
    asks = {mid + 1 + i: _qty(rng) for i in range(per_side)}
    snapshot = {
        "lastUpdateId": 1_000_000,
        "E": 1_700_000_000_000,
        "T": 1_700_000_000_000,
        "bids": [[_price(p), q] for p, q in sorted(bids.items(), reverse=True)],
        "asks": [[_price(p), q] for p, q in sorted(asks.items())],
    }
    out: List[Event] = []
    last = 1_000_000
    first_event = 999_990
    prev = 999_989
    event_time = 1_700_000_000_000
    for _ in range(events):
        step = rng.choice((-1, 0, 0, 1))
        mid += step
        b: List[List[str]] = []
        a: List[List[str]] = []
        # Keep every bid below mid and every ask above it (a book is never crossed): a move removes the
        # one level it would cross.
        if step > 0 and mid in asks:
            del asks[mid]
            a.append([_price(mid), "0.000"])
        elif step < 0 and mid in bids:
            del bids[mid]
            b.append([_price(mid), "0.000"])
        for _ in range(rng.randint(*updates_per_event)):
            is_bid = rng.random() < 0.5
            book, out_side = (bids, b) if is_bid else (asks, a)
            depth = int(rng.expovariate(1 / 40)) % max(1, per_side)
            price = mid - 1 - depth if is_bid else mid + 1 + depth
            roll = rng.random()
            if roll < 0.15 and price in book:
                del book[price]
                out_side.append([_price(price), "0.000"])
            else:
                qty = _qty(rng)
                book[price] = qty
                out_side.append([_price(price), qty])
        last_id = last + rng.randint(1, 30)
        event_time += 100
        out.append({"e": "depthUpdate", "E": event_time, "T": event_time - 2, "s": "BTCUSDT",
                    "U": first_event, "u": last_id, "pu": prev, "b": b, "a": a})
        first_event, prev, last = last_id + 1, last_id, last_id
    return snapshot, out


@register("ours")
def run_ours(snapshot: Snapshot, events: List[Event]) -> float:
    """binance.orderbook.OrderBook: snapshot, then every diff with full sequence checks."""
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot)
    apply = book.apply_diff
    start = time.perf_counter()
    for event in events:
        apply(event)
    elapsed = time.perf_counter() - start
    if not book.is_live or book.events_applied != len(events):
        raise RuntimeError(f"benchmark stream did not apply cleanly: {book!r}")
    return elapsed


@register("ours+top-10-reads")
def run_ours_with_queries(snapshot: Snapshot, events: List[Event]) -> float:
    """As ``ours``, reading best bid, best ask and the top 10 levels after every event."""
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot)
    start = time.perf_counter()
    for event in events:
        book.apply_diff(event)
        book.best_bid()
        book.best_ask()
        book.bids(10)
        book.asks(10)
    return time.perf_counter() - start


def run_floor(snapshot: Snapshot, events: List[Event]) -> float:
    """The floor: a bare loop storing each level's raw strings in a dict (no parsing, no sequence
    checks, no order): what any pure-Python book has to do at least."""
    bids = {price: qty for price, qty in snapshot["bids"]}
    asks = {price: qty for price, qty in snapshot["asks"]}
    start = time.perf_counter()
    for event in events:
        for price, qty in event["b"]:
            if float(qty):
                bids[price] = qty
            else:
                bids.pop(price, None)
        for price, qty in event["a"]:
            if float(qty):
                asks[price] = qty
            else:
                asks.pop(price, None)
    return time.perf_counter() - start


def measure_memory(levels: int, seed: int = 1) -> Tuple[int, int]:
    """Bytes held by an OrderBook loaded with a ``levels``-level snapshot (tracemalloc), and the
    number of levels it holds."""
    snapshot, _ = generate(levels, 0, seed)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used, len(book)


# python-binance sorts its whole book on every read, so "apply + top-10 reads" runs on the first
# READ_EVENTS events only, for both sides.
READ_EVENTS = 1_000

# Runs in python-binance's venv (``python -I``): argv = events file, repeat, read events. Prints one JSON line.
_PYBINANCE_SCRIPT = r"""
import gc, json, sys, time, tracemalloc
import importlib.metadata as metadata
from binance.ws.depthcache import BaseDepthCacheManager, DepthCache, FuturesDepthCacheManager

with open(sys.argv[1], encoding="utf-8") as handle:
    recorded = json.load(handle)
snapshot, events, repeat = recorded["snapshot"], recorded["events"], int(sys.argv[2])
read_events = events[: int(sys.argv[3])]

def loaded(cls):
    manager = cls.__new__(cls)  # the apply logic only: no client, socket or event loop
    manager._depth_cache = DepthCache(snapshot.get("symbol", "BTCUSDT"))
    BaseDepthCacheManager._apply_orders(manager, snapshot)
    return manager

def timed(cls, reads):
    best = None
    for _ in range(repeat):
        manager = loaded(cls)
        apply, cache = manager._apply_orders, manager._depth_cache
        start = time.perf_counter()
        if reads:
            for event in read_events:
                apply(event)
                cache.get_bids()[:10]
                cache.get_asks()[:10]
        else:
            for event in events:
                apply(event)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, manager._depth_cache

apply_s, cache = timed(BaseDepthCacheManager, False)
reads_s, _ = timed(BaseDepthCacheManager, True)
futures_s, _ = timed(FuturesDepthCacheManager, False)
zero = sum(1 for side in (cache._bids, cache._asks) for qty in side.values() if not qty)
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
memory_cache = loaded(BaseDepthCacheManager)._depth_cache
used = tracemalloc.get_traced_memory()[0] - before
tracemalloc.stop()
print(json.dumps({"version": metadata.version("python-binance"), "apply_s": apply_s, "reads_s": reads_s,
                  "read_events": len(read_events),
                  "futures_manager_s": futures_s, "levels": len(cache._bids) + len(cache._asks),
                  "zero_levels": zero, "memory_bytes": used,
                  "memory_levels": len(memory_cache._bids) + len(memory_cache._asks)}))
"""


# Runs in ccxt's venv (``python -I``): argv = events file, repeat, read events, exchangeInfo file. ccxt.pro's
# watch_order_book apply: its binanceusdm.handle_order_book (sequence checks, then handle_deltas into its
# OrderBook) on a book set from the snapshot as watch_order_book sets it, with a stand-in for the socket
# client (an object with the url and a no-op resolve). Reads: 10 levels a side sliced from its sorted sides.
_CCXT_SCRIPT = r"""
import json, sys, time
import importlib.metadata as metadata
import ccxt.pro as ccxtpro

with open(sys.argv[1], encoding="utf-8") as handle:
    recorded = json.load(handle)
with open(sys.argv[4], encoding="utf-8") as handle:
    info = json.load(handle)
snapshot, events, repeat = recorded["snapshot"], recorded["events"], int(sys.argv[2])
read_events = events[: int(sys.argv[3])]
exchange = ccxtpro.binanceusdm()
exchange.set_markets([exchange.parse_market(raw) for raw in info["symbols"]])
symbol = "BTC/USDT:USDT"

class Client:
    url = "wss://fstream.binance.com/ws"
    subscriptions = {}
    def resolve(self, result, message_hash=None):
        return result
    def reject(self, error, message_hash=None):
        raise error

def loaded():
    book = exchange.order_book({})
    parsed = exchange.parse_order_book(snapshot, symbol)
    parsed["nonce"] = snapshot["lastUpdateId"]
    book.reset(parsed)
    exchange.orderbooks[symbol] = book
    return book

def timed(reads):
    best = None
    client = Client()
    handle = exchange.handle_order_book
    for _ in range(repeat):
        book = loaded()
        start = time.perf_counter()
        if reads:
            for event in read_events:
                handle(client, event)
                book["bids"][:10]
                book["asks"][:10]
        else:
            for event in events:
                handle(client, event)
        elapsed = time.perf_counter() - start
        if exchange.orderbooks.get(symbol) is not book or book["nonce"] != (read_events if reads else events)[-1]["u"]:
            raise SystemExit("ccxt dropped the book: the events did not apply cleanly")
        best = elapsed if best is None else min(best, elapsed)
    return best

print(json.dumps({"version": metadata.version("ccxt"), "apply_s": timed(False), "reads_s": timed(True)}))
"""


def run_ccxt(python: str, events_file: str, info_file: str, repeat: int, read_events: int = READ_EVENTS,
             timeout: float = 600.0) -> Dict[str, Any]:
    """Run ccxt.pro's order-book apply on ``events_file`` in its venv; return its figures."""
    with tempfile.TemporaryDirectory() as workdir:
        script = os.path.join(workdir, "ccxt_depth.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(_CCXT_SCRIPT)
        out = subprocess.run([python, "-I", script, events_file, str(repeat), str(read_events), info_file],
                             cwd=workdir, capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pybinance_python() -> Optional[str]:
    """The interpreter of the python-binance bench venv (built on first use), or None if it cannot be had."""
    python = os.environ.get("BENCH_PYBINANCE_PYTHON")
    if python:
        return python
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _venvs

    try:
        return _venvs.ensure_venv("pybinance")
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"python-binance bench venv could not be built: {exc}", file=sys.stderr)
        return None


def run_pybinance(python: str, events_file: str, repeat: int, read_events: int = READ_EVENTS,
                  timeout: float = 600.0) -> Dict[str, Any]:
    """Run python-binance's depth-cache apply on ``events_file`` in its venv; return its figures."""
    with tempfile.TemporaryDirectory() as workdir:
        script = os.path.join(workdir, "pybinance_depth.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(_PYBINANCE_SCRIPT)
        out = subprocess.run([python, "-I", script, events_file, str(repeat), str(read_events)], cwd=workdir,
                             capture_output=True,
                             text=True, timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def record(snapshot: Snapshot, events: List[Event], path: str) -> Tuple[Snapshot, List[Event]]:
    """Write the snapshot and events to ``path`` (JSON) and read them back, as every side sees them."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"snapshot": snapshot, "events": events}, handle, separators=(",", ":"))
    with open(path, encoding="utf-8") as handle:
        recorded = json.load(handle)
    return recorded["snapshot"], recorded["events"]


def compare(events: int, levels: int, seed: int, repeat: int, with_pybinance: bool = True) -> Dict[str, Any]:
    """Ours and python-binance on the same recorded events; every figure in one dict."""
    snapshot, generated = generate(levels, events, seed)
    result: Dict[str, Any] = {"events": events, "levels": levels,
                              "updates": sum(len(e["b"]) + len(e["a"]) for e in generated)}
    python = pybinance_python() if with_pybinance else None
    ccxt_python = None
    if with_pybinance:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import _venvs

        ccxt_python = _venvs.competitor_python("ccxt")
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "events.json")
        snapshot, recorded = record(snapshot, generated, path)
        info_file = None
        if ccxt_python:
            import bench_streams

            info_file = bench_streams.exchange_info_file(workdir)
        ccxt_runs: List[Dict[str, Any]] = []
        del generated
        result["read_events"] = min(READ_EVENTS, len(recorded))
        reads = recorded[: result["read_events"]]
        best: Dict[str, float] = {}
        theirs: List[Dict[str, Any]] = []
        # Rounds alternate the two sides so that a change in the machine's load hits both alike;
        # each side keeps its best of 2 per round (the first pass warms caches up).
        for _ in range(repeat):
            for name, runner, events_used in (("ours", run_ours, recorded), ("floor", run_floor, recorded),
                                              ("ours+top-10-reads", run_ours_with_queries, reads)):
                seconds = min(runner(snapshot, events_used) for _ in range(2))
                best[name] = min(seconds, best.get(name, seconds))
            if python:
                try:
                    theirs.append(run_pybinance(python, path, 2))
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    detail = getattr(exc, "stderr", "") or ""
                    print(f"python-binance run failed: {exc} {detail[-500:]}", file=sys.stderr)
                    python = None
            if ccxt_python and info_file:
                try:
                    ccxt_runs.append(run_ccxt(ccxt_python, path, info_file, 2))
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    detail = getattr(exc, "stderr", "") or ""
                    print(f"ccxt run failed: {exc} {detail[-500:]}", file=sys.stderr)
                    ccxt_python = None
        result.update(best)
        if theirs:
            merged = dict(theirs[0])
            for key in ("apply_s", "reads_s", "futures_manager_s"):
                merged[key] = min(run[key] for run in theirs)
            result["python-binance"] = merged
        if ccxt_runs:
            result["ccxt"] = dict(ccxt_runs[0], apply_s=min(r["apply_s"] for r in ccxt_runs),
                                  reads_s=min(r["reads_s"] for r in ccxt_runs))
    result["memory_bytes"], result["memory_levels"] = measure_memory(levels, seed)
    return result


def print_comparison(result: Dict[str, Any]) -> None:
    """Print the ours-vs-python-binance figures of :func:`compare`."""
    events = result["events"]
    theirs = result.get("python-binance")
    print(f"same recorded events: {events} diff events, {result['updates']} level updates, "
          f"snapshot of {result['levels']} levels")
    print(f"{'ours apply':>34}: {events / result['ours']:>12,.0f} events/s")
    print(f"{'floor (bare dict loop)':>34}: {events / result['floor']:>12,.0f} events/s")
    if theirs:
        label = f"python-binance {theirs['version']}"
        print(f"{label + ' apply':>34}: {events / theirs['apply_s']:>12,.0f} events/s  "
              f"(ratio ours/theirs {theirs['apply_s'] / result['ours']:.2f}x, goal >= 2x; "
              f"floor/theirs {theirs['apply_s'] / result['floor']:.2f}x)")
        reads = result["read_events"]
        print(f"{'ours apply + top-10 reads':>34}: {reads / result['ours+top-10-reads']:>12,.0f} events/s  "
              f"(first {reads} events)")
        print(f"{'python-binance apply + top-10':>34}: {reads / theirs['reads_s']:>12,.0f} events/s  "
              f"(ratio {theirs['reads_s'] / result['ours+top-10-reads']:.2f}x)")
        print(f"{'python-binance futures manager':>34}: {events / theirs['futures_manager_s']:>12,.0f} events/s  "
              "(info only: replaces the book with each message, no merge, no sequence check)")
        print(f"{'python-binance final book':>34}: {theirs['levels']} levels, {theirs['zero_levels']} of them "
              "zero-quantity (its add_bid/add_ask delete only the exact string '0.00000000')")
        print(f"{'python-binance memory':>34}: {theirs['memory_bytes'] / 1024:,.0f} KiB for a "
              f"{theirs['memory_levels']}-level book")
    else:
        print(f"{'python-binance':>34}: not measured")
    print(f"{'ours memory':>34}: {result['memory_bytes'] / 1024:,.0f} KiB for a {result['memory_levels']}-level "
          f"book ({result['memory_bytes'] / result['memory_levels']:.0f} bytes/level)")


def run(quick: bool = False) -> List[Any]:
    """Rows for ``bench/run.py``: events/s ours vs python-binance (apply; apply + reads) and memory."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _table import Row

    events, repeat = (20_000, 1) if quick else (200_000, 2)
    result = compare(events, 5_000, 1, repeat)
    print_comparison(result)
    theirs = result.get("python-binance") or {}
    ccxt = result.get("ccxt") or {}
    label = "python-binance"
    note = ("same recorded events, each peer in its own venv: python-binance's diff merge "
            "(BaseDepthCacheManager._apply_orders, no sequence checks), ccxt.pro's watch_order_book apply "
            "(binanceusdm.handle_order_book, with its sequence checks)")
    reads = result["read_events"]
    return [
        Row("order book", "diff events applied", "events/s", events / result["ours"], floor=events / result["floor"],
            floor_label="bare dict loop", higher_is_better=True, ratio_min=2.0, note=note,
            peers={"python-binance": events / theirs["apply_s"] if theirs else None,
                   "ccxt": events / ccxt["apply_s"] if ccxt else None}),
        Row("order book", "events applied + top-10 reads", "events/s", reads / result["ours+top-10-reads"],
            higher_is_better=True, ratio_min=2.0,
            peers={"python-binance": reads / theirs["reads_s"] if theirs else None,
                   "ccxt": reads / ccxt["reads_s"] if ccxt else None},
            note=f"first {reads} events; best bid/ask and 10 levels a side read after each"),
        Row("order book", f"memory of a {result['memory_levels']}-level book", "KiB", result["memory_bytes"] / 1024,
            theirs["memory_bytes"] / 1024 if theirs else None, theirs_label=label,
            note="python-binance keeps floats; ours keeps the received price and quantity strings and a "
                 "sorted index of C doubles"),
    ]


def main(argv: List[str] = None) -> None:
    """Run every registered implementation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--levels", type=int, default=5_000, help="levels in the snapshot (both sides)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--only", action="append", help="run only these implementations")
    parser.add_argument("--no-python-binance", action="store_true", help="skip the python-binance comparison")
    args = parser.parse_args(argv)

    snapshot, events = generate(args.levels, args.events, args.seed)
    updates = sum(len(e["b"]) + len(e["a"]) for e in events)
    print(f"python {sys.version.split()[0]}; {len(events)} diff events, {updates} level updates "
          f"({updates / len(events):.1f}/event), snapshot of {args.levels} levels, seed {args.seed}")
    results: Dict[str, float] = {}
    for name, runner in IMPLEMENTATIONS.items():
        if args.only and name not in args.only:
            continue
        best = min(runner(snapshot, events) for _ in range(args.repeat))
        results[name] = best
        print(f"{name:>24}: {len(events) / best:>12,.0f} events/s  {updates / best:>12,.0f} level updates/s  "
              f"({best:.3f}s, best of {args.repeat})")
    if "ours" in results:
        for name, seconds in results.items():
            if not name.startswith("ours"):
                print(f"{'ours vs ' + name:>24}: {seconds / results['ours']:.2f}x")
    used, held = measure_memory(args.levels, args.seed)
    print(f"{'memory':>24}: {used / 1024:,.0f} KiB for a {held}-level book ({used / held:.0f} bytes/level)")
    if not args.no_python_binance and not args.only:
        print()
        print_comparison(compare(args.events, args.levels, args.seed, args.repeat))


if __name__ == "__main__":
    main()
