"""A token bucket for what must not grow with a hostile client's speed: log lines, replies
to bad records, audit records of rejected sign-ons (issue 24).

Real time (`time.monotonic`), not the simulated clock: these limits are about a machine's
memory, disk and log, which fill in real seconds whatever the simulated date does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Budget", "more"]


class Budget:
    """A token bucket: `burst` events at once, then `per_second` on average.

    `take()` says whether this event may have its cost (a log line, a reply, an audit
    record); the events refused since the last one allowed are counted (`suppressed`),
    so the next line that does go out can say how many were left out.
    """

    __slots__ = ("_clock", "_last", "_tokens", "burst", "per_second", "suppressed")

    def __init__(self, burst: float, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.per_second = float(burst), float(per_second)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self.suppressed = 0

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.per_second)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        self.suppressed += 1
        return False

    def release_suppressed(self) -> int:
        """The count of refused events, reset to zero (for the line that reports them)."""
        n, self.suppressed = self.suppressed, 0
        return n


def more(n: int) -> str:
    """The tail of a log line that follows some that were left out."""
    return f" ({n} similar left out)" if n else ""
