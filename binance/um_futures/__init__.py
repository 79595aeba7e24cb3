"""USDⓈ-M futures REST client (`https://fapi.binance.com`), a drop-in for binance-futures-connector 4.2.0."""

from __future__ import annotations

from typing import Any, Optional

from binance._endpoints.account import AccountEndpoints
from binance._endpoints.algo import AlgoEndpoints
from binance._endpoints.convert import ConvertEndpoints
from binance._endpoints.market import MarketEndpoints
from binance._endpoints.trade import TradeEndpoints
from binance._endpoints.user_stream import UserStreamEndpoints
from binance._markets import UM
from binance.api import API
from binance.environments import EnvironmentLike
from binance.um_futures._account import UMAccountEndpoints
from binance.um_futures._market import UMMarketEndpoints
from binance.um_futures._trade import UMTradeEndpoints

__all__ = ["UMFutures"]


class UMFutures(
    API,
    MarketEndpoints,
    UMMarketEndpoints,
    TradeEndpoints,
    UMTradeEndpoints,
    AccountEndpoints,
    UMAccountEndpoints,
    AlgoEndpoints,
    ConvertEndpoints,
    UserStreamEndpoints,
):
    """USDⓈ-M futures REST client: every endpoint of `/fapi` (and the `/futures/data` statistics).

    Args:
        key: API key (sent as `X-MBX-APIKEY`).
        secret: API secret for HMAC signing; or pass `private_key` (RSA / Ed25519 PEM) instead.
        **kwargs: the [API][binance.api.API] options (`base_url`, default `https://fapi.binance.com`;
            `timeout`, default 10 s; `proxies`, `show_limit_usage`, `show_header`, `private_key`,
            `private_key_pass`, ...).
        environment: `"production"` (default), `"testnet"`, `"demo"`, an
            [Environment][binance.environments.Environment] or a started sandbox (`environment=sb`);
            `base_url` wins when both are given.
    """

    _market = UM

    def __init__(
        self,
        key: Optional[str] = None,
        secret: Optional[str] = None,
        *,
        environment: Optional[EnvironmentLike] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(key, secret, environment=environment, **kwargs)
