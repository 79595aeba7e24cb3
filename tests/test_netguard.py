"""The suite's network guard (tests/netguard.py) refuses every way out of the machine."""

from __future__ import annotations

import socket

import pytest
from netguard import ForeignHostRefused, netguard

from binance.error import ConnectError
from binance.um_futures import UMFutures


def test_name_lookups_of_real_hosts_are_refused() -> None:
    with pytest.raises(ForeignHostRefused):
        socket.getaddrinfo("fapi.binance.com", 443)
    assert netguard.take() == ["name lookup of 'fapi.binance.com'"]


def test_connections_outside_loopback_are_refused() -> None:
    with pytest.raises(OSError):
        socket.create_connection(("203.0.113.7", 443), timeout=0.5)
    assert netguard.take() == ["connection to 203.0.113.7:443"]


def test_loopback_is_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        socket.create_connection(server.getsockname(), timeout=2).close()
        assert socket.getaddrinfo("localhost", 80)
    finally:
        server.close()
    assert netguard.take() == []


def test_a_client_left_on_production_cannot_reach_it() -> None:
    with pytest.raises(ConnectError):
        UMFutures(timeout=2).time()
    assert netguard.take() == ["name lookup of 'fapi.binance.com'"]
