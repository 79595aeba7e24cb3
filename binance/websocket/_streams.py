"""Pure stream facts: stream names, control frames and USDⓈ-M category routing (no I/O)."""

from __future__ import annotations

import json
from typing import Iterable, List, Optional, Sequence, Union
from urllib.parse import urlsplit, urlunsplit

PUBLIC = "public"
MARKET = "market"
PRIVATE = "private"
CATEGORIES = (PUBLIC, MARKET, PRIVATE)

SUBSCRIBE = "SUBSCRIBE"
UNSUBSCRIBE = "UNSUBSCRIBE"
LIST_SUBSCRIPTIONS = "LIST_SUBSCRIPTIONS"

_BARE_MARKET_STREAMS = frozenset({"tradingSession"})
_PUBLIC_MARKERS = ("@depth", "@rpiDepth", "bookTicker", "@trade")
_PATH_SUFFIXES = ("/ws", "/stream")

MASK = "***"


# ---------------------------------------------------------------- stream names
def agg_trade(symbol: str) -> str:
    """`<symbol>@aggTrade`."""
    return f"{symbol.lower()}@aggTrade"


def trade(symbol: str) -> str:
    """`<symbol>@trade` (raw trades; USDⓈ-M serves it on the `public` route)."""
    return f"{symbol.lower()}@trade"


def _speed_suffix_seconds(speed: Optional[Union[int, str]]) -> str:
    return "@1s" if speed in (1, "1", "1s") else ""


def mark_price(symbol: str, speed: Optional[Union[int, str]] = 1) -> str:
    """`<symbol>@markPrice@1s` for speed 1, else the 3 s form `<symbol>@markPrice`."""
    return f"{symbol.lower()}@markPrice{_speed_suffix_seconds(speed)}"


def mark_price_all_market(speed: Optional[Union[int, str]] = 1) -> str:
    """`!markPrice@arr@1s` for speed 1, else `!markPrice@arr`."""
    return f"!markPrice@arr{_speed_suffix_seconds(speed)}"


def pair_mark_price(pair: str, speed: Optional[Union[int, str]] = 1) -> str:
    """COIN-M `<pair>@markPrice@1s` or `<pair>@markPrice`."""
    return f"{pair.lower()}@markPrice{_speed_suffix_seconds(speed)}"


def index_price(pair: str, speed: Optional[Union[int, str]] = 1) -> str:
    """COIN-M `<pair>@indexPrice@1s` or `<pair>@indexPrice`."""
    return f"{pair.lower()}@indexPrice{_speed_suffix_seconds(speed)}"


def kline(symbol: str, interval: str) -> str:
    """`<symbol>@kline_<interval>`."""
    return f"{symbol.lower()}@kline_{interval}"


def continuous_kline(pair: str, contract_type: str, interval: str) -> str:
    """`<pair>_<contractType>@continuousKline_<interval>` (pair lowercased, contract type as given)."""
    return f"{pair.lower()}_{contract_type}@continuousKline_{interval}"


def index_kline(pair: str, interval: str) -> str:
    """COIN-M `<pair>@indexPriceKline_<interval>`."""
    return f"{pair.lower()}@indexPriceKline_{interval}"


def mark_kline(symbol: str, interval: str) -> str:
    """COIN-M `<symbol>@markPriceKline_<interval>`."""
    return f"{symbol.lower()}@markPriceKline_{interval}"


def mini_ticker(symbol: Optional[str] = None) -> str:
    """`<symbol>@miniTicker`, or `!miniTicker@arr` for every symbol."""
    return "!miniTicker@arr" if symbol is None else f"{symbol.lower()}@miniTicker"


def ticker(symbol: Optional[str] = None) -> str:
    """`<symbol>@ticker`, or `!ticker@arr` for every symbol."""
    return "!ticker@arr" if symbol is None else f"{symbol.lower()}@ticker"


def book_ticker(symbol: Optional[str] = None) -> str:
    """`<symbol>@bookTicker`, or `!bookTicker` for every symbol."""
    return "!bookTicker" if symbol is None else f"{symbol.lower()}@bookTicker"


def _ms_suffix(speed: Optional[Union[int, str]]) -> str:
    if speed is None or str(speed).rstrip("ms") in ("", "250"):
        return ""
    return f"@{str(speed).rstrip('ms')}ms"


def diff_book_depth(symbol: str, speed: Optional[Union[int, str]] = 100) -> str:
    """`<symbol>@depth@100ms` / `@500ms`; speed `None` or 250 gives the 250 ms form `<symbol>@depth`."""
    return f"{symbol.lower()}@depth{_ms_suffix(speed)}"


