"""Stream subscription methods with 4.2.0's names and arguments, written once for both markets.

Every method takes `id` (request id echoed by the server; a millisecond timestamp when omitted)
and `action` (`"UNSUBSCRIBE"` to unsubscribe, anything else subscribes). Unknown keyword
arguments are accepted and ignored, as in 4.2.0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

from binance.websocket import _streams as names

if TYPE_CHECKING:  # pragma: no cover
    from binance.types.params import ContractType, KlineInterval

Speed = Optional[Union[int, str]]


class CommonStreams:
    """Streams both USDⓈ-M and COIN-M offer (mixed into a client that has `send_message_to_server`)."""

    send_message_to_server: Any

    def agg_trade(self, symbol: str, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Aggregate trades, `<symbol>@aggTrade` (100 ms)."""
        self.send_message_to_server(names.agg_trade(symbol), action=action, id=id)

    def trade(self, symbol: str, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Raw trades, `<symbol>@trade` (served by Binance, though not in its stream list; USDⓈ-M: `public` route)."""
        self.send_message_to_server(names.trade(symbol), action=action, id=id)

    def kline(
        self, symbol: str, interval: KlineInterval, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Candlesticks, `<symbol>@kline_<interval>` (250 ms)."""
        self.send_message_to_server(names.kline(symbol, interval), action=action, id=id)

    def continuous_kline(
        self,
        pair: str,
        contractType: ContractType,
        interval: KlineInterval,
        id: Any = None,
        action: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        """Continuous-contract candlesticks, `<pair>_<contractType>@continuousKline_<interval>`."""
        self.send_message_to_server(names.continuous_kline(pair, contractType, interval), action=action, id=id)

    def mini_ticker(
        self, symbol: Optional[str] = None, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """24 h mini ticker, `<symbol>@miniTicker`; every symbol (`!miniTicker@arr`) when `symbol` is None."""
        self.send_message_to_server(names.mini_ticker(symbol), action=action, id=id)

    def ticker(self, symbol: Optional[str] = None, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """24 h ticker, `<symbol>@ticker`; every symbol (`!ticker@arr`) when `symbol` is None."""
        self.send_message_to_server(names.ticker(symbol), action=action, id=id)

    def book_ticker(
        self, symbol: Optional[str] = None, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Best bid/ask, `<symbol>@bookTicker`; every symbol (`!bookTicker`) when `symbol` is None."""
        self.send_message_to_server(names.book_ticker(symbol), action=action, id=id)

    def diff_book_depth(
        self, symbol: str, speed: Speed = 100, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Diff. depth, `<symbol>@depth@<speed>ms` (100 or 500; `None`/250 gives the 250 ms `<symbol>@depth`)."""
        self.send_message_to_server(names.diff_book_depth(symbol, speed), action=action, id=id)

    def partial_book_depth(
        self,
        symbol: str,
        level: Union[int, str] = 5,
        speed: Speed = 500,
        id: Any = None,
        action: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        """Top `level` (5, 10, 20) bids/asks, `<symbol>@depth<level>@<speed>ms` (`None`/250: 250 ms form)."""
        self.send_message_to_server(names.partial_book_depth(symbol, level, speed), id=id, action=action)

    def liquidation_order(
        self, symbol: Optional[str] = None, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Liquidations, `<symbol>@forceOrder`; every symbol (`!forceOrder@arr`) when `symbol` is None."""
        self.send_message_to_server(names.liquidation_order(symbol), id=id, action=action)

    def contract_info(self, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Contract listings, settlements and bracket changes, `!contractInfo`."""
        self.send_message_to_server(names.contract_info(), id=id, action=action)

    def user_data(self, listen_key: str, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """User data events of `listen_key` (see [UserDataStream][binance.websocket.user_data.UserDataStream],
        which also creates and keeps the key alive)."""
        self.send_message_to_server(listen_key, action=action, id=id)


class UMStreams(CommonStreams):
    """USDⓈ-M only streams (and USDⓈ-M argument defaults)."""

    def mark_price(
        self, symbol: str, speed: Speed = 1, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Mark price and funding rate, `<symbol>@markPrice@1s` (speed 1) or the 3 s `<symbol>@markPrice`."""
        self.send_message_to_server(names.mark_price(symbol, speed), action=action, id=id)

    def mark_price_all_market(
        self, speed: Speed = 1, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Mark price of every symbol, `!markPrice@arr@1s` (speed 1) or `!markPrice@arr` (3 s)."""
        self.send_message_to_server(names.mark_price_all_market(speed), action=action, id=id)

    def composite_index(self, symbol: str, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Composite index constituents, `<symbol>@compositeIndex` (1 s)."""
        self.send_message_to_server(names.composite_index(symbol), id=id, action=action)

    def rpi_diff_book_depth(self, symbol: str, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Diff. depth including RPI orders, `<symbol>@rpiDepth@500ms`."""
        self.send_message_to_server(names.rpi_diff_book_depth(symbol), id=id, action=action)

    def asset_index(
        self, symbol: Optional[str] = None, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Multi-assets mode asset index, `<assetSymbol>@assetIndex`; all (`!assetIndex@arr`) when None."""
        self.send_message_to_server(names.asset_index(symbol), id=id, action=action)

    def trading_session(self, id: Any = None, action: Optional[str] = None, **kwargs: Any) -> None:
        """Trading sessions of TradFi perpetual underlyings, `tradingSession`."""
        self.send_message_to_server(names.trading_session(), id=id, action=action)


class CMStreams(CommonStreams):
    """COIN-M only streams (and COIN-M argument orders)."""

    def mark_price(
        self, symbol: str, speed: Speed = 1, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Mark price, `<symbol>@markPrice@1s` (speed 1) or the 3 s `<symbol>@markPrice`."""
        self.send_message_to_server(names.mark_price(symbol, speed), action=action, id=id)

    def index_price(
        self, pair: str, id: Any = None, speed: Speed = 1, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Index price, `<pair>@indexPrice@1s` (speed 1) or `<pair>@indexPrice`.

        `id` comes before `speed`, as in 4.2.0.
        """
        self.send_message_to_server(names.index_price(pair, speed), action=action, id=id)

    def pair_mark_price(
        self, pair: str, speed: Speed = 1, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Mark price of every contract of a pair, `<pair>@markPrice@1s` or `<pair>@markPrice`."""
        self.send_message_to_server(names.pair_mark_price(pair, speed), action=action, id=id)

    def index_kline(
        self, pair: str, interval: KlineInterval, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Index price candlesticks, `<pair>@indexPriceKline_<interval>`."""
        self.send_message_to_server(names.index_kline(pair, interval), action=action, id=id)

    def mark_kline(
        self, symbol: str, interval: KlineInterval, id: Any = None, action: Optional[str] = None, **kwargs: Any
    ) -> None:
        """Mark price candlesticks, `<symbol>@markPriceKline_<interval>`."""
        self.send_message_to_server(names.mark_kline(symbol, interval), action=action, id=id)
