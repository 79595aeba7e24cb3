"""Order-book benchmark: diff events applied per second, and the memory of a 5,000-level book.

    python bench/bench_orderbook.py [--events 200000] [--levels 5000] [--seed 1] [--repeat 3]

The event stream is generated from a seed (reproducible): a futures diff-depth stream in
Binance's wire format (strings), around a slowly moving mid price, with level changes, new levels
and removals. Every implementation in ``IMPLEMENTATIONS`` replays the same snapshot and events;
add another with :func:`register` (a function ``(snapshot, events) -> seconds`` that builds its
book from ``snapshot`` untimed, then times applying ``events``). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Tuple

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
        mid += rng.choice((-1, 0, 0, 1))
        b: List[List[str]] = []
        a: List[List[str]] = []
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


def main(argv: List[str] = None) -> None:
    """Run every registered implementation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--levels", type=int, default=5_000, help="levels in the snapshot (both sides)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--only", action="append", help="run only these implementations")
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


if __name__ == "__main__":
    main()
