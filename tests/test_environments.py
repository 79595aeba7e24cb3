"""`environment=` on every client: one word picks REST, streams, WebSocket API and user data together.

Named environments are checked on the real connection path: the suite's network guard refuses the
connection, and the host the client tried is the one the environment names. The sandbox environment
is checked end to end.
"""

from __future__ import annotations

import threading
import time
from typing import List

import pytest
from netguard import netguard

from binance.cm_futures import CMFutures
from binance.environments import (
    DEMO,
    ENVIRONMENTS,
    PRODUCTION,
    TESTNET,
    Environment,
    environment_of_rest_url,
    get_environment,
    sandbox_environment,
)
from binance.error import ConnectError
from binance.um_futures import UMFutures
from binance.websocket.api import CMFuturesWebsocketAPIClient, UMFuturesWebsocketAPIClient
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0]


def _refused_lookups(timeout: float = 5.0) -> List[str]:
    deadline = time.monotonic() + timeout
    while not netguard.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    return sorted(set(netguard.take()))


def test_names_and_the_rest_urls() -> None:
    assert set(ENVIRONMENTS) == {"production", "testnet", "demo"}
    assert get_environment("Testnet") is TESTNET
    assert UMFutures().base_url == PRODUCTION.um_rest_url == "https://fapi.binance.com"
    assert UMFutures(environment="demo").base_url == "https://demo-fapi.binance.com"
    assert CMFutures(environment="demo").base_url == "https://demo-dapi.binance.com"
    assert UMFutures(environment="testnet").base_url == CMFutures(environment="testnet").base_url
    assert CMFutures(environment=TESTNET).environment is TESTNET
    # base_url keeps working as in 4.2.0 and wins over environment for REST
    assert UMFutures(base_url="https://testnet.binancefuture.com/").environment is TESTNET
    assert UMFutures(base_url="http://127.0.0.1:9/x", environment="demo").base_url == "http://127.0.0.1:9/x"
    with pytest.raises(ValueError, match="unknown environment"):
        UMFutures(environment="mainnet")
    with pytest.raises(ValueError, match="um_rest_url"):
        UMFutures(environment=object())


@pytest.mark.parametrize("env", [TESTNET, DEMO], ids=lambda e: e.name)
def test_stream_and_ws_api_clients_go_to_the_named_hosts(env: Environment) -> None:
    for make, url in (
        (lambda: UMFuturesWebsocketClient(environment=env.name), env.um_stream_url),
        (lambda: CMFuturesWebsocketClient(environment=env.name), env.cm_stream_url),
    ):
        client = make()
        client.agg_trade("btcusdt")  # a client opens a connection only for a route that carries a stream
        try:
            assert _refused_lookups() == [f"name lookup of {_host(url)!r}"]
        finally:
            client.stop()
        netguard.take()
    for api_class, url in ((UMFuturesWebsocketAPIClient, env.um_ws_api_url), (CMFuturesWebsocketAPIClient,
                                                                              env.cm_ws_api_url)):
        api = api_class(environment=env.name, connect_timeout=1)
        try:
            assert api.url == url
            assert _refused_lookups() == [f"name lookup of {_host(url)!r}"]
        finally:
            api.stop()
        netguard.take()


def test_rest_client_on_a_named_environment_reaches_only_its_host() -> None:
    with pytest.raises(ConnectError):
        CMFutures(environment="demo", timeout=2).time()
    assert netguard.take() == ["name lookup of 'demo-dapi.binance.com'"]


def test_the_sandbox_is_one_more_environment(sandbox_any) -> None:
    sb = sandbox_any
    env = get_environment(sb)
    assert env.name == "sandbox"
    assert env == environment_of_rest_url(sb.um_rest_url, "um") == environment_of_rest_url(sb.cm_rest_url, "cm")
    assert env == sandbox_environment(sb.um_rest_url.rsplit("/", 1)[0])

    assert UMFutures(environment=sb).time()["serverTime"] > 0
    assert CMFutures(environment=sb).time()["serverTime"] > 0
    got = threading.Event()
    stream = UMFuturesWebsocketClient(environment=sb, on_message=lambda _c, m: "aggTrade" in m and got.set())
    try:
        stream.agg_trade("btcusdt")
        assert got.wait(10)
    finally:
        stream.stop()
    from binance.orderbook import DepthManager

    with DepthManager(UMFutures(environment=sb), ["BTCUSDT"]) as manager:  # streams follow the REST client
        assert manager.wait_live("BTCUSDT", timeout=10)
    with UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, environment=sb) as api:
        assert api.account_balance()
    with CMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, environment=sb) as api:
        assert api.account_balance()


@pytest.fixture
def sandbox_any():
    pytest.importorskip("aiohttp")
    from binance.sandbox import Sandbox

    with Sandbox(seed=1, tick_interval=0.05) as sb:
        yield sb
