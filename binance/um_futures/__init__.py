"""USDⓈ-M futures REST client (`https://fapi.binance.com`), a drop-in for binance-futures-connector 4.2.0."""

from __future__ import annotations

from binance._endpoints.account import AccountEndpoints
from binance._endpoints.algo import AlgoEndpoints
from binance._endpoints.convert import ConvertEndpoints
from binance._endpoints.market import MarketEndpoints
from binance._endpoints.trade import TradeEndpoints
from binance._endpoints.user_stream import UserStreamEndpoints
from binance._markets import UM
from binance.api import API
from binance.um_futures._account import UMAccountEndpoints
from binance.um_futures._market import UMMarketEndpoints
from binance.um_futures._trade import UMTradeEndpoints
from binance.um_futures._wrapped import UMFuturesNew

__all__ = ["UMFutures"]


class UMFutures(
    UMFuturesNew,
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

    The constructor is `binance.api.API`'s: `key`, `secret`, then the options as keyword parameters
    (`base_url`, default `https://fapi.binance.com`; `timeout`, default 10 s; `proxies`, `show_limit_usage`,
    `show_header`, `private_key`, `private_key_pass`, `sync_time`, `validate_orders`, `rate_limit_guard`,
    `session`), in 4.2.0's positional order, then keyword-only `environment` (`"production"`, `"testnet"`,
    `"demo"`, an `Environment` or a started sandbox; `base_url` wins when both are given), `rate_limit_store` and
    `rate_limit_scope`. With `show_limit_usage=True` or `show_header=True` every
    answer is wrapped (`{"limit_usage": ..., "header": ..., "data": answer}`): type checkers then see the
    client as `WrappedUMFutures` (see `binance.types.wrapped`).
    """

    _market = UM
