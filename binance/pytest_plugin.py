"""pytest fixtures for testing bots against the local sandbox; loaded by pytest through an entry point.

Installed with the package (the `sandbox` extra brings aiohttp, which the sandbox needs); nothing is
imported until a fixture is used, so pytest runs as before without the extra. Each test gets a fresh
sandbox (a few hundred ms to start) unless it asks for the module's shared one.

    def test_my_bot_survives_a_503(binance_sandbox, um_client):
        binance_sandbox.faults.server_error(count=1)
        ...

Fixtures:

- `binance_sandbox`: a started [Sandbox][binance.sandbox.sandbox.Sandbox]; configure it with
  `@pytest.mark.binance_sandbox(seed=3, tick_interval=None, ...)` (the Sandbox arguments).
- `binance_faults`: `binance_sandbox.faults`, the fault injector.
- `um_client`, `cm_client`: `UMFutures` / `CMFutures` with the sandbox's funded key.
- `um_stream_client`, `cm_stream_client`: factories, `um_stream_client(on_message=...)` returns a
  started stream client on the sandbox; every client made is stopped after the test.
- `um_ws_api_client`, `cm_ws_api_client`: WebSocket API clients with the funded key.
- `user_data_stream`: factory, `user_data_stream(on_message=..., market="um")` returns a
  [UserDataStream][binance.websocket.user_data.UserDataStream] whose subscription is live.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

__all__ = [
    "binance_faults",
    "binance_sandbox",
    "cm_client",
    "cm_stream_client",
    "cm_ws_api_client",
    "um_client",
    "um_stream_client",
    "um_ws_api_client",
    "user_data_stream",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the `binance_sandbox` marker."""
    config.addinivalue_line(
        "markers", "binance_sandbox(**kwargs): arguments of the Sandbox the binance_sandbox fixture starts"
    )


@pytest.fixture
def binance_sandbox(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A started local exchange (stopped after the test); `@pytest.mark.binance_sandbox(...)` configures it."""
    from binance.sandbox import Sandbox  # names the `sandbox` extra when aiohttp is missing

    marker = request.node.get_closest_marker("binance_sandbox")
    options = dict(marker.kwargs) if marker is not None else {}
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture
def binance_faults(binance_sandbox: Any) -> Any:
    """The sandbox's fault injector (`server_error`, `rate_limit`, `drop_all`, `skew_clock`, ...)."""
    return binance_sandbox.faults


@pytest.fixture
def um_client(binance_sandbox: Any) -> Iterator[Any]:
    """A `UMFutures` REST client with the sandbox's funded API key."""
    from binance.um_futures import UMFutures

    with UMFutures(binance_sandbox.api_key, binance_sandbox.api_secret, environment=binance_sandbox) as client:
        yield client


@pytest.fixture
def cm_client(binance_sandbox: Any) -> Iterator[Any]:
    """A `CMFutures` REST client with the sandbox's funded API key."""
    from binance.cm_futures import CMFutures

    with CMFutures(binance_sandbox.api_key, binance_sandbox.api_secret, environment=binance_sandbox) as client:
        yield client


def _factory(make: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    made: List[Any] = []

    def create(*args: Any, **kwargs: Any) -> Any:
        client = make(*args, **kwargs)
        made.append(client)
        return client

    yield create
    for client in reversed(made):
        client.stop()


@pytest.fixture
def um_stream_client(binance_sandbox: Any) -> Iterator[Callable[..., Any]]:
    """Factory: `um_stream_client(on_message=...)` gives a `UMFuturesWebsocketClient` on the sandbox."""
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    yield from _factory(lambda **kw: UMFuturesWebsocketClient(environment=binance_sandbox, **kw))


@pytest.fixture
def cm_stream_client(binance_sandbox: Any) -> Iterator[Callable[..., Any]]:
    """Factory: `cm_stream_client(on_message=...)` gives a `CMFuturesWebsocketClient` on the sandbox."""
    from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient

    yield from _factory(lambda **kw: CMFuturesWebsocketClient(environment=binance_sandbox, **kw))


@pytest.fixture
def um_ws_api_client(binance_sandbox: Any) -> Iterator[Any]:
    """A `UMFuturesWebsocketAPIClient` with the sandbox's funded API key."""
    from binance.websocket.api import UMFuturesWebsocketAPIClient

    sb = binance_sandbox
    with UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, environment=sb) as client:
        yield client


@pytest.fixture
def cm_ws_api_client(binance_sandbox: Any) -> Iterator[Any]:
    """A `CMFuturesWebsocketAPIClient` with the sandbox's funded API key."""
    from binance.websocket.api import CMFuturesWebsocketAPIClient

    sb = binance_sandbox
    with CMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, environment=sb) as client:
        yield client


@pytest.fixture
def user_data_stream(um_client: Any, cm_client: Any) -> Iterator[Callable[..., Any]]:
    """Factory: `user_data_stream(on_message=..., market="um")` gives a live `UserDataStream`."""
    from binance.websocket.user_data import UserDataStream

    def make(on_message: Any = None, market: str = "um", timeout: float = 10.0, **kwargs: Any) -> Any:
        stream = UserDataStream(um_client if market == "um" else cm_client, on_message=on_message, **kwargs)
        if not stream.wait_ready(timeout):
            stream.stop()
            raise TimeoutError(f"the user-data subscription was not confirmed within {timeout} s")
        return stream

    yield from _factory(make)
