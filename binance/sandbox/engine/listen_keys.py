"""listenKey registry: create, keep alive, delete and expire user-data stream keys."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from .errors import EngineError

_ALPHABET = string.ascii_letters + string.digits
DEFAULT_TTL_MS = 60 * 60 * 1000


@dataclass
class _Entry:
    key: str
    api_key: str
    market: str
    expires: int


class ListenKeys:
    """listenKeys per (market, api key); one live key per pair, as Binance does (create returns the live key)."""

    def __init__(self, clock: Callable[[], int], ttl_ms: Callable[[], int]) -> None:
        self._clock = clock
        self._ttl = ttl_ms
        self._by_key: Dict[str, _Entry] = {}

    def create(self, api_key: str, market: str = "um") -> str:
        """The live key of (market, api_key), extended; a new key when there is none."""
        now = self._clock()
        for e in self._by_key.values():
            if e.api_key == api_key and e.market == market and e.expires > now:
                e.expires = now + self._ttl()
                return e.key
        key = "".join(secrets.choice(_ALPHABET) for _ in range(64))
        self._by_key[key] = _Entry(key, api_key, market, now + self._ttl())
        return key

    def _find(self, api_key: str, market: str, listen_key: Optional[str]) -> _Entry:
        now = self._clock()
        if listen_key:
            e = self._by_key.get(listen_key)
            if e is not None and e.api_key == api_key and e.market == market and e.expires > now:
                return e
        else:
            for e in self._by_key.values():
                if e.api_key == api_key and e.market == market and e.expires > now:
                    return e
        raise EngineError(-1125, "This listenKey does not exist.")

    def keepalive(self, api_key: str, market: str = "um", listen_key: Optional[str] = None) -> str:
        """Extend the key's validity by the TTL; -1125 when it does not exist (or expired)."""
        e = self._find(api_key, market, listen_key)
        e.expires = self._clock() + self._ttl()
        return e.key

    def delete(self, api_key: str, market: str = "um", listen_key: Optional[str] = None) -> None:
        """Close the key (-1125 when it does not exist)."""
        e = self._find(api_key, market, listen_key)
        del self._by_key[e.key]

    def owner(self, listen_key: str) -> Optional[str]:
        """The API key owning a live listenKey, else `None`."""
        e = self._by_key.get(listen_key)
        if e is None or e.expires <= self._clock():
            return None
        return e.api_key

    def market_of(self, listen_key: str) -> Optional[str]:
        """The market ("um"/"cm") a live listenKey belongs to."""
        e = self._by_key.get(listen_key)
        return None if e is None or e.expires <= self._clock() else e.market

    def expire(self, listen_key: str) -> None:
        """Make the key expire now (the next engine step announces it)."""
        e = self._by_key.get(listen_key)
        if e is not None:
            e.expires = self._clock()

    def collect_expired(self, market: str) -> List[Tuple[str, str]]:
        """Remove and return (listen_key, api_key) of the market's keys whose validity ended."""
        now = self._clock()
        gone = [e for e in self._by_key.values() if e.market == market and e.expires <= now]
        for e in gone:
            del self._by_key[e.key]
        return [(e.key, e.api_key) for e in gone]
