"""The sandbox's exchange engine: markets, matching, accounts and stream payloads (pure: no sockets or threads).

`Exchange` holds one `MarketEngine` per market (`ex.um`, `ex.cm`), a shared RLock, the clock, the
listenKey registry and the order log. Modules, one job each:

    exchange.py       Exchange (markets, clock, lock, listen_keys, order_log)
    market.py         MarketEngine core: symbols, accounts, listeners, step(), test/demo controls
    trading.py        order entry and validation (Binance codes), cancel/modify, triggers, expiry, settings
    matching.py       price-time matching, fills into positions/PnL/fees, order events
    account_views.py  margin arithmetic and account/balance/positionRisk renderings, ACCOUNT_UPDATE, MARGIN_CALL
    market_views.py   depth, trades, klines, tickers, premium index, funding
    streams.py        stream names (validation), pushed diffs/book tickers, periodic payloads (render_stream)
    sim.py            the other participants: seeded history and liquidity, random quotes/cancels/trades
    book.py, orders.py, accounts.py, instruments.py, marketdata.py, state.py   data types
    endpoints.py, rest_*.py   REST endpoint metadata and handlers used by `binance.sandbox.handlers`
"""

from __future__ import annotations

from .errors import EngineError
from .exchange import Exchange
from .market import MarketEngine

__all__ = ["EngineError", "Exchange", "MarketEngine"]
