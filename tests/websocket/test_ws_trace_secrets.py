"""With websocket-client's trace on and every logger at DEBUG, no API key, signature or listenKey is logged."""

from __future__ import annotations

import io
import logging
import re
import time

import pytest
import websocket

pytest.importorskip("aiohttp")

from binance.sandbox import Sandbox  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402
from binance.websocket.api import UMFuturesWebsocketAPIClient  # noqa: E402
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient  # noqa: E402

pytestmark = pytest.mark.timeout(60)

_UNMASKED_SIGNATURE = re.compile(r"signature(=|\"\s*:\s*\")(?!\*\*\*)[0-9a-fA-F]{16,}")


@pytest.fixture
def everything_logged():
    """websocket.enableTrace(True) plus every logger at DEBUG into one buffer; restored afterwards."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    trace_handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    saved = {name: lg.level for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    websocket.enableTrace(True, handler=trace_handler)
    try:
        yield buffer
    finally:
        websocket.enableTrace(False)
        logging.getLogger("websocket").removeHandler(trace_handler)
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _secrets_found(text: str, secrets) -> int:
    return sum(text.count(secret) for secret in secrets) + len(_UNMASKED_SIGNATURE.findall(text))


def test_no_secret_in_any_log_with_websocket_trace_on(everything_logged):
    with Sandbox(seed=3, tick_interval=0.05) as sb:
        rest = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url)
        listen_key = rest.new_listen_key()["listenKey"]
        received: list = []
        stream = UMFuturesWebsocketClient(sb.um_stream_url, on_message=lambda _c, m: received.append(m))
        api = UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url, timeout=5)
        try:
            stream.subscribe(listen_key)
            stream.agg_trade("btcusdt")
            api.send_request("account.status", {})
            ws_key = api.send_request("userDataStream.start", {})["listenKey"]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any("aggTrade" in str(m) for m in received):
                time.sleep(0.05)
            stream.list_subscribe()
            time.sleep(0.3)
        finally:
            stream.stop()
            api.stop()
    text = everything_logged.getvalue()
    assert "++Sent" in text and "request header" in text  # the trace was really on
    secrets = {sb.api_key, sb.api_secret, listen_key, ws_key}
    found = _secrets_found(text, secrets)
    print(f"\nsecrets found in {len(text)} characters of DEBUG log with websocket trace on: {found}")
    assert found == 0
