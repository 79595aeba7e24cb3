"""Fixtures of the hostile-server tests: `hostile(...)` starts a server that is closed after the test."""

from __future__ import annotations

import ssl
from typing import Dict, List, Optional

import pytest
from hostile_servers import Behaviour, HostileServer


@pytest.fixture
def hostile():
    """A factory of started hostile servers, all closed after the test."""
    servers: List[HostileServer] = []

    def make(
        behaviour: Optional[Behaviour] = None,
        routes: Optional[Dict[str, Behaviour]] = None,
        tls: Optional[ssl.SSLContext] = None,
    ) -> HostileServer:
        server = HostileServer(behaviour, routes, tls)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
