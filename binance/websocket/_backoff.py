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
    """

    initial: float = 0.1
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5
    max_attempts: Optional[int] = None

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial:
            raise ValueError("need 0 < initial <= maximum")
        if self.factor < 1:
            raise ValueError("factor must be >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")
        if self.max_attempts is not None and self.max_attempts < 0:
            raise ValueError("max_attempts must be >= 0 or None")


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
