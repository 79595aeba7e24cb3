"""Moving events in time and id space (pure): for loops, and for putting file times onto the sandbox clock."""

from __future__ import annotations

from typing import Any, Dict

from binance.record.events import Event

__all__ = ["IdRange", "shift_data", "shifted"]

_TIME_KEYS = ("E", "T")


class IdRange:
    """Smallest and largest id seen per id family: `trade` (trade ids), `agg` (aggregate trade ids),
    `book` (order-book update ids). A loop pass adds `span()` to every id of a family."""

    __slots__ = ("lo", "hi")

    def __init__(self) -> None:
        self.lo: Dict[str, int] = {}
        self.hi: Dict[str, int] = {}

    def _see(self, family: str, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            if value < self.lo.get(family, value + 1):
                self.lo[family] = value
            if value > self.hi.get(family, -1):
                self.hi[family] = value

    def see(self, event: Event) -> None:
        """Note the ids of `event`."""
        for family, key in _ids(event):
            self._see(family, key)

    def span(self) -> Dict[str, int]:
        """Per family, how far the ids of one pass reach (0 for a family never seen)."""
        return {f: self.hi[f] - self.lo[f] + 1 for f in self.hi}


def _ids(event: Event) -> list:
    d = event.data
    kind = event.kind
    if not isinstance(d, dict):
        return []
    if kind == "aggTrade":
        return [("agg", d.get("a")), ("trade", d.get("f")), ("trade", d.get("l"))]
    if kind == "trade":
        return [("trade", d.get("t"))]
    if kind in ("depthUpdate",):
        return [("book", d.get("U")), ("book", d.get("u"))]
    if kind == "bookTicker":
        return [("book", d.get("u"))]
    if kind == "depthSnapshot":
        return [("book", (d.get("depth") or {}).get("lastUpdateId"))]
    return []


def _plus(value: Any, delta: int) -> Any:
    if delta and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value + delta
    return value


def shift_data(kind: str, data: Any, dt: int, ids: Dict[str, int]) -> Any:
    """A copy of an event payload with its times moved by `dt` ms and its ids by `ids` (per family)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if dt:
        for key in _TIME_KEYS:
            if isinstance(out.get(key), int):
                out[key] += dt
    if kind in ("kline", "markPriceKline") and isinstance(out.get("k"), dict):
        k = dict(out["k"])
        if dt:
            k["t"] += dt
            k["T"] += dt
        t = ids.get("trade", 0)
        k["f"], k["L"] = _plus(k.get("f"), t), _plus(k.get("L"), t)
        out["k"] = k
    elif kind == "aggTrade":
        out["a"] = _plus(out.get("a"), ids.get("agg", 0))
        out["f"] = _plus(out.get("f"), ids.get("trade", 0))
        out["l"] = _plus(out.get("l"), ids.get("trade", 0))
    elif kind == "trade":
        out["t"] = _plus(out.get("t"), ids.get("trade", 0))
    elif kind == "depthUpdate":
        b = ids.get("book", 0)
        for key in ("U", "u", "pu"):
            out[key] = _plus(out.get(key), b)
    elif kind == "bookTicker":
        out["u"] = _plus(out.get("u"), ids.get("book", 0))
    elif kind == "depthSnapshot" and isinstance(out.get("depth"), dict):
        depth = dict(out["depth"])
        depth["lastUpdateId"] = _plus(depth.get("lastUpdateId"), ids.get("book", 0))
        for key in _TIME_KEYS:
            if dt and isinstance(depth.get(key), int):
                depth[key] += dt
        out["depth"] = depth
    return out


def shifted(event: Event, dt: int, ids: Dict[str, int]) -> Event:
    """`event` moved by `dt` ms and by `ids` (a new event; the original is untouched)."""
    if not dt and not any(ids.values()):
        return event
    return Event(event.time + dt, event.symbol, event.kind, event.stream, shift_data(event.kind, event.data, dt, ids))
