"""The peers' WebSocket API order round trip (place, then cancel), run in each peer's own bench venv.

    <peer venv>/bin/python bench/_ws_api_peers.py IMPL WS_URL REST_URL API_KEY API_SECRET PRICE N WARMUP

``IMPL`` is ``sdk`` (the modular SDK's ``websocket_api.new_order`` / ``cancel_order``), ``ccxt``
(ccxt.pro ``binanceusdm.create_order_ws`` / ``cancel_order_ws``) or ``pybinance`` (python-binance
``AsyncClient.ws_futures_create_order`` / ``ws_futures_cancel_order``). Prints one JSON line: the
round trips in milliseconds. Standard library only at the top: the peer's venv has nothing of ours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from typing import Any, Awaitable, Callable, List, Tuple

SYMBOL = "BTCUSDT"
QUANTITY = "0.003"

RoundTrip = Callable[[], Awaitable[Any]]


async def sdk_trip(ws_url: str, rest_url: str, key: str, secret: str, price: str) -> RoundTrip:
    from binance_common.configuration import ConfigurationWebSocketAPI
    from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
        DerivativesTradingUsdsFutures,
    )
    from binance_sdk_derivatives_trading_usds_futures.websocket_api.models import (
        NewOrderSideEnum,
        NewOrderTimeInForceEnum,
        NewOrderTypeEnum,
    )

    client = DerivativesTradingUsdsFutures(
        config_ws_api=ConfigurationWebSocketAPI(api_key=key, api_secret=secret, stream_url=ws_url))
    connection = await client.websocket_api.create_connection()
    api = connection if connection is not None else client.websocket_api

    async def trip() -> None:
        placed = await api.new_order(symbol=SYMBOL, side=NewOrderSideEnum["BUY"].value,
                                     type=NewOrderTypeEnum["LIMIT"].value,
                                     time_in_force=NewOrderTimeInForceEnum["GTC"].value,
                                     quantity=float(QUANTITY), price=float(price))
        order_id = placed.data().result.order_id
        cancelled = await api.cancel_order(symbol=SYMBOL, order_id=order_id)
        cancelled.data()

    return trip


async def ccxt_trip(ws_url: str, rest_url: str, key: str, secret: str, price: str) -> RoundTrip:
    import ccxt.pro as ccxtpro

    exchange = ccxtpro.binanceusdm({"enableRateLimit": False})
    host = rest_url.rstrip("/")
    for name, value in list(exchange.urls["api"].items()):
        if isinstance(value, str) and "fapi.binance.com" in value:
            exchange.urls["api"][name] = host + value.split("fapi.binance.com", 1)[1]
    exchange.urls["api"]["ws"]["ws-api"]["linear"] = ws_url
    await exchange.load_markets()  # keys set after: with keys, ccxt also loads margin pairs from the spot API
    exchange.apiKey, exchange.secret = key, secret
    symbol = "BTC/USDT:USDT"

    async def trip() -> None:
        placed = await exchange.create_order_ws(symbol, "limit", "buy", float(QUANTITY), float(price))
        await exchange.cancel_order_ws(placed["id"], symbol)

    return trip


async def pybinance_trip(ws_url: str, rest_url: str, key: str, secret: str, price: str) -> RoundTrip:
    from binance.async_client import AsyncClient
    from binance.ws.websocket_api import WebsocketAPI

    client = AsyncClient(key, secret)
    client.ws_future = WebsocketAPI(url=ws_url, tld="com")

    async def trip() -> None:
        placed = await client.ws_futures_create_order(symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC",
                                                      quantity=QUANTITY, price=price)
        await client.ws_futures_cancel_order(symbol=SYMBOL, orderId=placed["orderId"])

    return trip


TRIPS = {"sdk": sdk_trip, "ccxt": ccxt_trip, "pybinance": pybinance_trip}


async def measure(impl: str, ws_url: str, rest_url: str, key: str, secret: str, price: str, n: int,
                  warmup: int) -> Tuple[List[float], List[float]]:
    """``n`` timed round trips (ms, and the process's CPU µs each) after ``warmup`` untimed ones."""
    trip = await TRIPS[impl](ws_url, rest_url, key, secret, price)
    for _ in range(warmup):
        await trip()
    samples, cpu = [], []
    clock, cpu_clock = time.perf_counter, time.process_time
    for _ in range(n):
        cpu_started, started = cpu_clock(), clock()
        await trip()
        samples.append((clock() - started) * 1000)
        cpu.append((cpu_clock() - cpu_started) * 1e6)
    return samples, cpu


def main() -> None:
    """Command line (see the module docstring)."""
    impl, ws_url, rest_url, key, secret, price, n, warmup = sys.argv[1:9]
    logging.disable(logging.CRITICAL)
    loop = asyncio.new_event_loop()
    try:
        samples, cpu = loop.run_until_complete(measure(impl, ws_url, rest_url, key, secret, price, int(n),
                                                       int(warmup)))
        print(json.dumps({"samples": samples, "cpu": cpu}), flush=True)
    except Exception as exc:  # reported by the parent as n/a with this text
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:400]}), flush=True)
    os._exit(0)  # the peers' shutdowns can hang


if __name__ == "__main__":
    main()
