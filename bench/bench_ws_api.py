"""Order round trip (place, then cancel) over the WebSocket API and over REST, against one sandbox.

Prints p50 / p99 / mean in milliseconds side by side, and the ratio of the p50s. No asserts.

    python bench/bench_ws_api.py [--n 300] [--warmup 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Callable, List

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


def _measure(round_trip: Callable[[int], None], n: int, warmup: int) -> List[float]:
    for i in range(warmup):
        round_trip(-1 - i)
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        round_trip(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def main() -> None:
    """Run both round trips and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="measured round trips per transport")
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    with Sandbox(seed=1, tick_interval=None, limits=UNLIMITED) as sb:
        rest = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url)
        ws = UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url)
        try:
            price = float(ws.ticker_price(symbol=SYMBOL)["price"])
            resting = f"{price * 0.8:.1f}"
            order = {"timeInForce": "GTC", "quantity": "0.003", "price": resting}

            def ws_round_trip(i: int) -> None:
                placed = ws.order_place(SYMBOL, "BUY", "LIMIT", **order)
                ws.order_cancel(SYMBOL, orderId=placed["orderId"])

            def rest_round_trip(i: int) -> None:
                placed = rest.new_order(symbol=SYMBOL, side="BUY", type="LIMIT", **order)
                rest.cancel_order(symbol=SYMBOL, orderId=placed["orderId"])

            rest_ms = _measure(rest_round_trip, args.n, args.warmup)
            ws_ms = _measure(ws_round_trip, args.n, args.warmup)
        finally:
            ws.stop()

    print(f"order round trip (place + cancel), {args.n} samples each, sandbox on 127.0.0.1")
    print(f"{'':10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name, samples in (("WS API", ws_ms), ("REST", rest_ms)):
        print(f"{name:10}{_percentile(samples, 0.5):10.3f}{_percentile(samples, 0.99):10.3f}"
              f"{statistics.fmean(samples):10.3f}")
    ratio = _percentile(ws_ms, 0.5) / _percentile(rest_ms, 0.5)
    print(f"WS API p50 / REST p50 = {ratio:.2f} (goal <= 0.50)")


if __name__ == "__main__":
    main()
