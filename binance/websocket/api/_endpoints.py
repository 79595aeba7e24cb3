"""The WebSocket API methods, written once for both markets (UM-only ones in `UMOnlyMethods`).

Each method sends one Binance method (named in its docstring); keyword arguments go on the wire under
the API's own names (camelCase, e.g. `timeInForce="GTC"`, `newClientOrderId="x1"`), plus `recvWindow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Mapping, Optional, TypeVar

from binance.types.params import Number

if TYPE_CHECKING:  # pragma: no cover
    from binance._endpoints._base import Flag
    from binance.types.params import (
        NewOrderRespType,
        OrderType,
        PositionSide,
        PriceMatch,
        SelfTradePreventionMode,
        Side,
        TimeInForce,
    )
    from binance.types.shared import UserDataStreamPingResult, UserDataStreamStartResult, UserDataStreamStopResult
    from binance.types.um import (
        AccountBalanceV2Result,
        AccountPositionV2Result,
        AccountStatusV2Result,
        AlgoOrderCancelResult,
        AlgoOrderPlaceResult,
        DepthResult,
        TickerBookResult,
        TickerPriceResult,
    )

    class _Caller:
        def _call(self, method: str, required: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any: ...

else:

    class _Caller:
        """At run time the client class provides `_call`."""


# The result types that differ per market (`binance.types.um` / `binance.types.cm`), bound by each client class.
_Place = TypeVar("_Place")
_Cancel = TypeVar("_Cancel")
_Modify = TypeVar("_Modify")
_Status = TypeVar("_Status")
_Account = TypeVar("_Account")
_Balance = TypeVar("_Balance")
_Position = TypeVar("_Position")


class CommonMethods(_Caller, Generic[_Place, _Cancel, _Modify, _Status, _Account, _Balance, _Position]):
    """Methods both markets have (10: order.*, account.status/balance/position, userDataStream.*).

    Generic only for the type checker: each market's client names its result types.
    """

    def order_place(
        self,
        symbol: str,
        side: Side,
        type: OrderType,
        *,
        positionSide: Optional[PositionSide] = None,
        timeInForce: Optional[TimeInForce] = None,
        quantity: Optional[Number] = None,
        price: Optional[Number] = None,
        reduceOnly: Optional[Flag] = None,
        newClientOrderId: Optional[str] = None,
        newOrderRespType: Optional[NewOrderRespType] = None,
        priceMatch: Optional[PriceMatch] = None,
        selfTradePreventionMode: Optional[SelfTradePreventionMode] = None,
        goodTillDate: Optional[int] = None,
        recvWindow: Optional[int] = None,
        **kwargs: Any,
    ) -> _Place:
        """`order.place` (TRADE): place an order, e.g. `order_place("BTCUSDT", "BUY", "LIMIT",
        timeInForce="GTC", quantity="0.01", price="50000")`. Returns the order. An order whose call
        raised ConnectionLostError or ReadTimeoutError may exist: look it up by `newClientOrderId`."""
        named = {
            "positionSide": positionSide,
            "timeInForce": timeInForce,
            "quantity": quantity,
            "price": price,
            "reduceOnly": reduceOnly,
            "newClientOrderId": newClientOrderId,
            "newOrderRespType": newOrderRespType,
            "priceMatch": priceMatch,
            "selfTradePreventionMode": selfTradePreventionMode,
            "goodTillDate": goodTillDate,
            "recvWindow": recvWindow,
        }
        return self._call("order.place", {"symbol": symbol, "side": side, "type": type}, {**named, **kwargs})

    def order_cancel(self, symbol: str, **kwargs: Any) -> _Cancel:
        """`order.cancel` (TRADE): cancel an active order by `orderId` or `origClientOrderId`."""
        return self._call("order.cancel", {"symbol": symbol}, kwargs)

    def order_modify(self, symbol: str, side: Side, quantity: Number, price: Number, **kwargs: Any) -> _Modify:
        """`order.modify` (TRADE): change a LIMIT order's quantity and price (`orderId` or
        `origClientOrderId`); a change that breaks a filter is rejected and the order stays."""
        return self._call(
            "order.modify", {"symbol": symbol, "side": side, "quantity": quantity, "price": price}, kwargs
        )

    def order_status(self, symbol: str, **kwargs: Any) -> _Status:
        """`order.status` (USER_DATA): one order by `orderId` or `origClientOrderId`."""
        return self._call("order.status", {"symbol": symbol}, kwargs)

    def account_status(self, **kwargs: Any) -> _Account:
        """`account.status` (USER_DATA): account information (assets, positions, margins)."""
        return self._call("account.status", {}, kwargs)

    def account_balance(self, **kwargs: Any) -> _Balance:
        """`account.balance` (USER_DATA): the balance of each asset."""
        return self._call("account.balance", {}, kwargs)

    def account_position(self, **kwargs: Any) -> _Position:
        """`account.position` (USER_DATA): position information (UM: `symbol`; CM: `marginAsset`
        or `pair`)."""
        return self._call("account.position", {}, kwargs)

    def user_data_stream_start(self, **kwargs: Any) -> UserDataStreamStartResult:
        """`userDataStream.start` (USER_STREAM): a listenKey, valid 60 minutes (the same key while one is
        active). Open the user-data stream with it on a separate stream connection."""
        return self._call("userDataStream.start", {}, kwargs)

    def user_data_stream_ping(self, **kwargs: Any) -> UserDataStreamPingResult:
        """`userDataStream.ping` (USER_STREAM): extend the account's listenKey by 60 minutes."""
        return self._call("userDataStream.ping", {}, kwargs)

    def user_data_stream_stop(self, **kwargs: Any) -> UserDataStreamStopResult:
        """`userDataStream.stop` (USER_STREAM): close the account's user-data stream."""
        return self._call("userDataStream.stop", {}, kwargs)


