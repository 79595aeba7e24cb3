"""Load and fault runs: 4 processes x 2 threads (one placing orders, one querying, as fast as they
may) against one sandbox allowing 300 weight a minute and 50 orders per 10 s, for 30 s.

* with one shared redis store: no 429 and no 418, and at least 80% of the budget used;
* the same run with each process guarding only itself (the baseline, against its own sandbox, at
  the same time) shows the 429s the store prevents;
* Redis killed in the middle of a run and started again: no hang, no crash, every process keeps
  trading on its own guard, logs the fallback once and the recovery once, and counts into the store
  again afterwards.

The runs are aligned so that they start 0.25 s into a sandbox minute and end just before its
30th second: the weight budget is one minute window (300), the order budget three 10 s windows (150).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, Dict, List

import pytest

pytest.importorskip("aiohttp")

from binance._limit_store import RETRY_INTERVAL  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402

WORKER = os.path.join(os.path.dirname(__file__), "load_worker.py")
PROCESSES = 4
WEIGHT_LIMIT, ORDER_LIMIT = 300, 50
START_MS, END_MS = 250, 29_900  # within the sandbox minute
DURATION = (END_MS - START_MS) / 1000
WEIGHT_BUDGET, ORDER_BUDGET = WEIGHT_LIMIT, ORDER_LIMIT * 3


def _sandbox() -> Sandbox:
    return Sandbox(seed=5, tick_interval=None,
                   limits=RateLimits(weight_per_minute=WEIGHT_LIMIT, orders_per_10s=ORDER_LIMIT)).start()


class Run:
    """Worker processes against one sandbox, with or without a store."""

    def __init__(self, sb: Sandbox, store: Any) -> None:
        self.sb = sb
        config = {"key": sb.api_key, "secret": sb.api_secret, "base_url": sb.um_rest_url, "store": store}
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        self.procs = [
            subprocess.Popen([sys.executable, WORKER, json.dumps(config)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(PROCESSES)
        ]
        for proc in self.procs:
            line = proc.stdout.readline().strip()
            assert line == "ready", (line, proc.stderr.read() if proc.poll() is not None else "")

    def go(self, start: float, end: float) -> None:
        for proc in self.procs:
            proc.stdin.write(json.dumps({"start": start, "end": end}) + "\n")
            proc.stdin.flush()

    def results(self, timeout: float) -> Dict[str, Any]:
        totals: Dict[str, Any] = {"weight": 0, "orders": 0, "429": 0, "418": 0, "guard_refusals": 0, "other": 0,
                                  "order_times": [], "limited_times": [], "messages": [], "stderr": []}
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            assert proc.returncode == 0, err
            counts = json.loads(out.strip().splitlines()[-1])
            for key, value in counts.items():
                totals[key] += value
            totals["stderr"].append(err)
        totals["weight_use"] = totals["weight"] / WEIGHT_BUDGET
        totals["order_use"] = totals["orders"] / ORDER_BUDGET
        return totals

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


def _align(sandboxes: List[Sandbox], lead: float = 2.5) -> float:
    """Skew the sandboxes' clocks so that their time is START_MS into a minute ``lead`` s from now;
    return that moment (epoch seconds)."""
    start_ms = int((time.time() + lead) * 1000)
    for sb in sandboxes:
        sb.faults.skew_clock((START_MS - start_ms % 60_000) % 60_000)
    return start_ms / 1000


def _summary(name: str, totals: Dict[str, Any]) -> str:
    return (f"{name}: 429s={totals['429']} 418s={totals['418']} weight={totals['weight']}/{WEIGHT_BUDGET} "
            f"({totals['weight_use']:.0%}) orders={totals['orders']}/{ORDER_BUDGET} ({totals['order_use']:.0%}) "
            f"guard_refusals={totals['guard_refusals']} other_errors={totals['other']} {totals['messages'][:2]}")


def _timeline(totals: Dict[str, Any], start: float) -> str:
    """Orders placed in each 10 s window of the run, and when the 429/418s came (s into the run)."""
    offset = START_MS / 1000 - start  # epoch seconds -> seconds into the sandbox minute
    per_window = [sum(1 for t in totals["order_times"] if lo <= t + offset < lo + 10) for lo in (0, 10, 20)]
    limited = sorted(round(t - start, 2) for t in totals["limited_times"])
    return f"orders per 10 s window {per_window}, 429/418s at {limited} s"


@pytest.mark.timeout(180)
def test_a_shared_store_keeps_four_processes_under_the_limits_and_uses_the_budget(redis_server):
    shared_sb, baseline_sb = _sandbox(), _sandbox()
    runs: List[Run] = []
    try:
        runs = [Run(shared_sb, redis_server.url), Run(baseline_sb, None)]
        start = _align([shared_sb, baseline_sb])
        for run in runs:
            run.go(start, start + DURATION)
        shared, baseline = (run.results(DURATION + 60) for run in runs)
        print("\n" + _summary("shared store", shared) + "\n" + _summary("baseline (no store)", baseline))
        for name, totals in (("shared", shared), ("baseline", baseline)):
            print(f"{name}: {_timeline(totals, start)}")
        assert shared["429"] == 0 and shared["418"] == 0, _summary("shared", shared)
        assert shared["weight_use"] >= 0.8 and shared["order_use"] >= 0.8, _summary("shared", shared)
        assert shared["weight_use"] <= 1.0 and shared["order_use"] <= 1.0
        assert shared["other"] == 0, shared["messages"]
        assert shared["weight"] <= shared_sb.limiter.used_weight("127.0.0.1") <= WEIGHT_LIMIT  # the server agrees
        assert baseline["429"] + baseline["418"] > 0, _summary("baseline", baseline)  # the load does overshoot
    finally:
        for run in runs:
            run.kill()
        shared_sb.stop()
        baseline_sb.stop()


@pytest.mark.timeout(150)
def test_redis_killed_mid_run_falls_back_and_recovers_without_a_hang(redis_server):
    sb = _sandbox()
    run = None
    try:
        run = Run(sb, redis_server.url)
        start = _align([sb])
        end = start + DURATION
        run.go(start, end)
        time.sleep(max(0.0, start + 6 - time.time()))
        killed_at = time.time()
        redis_server.kill()
        time.sleep(max(0.0, start + 13 - time.time()))
        restarted_at = time.time()
        redis_server.start()
        totals = run.results(DURATION + 60)  # every process answers by the end: nothing hung or crashed
        print("\n" + _summary("redis killed at 6 s, back at 13 s", totals))
        fallbacks = [line for err in totals["stderr"] for line in err.splitlines() if "unreachable" in line]
        recoveries = [line for err in totals["stderr"] for line in err.splitlines() if "reachable again" in line]
        print("\n".join(["log lines:"] + fallbacks + recoveries))
        for err in totals["stderr"]:  # each process: one warning for the outage, one for the recovery
            lines = err.splitlines()
            assert len([x for x in lines if "unreachable" in x]) == 1, err
            assert len([x for x in lines if "reachable again" in x]) == 1, err
        during = [t for t in totals["order_times"] if killed_at + 1 < t < restarted_at]
        after = [t for t in totals["order_times"] if t > restarted_at + RETRY_INTERVAL + 0.5]
        assert during, "no order was placed while redis was down: trading stopped"
        assert after, "no order was placed after redis came back"
        assert totals["418"] == 0
        recovered_by = restarted_at + RETRY_INTERVAL + 0.5
        print(_timeline(totals, start))
        assert all(killed_at < t < recovered_by for t in totals["limited_times"]), "a 429 outside the outage"
        r = redis_server.client()
        assert list(r.scan_iter("*:account:*")), "the restarted store was not used again"
        # no query ran after the restart (the minute's weight was spent): the restarted store knows the
        # weight used only because the processes pushed what they had counted meanwhile
        used = sb.limiter.used_weight("127.0.0.1")
        assert used > 0 and [int(r.get(key)) for key in r.scan_iter("*:ip:default:um:1M:*")] == [used]
    finally:
        if run is not None:
            run.kill()
        sb.stop()
