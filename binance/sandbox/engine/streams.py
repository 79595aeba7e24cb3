"""Market stream names: validation, event pushes (depth diffs, book ticker) and periodic payloads."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Dict, List, Optional, Tuple

from .core import MarketCore
from .market_views import MarketViews
from .marketdata import INTERVAL_MS
from .publisher import EventPublisher
from .state import DIFF_SPEEDS, SymbolState
from .util import fmt

KLINE_INTERVALS = tuple(i for i in INTERVAL_MS if i != "1s")
UM_CONTRACT_TYPES = ("perpetual", "current_quarter", "next_quarter", "tradifi_perpetual")
CM_CONTRACT_TYPES = ("perpetual", "current_quarter", "next_quarter")
EVENT_KINDS = ("aggTrade", "trade", "bookTicker", "allBookTicker", "depth", "rpiDepth", "forceOrder", "allForceOrder")

_PATTERNS: List[Tuple[str, str, re.Pattern]] = [
    ("both", "aggTrade", re.compile(r"^([a-z0-9_]+)@aggTrade$")),
    ("both", "trade", re.compile(r"^([a-z0-9_]+)@trade$")),
    ("both", "markPrice", re.compile(r"^([a-z0-9_]+)@markPrice(@1s)?$")),
    ("um", "allMarkPrice", re.compile(r"^!markPrice@arr(@1s)?$")),
    ("both", "kline", re.compile(r"^([a-z0-9_]+)@kline_([0-9a-zA-Z]+)$")),
    ("both", "continuousKline", re.compile(r"^([a-z0-9]+)_([a-z_]+)@continuousKline_([0-9a-zA-Z]+)$")),
    ("cm", "indexPriceKline", re.compile(r"^([a-z0-9]+)@indexPriceKline_([0-9a-zA-Z]+)$")),
    ("cm", "markPriceKline", re.compile(r"^([a-z0-9_]+)@markPriceKline_([0-9a-zA-Z]+)$")),
    ("cm", "indexPrice", re.compile(r"^([a-z0-9]+)@indexPrice(@1s)?$")),
    ("both", "miniTicker", re.compile(r"^([a-z0-9_]+)@miniTicker$")),
    ("both", "allMiniTicker", re.compile(r"^!miniTicker@arr$")),
    ("both", "ticker", re.compile(r"^([a-z0-9_]+)@ticker$")),
    ("both", "allTicker", re.compile(r"^!ticker@arr$")),
    ("both", "bookTicker", re.compile(r"^([a-z0-9_]+)@bookTicker$")),
    ("both", "allBookTicker", re.compile(r"^!bookTicker$")),
    ("both", "depth", re.compile(r"^([a-z0-9_]+)@depth(@100ms|@500ms)?$")),
    ("both", "partialDepth", re.compile(r"^([a-z0-9_]+)@depth(5|10|20)(@100ms|@500ms)?$")),
    ("um", "rpiDepth", re.compile(r"^([a-z0-9_]+)@rpiDepth@500ms$")),
    ("both", "forceOrder", re.compile(r"^([a-z0-9_]+)@forceOrder$")),
    ("both", "allForceOrder", re.compile(r"^!forceOrder@arr$")),
    ("um", "compositeIndex", re.compile(r"^([a-z0-9_]+)@compositeIndex$")),
    ("both", "contractInfo", re.compile(r"^!contractInfo$")),
    ("um", "allAssetIndex", re.compile(r"^!assetIndex@arr$")),
    ("um", "assetIndex", re.compile(r"^([a-z0-9]+)@assetIndex$")),
    ("um", "tradingSession", re.compile(r"^tradingSession$")),
]


class StreamViews:
    """Market streams: name validation, pushed events (depth diffs, book tickers) and periodic payloads."""

    def __init__(self, core: MarketCore, events: EventPublisher, market_views: MarketViews) -> None:
        self.core = core
        self.events = events
        self.market_views = market_views
        self._partial_last: Dict[str, int] = {}

    def parse_stream(self, stream: str) -> Optional[Tuple[str, tuple]]:
        """(kind, groups) of a valid stream name of this market, else `None`."""
        for market, kind, pattern in _PATTERNS:
            if market not in ("both", self.core.kind):
                continue
            m = pattern.match(stream)
            if m is None:
                continue
            groups = m.groups()
            if not self._groups_ok(kind, groups):
                return None
            return kind, groups
        return None

    def _symbol_state(self, lower: str) -> Optional[SymbolState]:
        return self.core.states.get(lower.upper())

    def _pairs(self) -> Dict[str, List[SymbolState]]:
        out: Dict[str, List[SymbolState]] = {}
        for st in self.core.states.values():
            out.setdefault(st.ins.pair.lower(), []).append(st)
        return out

    def asset_symbols(self) -> List[str]:
        """Asset index names of the sandbox's coins (e.g. BTCUSD)."""
        return sorted({f"{st.ins.base}USD" for st in self.core.states.values()})

    def composite_index(self, name: str) -> Tuple[Decimal, List[tuple]]:
        """(price, [(base, weightInQuantity, weightInPercentage, index price)]) of an index: a symbol of
        this market is its own single-asset index; any other name is an equal-weight composite of the coins."""
        st = self.core.states.get(name.upper())
        if st is not None:
            return st.index, [(st.ins.base, Decimal(1), Decimal(1), st.index)]
        coins = [s for s in self.core.states.values() if s.ins.contract_type == "PERPETUAL"]
        parts = []
        total = Decimal(0)
        for s in coins:
            qty = (Decimal(100) / len(coins) / s.ins.start_price).quantize(Decimal("0.00000001"))
            total += qty * s.index
            parts.append((s.ins.base, qty, qty * s.index, s.index))
        return total, [(b, q, (v / total if total else Decimal(0)), i) for b, q, v, i in parts]

    def _groups_ok(self, kind: str, g: tuple) -> bool:
        if kind in ("aggTrade", "trade", "kline", "miniTicker", "ticker", "bookTicker", "depth", "partialDepth",
                    "rpiDepth", "forceOrder", "markPriceKline"):
            if self._symbol_state(g[0]) is None:
                return False
            if kind in ("kline", "markPriceKline"):
                return g[1] in KLINE_INTERVALS
            return True
        if kind == "markPrice":
            return self._symbol_state(g[0]) is not None or (self.core.kind == "cm" and g[0] in self._pairs())
        if kind == "continuousKline":
            types = UM_CONTRACT_TYPES if self.core.kind == "um" else CM_CONTRACT_TYPES
            allowed = KLINE_INTERVALS + (("1s",) if self.core.kind == "um" else ())
            return g[0] in self._pairs() and g[1] in types and g[2] in allowed
        if kind in ("indexPriceKline", "indexPrice"):
            if g[0] not in self._pairs():
                return False
            return kind == "indexPrice" or g[1] in KLINE_INTERVALS
        if kind == "assetIndex":
            return g[0].endswith("usd")
        if kind == "compositeIndex":
            return self._symbol_state(g[0]) is not None or g[0].endswith("usdt")
        return True

    def is_valid_stream(self, stream: str) -> bool:
        """Whether `stream` names a market stream (or a live listenKey) of this market."""
        if self.parse_stream(stream) is not None:
            return True
        return self.core.exchange.listen_keys.market_of(stream) == self.core.kind

    def is_event_stream(self, stream: str) -> bool:
        """Whether the engine pushes `stream` itself (through listeners) rather than by render_stream."""
        parsed = self.parse_stream(stream)
        return parsed is not None and parsed[0] in EVENT_KINDS

    # ----------------------------------------------------------------- pushed events
    def _st_code(self) -> int:
        return 1 if self.core.kind == "um" else 2

    def emit_depth_diffs(self, st: SymbolState, now: int) -> None:
        """Push `<s>@depth`, `@100ms`, `@500ms` (and UM `@rpiDepth@500ms`) diffs when due."""
        sym = st.ins.symbol.lower()
        for speed, period in DIFF_SPEEDS:
            if now - st.last_diff_emit[speed] < period * 0.8:
                continue
            st.last_diff_emit[speed] = now
            change = st.book.take_changes(speed)
            if change is None:
                continue
            payload = self._diff_payload(st, change, st.last_diff_u[speed], now)
            st.last_diff_u[speed] = change[1]
            self.events.emit("market", f"{sym}@depth{speed}", payload)
        if now - st.last_rpi_emit >= 400:
            st.last_rpi_emit = now
            change = st.book.take_changes("rpi")
            if change is not None:
                payload = self._diff_payload(st, change, st.last_rpi_u, now)
                st.last_rpi_u = change[1]
                if self.core.kind == "um":
                    self.events.emit("market", f"{sym}@rpiDepth@500ms", payload)

    def _diff_payload(self, st: SymbolState, change: tuple, pu: int, now: int) -> dict:
        ins = st.ins
        first, last, bids, asks = change
        return {"e": "depthUpdate", "E": now, "T": now, "s": ins.symbol, "ps": ins.pair, "U": first, "u": last,
                "pu": pu, "b": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in bids],
                "a": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in asks], "st": self._st_code()}

    def book_ticker_event(self, st: SymbolState, now: int) -> dict:
        """The bookTicker stream payload of a symbol."""
        ins = st.ins
        bid, bq, ask, aq = self.core.book_top(st)
        return {"e": "bookTicker", "u": st.book.update_id, "s": ins.symbol, "ps": ins.pair,
                "b": ins.fmt_price(bid or 0), "B": ins.fmt_qty(bq), "a": ins.fmt_price(ask or 0),
                "A": ins.fmt_qty(aq), "T": now, "E": now, "st": self._st_code()}

    def emit_book_ticker(self, st: SymbolState, now: int) -> None:
        """Push bookTicker when the best bid/ask changed."""
        top = self.core.book_top(st)
        if top == st.last_book_ticker:
            return
        st.last_book_ticker = top
        payload = self.book_ticker_event(st, now)
        self.events.emit("market", f"{st.ins.symbol.lower()}@bookTicker", payload)
        self.events.emit("market", "!bookTicker", payload)

    # ----------------------------------------------------------------- periodic payloads
    def render_stream(self, stream: str, now_ms: int) -> Optional[object]:
        """Payload to push now for a periodic stream; `None` for unknown or event-driven streams."""
        with self.core.lock:
            parsed = self.parse_stream(stream)
            if parsed is None or parsed[0] in EVENT_KINDS:
                return None
            kind, g = parsed
            return getattr(self, f"_render_{kind}")(g, now_ms)

    def mark_price_event(self, st: SymbolState, now: int) -> dict:
        """markPriceUpdate payload of a symbol."""
        ins = st.ins
        perp = ins.contract_type == "PERPETUAL"
        d = {"e": "markPriceUpdate", "E": now, "s": ins.symbol, "p": fmt(st.mark, 8), "i": fmt(st.index, 8),
             "P": fmt(st.index, 8), "r": fmt(st.funding_rate, 8) if perp else "",
             "T": st.next_funding if perp else 0}
        if self.core.kind == "um":
            d["ap"] = fmt(st.mark, 8)
        d["st"] = self._st_code()
        return d

    def _render_markPrice(self, g: tuple, now: int) -> object:
        st = self._symbol_state(g[0])
        if st is not None:
            return self.mark_price_event(st, now)
        return [self.mark_price_event(s, now) for s in self._pairs()[g[0]]]

    def _render_allMarkPrice(self, g: tuple, now: int) -> object:
        return [self.mark_price_event(st, now) for st in self.core.states.values()]

    def _render_kline(self, g: tuple, now: int) -> dict:
        st = self._symbol_state(g[0])
        return {"e": "kline", "E": now, "s": st.ins.symbol, "k": self.market_views.kline_event(st, "trade", g[1], now,
                                                                                       "@".join(g))}

    def _contract_state(self, pair: str, ctype: str) -> SymbolState:
        states = self._pairs()[pair]
        for st in states:
            if st.ins.contract_type.lower() == ctype:
                return st
        return states[0]

    def _render_continuousKline(self, g: tuple, now: int) -> dict:
        st = self._contract_state(g[0], g[1])
        k = self.market_views.kline_event(st, "trade", g[2] if g[2] != "1s" else "1m", now, "c@" + "@".join(g))
        k.pop("s", None)
        k["i"] = g[2]
        return {"e": "continuous_kline", "E": now, "ps": st.ins.pair, "ct": g[1].upper(), "k": k}

    def _render_indexPriceKline(self, g: tuple, now: int) -> dict:
        st = self._pairs()[g[0]][0]
        k = self.market_views.kline_event(st, "index", g[1], now, "i@" + "@".join(g))
        k["s"] = "0"
        k["f"], k["L"] = k["t"], now
        return {"e": "indexPrice_kline", "E": now, "ps": st.ins.pair, "k": k}

    def _render_markPriceKline(self, g: tuple, now: int) -> dict:
        st = self._symbol_state(g[0])
        k = self.market_views.kline_event(st, "mark", g[1], now, "m@" + "@".join(g))
        k["f"], k["L"] = k["t"], now
        return {"e": "markPrice_kline", "E": now, "ps": st.ins.pair, "k": k}

    def _render_indexPrice(self, g: tuple, now: int) -> dict:
        st = self._pairs()[g[0]][0]
        return {"e": "indexPriceUpdate", "E": now, "i": st.ins.pair, "p": fmt(st.index, 8)}

    def mini_ticker_event(self, st: SymbolState, now: int) -> dict:
        """24hrMiniTicker payload."""
        t = self.market_views.ticker_24h(st)
        return {"e": "24hrMiniTicker", "E": now, "s": st.ins.symbol, "ps": st.ins.pair, "c": t["lastPrice"],
                "o": t["openPrice"], "h": t["highPrice"], "l": t["lowPrice"], "v": t["volume"],
                "q": t.get("quoteVolume", t.get("baseVolume")), "st": self._st_code()}

    def ticker_event(self, st: SymbolState, now: int) -> dict:
        """24hrTicker payload."""
        t = self.market_views.ticker_24h(st)
        return {"e": "24hrTicker", "E": now, "s": st.ins.symbol, "ps": st.ins.pair, "p": t["priceChange"],
                "P": t["priceChangePercent"], "w": t["weightedAvgPrice"], "c": t["lastPrice"], "Q": t["lastQty"],
                "o": t["openPrice"], "h": t["highPrice"], "l": t["lowPrice"], "v": t["volume"],
                "q": t.get("quoteVolume", t.get("baseVolume")), "O": t["openTime"], "C": t["closeTime"],
                "F": t["firstId"], "L": t["lastId"], "n": t["count"], "st": self._st_code()}

    def _render_miniTicker(self, g: tuple, now: int) -> dict:
        return self.mini_ticker_event(self._symbol_state(g[0]), now)

    def _render_allMiniTicker(self, g: tuple, now: int) -> list:
        return [self.mini_ticker_event(st, now) for st in self.core.states.values()]

    def _render_ticker(self, g: tuple, now: int) -> dict:
        return self.ticker_event(self._symbol_state(g[0]), now)

    def _render_allTicker(self, g: tuple, now: int) -> list:
        return [self.ticker_event(st, now) for st in self.core.states.values()]

    def _render_partialDepth(self, g: tuple, now: int) -> dict:
        st = self._symbol_state(g[0])
        ins = st.ins
        bids, asks = st.book.depth(int(g[1]))
        key = f"{g[0]}@depth{g[1]}{g[2] or ''}"
        last = self._partial_last
        u = st.book.update_id
        pu = last.get(key)
        if pu is None:
            # first message of the stream: the previous update is the last diff of the same speed
            # (or, before any diff, the update just before this one), so that U = pu + 1 <= u
            prev = st.last_diff_u.get(g[2] or "", 0)
            pu = prev if 0 < prev < u else max(u - 1, 0)
        last[key] = u
        return {"e": "depthUpdate", "E": now, "T": now, "s": ins.symbol, "ps": ins.pair,
                "U": min(pu + 1, u), "u": u, "pu": pu,
                "b": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in bids],
                "a": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in asks], "st": self._st_code()}

    def _render_compositeIndex(self, g: tuple, now: int) -> dict:
        price, parts = self.composite_index(g[0])
        return {"e": "compositeIndex", "E": now, "s": g[0].upper(), "p": fmt(price, 8), "C": "baseAsset",
                "c": [{"b": b, "q": "USDT", "w": fmt(q, 8), "W": fmt(pct, 8), "i": fmt(i, 8)}
                      for b, q, pct, i in parts]}

    def contract_info_event(self, st: SymbolState, now: int) -> dict:
        """contractInfo payload of a symbol."""
        ins = st.ins
        d: dict = {"e": "contractInfo", "E": now, "s": ins.symbol}
        if self.core.kind == "cm":
            d["ps"] = ins.pair
        d.update({"ct": ins.contract_type, "dt": ins.delivery_date, "ot": 1569398400000, "cs": "TRADING",
                  "bks": [{"bs": b[0], "bnf": float(b[2]), "bnc": float(b[3]), "mmr": float(b[4]),
                           "cf": float(b[5]), "mi": ins.brackets[i + 1][1] + 1 if i + 1 < len(ins.brackets) else 1,
                           "ma": b[1]} for i, b in enumerate(ins.brackets)],
                  "st": self._st_code()})
        return d

    def _render_contractInfo(self, g: tuple, now: int) -> dict:
        states = list(self.core.states.values())
        idx = (now // 1000) % len(states)
        return self.contract_info_event(states[idx], now)

    def asset_index_event(self, asset_symbol: str, now: int) -> dict:
        """assetIndexUpdate payload for e.g. BTCUSD."""
        base = asset_symbol[:-3]
        price = Decimal(1)
        for st in self.core.states.values():
            if st.ins.base == base:
                price = st.index
                break
        b, a, q, g = "0.10000000", "0.10000000", "0.05000000", "0.05000000"
        return {"e": "assetIndexUpdate", "E": now, "s": asset_symbol, "i": fmt(price, 8), "b": b, "a": a,
                "B": fmt(price * (1 - Decimal(b)), 8), "A": fmt(price * (1 - Decimal(a)), 8), "q": q, "g": g,
                "Q": fmt(price * (1 - Decimal(q)), 8), "G": fmt(price * (1 - Decimal(g)), 8)}

    def _render_allAssetIndex(self, g: tuple, now: int) -> list:
        return [self.asset_index_event(s, now) for s in self.asset_symbols()]

    def _render_assetIndex(self, g: tuple, now: int) -> dict:
        return self.asset_index_event(g[0].upper(), now)

    def _render_tradingSession(self, g: tuple, now: int) -> dict:
        day = now - now % 86_400_000
        return {"e": "EquityUpdate", "E": now, "t": day, "T": day + 86_400_000, "S": "REGULAR"}
