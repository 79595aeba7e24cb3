from __future__ import annotations

import pytest
from ws_fake_server import FakeStreamServer


@pytest.fixture
def server():
    srv = FakeStreamServer().start()
    yield srv
    srv.close()


@pytest.fixture
def sandbox():
    """A running sandbox with Binance's post-2026-04-23 UM routing (unrouted paths carry public data only)."""
    pytest.importorskip("aiohttp")
    from binance.sandbox import Sandbox

    with Sandbox(seed=1, tick_interval=0.05, strict_routing=True) as sb:
        yield sb
