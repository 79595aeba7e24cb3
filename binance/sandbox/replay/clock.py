"""`ReplayClock`: how far into the files the replay has got (file time, ms), paced or manual."""

from __future__ import annotations

import time
from typing import Callable, Optional

__all__ = ["ReplayClock"]

FOREVER = 2**62


class ReplayClock:
    """Maps elapsed time to a file time.

    * paced (`speed` > 0): file time runs `speed` times as fast as real time from `start()`;
    * maximal speed (`speed` `None` or 0): every event is due at once;
    * manual (`manual=True`): file time moves only through `advance(ms)` and `run_until(t)`, so a
      run is fully deterministic.
    """

    def __init__(self, speed: Optional[float] = 1.0, manual: bool = False,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed is not None and speed < 0:
            raise ValueError("speed must be positive (or None / 0 for maximal speed)")
        self.speed = speed or None
        self.manual = manual
        self._monotonic = monotonic
        self._origin: Optional[int] = None
        self._wall0 = 0.0
        self._manual_pos = 0

    @property
    def started(self) -> bool:
        """Whether `start()` was called."""
        return self._origin is not None

    def start(self, file_time: int) -> None:
        """Begin at `file_time` (the first event's time)."""
        self._origin = file_time
        self._manual_pos = file_time
        self._wall0 = self._monotonic()

    def position(self) -> int:
        """The file time reached now (events at or before it are due)."""
        if self._origin is None:
            return -FOREVER
        if self.manual:
            return self._manual_pos
        if self.speed is None:
            return FOREVER
        return self._origin + int((self._monotonic() - self._wall0) * 1000 * self.speed)

    def advance(self, ms: int) -> int:
        """Manual clock: move forward by `ms`; returns the new position."""
        self._require_manual()
        if ms < 0:
            raise ValueError("a replay clock cannot go backwards")
        self._manual_pos += int(ms)
        return self._manual_pos

    def run_until(self, file_time: int) -> int:
        """Manual clock: move forward to `file_time` (no-op when already past it); returns the position."""
        self._require_manual()
        self._manual_pos = max(self._manual_pos, int(file_time))
        return self._manual_pos

    def _require_manual(self) -> None:
        if not self.manual:
            raise RuntimeError("advance()/run_until() need a manual replay clock (speed='manual')")
        if self._origin is None:
            raise RuntimeError("the replay has not started")
