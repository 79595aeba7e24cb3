"""Where the clients connect: Binance's production, testnet and demo-trading hosts, or a local sandbox.

Every client takes `environment=` and picks its REST, stream or WebSocket API URL from it, so one
word moves a whole bot:

    UMFutures(key, secret, environment="testnet")
    UMFuturesWebsocketClient(on_message=handler, environment="testnet")
    UMFuturesWebsocketAPIClient(key, secret, environment="testnet")
    UserDataStream(UMFutures(key, secret, environment="testnet"), on_message=handler)

A value is a name (`"production"`, `"testnet"`, `"demo"`), an
[Environment][binance.environments.Environment], or any object with the six URL attributes of one, such as a started
[Sandbox][binance.sandbox.sandbox.Sandbox] (`environment=sb`). An explicit `base_url` / `stream_url`
still wins, as in 4.2.0; without either, clients connect to production.

- `production`: REST `fapi.binance.com` / `dapi.binance.com`, streams `fstream.binance.com` /
  `dstream.binance.com`, WebSocket API `ws-fapi.binance.com` / `ws-dapi.binance.com`;
- `testnet`: REST `testnet.binancefuture.com` (both markets), streams `fstream.binancefuture.com` /
  `dstream.binancefuture.com`, WebSocket API `testnet.binancefuture.com`;
- `demo` (demo trading): REST `demo-fapi.binance.com` / `demo-dapi.binance.com`, streams
  `demo-fstream.binance.com` / `demo-dstream.binance.com`, WebSocket API `testnet.binancefuture.com`.

Production and testnet hosts are those of Binance's official connectors; `demo-fapi.binance.com`
is the official SDK's USDⓈ-M demo REST host. The official SDK names no other demo host: the demo
stream and COIN-M hosts above are those other clients use for demo trading, and the WebSocket API
runs on the testnet host. Pass `base_url` / `stream_url` if Binance moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Union
from urllib.parse import urlsplit

from binance._markets import CM, UM

__all__ = ["DEMO", "ENVIRONMENTS", "PRODUCTION", "TESTNET", "Environment", "EnvironmentLike", "get_environment"]

_URL_FIELDS = ("um_rest_url", "cm_rest_url", "um_stream_url", "cm_stream_url", "um_ws_api_url", "cm_ws_api_url")


@dataclass(frozen=True)
class Environment:
    """One place to trade: the REST, stream and WebSocket API URLs of both markets."""

    name: str
    um_rest_url: str
    cm_rest_url: str
    um_stream_url: str
    cm_stream_url: str
    um_ws_api_url: str
    cm_ws_api_url: str

    def rest_url(self, market: str) -> str:
        """REST base URL of `market` (`"um"` or `"cm"`)."""
        return str(getattr(self, f"{_market(market)}_rest_url"))

    def stream_url(self, market: str) -> str:
        """Stream base URL of `market` (`"um"` or `"cm"`)."""
        return str(getattr(self, f"{_market(market)}_stream_url"))

    def ws_api_url(self, market: str) -> str:
        """WebSocket API URL of `market` (`"um"` or `"cm"`)."""
        return str(getattr(self, f"{_market(market)}_ws_api_url"))


PRODUCTION = Environment(
    "production", UM.base_url, CM.base_url, UM.stream_url, CM.stream_url, UM.ws_api_url, CM.ws_api_url
)
TESTNET = Environment(
    "testnet",
    UM.testnet_base_url,
    CM.testnet_base_url,
    UM.testnet_stream_url,
    CM.testnet_stream_url,
    UM.testnet_ws_api_url,
    CM.testnet_ws_api_url,
)
DEMO = Environment(
    "demo",
    "https://demo-fapi.binance.com",
    "https://demo-dapi.binance.com",
    "wss://demo-fstream.binance.com",
    "wss://demo-dstream.binance.com",
    UM.testnet_ws_api_url,
    CM.testnet_ws_api_url,
)

ENVIRONMENTS: Dict[str, Environment] = {env.name: env for env in (PRODUCTION, TESTNET, DEMO)}
"""The named environments: `production`, `testnet`, `demo`."""

EnvironmentLike = Union[str, Environment, object]
"""A name, an [Environment][binance.environments.Environment], or an object with its six URL attributes."""

# The local sandbox's URL layout (binance/sandbox/routes.py): REST root path -> the other paths.
_SANDBOX_LAYOUT = {
    "/um": ("um", "/fstream", "/ws-fapi/v1"),
    "/cm": ("cm", "/dstream", "/ws-dapi/v1"),
}


def get_environment(value: EnvironmentLike) -> Environment:
    """The [Environment][binance.environments.Environment] a value names.

    Raises:
        ValueError: an unknown name, or an object without the six URL attributes.
    """
    if isinstance(value, Environment):
        return value
    if isinstance(value, str):
        env = ENVIRONMENTS.get(value.strip().lower())
        if env is None:
            raise ValueError(f"unknown environment {value!r}: use one of {', '.join(ENVIRONMENTS)} or a Sandbox")
        return env
    missing = [field for field in _URL_FIELDS if not isinstance(getattr(value, field, None), str)]
    if missing:
        raise ValueError(
            f"environment must be {', '.join(map(repr, ENVIRONMENTS))}, an Environment or an object with "
            f"{', '.join(_URL_FIELDS)} (such as a started Sandbox); {type(value).__name__} lacks {', '.join(missing)}"
        )
    name = "sandbox" if type(value).__name__ == "Sandbox" else type(value).__name__.lower()
    return Environment(name, *(str(getattr(value, field)) for field in _URL_FIELDS))


def environment_of_rest_url(base_url: str, market: str) -> Optional[Environment]:
    """The environment whose `market` REST URL is `base_url`, or None when it is no known one.

    Binance's hosts are recognised by their URL; a local sandbox by its URL layout (REST under
    `/um` or `/cm`, streams and WebSocket API on the same host and port).
    """
    url = base_url.rstrip("/")
    for env in ENVIRONMENTS.values():
        if env.rest_url(market) == url:
            return env
    parts = urlsplit(url)
    layout = _SANDBOX_LAYOUT.get(parts.path)
    if parts.scheme in ("http", "https") and parts.netloc and layout is not None and layout[0] == _market(market):
        return sandbox_environment(f"{parts.scheme}://{parts.netloc}")
    return None


def sandbox_environment(root: str) -> Environment:
    """The URLs of a local sandbox served at `root` (e.g. `http://127.0.0.1:8765`)."""
    root = root.rstrip("/")
    ws = "wss" + root[5:] if root.startswith("https") else "ws" + root[4:]
    um, cm = (_SANDBOX_LAYOUT["/um"], _SANDBOX_LAYOUT["/cm"])
    return Environment("sandbox", root + "/um", root + "/cm", ws + um[1], ws + cm[1], ws + um[2], ws + cm[2])


def _market(market: str) -> str:
    if market not in ("um", "cm"):
        raise ValueError(f"market must be 'um' or 'cm', not {market!r}")
    return market
