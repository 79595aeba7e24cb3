"""One load-test process: one UMFutures client, one thread placing orders and one querying, both as
fast as the guard lets them, from a start time until an end time given on stdin.

Usage: ``python load_worker.py '<json config>'``; prints ``ready`` once set up, reads one line
``{"start": epoch_s, "end": epoch_s}`` from stdin, and prints one JSON line of counts at the end.
Warnings (the store's fallback and recovery lines) go to stderr, one record per line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from typing import Any, Dict, List

from binance.error import ClientError, Error
from binance.ratelimit import RateLimitGuardError, request_cost
from binance.um_futures import UMFutures


def main() -> None:
    config = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s pid=%(process)d %(name)s %(levelname)s %(message)s")
    client = UMFutures(config["key"], config["secret"], base_url=config["base_url"], sync_time=True,
                       rate_limit_guard=True, rate_limit_store=config.get("store"))
    print("ready", flush=True)
    times = json.loads(sys.stdin.readline())
    client.synchronize_time()
    client.exchange_filters()  # the limits, before the start (in the window before)
    start, end = float(times["start"]), float(times["end"])
    time.sleep(max(0.0, start - time.time()))
    counts: Dict[str, Any] = {"weight": 0, "orders": 0, "429": 0, "418": 0, "guard_refusals": 0, "other": 0,
                              "order_times": [], "limited_times": [], "messages": []}
    lock = threading.Lock()

    def record(kind: str, amount: int = 1, message: str = "") -> None:
        with lock:
            if time.time() <= end:
                counts[kind] += amount
                if kind in ("418", "429"):
                    counts["limited_times"].append(time.time())
                if message and len(counts["messages"]) < 8:
                    counts["messages"].append(f"{time.time() - start:.2f}s {message}")

    def orders() -> None:
        index = 0
        while time.time() < end:
            index += 1
            try:
                client.new_order(symbol="BTCUSDT", side="BUY" if index % 2 else "SELL", type="MARKET",
                                 quantity="0.002")
                record("orders")
                with lock:
                    counts["order_times"].append(time.time())
            except RateLimitGuardError as exc:
                record("guard_refusals")
                time.sleep(max(0.0, min(exc.retry_after, end - time.time())))
            except ClientError as exc:
                record(str(exc.status_code) if exc.status_code in (418, 429) else "other", message=str(exc))
            except Error as exc:
                record("other", message=str(exc))

    def queries() -> None:
        calls: List[Any] = [
            ("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 5}, lambda: client.depth("BTCUSDT", limit=5)),
            ("GET", "/fapi/v1/ticker/price", {"symbol": "BTCUSDT"}, lambda: client.ticker_price("BTCUSDT")),
            ("GET", "/fapi/v3/account", {}, lambda: client.account()),
        ]
        index = 0
        while time.time() < end:
            method, path, params, call = calls[index % len(calls)]
            index += 1
            try:
                call()
                record("weight", request_cost(method, path, params)[0])
            except ClientError as exc:
                record(str(exc.status_code) if exc.status_code in (418, 429) else "other", message=str(exc))
            except Error as exc:
                record("other", message=str(exc))

    threads = [threading.Thread(target=target, daemon=True) for target in (orders, queries)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, end - time.time()))
    with lock:
        print(json.dumps(counts), flush=True)
    sys.stderr.flush()
    os._exit(0)  # a query thread may still be waiting for the next minute in the guard


if __name__ == "__main__":
    main()
