"""Reconnect delays: a pure, jittered exponential backoff generator (no clocks, no sleeping)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterator, Optional


@dataclass(frozen=True)
class ReconnectPolicy:
    """How a connection retries after a failure.

    `initial` and `maximum` bound the delay in seconds, each attempt multiplies the ceiling by
    `factor`, and the delay is drawn uniformly from `[ceiling * (1 - jitter), ceiling]`.
    `max_attempts` of `None` (the default) means never give up.

    The delays keep growing across connections until one has proven healthy: it stayed open for
    `healthy_after` seconds (default 10). Only then does the next failure start again from
    `initial`. A server that completes the handshake and closes at once (or announces a
    shutdown at once) is therefore retried ever more slowly, up to `maximum`, instead of at once.
    """

    initial: float = 0.1
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5
    max_attempts: Optional[int] = None
    healthy_after: float = 10.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial:
            raise ValueError("need 0 < initial <= maximum")
        if self.factor < 1:
            raise ValueError("factor must be >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")
        if self.max_attempts is not None and self.max_attempts < 0:
            raise ValueError("max_attempts must be >= 0 or None")
        if self.healthy_after < 0:
            raise ValueError("healthy_after must be >= 0")

    def proven_healthy(self, lifetime: float) -> bool:
        """Whether a connection that stayed open `lifetime` seconds resets the backoff."""
        return lifetime >= self.healthy_after


def backoff(policy: ReconnectPolicy = ReconnectPolicy(), rand: Callable[[], float] = random.random) -> Iterator[float]:
    """Yield the delay before each reconnect attempt; stops only after `policy.max_attempts` delays.

    `rand` returns a float in `[0, 1)`; pass a fixed function to get deterministic delays.
    """
    ceiling = policy.initial
    attempt = 0
    while policy.max_attempts is None or attempt < policy.max_attempts:
        yield ceiling * (1.0 - policy.jitter * rand())
        attempt += 1
        ceiling = min(policy.maximum, ceiling * policy.factor)
