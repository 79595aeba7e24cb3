"""The WebSocket API methods, written once for both markets (UM-only ones in `UMOnlyMethods`).

Each method sends one Binance method (named in its docstring); keyword arguments go on the wire under
the API's own names (camelCase, e.g. `timeInForce="GTC"`, `newClientOrderId="x1"`), plus `recvWindow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover

    class _Caller:
        def _call(self, method: str, required: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any: ...

else:
    _Caller = object


class CommonMethods(_Caller):
    """Methods both markets have (10: order.*, account.status/balance/position, userDataStream.*)."""

    def order_place(self, symbol: str, side: str, type: str, **kwargs: Any) -> Any:
        """`order.place` (TRADE): place an order, e.g. `order_place("BTCUSDT", "BUY", "LIMIT",
        timeInForce="GTC", quantity="0.01", price="50000")`. Returns the order. An order whose call
        raised ConnectionLostError or ReadTimeoutError may exist: look it up by `newClientOrderId`."""
        return self._call("order.place", {"symbol": symbol, "side": side, "type": type}, kwargs)

    def order_cancel(self, symbol: str, **kwargs: Any) -> Any:
        """`order.cancel` (TRADE): cancel an active order by `orderId` or `origClientOrderId`."""
        return self._call("order.cancel", {"symbol": symbol}, kwargs)

    def order_modify(self, symbol: str, side: str, quantity: Any, price: Any, **kwargs: Any) -> Any:
        """`order.modify` (TRADE): change a LIMIT order's quantity and price (`orderId` or
        `origClientOrderId`); a change that breaks a filter is rejected and the order stays."""
        return self._call(
            "order.modify", {"symbol": symbol, "side": side, "quantity": quantity, "price": price}, kwargs
        )

    def order_status(self, symbol: str, **kwargs: Any) -> Any:
        """`order.status` (USER_DATA): one order by `orderId` or `origClientOrderId`."""
        return self._call("order.status", {"symbol": symbol}, kwargs)

    def account_status(self, **kwargs: Any) -> Any:
        """`account.status` (USER_DATA): account information (assets, positions, margins)."""
        return self._call("account.status", {}, kwargs)

    def account_balance(self, **kwargs: Any) -> Any:
        """`account.balance` (USER_DATA): the balance of each asset."""
        return self._call("account.balance", {}, kwargs)

    def account_position(self, **kwargs: Any) -> Any:
        """`account.position` (USER_DATA): position information (UM: `symbol`; CM: `marginAsset`
        or `pair`)."""
        return self._call("account.position", {}, kwargs)

    def user_data_stream_start(self, **kwargs: Any) -> Any:
        """`userDataStream.start` (USER_STREAM): a listenKey, valid 60 minutes (the same key while one is
        active). Open the user-data stream with it on a separate stream connection."""
        return self._call("userDataStream.start", {}, kwargs)

    def user_data_stream_ping(self, **kwargs: Any) -> Any:
        """`userDataStream.ping` (USER_STREAM): extend the account's listenKey by 60 minutes."""
        return self._call("userDataStream.ping", {}, kwargs)

    def user_data_stream_stop(self, **kwargs: Any) -> Any:
        """`userDataStream.stop` (USER_STREAM): close the account's user-data stream."""
        return self._call("userDataStream.stop", {}, kwargs)


class UMOnlyMethods(_Caller):
    """USDⓈ-M methods COIN-M does not have (v2 account methods, market data, algo orders)."""

    def account_status_v2(self, **kwargs: Any) -> Any:
        """`v2/account.status` (USER_DATA): account information, v2 shape."""
        return self._call("v2/account.status", {}, kwargs)

    def account_balance_v2(self, **kwargs: Any) -> Any:
        """`v2/account.balance` (USER_DATA): balances, v2 shape."""
        return self._call("v2/account.balance", {}, kwargs)

    def account_position_v2(self, **kwargs: Any) -> Any:
        """`v2/account.position` (USER_DATA): positions, v2 shape (`symbol` optional)."""
        return self._call("v2/account.position", {}, kwargs)

    def depth(self, symbol: str, **kwargs: Any) -> Any:
        """`depth` (NONE): the order book (`limit` 5, 10, 20, 50, 100, 500 or 1000)."""
        return self._call("depth", {"symbol": symbol}, kwargs)

    def ticker_book(self, **kwargs: Any) -> Any:
        """`ticker.book` (NONE): best bid and ask of `symbol`, or of every symbol without it."""
        return self._call("ticker.book", {}, kwargs)

    def ticker_price(self, **kwargs: Any) -> Any:
        """`ticker.price` (NONE): latest price of `symbol`, or of every symbol without it."""
        return self._call("ticker.price", {}, kwargs)

    def algo_order_place(self, algoType: str, symbol: str, side: str, type: str, **kwargs: Any) -> Any:
        """`algoOrder.place` (TRADE): place a conditional (algo) order, e.g. `algoType="CONDITIONAL"`,
        `type="STOP_MARKET"`, `triggerPrice=...`."""
        return self._call(
            "algoOrder.place", {"algoType": algoType, "symbol": symbol, "side": side, "type": type}, kwargs
        )

    def algo_order_cancel(self, **kwargs: Any) -> Any:
        """`algoOrder.cancel` (TRADE): cancel an algo order by `algoId` or `clientAlgoId`."""
        return self._call("algoOrder.cancel", {}, kwargs)
