"""`ReplaySource`: the replay market-data source: many files merged into one time-ordered event stream.

It reads each file lazily (one pending event per file, never a whole file), merges them by event
time (ties keep the order of the files as given, and each file's own order), and hands out the
events a [ReplayClock][binance.sandbox.replay.clock.ReplayClock] says are due. When every file has
ended it stays still, or with `loop=True` starts them again, later in time and with every trade,
aggregate-trade and book-update id moved past the previous pass (ids keep increasing).
"""

from __future__ import annotations

import heapq
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from binance.record.archive import ArchiveFile
from binance.record.events import Event
from binance.record.sources import FileSource, file_source
from binance.sandbox.replay.clock import ReplayClock
from binance.sandbox.replay.shift import IdRange, shifted

__all__ = ["ReplaySource"]

_Entry = Tuple[int, int, int, Event]


class ReplaySource:
    """Events of `files` (recordings and/or archive files) in time order, paced by `clock`.

    Use: `start()` once, then `due()` whenever the consumer wakes up (or `pop_until(t)`).
    `symbols()` says which symbols (and market) the files carry, before anything is read.
    """

    def __init__(self, files: Sequence[Union[str, ArchiveFile, FileSource]], clock: Optional[ReplayClock] = None,
                 loop: bool = False) -> None:
        if not files:
            raise ValueError("give at least one file to replay")
        self.files: List[FileSource] = [f if isinstance(f, FileSource) else file_source(f) for f in files]
        self.clock = clock or ReplayClock()
        self.loop = loop
        self.passes = 0
        self.first_time: Optional[int] = None
        self.last_time: Optional[int] = None
        self.emitted = 0
        self._heap: List[_Entry] = []
        self._iters: List[Iterator[Event]] = []
        self._seq = 0
        self._ids = IdRange()
        self._dt = 0
        self._span = 0
        self._id_shift: Dict[str, int] = {}
        self._started = False
        self._exhausted = False

    # ------------------------------------------------------------------ facts
    def symbols(self) -> Dict[str, str]:
        """`{symbol: market}` of every symbol in the files."""
        out: Dict[str, str] = {}
        for f in self.files:
            for sym in f.symbols():
                out[sym] = f.market
        return out

    @property
    def finished(self) -> bool:
        """True when every file has ended and there is no loop (the replayed market stays still)."""
        return self._exhausted

    def peek_time(self) -> Optional[int]:
        """The time of the next event (`None` when there is none)."""
        self._open()
        if not self._heap and self.loop and self.emitted:
            self._next_pass()
        return self._heap[0][0] if self._heap else None

    # ------------------------------------------------------------------ reading
    def start(self, clock: bool = True) -> int:
        """Open the files and (unless `clock` is False) start the clock at the first event; returns that time
        (0 when the files are empty)."""
        first = self.peek_time()
        self.first_time = first if first is not None else 0
        if clock and not self.clock.started:
            self.clock.start(self.first_time)
        return self.first_time

    def due(self) -> Iterator[Event]:
        """The events due by the clock now, in order (a generator: consume it before calling again)."""
        return self.pop_until(self.clock.position())

    def pop_until(self, t: int) -> Iterator[Event]:
        """Every event with time <= `t`, in order."""
        self._open()
        heap = self._heap
        while True:
            if not heap:
                if not (self.loop and self.emitted):
                    self._exhausted = True
                    return
                self._next_pass()
                if not heap:
                    return
            if heap[0][0] > t:
                return
            _, index, _, event = heapq.heappop(heap)
            self._push(index)
            self.emitted += 1
            self.last_time = event.time
            yield event

    # ------------------------------------------------------------------ internals
    def _open(self) -> None:
        if self._started:
            return
        self._started = True
        self._iters = [f.events() for f in self.files]
        for index in range(len(self._iters)):
            self._push(index)

    def _push(self, index: int) -> None:
        event = next(self._iters[index], None)
        if event is None:
            return
        if self.loop:
            if self.passes == 0:
                self._ids.see(event)
            else:
                event = shifted(event, self._dt, self._id_shift)
        self._seq += 1
        heapq.heappush(self._heap, (event.time, index, self._seq, event))

    def _next_pass(self) -> None:
        if self.passes == 0:
            first = self.first_time if self.first_time is not None else 0
            self._span = (self.last_time if self.last_time is not None else first) - first + 1
        self.passes += 1
        self._dt = self._span * self.passes
        self._id_shift = {family: width * self.passes for family, width in self._ids.span().items()}
        self._iters = [f.events() for f in self.files]
        for index in range(len(self._iters)):
            self._push(index)
