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

    def wait_for(self, key: str) -> float:
        """Seconds `key` must still wait before its next try (0 if none)."""
        now = self._now()
        with self._lock:
            recent = self._recent(key, now)
            if len(recent) < self.allowed:
                return 0.0
            extra = len(recent) - self.allowed
            delay = min(self.base_delay * 2**extra, self.window)
            return float(max(0.0, recent[-1] + delay - now))

    def check(self, *keys: str) -> None:
        """Raise TooManyRequests if any key must still wait."""
        wait = max((self.wait_for(k) for k in keys), default=0.0)
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyRequests(
                f"Too many failed sign-in attempts. Try again in {seconds} seconds.",
                retry_after=seconds,
            )

    def fail(self, *keys: str) -> None:
        now = self._now()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, _Failures()).times.append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
