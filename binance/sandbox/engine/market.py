"""`MarketEngine`: one market (UM or CM) assembled from its parts, and the public surface the handlers use.

The parts, each in its own module, depend on each other one way only:

    market-data source     sim.SimulatedMarket (every symbol by default) | a replay feed (replayed symbols)
      -> book and matching     matching.Matcher
      -> accounts and margin   account_views.AccountViews
      -> event publisher       publisher.EventPublisher
    order entry                trading.Trading (-> matching, accounts, publisher)
    views                      market_views.MarketViews (REST market data), streams.StreamViews (streams)
    shared state               core.MarketCore (symbols, states, accounts, ids, clock), used by all

`MarketEngine` builds them, steps the market, and exposes their public methods under the names
the REST/stream/WebSocket API layers and the tests use. Every public method expects the caller to
hold `exchange.lock` (`handlers.dispatch` and `step` take it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

from .account_views import AccountViews
from .core import MarketCore
from .instruments import Instrument
from .liquidation import Liquidator
from .market_views import MarketViews
from .matching import Matcher
from .orders import Order
from .publisher import EventPublisher, Listener
from .sim import SimulatedMarket
from .state import SymbolState
from .streams import StreamViews
from .trading import Trading
from .util import ZERO

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account

__all__ = ["MarketEngine"]


class MarketEngine:
    """The exchange of one market, built from its parts (see the module docstring)."""

    def __init__(self, exchange: Any, kind: str, seed: int) -> None:
        self.core = MarketCore(exchange, kind, seed)
        self.events = EventPublisher()
        self.margin = AccountViews(self.core, self.events)
        self.matcher = Matcher(self.core, self.events, self.margin)
        self.trading = Trading(self.core, self.events, self.margin, self.matcher)
        self.liquidator = Liquidator(self.core, self.margin, self.trading)
        self.sim = SimulatedMarket(self.core, self.events, self.matcher)
        self.market_views = MarketViews(self.core)
        self.streams = StreamViews(self.core, self.events, self.market_views)
        self._source_pump: Optional[Callable[[], Any]] = None
        self._steps = 0
        self.last_step = self.core.now()
        self.sim.seed()

    # ----------------------------------------------------------------- shared state
    @property
    def exchange(self) -> Any:
        """The exchange this market belongs to (clock, lock, listenKeys)."""
        return self.core.exchange

    @property
    def kind(self) -> str:
        """ "um" or "cm"."""
        return self.core.kind

    @property
    def lock(self) -> Any:
        """The exchange's lock."""
        return self.core.lock

    @property
    def states(self) -> Dict[str, SymbolState]:
        """Symbol -> its state."""
        return self.core.states

    @property
    def accounts(self) -> Dict[str, "Account"]:
        """API key -> its account."""
        return self.core.accounts

    @property
    def instruments(self) -> Dict[str, Instrument]:
        """Symbol -> its contract."""
        return self.core.instruments

    @property
    def maker_rate(self) -> Decimal:
        """Maker commission rate."""
        return self.core.maker_rate

    @property
    def taker_rate(self) -> Decimal:
        """Taker commission rate."""
        return self.core.taker_rate

    @property
    def math(self) -> Any:
        """Linear (UM) or inverse (COIN-M) contract arithmetic."""
        return self.core.math

    @property
    def rate_limits(self) -> Optional[list]:
        """`exchangeInfo.rateLimits` to publish; `None`: Binance's defaults."""
        return self.core.rate_limits

    @rate_limits.setter
    def rate_limits(self, value: Optional[list]) -> None:
        self.core.rate_limits = value

    # ----------------------------------------------------------------- the market moves
    def attach_source(self, feed: Any, pump: Callable[[], Any]) -> None:
        """Replayed symbols: `feed.facts` names them; `pump()` (called at each step) brings their events.

        Those symbols stop being simulated; their depth diffs and book tickers are the replayed ones.
        """
        with self.lock:
            for symbol in feed.facts:
                self.core.replayed[symbol] = feed
            self._source_pump = pump

    def step(self) -> None:
        """Advance the market once: sources move prices, triggers/expiries/funding run, diffs go out."""
        if self._source_pump is not None:
            self._source_pump()
        with self.lock:
            core = self.core
            now = core.now()
            self._steps += 1
            replayed = core.replayed
            for st in core.states.values():
                if st.ins.symbol not in replayed and self._steps % st.ins.sim_every == 0:
                    self.sim.step_symbol(st)
                self.record_price_samples(st, now)
                self.trading.check_triggers(st)
            self.trading.expire_orders(now)
            self.trading.run_countdowns(now)
            self.trading.settle_funding(now)
            self.margin.check_margin_calls(now)
            self.liquidator.check(now)
            for key, api_key in core.exchange.listen_keys.collect_expired(core.kind):
                self.events.emit("user", api_key, {"e": "listenKeyExpired", "E": now, "listenKey": key})
            for st in core.states.values():
                if st.ins.symbol in replayed:
                    continue
                self.streams.emit_depth_diffs(st, now)
                self.streams.emit_book_ticker(st, now)
            self.last_step = now

    def set_mark_price(self, symbol: str, mark: object, index: Optional[object] = None) -> None:
        """Force the mark (and index) price of `symbol`, then run the conditional-order triggers and liquidations."""
        with self.lock:
            st = self.core.state(symbol)
            st.mark = Decimal(str(mark))
            st.index = Decimal(str(index if index is not None else mark))
            st.basis = ZERO
            self.trading.check_triggers(st)
            self.liquidator.check(self.core.now())

    def record_price_samples(self, st: SymbolState, now: int) -> None:
        """Feed mark/index/premium candles."""
        st.sample_prices(now)

    def is_event_stream(self, stream: str) -> bool:
        """Whether the engine pushes `stream` itself (events) rather than rendering it periodically.

        A stream recorded in a replayed file is an event stream: it is published as recorded.
        """
        if self.streams.is_event_stream(stream):
            return True
        symbol = stream.split("@", 1)[0].upper()
        feed = self.core.replayed.get(symbol)
        return feed is not None and feed.is_replayed_stream(symbol, stream)

    def render_stream(self, stream: str, now_ms: int) -> Optional[object]:
        """Payload to push now for a periodic stream; `None` for unknown, event-driven or replayed streams."""
        if self.is_event_stream(stream):
            return None
        return self.streams.render_stream(stream, now_ms)

    # ----------------------------------------------------------------- the parts' public methods
    def now(self) -> int:
        """Exchange time in ms."""
        return self.core.now()

    def symbols(self) -> List[str]:
        """Symbols of this market."""
        return self.core.symbols()

    def exchange_info(self) -> dict:
        """The full exchangeInfo document."""
        return self.core.exchange_info()

    def state(self, symbol: Optional[str]) -> SymbolState:
        """The state of `symbol` (-1121 Invalid symbol when unknown)."""
        return self.core.state(symbol)

    def pair_states(self, pair: Optional[str]) -> List[SymbolState]:
        """States of every symbol of a pair (-1121 when none)."""
        return self.core.pair_states(pair)

    def next_tran_id(self) -> int:
        """A fresh transaction id (income records)."""
        return self.core.next_tran_id()

    def create_account(self, api_key: str, funded: bool = True) -> None:
        """Open an account for `api_key` (idempotent); `funded` credits the demo balances."""
        return self.core.create_account(api_key, funded)

    def has_account(self, api_key: str) -> bool:
        """Whether `api_key` has an account in this market."""
        return self.core.has_account(api_key)

    def account(self, api_key: Optional[str]) -> Account:
        """The account of `api_key` (-2015 when it has none)."""
        return self.core.account(api_key)

    def add_listener(self, fn: Listener) -> None:
        """Register `fn(channel, key, payload)` for market-stream and user-data events."""
        return self.events.add_listener(fn)

    def remove_listener(self, fn: Listener) -> None:
        """Unregister a listener (no error when it is not registered)."""
        return self.events.remove_listener(fn)

    def emit(self, channel: str, key: object, payload: dict) -> None:
        """Call every listener; a failing listener is logged and does not stop the others."""
        return self.events.emit(channel, key, payload)

    def asset_totals(self, acct: "Account", asset: str) -> Dict[str, Decimal]:
        """Wallet, cross wallet, unrealized PnL, margins and available balance of one margin asset."""
        return self.margin.asset_totals(acct, asset)

    def check_margin_calls(self, now: int) -> None:
        """Send MARGIN_CALL (at most once a minute per account) when maintenance margin nears the margin balance."""
        return self.margin.check_margin_calls(now)

    def account_json(self, acct: "Account", style: str, ws_api: bool = False) -> dict:
        """GET /fapi/v2/account, /fapi/v3/account or /dapi/v1/account (`ws_api`: as `account.status` answers)."""
        return self.margin.account_json(acct, style, ws_api)

    def balances_json(self, acct: "Account") -> List[dict]:
        """GET balance (UM v2/v3, CM v1)."""
        return self.margin.balances_json(acct)

    def position_risk_json(
        self, acct: "Account", symbol: Optional[str], style: str, pair: Optional[str] = None, ws_api: bool = False
    ) -> List[dict]:
        """GET positionRisk (style "v2", "v3" for UM; "cm"; `ws_api`: as `account.position` answers)."""
        return self.margin.position_risk_json(acct, symbol, style, pair, ws_api)

    def trade_json(self, t: dict) -> dict:
        """One userTrades entry."""
        return self.margin.trade_json(t)

    def income_json(self, r: dict) -> dict:
        """One income history entry."""
        return self.margin.income_json(r)

    def match(self, st: SymbolState, taker: Order) -> None:
        """Execute `taker` against resting orders until it is filled or no longer crosses."""
        return self.matcher.match(st, taker)

    def place_order(
        self,
        api_key: Optional[str],
        params: Mapping[str, str],
        source: str = "REST",
        test: bool = False,
        algo: bool = False,
    ) -> Order:
        """Validate and place a new order; returns it with `ack` set to its state at acceptance."""
        return self.trading.place_order(api_key, params, source, test, algo)

    def cancel_algo(self, api_key: Optional[str], o: Order) -> Order:
        """Cancel an algo order still waiting for its trigger (-2011 once triggered or final)."""
        return self.trading.cancel_algo(api_key, o)

    def execute(self, st: SymbolState, acct: "Account", o: Order) -> None:
        """Run a live (non-conditional or triggered) order: match, then rest or expire per time in force."""
        return self.trading.execute(st, acct, o)

    def get_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """An order of the account (-2013 Order does not exist)."""
        return self.trading.get_order(api_key, params)

    def get_open_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """A working order (-2013 when absent or no longer open)."""
        return self.trading.get_open_order(api_key, params)

    def cancel_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """Cancel a working order (-2011 Unknown order sent when absent or already final)."""
        return self.trading.cancel_order(api_key, params)

    def cancel_all(self, api_key: Optional[str], symbol: Optional[str]) -> List[Order]:
        """Cancel every working order of `symbol`."""
        return self.trading.cancel_all(api_key, symbol)

    def modify_order(self, api_key: Optional[str], params: Mapping[str, str]) -> Order:
        """Amend price/quantity of a working LIMIT order (PUT order)."""
        return self.trading.modify_order(api_key, params)

    def countdown_cancel_all(self, api_key: Optional[str], symbol: Optional[str], countdown_ms: int) -> dict:
        """Arm (or with 0 disarm) the auto-cancel of all open orders of `symbol` after `countdown_ms`."""
        return self.trading.countdown_cancel_all(api_key, symbol, countdown_ms)

    def check_triggers(self, st: SymbolState) -> None:
        """Trigger conditional orders whose condition the mark or last price meets."""
        return self.trading.check_triggers(st)

    def expire_orders(self, now: int) -> None:
        """Expire GTD orders (and GTD algo orders waiting for their trigger) whose goodTillDate has passed."""
        return self.trading.expire_orders(now)

    def settle_funding(self, now: int) -> None:
        """At each funding time, pay or receive funding on open perpetual positions."""
        return self.trading.settle_funding(now)

    def change_leverage(self, api_key: Optional[str], symbol: Optional[str], leverage: int) -> dict:
        """Set the symbol's leverage; emits ACCOUNT_CONFIG_UPDATE."""
        return self.trading.change_leverage(api_key, symbol, leverage)

    def change_margin_type(self, api_key: Optional[str], symbol: Optional[str], margin_type: Optional[str]) -> dict:
        """Switch ISOLATED/CROSSED for a symbol (-4046 when already so)."""
        return self.trading.change_margin_type(api_key, symbol, margin_type)

    def change_position_mode(self, api_key: Optional[str], dual: bool) -> dict:
        """Switch hedge (dual side) / one-way mode (-4059 when already so)."""
        return self.trading.change_position_mode(api_key, dual)

    def set_multi_assets(self, api_key: Optional[str], enabled: bool) -> dict:
        """Multi-assets margin mode on/off (UM)."""
        return self.trading.set_multi_assets(api_key, enabled)

    def modify_position_margin(self, api_key: Optional[str], params: Mapping[str, str]) -> dict:
        """Add (type 1) or reduce (type 2) the isolated margin of a position."""
        return self.trading.modify_position_margin(api_key, params)

    def parse_batch(self, params: Mapping[str, str], limit: int = 5) -> list:
        """The JSON list of a batchOrders parameter (-1102 malformed, -1130 too long)."""
        return self.trading.parse_batch(params, limit)

    def seed(self) -> None:
        """Create every symbol's state with its seeded history and resting liquidity."""
        return self.sim.seed()

    def reset_book(self, symbol: str) -> None:
        """Remove every participant order of `symbol` from the book (user orders stay)."""
        return self.sim.reset_book(symbol)

    def add_liquidity(self, symbol: str, side: str, price: object, qty: object) -> None:
        """Place a participant limit order (`side` BUY/SELL) as if another trader sent it; it may trade."""
        return self.sim.add_liquidity(symbol, side, price, qty)

    def depth_json(self, symbol: Optional[str], limit: int = 500) -> dict:
        """Order book snapshot; `lastUpdateId` is the id of the latest change (the diff streams' `u`)."""
        return self.market_views.depth_json(symbol, limit)

    def trades_json(self, symbol: Optional[str], limit: int = 500, from_id: Optional[int] = None) -> List[dict]:
        """Recent (or, with `from_id`, historical) trades."""
        return self.market_views.trades_json(symbol, limit, from_id)

    def agg_trades_json(
        self,
        symbol: Optional[str],
        limit: int = 500,
        from_id: Optional[int] = None,
        start: Optional[int] = None,
        end: Optional[int] = None,
    ) -> List[dict]:
        """Aggregate trades."""
        return self.market_views.agg_trades_json(symbol, limit, from_id, start, end)

    def kline_rows(
        self, st: SymbolState, source: str, interval: str, start: Optional[int], end: Optional[int], limit: int
    ) -> List[list]:
        """Kline arrays; `source` is "trade", "mark", "index" or "premium"."""
        return self.market_views.kline_rows(st, source, interval, start, end, limit)

    def ticker_24h(self, st: SymbolState) -> dict:
        """24hr rolling window statistics."""
        return self.market_views.ticker_24h(st)

    def book_ticker(self, st: SymbolState, ws_api: bool = False) -> dict:
        """Best bid/ask (`ws_api`: as `ticker.book` answers)."""
        return self.market_views.book_ticker(st, ws_api)

    def price_ticker(self, st: SymbolState) -> dict:
        """Last price."""
        return self.market_views.price_ticker(st)

    def premium_index(self, st: SymbolState) -> dict:
        """Mark price, index price and funding of a symbol."""
        return self.market_views.premium_index(st)

    def funding_rates(self, st: SymbolState, start: Optional[int], end: Optional[int], limit: int) -> List[dict]:
        """Funding rate history of a perpetual."""
        return self.market_views.funding_rates(st, start, end, limit)

    def open_interest_json(self, st: SymbolState) -> dict:
        """Current open interest."""
        return self.market_views.open_interest_json(st)

    def asset_symbols(self) -> List[str]:
        """Asset index names of the sandbox's coins (e.g. BTCUSD)."""
        return self.streams.asset_symbols()

    def composite_index(self, name: str) -> Tuple[Decimal, List[tuple]]:
        """(price, [(base, weightInQuantity, weightInPercentage, index price)]) of an index: a symbol of"""
        return self.streams.composite_index(name)

    def is_valid_stream(self, stream: str) -> bool:
        """Whether `stream` names a market stream (or a live listenKey) of this market."""
        return self.streams.is_valid_stream(stream)

    def emit_depth_diffs(self, st: SymbolState, now: int) -> None:
        """Push `<s>@depth`, `@100ms`, `@500ms` (and UM `@rpiDepth@500ms`) diffs when due."""
        return self.streams.emit_depth_diffs(st, now)

    def asset_index_event(self, asset_symbol: str, now: int) -> dict:
        """assetIndexUpdate payload for e.g. BTCUSD."""
        return self.streams.asset_index_event(asset_symbol, now)
