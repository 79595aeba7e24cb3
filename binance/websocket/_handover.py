"""Pure rules of a make-before-break renewal (no sockets, threads or clocks).

When a connection is renewed (`serverShutdown` notice, or `max_connection_age`), the new
connection is opened and subscribed while the old one still delivers; both then carry the same
events for a moment. `Overlap` decides, message by message, what the user sees during that
overlap, and when the new connection has taken over so the old one can be closed.

Deduplication rule (per stream: the `stream` field of a combined payload; for raw payloads the
event type `e` with the symbol `s`):

* `aggTrade`: an event whose aggregate trade id `a` was already delivered is dropped;
* `depthUpdate` on a combined stream: an event is delivered only when its final update id `u`
  is greater than the last one delivered on that stream (diff depth keeps its `pu` chain; a
  partial-depth snapshot with an unchanged `u` is the same book and is not repeated);
* every other event (klines, tickers, mark price, bookTicker, user data, `!...@arr` arrays, raw
  depth): a second byte-identical payload is dropped (compared by length and a 64-bit hash, so
  nothing large is kept). Binance fans one encoded event out to every connection, so the copies
  are identical; were a server to render the same event differently on two connections (another
  event time `E`), the user would see both copies, each a valid snapshot;
* messages that are not stream events (no event type `e`: replies to SUBSCRIBE, errors, malformed
  or binary frames; and the connection's own `serverShutdown` notice) are always delivered.

Apart from diff depth, nothing is dropped for arriving late, only for being a copy: if the old
connection lagged behind the new one, an event could reach the user after a newer one of the same
stream (never twice). A diff-depth event older than one already delivered is dropped: the chain
check of a local book (`pu` equal to the previous `u`) then reports the gap and resynchronises.
Outside a renewal nothing is parsed or filtered.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Deque, Dict, Hashable, Optional, Set, Tuple, Union

__all__ = ["OLD", "NEW", "Overlap", "event_identity"]

OLD = "old"
NEW = "new"
_MEMORY = 100_000
_CONNECTION_NOTICES = frozenset({"serverShutdown"})


def event_identity(data: Union[str, bytes]) -> Optional[Tuple[Hashable, Hashable, bool]]:
    """`(stream, key, ordered)` of an event message, or `None` for anything that is not an event.

    `ordered` keys (`depthUpdate` `u` on a combined stream) are compared by value; the others
    are identities.
    """
    if not isinstance(data, str):
        return None
    try:
        decoded = json.loads(data)
    except ValueError:
        return None
    if not isinstance(decoded, dict):
        return _array_identity(None, decoded, data)
    if "stream" in decoded and "data" in decoded:
        stream, payload = decoded["stream"], decoded["data"]
        if not isinstance(stream, str):
            return None
    else:
        stream, payload = None, decoded
    if isinstance(payload, list):
        return _array_identity(stream, payload, data)
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        return None
    kind = payload["e"]
    if kind in _CONNECTION_NOTICES:
        return None
    key_stream: Hashable = stream if stream is not None else (kind, str(payload.get("s", "")))
    if kind == "aggTrade" and isinstance(payload.get("a"), int):
        return key_stream, ("a", payload["a"]), False
    if kind == "depthUpdate" and stream is not None and isinstance(payload.get("u"), int):
        return key_stream, payload["u"], True
    return key_stream, _fingerprint(data), False


def _fingerprint(data: str) -> Tuple[int, int]:
    return len(data), hash(data)


def _array_identity(stream: Optional[str], payload: Any, data: str) -> Optional[Tuple[Hashable, Hashable, bool]]:
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], dict):
        return None
    kind = payload[0].get("e")
    if not isinstance(kind, str):
        return None
    return (stream if stream is not None else (kind, "[]")), _fingerprint(data), False


class Overlap:
    """The overlap of an OLD and a NEW connection carrying the same streams."""

    def __init__(self, memory: int = _MEMORY) -> None:
        if memory < 1:
            raise ValueError("memory must be >= 1")
        self._memory = memory
        self._seen: Set[Hashable] = set()
        self._order: Deque[Hashable] = deque()
        self._last: Dict[Hashable, Any] = {}
        self._streams: Dict[str, Set[Hashable]] = {OLD: set(), NEW: set()}
        self.dropped = 0

    def admit(self, source: str, data: Union[str, bytes]) -> bool:
        """Whether the message `data` that arrived on `source` (OLD or NEW) goes to the user."""
        identity = event_identity(data)
        if identity is None:
            return True
        stream, key, ordered = identity
        self._streams[source].add(stream)
        if ordered:
            last = self._last.get(stream)
            if last is not None and key <= last:
                self.dropped += 1
                return False
            self._last[stream] = key
            return True
        full = (stream, key)
        if full in self._seen:
            self.dropped += 1
            return False
        self._seen.add(full)
        self._order.append(full)
        if len(self._order) > self._memory:
            self._seen.discard(self._order.popleft())
        return True

    def rotate(self) -> None:
        """A further renewal began: NEW becomes OLD; the memory of delivered events is kept."""
        self._streams = {OLD: self._streams[NEW], NEW: set()}

    def taken_over(self) -> bool:
        """True once NEW has delivered an event, and an event of every stream seen on OLD."""
        return bool(self._streams[NEW]) and self._streams[OLD] <= self._streams[NEW]

    def missing(self) -> Set[Hashable]:
        """Streams seen on OLD during the overlap that NEW has not delivered yet."""
        return self._streams[OLD] - self._streams[NEW]
