"""Run by the official 4.2.0 connector in its own venv: subscribe to streams, print every message.

    python official_replay_client.py --stream-url URL --count N --deadline S STREAM...

Prints one JSON line per combined-stream message received (``{"stream", "data"}``), then exits
after N messages or S seconds. The first line is ``{"ready": true}`` once the client was built.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stream-url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--deadline", type=float, default=40.0)
    parser.add_argument("streams", nargs="+")
    args = parser.parse_args()
    done = threading.Event()
    seen = [0]
    lock = threading.Lock()

    def on_message(_client, message):
        doc = json.loads(message)
        if "stream" not in doc:
            return
        with lock:
            sys.stdout.write(json.dumps(doc) + "\n")
            sys.stdout.flush()
            seen[0] += 1
            if seen[0] >= args.count:
                done.set()

    client = UMFuturesWebsocketClient(stream_url=args.stream_url, on_message=on_message, is_combined=True)
    client.subscribe(args.streams)
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    done.wait(args.deadline)
    threading.Thread(target=client.stop, daemon=True).start()
    time.sleep(0.2)


if __name__ == "__main__":
    main()
