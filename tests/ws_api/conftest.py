"""Fixtures for the WebSocket API tests: a running sandbox (no rate limits in the way) and clients
that are always stopped."""

from __future__ import annotations

import pytest
from Crypto.PublicKey import ECC, RSA

pytest.importorskip("aiohttp")

from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.websocket.api import CMFuturesWebsocketAPIClient, UMFuturesWebsocketAPIClient  # noqa: E402

UNLIMITED = RateLimits(weight_per_minute=10**9, orders_per_10s=10**9, orders_per_minute=10**9)


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox shared by the tests of one module (the market does not move by itself)."""
    with Sandbox(seed=7, tick_interval=None, limits=UNLIMITED) as sb:
        yield sb


@pytest.fixture
def make_client(sandbox):
    """Build clients against the sandbox; every one is stopped (and checked) after the test."""
    clients = []

    def factory(market: str = "um", **kwargs):
        cls = UMFuturesWebsocketAPIClient if market == "um" else CMFuturesWebsocketAPIClient
        kwargs.setdefault("stream_url", sandbox.um_ws_api_url if market == "um" else sandbox.cm_ws_api_url)
        if "api_key" not in kwargs:
            kwargs["api_key"] = sandbox.api_key
            if "private_key" not in kwargs:
                kwargs.setdefault("api_secret", sandbox.api_secret)
        kwargs.setdefault("timeout", 5.0)
        client = cls(**kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.stop()
        assert client.threads() == []


@pytest.fixture(scope="session")
def rsa_pair():
    """(private PEM, public PEM) of a throwaway RSA key."""
    key = RSA.generate(2048)
    return key.export_key().decode(), key.publickey().export_key().decode()


@pytest.fixture(scope="session")
def ed25519_pair():
    """(private PEM, public PEM) of a throwaway Ed25519 key."""
    key = ECC.generate(curve="Ed25519")
    return key.export_key(format="PEM"), key.public_key().export_key(format="PEM")
