"""Slowing down repeated sign-on failures from one connection (a simulator guard rail).

IDRS locks an employee number after three wrong passwords in a row (session.py,
MAX_SIGNON_FAILURES); only a manager (here: the instructor's UNLOCK) unlocks it.  In a
classroom anyone who can reach the port could use that to lock every trainee out, so a
connection that keeps failing must wait before its next attempt is even looked at:
the first `FREE_FAILURES` failures cost nothing (a trainee mistyping), then each
further attempt waits twice as long as the one before, up to `MAX_WAIT` seconds.
An attempt made too early is answered without reading the password, so it neither
counts against the employee nor tells the client anything.

Real time, not simulated time: the guard is about a client on the network, and the
simulated clock can jump a week at a posting cycle.  The caller passes the instants.
"""

from __future__ import annotations

from dataclasses import dataclass

FREE_FAILURES = 2
FIRST_WAIT = 2.0  # seconds before the attempt after FREE_FAILURES failures
MAX_WAIT = 60.0

__all__ = ["FIRST_WAIT", "FREE_FAILURES", "MAX_WAIT", "SignonThrottle", "wait_after"]


def wait_after(failures: int) -> float:
    """Seconds a connection must wait after its `failures`-th failure before the next attempt."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - FREE_FAILURES))


@dataclass
class SignonThrottle:
    """The failures of one connection and when the last one was (seconds, any monotonic clock)."""

    failures: int = 0
    last_failure: float = 0.0

    def remaining(self, now: float) -> float:
        """Seconds still to wait before an attempt made at `now` is looked at; 0 when it may go."""
        if self.failures < FREE_FAILURES:
            return 0.0
        return max(0.0, self.last_failure + wait_after(self.failures) - now)

    def failed(self, now: float) -> None:
        self.failures += 1
        self.last_failure = now

    def succeeded(self) -> None:
        self.failures = 0
