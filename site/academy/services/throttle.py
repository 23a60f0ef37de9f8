"""Slowing down password guessing, per account and per client."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from academy.domain.errors import TooManyRequests


@dataclass
class _Failures:
    times: list[float] = field(default_factory=list)


class LoginThrottle:
    """After `allowed` failures in `window` seconds, each key waits, doubling each time.

    Kept in memory: the server runs as one process, and a restart forgetting
    recent failures costs an attacker a restart they cannot trigger.
    """

    def __init__(
        self,
        allowed: int,
        window: float,
        base_delay: float = 30.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = allowed
        self.window = window
        self.base_delay = base_delay
        self._now = now
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        entry = self._failures.get(key)
        if entry is None:
            return []
        entry.times = [t for t in entry.times if now - t < self.window]
        return entry.times

    def _wait(self, recent: list[float], now: float) -> float:
        if len(recent) < self.allowed:
            return 0.0
        extra = len(recent) - self.allowed
        delay = min(self.base_delay * 2**extra, self.window)
        return float(max(0.0, recent[-1] + delay - now))

    def reserve(self, key: str) -> float:
        """Count a failure for `key` now, before the outcome is known; its stamp.

        Raises TooManyRequests instead if `key` must still wait. The check and
        the count happen under one lock, so requests in flight at once each
        take a slot: a parallel burst gets no more tries than a sequence.
        """
        now = self._now()
        with self._lock:
            recent = self._recent(key, now)
            wait = self._wait(recent, now)
            if wait > 0:
                seconds = math.ceil(wait)
                raise TooManyRequests(
                    "Too many failed sign-in attempts. "
                    f"Try again in {seconds} seconds.",
                    retry_after=seconds,
                )
            self._failures.setdefault(key, _Failures()).times.append(now)
            return now

    def refund(self, key: str, stamp: float) -> None:
        """Take back a failure counted by `reserve` that turned out a success."""
        with self._lock:
            entry = self._failures.get(key)
            if entry is not None and stamp in entry.times:
                entry.times.remove(stamp)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
