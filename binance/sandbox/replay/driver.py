"""`Replay`: runs a [ReplaySource][binance.sandbox.replay.source.ReplaySource] into a sandbox exchange (`sb.replay`).

It checks that the files' symbols are sandbox symbols, gives each replayed symbol's market a
[ReplayFeed][binance.sandbox.engine.replay_feed.ReplayFeed], moves every event onto the exchange
clock (one constant offset: the exchange time at the start minus the first event's time) and
makes the exchange clock follow the replay: at speed 1 it is real time; at speed X it runs X
times as fast; with the manual clock it moves only with `advance(ms)` / `run_until(ts)`, so a
run is deterministic. Signatures and recvWindow are checked against real time, as always.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from binance.record.archive import ArchiveFile
from binance.record.events import Event
from binance.record.sources import FileSource, file_source
from binance.sandbox.engine.replay_feed import ReplayFeed, SymbolFacts
from binance.sandbox.replay.clock import FOREVER, ReplayClock
from binance.sandbox.replay.shift import shift_data

log = logging.getLogger(__name__)

__all__ = ["Replay", "Speed"]

Speed = Union[float, str, None]
"""A multiple of real time, `"max"` / `None` (as fast as the clients take it) or `"manual"`."""

_ARCHIVE_KINDS = {"aggTrades": "aggTrade", "trades": "trade", "bookTicker": "bookTicker", "klines": "kline",
                  "markPriceKlines": "markPriceKline"}
_STREAM_KINDS = ((re.compile(r"@depth(@\d+ms)?$"), ("depthUpdate", "depthSnapshot")),
                 (re.compile(r"@aggTrade$"), ("aggTrade",)),
                 (re.compile(r"@bookTicker$"), ("bookTicker",)),
                 (re.compile(r"@markPrice(@1s)?$"), ("markPriceUpdate",)),
                 (re.compile(r"@kline_"), ("kline",)))
_SYMBOL = re.compile(r"^([a-z0-9_]+)@")
_FLAT_TIMES = frozenset({"aggTrade", "trade", "bookTicker", "depthUpdate", "markPriceUpdate"})


def make_clock(speed: Speed) -> ReplayClock:
    """The clock for a `speed` (see `Speed`)."""
    if speed == "manual":
        return ReplayClock(manual=True)
    if speed is None or speed == "max":
        return ReplayClock(speed=None)
    value = float(speed)
    if value <= 0:
        raise ValueError("replay speed must be > 0, 'max' or 'manual'")
    return ReplayClock(speed=value)


def symbol_facts(files: Sequence[FileSource]) -> Dict[str, Dict[str, SymbolFacts]]:
    """`{market: {symbol: SymbolFacts}}` from the file names and recording headers (nothing is read)."""
    out: Dict[str, Dict[str, SymbolFacts]] = {}
    for f in files:
        market = out.setdefault(f.market, {})
        if f.archive is not None:
            facts = market.setdefault(f.archive.symbol, SymbolFacts())
            facts.kinds.add(_ARCHIVE_KINDS[f.archive.kind])
            continue
        for stream in (f.header or {}).get("streams", ()):
            m = _SYMBOL.match(stream)
            if m is None:
                continue
            facts = market.setdefault(m.group(1).upper(), SymbolFacts())
            facts.streams.add(stream)
            for pattern, kinds in _STREAM_KINDS:
                if pattern.search(stream):
                    facts.kinds.update(kinds)
    return out


class Replay:
    """The replay of `files` into a sandbox exchange; see the module docstring.

    `speed`: a multiple of real time (default 1), `"max"` or `"manual"`; `loop`: start the files
    again when they end (ids keep increasing) instead of leaving the replayed symbols still.
    """

    def __init__(self, files: Sequence[Union[str, ArchiveFile]], speed: Speed = 1.0, loop: bool = False,
                 paused: bool = False, max_batch: int = 5000) -> None:
        from binance.sandbox.replay.source import ReplaySource

        self.sources: List[FileSource] = [file_source(f) for f in files]
        self.clock = make_clock(speed)
        self.source = ReplaySource(self.sources, self.clock, loop=loop)
        self.facts = symbol_facts(self.sources)
        self._markets: Dict[str, str] = {s: m for m, facts in self.facts.items() for s in facts}
        self.feeds: Dict[str, ReplayFeed] = {}
        self.offset = 0
        self.max_batch = max_batch
        self.backlog: Callable[[], int] = lambda: 0
        """How many messages wait to be sent to clients; pumping pauses above `max_backlog`."""
        self.max_backlog = 20_000
        self.paused = paused
        self._exchange: Any = None
        self._lock = threading.RLock()
        self._last_event_time: Optional[int] = None
        self._real_clock: Callable[[], int] = lambda: 0

    # ------------------------------------------------------------------ set-up
    def attach(self, exchange: Any) -> None:
        """Bind to `exchange`: check symbols, install the feeds, start the clock, take over the exchange clock."""
        for market, symbols in self.facts.items():
            engine = exchange.market(market)
            unknown = sorted(set(symbols) - set(engine.states))
            if unknown:
                raise ValueError(f"replayed symbol(s) {', '.join(unknown)} are not {market} sandbox symbols "
                                 f"(the sandbox has {', '.join(sorted(engine.states))})")
        self._real_clock = exchange.clock
        real_now = exchange.now()
        first = self.source.start(clock=not self.paused)
        self.offset = real_now - first
        self._exchange = exchange
        with exchange.lock:
            for market, symbols in self.facts.items():
                engine = exchange.market(market)
                feed = ReplayFeed(engine.core, engine.events, engine.matcher, symbols)
                feed.attach()
                engine.attach_source(feed, self.pump)
                self.feeds[market] = feed
            exchange.clock = self.now

    def resume(self) -> None:
        """Start a replay made with `paused=True` (no-op otherwise): its clock starts now."""
        with self._lock:
            if not self.clock.started:
                self.offset = self._real_clock() - (self.source.first_time or 0)
                self.clock.start(self.source.first_time or 0)
            self.paused = False

    @property
    def symbols(self) -> Dict[str, str]:
        """`{symbol: market}` of the replayed symbols."""
        return {s: m for m, facts in self.facts.items() for s in facts}

    # ------------------------------------------------------------------ clock
    def file_time(self) -> int:
        """How far into the files the replay is (ms, the files' own clock)."""
        if not self.clock.started:
            return self.source.first_time or 0
        pos = self.clock.position()
        if pos >= FOREVER:  # maximal speed: time is where the events are
            return self._last_event_time if self._last_event_time is not None else (self.source.first_time or 0)
        return pos

    def now(self) -> int:
        """The exchange time: the replay's file time moved onto the sandbox clock (real time while paused)."""
        if not self.clock.started:
            return int(self._real_clock())
        return self.file_time() + self.offset

    @property
    def finished(self) -> bool:
        """True once every file has ended (and `loop` is off): the replayed symbols stay still."""
        return self.source.finished

    # ------------------------------------------------------------------ running
    def pump(self, limit: Optional[int] = None) -> int:
        """Apply the events that are due (at most `limit`, default `max_batch`; none while clients lag).

        Returns how many were applied.
        """
        exchange = self._exchange
        if exchange is None or not self.clock.started:
            return 0
        if self.backlog() > self.max_backlog:
            return 0
        limit = self.max_batch if limit is None else limit
        done = 0
        with self._lock, exchange.lock:
            for ev in self.source.due():
                self._apply(ev)
                done += 1
                if done >= limit:
                    break
        return done

    def _apply(self, ev: Event) -> None:
        self._last_event_time = ev.time
        market = self._markets.get(ev.symbol) if ev.symbol is not None else None
        feed = self.feeds.get(market) if market else None
        if feed is None:
            return
        if ev.kind == "gap":
            log.info("replay: the recording has a gap here (%s)", ev.data.get("reason"))
            return
        ev.time += self.offset
        data = ev.data
        if ev.kind in _FLAT_TIMES and type(data) is dict:  # each event's data is its own: move its times in place
            for key in ("E", "T"):
                if key in data:
                    data[key] += self.offset
        else:
            ev.data = shift_data(ev.kind, data, self.offset, {})
        feed.apply(ev)

    def advance(self, ms: int) -> int:
        """Manual clock: move `ms` forward and apply every event that became due; returns how many."""
        self.clock.advance(ms)
        return self._drain()

    def run_until(self, ts: int) -> int:
        """Manual clock: move to exchange time `ts` and apply every event up to it; returns how many."""
        self.clock.run_until(ts - self.offset)
        return self._drain()

    def _drain(self) -> int:
        total = 0
        while True:
            done = self.pump(limit=10**9)
            total += done
            if done == 0:
                return total
