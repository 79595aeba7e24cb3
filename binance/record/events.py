"""`Event`: one market-data event read from a recording or an archive file (pure data)."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["Event", "KINDS"]

KINDS = (
    "depthUpdate",      # a depth diff (data: the stream payload)
    "depthSnapshot",    # a REST depth snapshot (data: {"stream", "symbol", "depth"})
    "aggTrade",         # an aggregate trade (data: the aggTrade stream payload)
    "trade",            # one trade (data: {"e": "trade", "s", "t", "p", "q", "X"?, "T", "m"}; archive trades)
    "bookTicker",       # best bid/ask (data: the bookTicker stream payload)
    "markPriceUpdate",  # mark price / funding (data: the markPrice stream payload)
    "kline",            # a candle (data: the kline stream payload)
    "markPriceKline",   # a mark-price candle (data: a kline-shaped payload, volumes zero)
    "message",          # any other recorded stream message (data: its payload)
    "gap",              # messages may be missing before this point (data: {"reason", "streams"})
)


class Event:
    """One event in replay order: `time` (ms, the file's clock), `symbol` (upper case, or `None`),
    `kind` (one of `KINDS`), `stream` (the stream it was recorded on, or the stream an archive row
    maps to; `None` for archive trades and candles, which feed state rather than a stream),
    `data` (a dict)."""

    __slots__ = ("time", "symbol", "kind", "stream", "data")

    def __init__(self, time: int, symbol: Optional[str], kind: str, stream: Optional[str], data: Any) -> None:
        self.time = time
        self.symbol = symbol
        self.kind = kind
        self.stream = stream
        self.data = data

    def __repr__(self) -> str:
        return f"Event({self.time}, {self.symbol!r}, {self.kind!r}, {self.stream!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return (self.time, self.symbol, self.kind, self.stream, self.data) == (
            other.time, other.symbol, other.kind, other.stream, other.data)

    __hash__ = None  # type: ignore[assignment]
