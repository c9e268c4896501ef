"""Failed logins counted per user name and per client address over a sliding window; past
the limit a login is refused before its token is even checked."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from crawler.errors import TooManyAttempts

#: Keys remembered at most (the oldest are forgotten first): a flood of made-up names must
#: not grow the process without bound.
MAX_KEYS = 10_000


class LoginLimiter:
    def __init__(self, attempts: int, window: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, keys: Iterable[str]) -> None:
        """Raise TooManyAttempts if any key has used up its failures."""
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.attempts:
                    wait = int(times[0] + self.window - now) + 1
                    raise TooManyAttempts(
                        f"too many failed logins for {key.split(':', 1)[0]} "
                        f"({self.attempts} in {int(self.window // 60)} minutes); try again in "
                        f"{wait} s, or ask an admin for a new token (`akhbar users token`)")

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures.pop(key, None)
                self._failures[key] = times
            while len(self._failures) > MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
