"""One LIST_SUBSCRIPTIONS reply for a client whose streams span several connections (pure: no I/O, no clock).

A stream client asks each of its connections (one per route and per `max_streams_per_connection`)
and each answers `{"result": [...], "id": <id>}` with the same id. The caller registers the
request with the number of replies it expects; [ListingMerger.offer][binance.websocket._listings.ListingMerger.offer]
swallows those replies and returns one merged reply once all have come, or, at the deadline, one
made of those that came. An error reply (`{"error": ..., "id": <id>}`) is passed on as it is and
counts as answered.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

__all__ = ["ListingMerger"]

_PREFIXES = ('{"result"', '{"id"')


@dataclass
class _Listing:
    expected: int
    deadline: float
    results: List[Any] = field(default_factory=list)
    answered: int = 0


class ListingMerger:
    """Merges the LIST_SUBSCRIPTIONS replies of several connections into one (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Dict[Any, _Listing] = {}
        self.waiting = False
        """True while a merged reply is outstanding: the only case where `offer` needs calling."""

    def expect(self, request_id: Any, replies: int, deadline: float) -> None:
        """Register a request sent on `replies` connections; give up waiting at `deadline`."""
        with self._lock:
            self._open[request_id] = _Listing(replies, deadline)
            self.waiting = True

    def offer(self, text: str, now: float) -> Tuple[bool, List[str]]:
        """Look at one incoming text: `(swallowed, texts to deliver now)`.

        `swallowed` is True when `text` is a reply being merged (do not deliver it); the list
        holds merged replies that are complete or overdue (deliver them, in order).
        """
        swallowed = False
        ready: List[str] = []
        with self._lock:
            if text.startswith(_PREFIXES):
                swallowed = self._take(text, ready)
            for request_id, listing in list(self._open.items()):
                if listing.deadline <= now:
                    ready.append(_render(request_id, listing))
                    del self._open[request_id]
            self.waiting = bool(self._open)
        return swallowed, ready

    def _take(self, text: str, ready: List[str]) -> bool:
        try:
            message = json.loads(text)
        except ValueError:
            return False
        if not isinstance(message, dict):
            return False
        request_id = message.get("id")
        try:
            listing = self._open.get(request_id)
        except TypeError:  # an unhashable id
            return False
        if listing is None:
            return False
        listing.answered += 1
        result = message.get("result")
        swallowed = "error" not in message
        if isinstance(result, list):
            listing.results.extend(name for name in result if name not in listing.results)
        if listing.answered >= listing.expected:
            del self._open[request_id]
            ready.append(_render(request_id, listing))
        return swallowed

    def clear(self) -> None:
        """Forget every outstanding request (the client stopped)."""
        with self._lock:
            self._open.clear()
            self.waiting = False


def _render(request_id: Any, listing: _Listing) -> str:
    return json.dumps({"result": listing.results, "id": request_id}, separators=(",", ":"))
