"""Clock-offset estimation against the server's time (pure: the caller measures, this computes).

Each measurement is a [TimeSample][binance.timesync.TimeSample]: the local time a `GET /fapi/v1/time` was sent, the
`serverTime` it returned, and the local time the answer arrived (all in milliseconds). The
server read its clock somewhere in between, so the offset is estimated from the midpoint and is
exact to within half the round trip; the sample with the shortest round trip is the most precise:

    clock = ClockOffset()
    clock.add(TimeSample(sent_ms, server_ms, received_ms))
    timestamp = clock.timestamp(local_now_ms)     # local time corrected to server time

Binance rejects a signed request (-1021) when its `timestamp` is 1000 ms or more ahead of the
server, or older than `recvWindow`. After a -1021, clear the samples and measure again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, cast

__all__ = ["ClockOffset", "OffsetEstimate", "TimeSample", "estimate_offset", "parse_server_time"]

# Server times outside these bounds (ms since 1970: years 2001 and 2286) cannot be Binance's clock.
_MIN_SERVER_MS = 10**12
_MAX_SERVER_MS = 10**13


def parse_server_time(answer: Any) -> int:
    """The `serverTime` (ms) of a `GET /fapi/v1/time` answer; ValueError when it is missing, not an
    integer or not a plausible clock reading."""
    value = answer.get("serverTime") if isinstance(answer, dict) else None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if type(value) is not int or not _MIN_SERVER_MS <= value <= _MAX_SERVER_MS:
        raise ValueError(f"serverTime is not a plausible time in ms: {str(value)[:40]!r}")
    return value


@dataclass(frozen=True)
class TimeSample:
    """One server-time measurement: local send time, server time, local receive time (ms)."""

    sent_ms: int
    server_ms: int
    received_ms: int

    def __post_init__(self) -> None:
        if self.received_ms < self.sent_ms:
            raise ValueError(f"received_ms {self.received_ms} is before sent_ms {self.sent_ms}")

    @property
    def rtt_ms(self) -> int:
        """The round trip: receive minus send."""
        return self.received_ms - self.sent_ms

    @property
    def offset_ms(self) -> float:
        """Server time minus the local time at the round trip's midpoint."""
        return self.server_ms - (self.sent_ms + self.received_ms) / 2


@dataclass(frozen=True)
class OffsetEstimate:
    """The estimated offset (server minus local, ms), its error bound and the samples used."""

    offset_ms: int
    error_ms: float
    """Half the round trip of the best sample: the true offset is within `offset_ms ± error_ms`."""
    rtt_ms: int
    samples: int
    measured_at_ms: int
    """Local receive time of the newest sample used."""


def estimate_offset(samples: Iterable[TimeSample]) -> Optional[OffsetEstimate]:
    """The offset from the samples with the shortest round trip (the median of their offsets when
    several tie); None without samples."""
    items = list(samples)
    if not items:
        return None
    best_rtt = min(s.rtt_ms for s in items)
    best = sorted(s.offset_ms for s in items if s.rtt_ms == best_rtt)
    middle = len(best) // 2
    offset = best[middle] if len(best) % 2 else (best[middle - 1] + best[middle]) / 2
    return OffsetEstimate(
        offset_ms=int(round(offset)),
        error_ms=best_rtt / 2,
        rtt_ms=best_rtt,
        samples=len(items),
        measured_at_ms=max(s.received_ms for s in items),
    )


class ClockOffset:
    """The latest `max_samples` measurements and the offset they give (0 until one exists).
    Not thread-safe: the caller holds a lock."""

    def __init__(self, max_samples: int = 8) -> None:
        """Keep at most `max_samples` samples; older ones are forgotten (clocks drift)."""
        if max_samples < 1:
            raise ValueError("max_samples must be at least 1")
        self.max_samples = max_samples
        self._samples: List[TimeSample] = []
        self._estimate: Optional[OffsetEstimate] = None

    def add(self, sample: TimeSample) -> OffsetEstimate:
        """Record a measurement and return the updated estimate."""
        self._samples.append(sample)
        del self._samples[: -self.max_samples]
        self._estimate = estimate = cast(OffsetEstimate, estimate_offset(self._samples))
        return estimate

    def add_measurement(self, sent_ms: int, server_ms: int, received_ms: int) -> OffsetEstimate:
        """Shorthand for `add(TimeSample(sent_ms, server_ms, received_ms))`."""
        return self.add(TimeSample(sent_ms, server_ms, received_ms))

    def clear(self) -> None:
        """Forget every sample (for example after a -1021): the offset is 0 until the next one."""
        self._samples.clear()
        self._estimate = None

    @property
    def estimate(self) -> Optional[OffsetEstimate]:
        """The current estimate, or None before the first sample."""
        return self._estimate

    @property
    def offset_ms(self) -> int:
        """Server minus local time in ms (0 before the first sample)."""
        return self._estimate.offset_ms if self._estimate else 0

    def timestamp(self, local_ms: int) -> int:
        """`local_ms` converted to server time: the value to send as `timestamp`."""
        return int(local_ms) + self.offset_ms

    def is_stale(self, local_ms: int, max_age_ms: int) -> bool:
        """True when there is no estimate or the newest sample is older than `max_age_ms`."""
        return self._estimate is None or local_ms - self._estimate.measured_at_ms > max_age_ms
