"""The sandbox's exchange engine: markets, matching, accounts and stream payloads (pure: no sockets or threads).

`Exchange` holds one `MarketEngine` per market (`ex.um`, `ex.cm`), a shared RLock, the clock, the
listenKey registry and the order log. Each `MarketEngine` is built from parts that depend on each
other one way only (checked: no import circle in this package):

    exchange.py       Exchange (markets, clock, lock, listen_keys, order_log)
    market.py         MarketEngine: builds the parts, step(), the public surface the handlers use
    sim.py            market-data source: the simulated participants (SimulatedMarket)
    replay_feed.py    market-data source: replayed files (ReplayFeed, with replay_book.ReplayOrderBook)
    matching.py       book and matching: price-time execution, fills, order events (Matcher)
    account_views.py  accounts and margin: margin arithmetic, account events and renderings (AccountViews)
    publisher.py      event publisher: listeners of market-stream and user-data events (EventPublisher)
    trading.py        order entry and validation, cancel/modify, triggers, expiry, funding, settings (Trading)
    market_views.py   REST market data: depth, trades, klines, tickers, premium index, funding (MarketViews)
    streams.py        stream names, pushed diffs/book tickers, periodic payloads (StreamViews)
    core.py           what every part shares: symbols, states, accounts, ids, clock (MarketCore)
    book.py, orders.py, accounts.py, instruments.py, marketdata.py, state.py   data types
    endpoints.py, rest_*.py   REST endpoint metadata and handlers used by `binance.sandbox.handlers`
"""

from __future__ import annotations

from .errors import EngineError
from .exchange import Exchange
from .market import MarketEngine

__all__ = ["EngineError", "Exchange", "MarketEngine"]
