"""`python -m binance.sandbox`: run a local Binance futures exchange until SIGINT or SIGTERM.

Once listening it prints exactly one JSON line on stdout: the URLs (`um_rest_url`,
`cm_rest_url`, `um_stream_url`, `cm_stream_url`, `um_ws_api_url`, `cm_ws_api_url`,
`admin_url`), `api_key`, `admin_token` (for the `/admin/*` paths; new each run), and `api_secret`
when it made one up. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from typing import List, Optional, Union

from binance.sandbox.ratelimit import RateLimits


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="python -m binance.sandbox", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free port)")
    p.add_argument("--api-key", help="API key of the funded account (default: made up)")
    p.add_argument("--api-secret", help="HMAC secret of --api-key (default: made up unless a public key is given)")
    p.add_argument("--rsa-public-key", metavar="FILE", help="PEM RSA public key attached to --api-key")
    p.add_argument("--ed25519-public-key", metavar="FILE", help="PEM Ed25519 public key attached to --api-key")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated market (default 1)")
    p.add_argument("--tick-interval", type=float, default=0.1, help="seconds between market steps (default 0.1)")
    p.add_argument("--ping-interval", type=float, default=180.0, help="server ping interval, s (default 180)")
    p.add_argument("--pong-timeout", type=float, default=600.0, help="disconnect without pong after, s (default 600)")
    p.add_argument("--listen-key-ttl", type=float, default=3600.0, help="listenKey validity, s (default 3600)")
    p.add_argument("--weight-limit", type=int, default=2400, help="request weight per minute per IP (default 2400)")
    p.add_argument("--strict-routing", action="store_true",
                   help="unrouted UM stream URLs carry public streams only, as Binance since 2026-04-23")
    p.add_argument("--replay", nargs="+", metavar="FILE",
                   help="replay these recordings / Binance archive files (their symbols' market data)")
    p.add_argument("--speed", default="1",
                   help="replay speed: a multiple of real time (default 1), max, or manual")
    p.add_argument("--loop", action="store_true", help="start the replayed files again when they end")
    p.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    return p


def _speed(text: str) -> Union[float, str]:
    if text in ("max", "manual"):
        return text
    try:
        value = float(text)
    except ValueError:
        raise SystemExit(f"--speed must be a number, max or manual, not {text!r}") from None
    if value <= 0:
        raise SystemExit("--speed must be > 0")
    return value


def main(argv: Optional[List[str]] = None) -> int:
    """Run the sandbox; return the exit status."""
    args = build_parser().parse_args(argv)
    if not args.api_key and (args.api_secret or args.rsa_public_key or args.ed25519_public_key):
        build_parser().error("--api-secret / --rsa-public-key / --ed25519-public-key need --api-key")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package_logger = logging.getLogger("binance")
    package_logger.addHandler(handler)
    package_logger.setLevel(args.log_level.upper())

    from binance.sandbox._extra import MISSING_EXTRA, require_aiohttp

    try:
        require_aiohttp()
    except ModuleNotFoundError:
        sys.stderr.write(MISSING_EXTRA + "\n")
        return 2
    from binance.sandbox.sandbox import Sandbox

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sandbox = Sandbox(
        seed=args.seed,
        api_key=args.api_key,
        api_secret=args.api_secret,
        rsa_public_key=args.rsa_public_key,
        ed25519_public_key=args.ed25519_public_key,
        host=args.host,
        port=args.port,
        ping_interval=args.ping_interval,
        pong_timeout=args.pong_timeout,
        listen_key_ttl=args.listen_key_ttl,
        tick_interval=args.tick_interval or None,
        limits=RateLimits(weight_per_minute=args.weight_limit),
        strict_routing=args.strict_routing,
        replay=args.replay,
        speed=_speed(args.speed),
        loop=args.loop,
    )
    sandbox.start()
    try:
        info = sandbox.info(include_secret=sandbox.made_up_secret)
        info["admin_token"] = sandbox.admin_token  # the admin paths need it; a new one each run
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
