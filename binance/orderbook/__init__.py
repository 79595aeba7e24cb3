"""Local order books for futures symbols, kept in sync with Binance's diff-depth stream.

[OrderBook][binance.orderbook.OrderBook] is the pure core (no sockets, threads or clocks): it applies REST snapshots and
`depthUpdate` events by Binance's futures sequencing rules and answers queries (best bid/ask,
top levels, spread, mid, fill estimates). [DepthManager][binance.orderbook.DepthManager] runs books for several symbols
over one stream connection, taking snapshots and resynchronising by itself.
"""

from binance.orderbook.book import (
    ApplyResult,
    BookNotReadyError,
    BookOutOfSyncError,
    BookState,
    FillEstimate,
    InsufficientDepthError,
    InvalidDepthEventError,
    OrderBook,
    OrderBookError,
)
from binance.orderbook.manager import DepthManager, ManagerState

__all__ = [
    "ApplyResult",
    "BookNotReadyError",
    "BookOutOfSyncError",
    "BookState",
    "DepthManager",
    "FillEstimate",
    "InsufficientDepthError",
    "InvalidDepthEventError",
    "ManagerState",
    "OrderBook",
    "OrderBookError",
]
