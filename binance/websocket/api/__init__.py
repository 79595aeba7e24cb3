"""WebSocket API clients: orders and queries over one persistent signed connection, from any thread.



    from binance.websocket.api import UMFuturesWebsocketAPIClient

    with UMFuturesWebsocketAPIClient(api_key, api_secret) as client:
        order = client.order_place("BTCUSDT", "BUY", "LIMIT", timeInForce="GTC", quantity="0.01", price="50000")
        client.order_cancel("BTCUSDT", orderId=order["orderId"])

Method names follow Binance's method names (`order.place` -> `order_place`,
`v2/account.status` -> `account_status_v2`); see `_methods`.
"""

from binance.websocket.api.client import State, WebsocketAPIClient
from binance.websocket.api.cm_futures import CMFuturesWebsocketAPIClient
from binance.websocket.api.um_futures import UMFuturesWebsocketAPIClient

__all__ = ["UMFuturesWebsocketAPIClient", "CMFuturesWebsocketAPIClient", "WebsocketAPIClient", "State"]
