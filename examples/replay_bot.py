"""Replay a market file against the bundled grid bot: the bot meets a recorded market, offline.

Run: python examples/replay_bot.py [FILE ...] [--speed 1] [--seconds 20] [--loop]

FILE: recordings made with ``python -m binance.record`` and/or Binance archive files
(``BTCUSDT-aggTrades-2026-11-01.zip`` ...) of USDⓈ-M BTCUSDT. With no FILE, the example first
records ``--record-seconds`` of BTCUSDT depth, trades and book ticker from a throwaway simulated
sandbox (with the library's recorder), then replays that. The replay runs in a fresh sandbox
(``Sandbox(replay=[...])``): BTCUSDT's market data comes from the files, and the grid bot
(examples/bots/grid_bot.py) trades against it exactly as it would against Binance.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "bots"))

from _common import Target  # noqa: E402
from grid_bot import main as run_grid  # noqa: E402

from binance.record import Recorder, read_records  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402

STREAMS = ["btcusdt@depth@100ms", "btcusdt@aggTrade", "btcusdt@bookTicker", "btcusdt@markPrice@1s"]


def record_sample(path: str, seconds: float) -> None:
    """Record ``seconds`` of BTCUSDT from a throwaway simulated sandbox into ``path``."""
    with Sandbox(seed=11, tick_interval=0.05) as live:
        with Recorder(path, STREAMS, stream_url=live.um_stream_url, base_url=live.um_rest_url) as rec:
            rec.wait(seconds)
    messages = sum(1 for r in read_records(path) if r.kind == "message")
    print(f"recorded {messages} messages of {', '.join(STREAMS)} into {path}")


def main(files: List[str], speed: float, seconds: float, loop: bool) -> bool:
    """Replay ``files`` in a sandbox and run the grid bot against it for ``seconds``."""
    with Sandbox(replay=files, speed=speed, loop=loop) as sb:
        print(f"replaying {', '.join(os.path.basename(f) for f in files)} at speed {speed:g}"
              f"{' (looping)' if loop else ''}: symbols {sorted(sb.replay.symbols)}")
        time.sleep(0.5)  # the first book arrives
        return run_grid(Target.from_sandbox(sb, "um"), seconds=seconds, levels=3, step_bps=2.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", metavar="FILE")
    parser.add_argument("--speed", type=float, default=1.0, help="multiple of real time (default 1)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the bot runs")
    parser.add_argument("--record-seconds", type=float, default=25.0, help="sample length when no FILE is given")
    parser.add_argument("--loop", action="store_true", help="start the files again when they end")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        files = args.files
        if not files:
            files = [os.path.join(tmp, "btcusdt.jsonl.gz")]
            record_sample(files[0], args.record_seconds)
        ok = main(files, args.speed, args.seconds, args.loop)
    sys.exit(0 if ok else 1)