class UMOnlyMethods(_Caller):
    """USDⓈ-M methods COIN-M does not have (v2 account methods, market data, algo orders)."""

    def account_status_v2(self, **kwargs: Any) -> AccountStatusV2Result:
        """`v2/account.status` (USER_DATA): account information, v2 shape."""
        return self._call("v2/account.status", {}, kwargs)

    def account_balance_v2(self, **kwargs: Any) -> AccountBalanceV2Result:
        """`v2/account.balance` (USER_DATA): balances, v2 shape."""
        return self._call("v2/account.balance", {}, kwargs)

    def account_position_v2(self, **kwargs: Any) -> AccountPositionV2Result:
        """`v2/account.position` (USER_DATA): positions, v2 shape (`symbol` optional)."""
        return self._call("v2/account.position", {}, kwargs)

    def depth(self, symbol: str, **kwargs: Any) -> DepthResult:
        """`depth` (NONE): the order book (`limit` 5, 10, 20, 50, 100, 500 or 1000)."""
        return self._call("depth", {"symbol": symbol}, kwargs)

    def ticker_book(self, **kwargs: Any) -> TickerBookResult:
        """`ticker.book` (NONE): best bid and ask of `symbol`, or of every symbol without it."""
        return self._call("ticker.book", {}, kwargs)

    def ticker_price(self, **kwargs: Any) -> TickerPriceResult:
        """`ticker.price` (NONE): latest price of `symbol`, or of every symbol without it."""
        return self._call("ticker.price", {}, kwargs)

    def algo_order_place(
        self, algoType: str, symbol: str, side: Side, type: str, **kwargs: Any
    ) -> AlgoOrderPlaceResult:
        """`algoOrder.place` (TRADE): place a conditional (algo) order, e.g. `algoType="CONDITIONAL"`,
        `type="STOP_MARKET"`, `triggerPrice=...`."""
        return self._call(
            "algoOrder.place", {"algoType": algoType, "symbol": symbol, "side": side, "type": type}, kwargs
        )

    def algo_order_cancel(self, **kwargs: Any) -> AlgoOrderCancelResult:
        """`algoOrder.cancel` (TRADE): cancel an algo order by `algoId` or `clientAlgoId`."""
        return self._call("algoOrder.cancel", {}, kwargs)
