"""4.2.0 import path `binance.cm_futures.market`: its endpoint functions, now methods of
[CMFutures][binance.cm_futures.market.CMFutures].

`from binance.cm_futures.market import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.cm_futures import CMFutures

__all__ = [
    "agg_trades",
    "basis",
    "book_ticker",
    "continuous_klines",
    "depth",
    "exchange_info",
    "funding_rate",
    "historical_trades",
    "index_price_klines",
    "klines",
    "long_short_account_ratio",
    "mark_price",
    "mark_price_klines",
    "open_interest",
    "open_interest_hist",
    "ping",
    "query_index_price_constituents",
    "taker_long_short_ratio",
    "ticker_24hr_price_change",
    "ticker_price",
    "time",
    "top_long_short_account_ratio",
    "top_long_short_position_ratio",
    "trades",
]

agg_trades = CMFutures.agg_trades
basis = CMFutures.basis
book_ticker = CMFutures.book_ticker
continuous_klines = CMFutures.continuous_klines
depth = CMFutures.depth
exchange_info = CMFutures.exchange_info
funding_rate = CMFutures.funding_rate
historical_trades = CMFutures.historical_trades
index_price_klines = CMFutures.index_price_klines
klines = CMFutures.klines
long_short_account_ratio = CMFutures.long_short_account_ratio
mark_price = CMFutures.mark_price
mark_price_klines = CMFutures.mark_price_klines
open_interest = CMFutures.open_interest
open_interest_hist = CMFutures.open_interest_hist
ping = CMFutures.ping
query_index_price_constituents = CMFutures.query_index_price_constituents
taker_long_short_ratio = CMFutures.taker_long_short_ratio
ticker_24hr_price_change = CMFutures.ticker_24hr_price_change
ticker_price = CMFutures.ticker_price
time = CMFutures.time
top_long_short_account_ratio = CMFutures.top_long_short_account_ratio
top_long_short_position_ratio = CMFutures.top_long_short_position_ratio
trades = CMFutures.trades