def partial_book_depth(symbol: str, level: Union[int, str] = 5, speed: Optional[Union[int, str]] = 500) -> str:
    """`<symbol>@depth<level>@<speed>ms`; speed `None` or 250 gives `<symbol>@depth<level>`."""
    return f"{symbol.lower()}@depth{level}{_ms_suffix(speed)}"


def rpi_diff_book_depth(symbol: str) -> str:
    """USDⓈ-M `<symbol>@rpiDepth@500ms` (depth including RPI orders)."""
    return f"{symbol.lower()}@rpiDepth@500ms"


def liquidation_order(symbol: Optional[str] = None) -> str:
    """`<symbol>@forceOrder`, or `!forceOrder@arr` for every symbol."""
    return "!forceOrder@arr" if symbol is None else f"{symbol.lower()}@forceOrder"


def composite_index(symbol: str) -> str:
    """USDⓈ-M `<symbol>@compositeIndex`."""
    return f"{symbol.lower()}@compositeIndex"


def contract_info() -> str:
    """`!contractInfo`."""
    return "!contractInfo"


def asset_index(symbol: Optional[str] = None) -> str:
    """USDⓈ-M `<assetSymbol>@assetIndex`, or `!assetIndex@arr` for every asset."""
    return "!assetIndex@arr" if symbol is None else f"{symbol.lower()}@assetIndex"


def trading_session() -> str:
    """USDⓈ-M `tradingSession`."""
    return "tradingSession"


# ---------------------------------------------------------------- classification and routing
def is_private(stream: str) -> bool:
    """Whether `stream` is a listenKey (user data) rather than a market stream name."""
    return "@" not in stream and not stream.startswith("!") and stream not in _BARE_MARKET_STREAMS


def um_category(stream: str) -> str:
    """The USDⓈ-M path a stream lives under: `public` (book data), `private` (listenKey) or `market`."""
    if is_private(stream):
        return PRIVATE
    if any(marker in stream for marker in _PUBLIC_MARKERS):
        return PUBLIC
    return MARKET


def stream_base(stream_url: str) -> str:
    """Strip a trailing `/ws`/`/stream` and a category from `stream_url`, giving the host root."""
    parts = urlsplit(stream_url)
    path = parts.path.rstrip("/")
    for suffix in _PATH_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    for category in CATEGORIES:
        if path.endswith("/" + category):
            path = path[: -len(category) - 1]
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def connection_url(base: str, category: Optional[str], is_combined: bool) -> str:
    """`<base>[/<category>]/ws` or `.../stream` (combined payloads)."""
    path = "/stream" if is_combined else "/ws"
    return f"{base}/{category}{path}" if category else f"{base}{path}"


# ---------------------------------------------------------------- connection notices
SERVER_SHUTDOWN = "serverShutdown"


def is_shutdown_notice(text: str) -> bool:
    """Whether `text` is Binance's `serverShutdown` event (a connection is about to be closed).

    A cheap substring test first (most messages stop there), then a real parse: the event type
    `e` must be `serverShutdown`, at the top level, in a combined stream's `data` or in a
    WebSocket API `event`. Any other message that merely contains the word (a clientOrderId,
    a symbol) is not a notice.
    """
    if SERVER_SHUTDOWN not in text:
        return False
    try:
        message = json.loads(text)
    except ValueError:
        return False
    if not isinstance(message, dict):
        return False
    for key in ("data", "event"):
        inner = message.get(key)
        if isinstance(inner, dict):
            message = inner
            break
    return message.get("e") == SERVER_SHUTDOWN


# ---------------------------------------------------------------- control frames
def as_list(stream: Union[str, Sequence[str]]) -> List[str]:
    """One stream name or a list of them as a list (4.2.0 accepts both)."""
    if isinstance(stream, str):
        return [stream]
    if isinstance(stream, (list, tuple)):
        return list(stream)
    raise ValueError("Invalid stream name, expect string or array")


def frame(method: str, streams: Optional[Iterable[str]], request_id: Union[int, str]) -> str:
    """JSON text of a control request: `{"method": ..., "params": [...], "id": ...}`."""
    message: dict = {"method": method}
    if streams is not None:
        message["params"] = list(streams)
    message["id"] = request_id
    return json.dumps(message)


def masked(streams: Iterable[str]) -> List[str]:
    """Stream names safe to log: listenKeys replaced by `***`."""
    return [MASK if is_private(name) else name for name in streams]


def chunks(items: Sequence[str], size: int) -> List[List[str]]:
    """Split `items` into lists of at most `size`."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
