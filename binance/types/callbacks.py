"""The signatures of the stream clients' callbacks (`on_message(client, message)` and the others).

Every callback gets the stream client first, as in 4.2.0. Return values are ignored.
"""

from __future__ import annotations

from binance.websocket.websocket_client import (
    OnClose as OnClose,
)
from binance.websocket.websocket_client import (
    OnError as OnError,
)
from binance.websocket.websocket_client import (
    OnMessage as OnMessage,
)
from binance.websocket.websocket_client import (
    OnOpen as OnOpen,
)
from binance.websocket.websocket_client import (
    OnPing as OnPing,
)
from binance.websocket.websocket_client import (
    OnPong as OnPong,
)
from binance.websocket.websocket_client import (
    OnReconnect as OnReconnect,
)

__all__ = ["OnMessage", "OnOpen", "OnClose", "OnError", "OnPing", "OnPong", "OnReconnect"]
