"""The simulated clock: the one source of "now" for the whole simulator.

Project rule: no code reads the wall clock directly.  Posting runs, pending-transaction
dates, control-base ages and letter deadlines all read a `Clock` that is passed to them
explicitly (there is deliberately no module-level default clock), so a training
scenario or a test can stand on any date and move time on at will.  This module is the
only place allowed to call `datetime.now()`.

Two modes:

* **fixed** -- `Clock(start)`: time stands still until `set()` or `advance()` moves it.
  Tests and scripted scenarios use this; results never depend on when they run.
* **following** -- `Clock.following(start)` / `Clock.following_system()`: simulated
  time = an anchor plus the real time elapsed since the anchor was set, so a terminal
  session's clock ticks.  Elapsed time is read through `datetime.now(timezone.utc)`:
  freezegun controls it in tests, and a daylight-saving change in local time does
  not make simulated time jump.

Simulated time is a naive datetime: local time at the simulated campus.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from idrs_sim.posting import calendar

__all__ = ["Clock", "START_OF_DAY"]

#: Time of day that `Clock.set(a_date)` lands on: 08:00, the start of an IDRS working
#: day.  A project choice: it keeps "set to a date" on a working hour, after the
#: night's End-of-Day processing and before the evening's.
START_OF_DAY = time(8, 0)


def _real_now() -> datetime:
    """The real instant, in UTC; the single wall-clock read in the project."""
    return datetime.now(UTC)


def _to_sim(value: datetime | date) -> datetime:
    """A naive simulated datetime from a datetime, or a date at START_OF_DAY."""
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        if value.tzinfo is not None and value.utcoffset() is not None:
            raise ValueError("simulated time is naive local time; got an aware datetime")
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, START_OF_DAY)
    raise TypeError(f"expected a datetime or date, not {type(value).__name__}")


class Clock:
    """The simulated date and time; see the module docstring for the two modes."""

    __slots__ = ("_anchor", "_real_anchor")

    def __init__(self, start: datetime | date) -> None:
        """A fixed clock standing at `start` (a date means 08:00 that day)."""
        self._anchor = _to_sim(start)
        # Real instant at which _anchor was simulated time; None = fixed mode.
        self._real_anchor: datetime | None = None

    @classmethod
    def following(cls, start: datetime | date) -> Clock:
        """A clock that starts at `start` and then runs at real speed."""
        clock = cls(start)
        clock._real_anchor = _real_now()
        return clock

    @classmethod
    def following_system(cls) -> Clock:
        """A clock that tracks the real local time (the TUI's default); still settable."""
        return cls.following(datetime.now())

    @property
    def is_following(self) -> bool:
        """True if simulated time runs with real time, False if it stands still."""
        return self._real_anchor is not None

    def now(self) -> datetime:
        """The current simulated date and time (naive, local)."""
        if self._real_anchor is None:
            return self._anchor
        return self._anchor + (_real_now() - self._real_anchor)

    def today(self) -> date:
        """The current simulated date."""
        return self.now().date()

    @property
    def cycle(self) -> str:
        """The current posting cycle "YYYYCC" (posting.calendar, reference §3.2)."""
        return calendar.cycle_of(self.today())

    def set(self, value: datetime | date) -> None:
        """Move simulated time to `value`, forwards or back; a date means 08:00 that day.

        A following clock keeps running from the new time.
        """
        self._anchor = _to_sim(value)
        if self._real_anchor is not None:
            self._real_anchor = _real_now()

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """Move simulated time forward and return the new now().

        Going backwards is refused (use `set()` for that on purpose): code that
        advances time, such as a posting run, must never undo what has already happened.
        """
        step = timedelta(days=days, hours=hours, minutes=minutes)
        if step < timedelta(0):
            raise ValueError(f"advance() moves time forward only; got {step}")
        self._anchor += step
        return self.now()

    def __repr__(self) -> str:
        mode = "following" if self.is_following else "fixed"
        return f"<Clock {mode} {self.now().isoformat(sep=' ', timespec='seconds')} cycle {self.cycle}>"
