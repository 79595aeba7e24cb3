"""4.2.0 import path `binance.um_futures.market`: its endpoint functions, now methods of
[UMFutures][binance.um_futures.market.UMFutures].

`from binance.um_futures.market import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.um_futures import UMFutures

__all__ = [
    "agg_trades",
    "asset_Index",
    "blvt_kline",
    "book_ticker",
    "continuous_klines",
    "depth",
    "exchange_info",
    "funding_info",
    "funding_rate",
    "historical_trades",
    "index_info",
    "index_price_constituents",
    "index_price_klines",
    "klines",
    "long_short_account_ratio",
    "mark_price",
    "mark_price_klines",
    "open_interest",
    "open_interest_hist",
    "ping",
    "quarterly_contract_settlement_price",
    "taker_long_short_ratio",
    "ticker_24hr_price_change",
    "ticker_price",
    "time",
    "top_long_short_account_ratio",
    "top_long_short_position_ratio",
    "trades",
]

agg_trades = UMFutures.agg_trades
asset_Index = UMFutures.asset_Index
blvt_kline = UMFutures.blvt_kline
book_ticker = UMFutures.book_ticker
continuous_klines = UMFutures.continuous_klines
depth = UMFutures.depth
exchange_info = UMFutures.exchange_info
funding_info = UMFutures.funding_info
funding_rate = UMFutures.funding_rate
historical_trades = UMFutures.historical_trades
index_info = UMFutures.index_info
index_price_constituents = UMFutures.index_price_constituents
index_price_klines = UMFutures.index_price_klines
klines = UMFutures.klines
long_short_account_ratio = UMFutures.long_short_account_ratio
mark_price = UMFutures.mark_price
mark_price_klines = UMFutures.mark_price_klines
open_interest = UMFutures.open_interest
open_interest_hist = UMFutures.open_interest_hist
ping = UMFutures.ping
quarterly_contract_settlement_price = UMFutures.quarterly_contract_settlement_price
taker_long_short_ratio = UMFutures.taker_long_short_ratio
ticker_24hr_price_change = UMFutures.ticker_24hr_price_change
ticker_price = UMFutures.ticker_price
time = UMFutures.time
top_long_short_account_ratio = UMFutures.top_long_short_account_ratio
top_long_short_position_ratio = UMFutures.top_long_short_position_ratio
trades = UMFutures.trades
