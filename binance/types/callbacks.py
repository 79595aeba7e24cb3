"""The signatures of the stream clients' callbacks (`on_message(client, message)` and the others).

Every callback gets the stream client first, as in 4.2.0. Return values are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Union

if TYPE_CHECKING:  # pragma: no cover
    from binance.websocket.websocket_client import BinanceWebsocketClient

__all__ = ["OnMessage", "OnOpen", "OnClose", "OnError", "OnPing", "OnPong", "OnReconnect"]

OnMessage = Callable[["BinanceWebsocketClient", Union[str, bytes]], object]
"""`on_message(client, message)`: the text of a frame as Binance sent it (`bytes` only for a binary frame,
which Binance does not send); parse it with `json.loads` into a `binance.types.um` / `.cm` event type."""

OnOpen = Callable[["BinanceWebsocketClient"], object]
"""`on_open(client)`: once, when the first connection is open."""

OnClose = Callable[["BinanceWebsocketClient"], object]
"""`on_close(client)`: once, when the client stops."""

OnError = Callable[["BinanceWebsocketClient", BaseException], object]
"""`on_error(client, exception)`: a connection error or an exception raised by another callback."""

OnPing = Callable[["BinanceWebsocketClient", bytes], object]
"""`on_ping(client, payload)`: the server pinged (the client has already answered)."""

OnPong = Callable[["BinanceWebsocketClient"], object]
"""`on_pong(client)`: the server answered a ping."""

OnReconnect = Callable[["BinanceWebsocketClient", List[str]], object]
"""`on_reconnect(client, streams)`: a connection was reopened and these streams resubscribed
(events of the gap may be missing)."""
