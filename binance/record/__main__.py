"""`python -m binance.record`: record market streams to a gzip JSON Lines file until Ctrl-C (or `--seconds`).

Prints one JSON line on stdout when done: `out`, `messages`, `snapshots`, `gaps`. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from typing import List, Optional

from binance.record.recorder import ENVIRONMENTS, Recorder


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="python -m binance.record", description=__doc__.splitlines()[0])
    p.add_argument("streams", nargs="+", metavar="STREAM", help="stream names, e.g. btcusdt@depth@100ms")
    p.add_argument("--out", required=True, metavar="FILE", help="the recording to write (gzip JSON Lines)")
    p.add_argument("--market", choices=("um", "cm"), default="um", help="um (USDⓈ-M, default) or cm (COIN-M)")
    p.add_argument("--seconds", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    p.add_argument("--stream-url", help="stream base URL (e.g. a sandbox's um_stream_url)")
    p.add_argument("--base-url", help="REST base URL for depth snapshots (e.g. a sandbox's um_rest_url)")
    p.add_argument("--environment", choices=ENVIRONMENTS,
                   help="Binance endpoints to use when no URL is given (default production; demo: demo trading)")
    p.add_argument("--snapshot-limit", type=int, default=1000, help="depth snapshot limit (default 1000)")
    p.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    return p


def recorder_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Recorder:
    """The (not started) recorder the parsed command line asks for; exits with a usage error on a bad mix."""
    if args.environment and (args.stream_url or args.base_url):
        parser.error("--environment cannot be combined with --stream-url / --base-url")
    return Recorder(args.out, args.streams, market=args.market, stream_url=args.stream_url,
                    base_url=args.base_url, environment=args.environment, snapshot_limit=args.snapshot_limit)


def main(argv: Optional[List[str]] = None) -> int:
    """Record; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    recorder = recorder_from_args(parser, args)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package_logger = logging.getLogger("binance")
    package_logger.addHandler(handler)
    package_logger.setLevel(args.log_level.upper())

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    recorder.start()
    try:
        stop.wait(args.seconds)
    finally:
        recorder.stop()
    summary = {"out": args.out, "messages": recorder.messages, "snapshots": recorder.snapshots, "gaps": recorder.gaps}
    sys.stdout.write(json.dumps(summary) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
