"""Outgoing message limiter: a pure sliding-window core (the caller supplies the time and does the waiting)."""

from __future__ import annotations

from collections import deque


class Throttle:
    """Allow at most `rate` messages in any `period` seconds.

    Binance futures stream connections accept 10 incoming messages per second; more and the
    server disconnects. Call `reserve` with the current monotonic time before each send and
    wait the returned number of seconds before sending.
    """

    def __init__(self, rate: int = 10, period: float = 1.0) -> None:
        if rate < 1 or period <= 0:
            raise ValueError("rate must be >= 1 and period > 0")
        self.rate = rate
        self.period = period
        self._sent: deque = deque()

    def reserve(self, now: float) -> float:
        """Book a send slot; return how long to wait (0.0 when the message may go out at `now`)."""
        while self._sent and self._sent[0] <= now - self.period:
            self._sent.popleft()
        if len(self._sent) < self.rate:
            self._sent.append(now)
            return 0.0
        at = self._sent[0] + self.period
        self._sent.popleft()
        self._sent.append(at)
        return at - now

    def reset(self) -> None:
        """Forget past sends (a new connection starts with a fresh allowance)."""
        self._sent.clear()
