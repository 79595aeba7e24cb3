"""COIN-M futures REST client (`https://dapi.binance.com`), a drop-in for binance-futures-connector 4.2.0."""

from __future__ import annotations

from binance._endpoints.account import AccountEndpoints
from binance._endpoints.market import MarketEndpoints
from binance._endpoints.trade import TradeEndpoints
from binance._endpoints.user_stream import UserStreamEndpoints
from binance._markets import CM
from binance.api import API
from binance.cm_futures._account import CMAccountEndpoints
from binance.cm_futures._market import CMMarketEndpoints
from binance.cm_futures._trade import CMTradeEndpoints
from binance.cm_futures._wrapped import CMFuturesNew

__all__ = ["CMFutures"]


class CMFutures(
    CMFuturesNew,
    API,
    MarketEndpoints,
    CMMarketEndpoints,
    TradeEndpoints,
    CMTradeEndpoints,
    AccountEndpoints,
    CMAccountEndpoints,
    UserStreamEndpoints,
):
    """COIN-M futures REST client: every endpoint of `/dapi` (and the `/futures/data` statistics).

    The constructor is `binance.api.API`'s: `key`, `secret`, then the options as keyword parameters
    (`base_url`, default `https://dapi.binance.com`; `timeout`, default 10 s; `proxies`, `show_limit_usage`,
    `show_header`, `private_key`, `private_key_pass`, `sync_time`, `validate_orders`, `rate_limit_guard`,
    `session`), in 4.2.0's positional order, then keyword-only `environment` (`"production"`, `"testnet"`,
    `"demo"`, an `Environment` or a started sandbox; `base_url` wins when both are given), `rate_limit_store` and
    `rate_limit_scope`. With `show_limit_usage=True` or `show_header=True` every
    answer is wrapped (`{"limit_usage": ..., "header": ..., "data": answer}`): type checkers then see the
    client as `WrappedCMFutures` (see `binance.types.wrapped`).
    """

    _market = CM
