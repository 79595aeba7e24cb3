"""examples/replay_bot.py: records a short sample from a simulated sandbox, replays it, runs the grid bot on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]


def test_replay_bot_runs_the_grid_on_a_replayed_market() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "replay_bot.py"), "--record-seconds", "4",
                           "--seconds", "4"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "recorded" in done.stdout and "replaying btcusdt.jsonl.gz" in done.stdout
    assert "done:" in done.stdout and "Traceback" not in done.stderr
