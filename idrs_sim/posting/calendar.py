"""The master-file posting-cycle calendar: dates <-> cycles "YYYYCC".

Everything that says *when* something posts goes through here, so the calendar rule
lives in one place.  The rule is the one in the project reference
(idrs-screens-and-codes.md §3.2), which reproduces every dated IRM 3.30.123
example we have:

* a cycle is a Friday..Thursday week (weekly posting runs on the Thursday; daily
  accounts post Fri, Mon, Tue, Wed, Thu -- day codes 01..05, IRM 2.3.32);
* cycle 01 of year Y is the Friday..Thursday week that contains January 1 of Y
  (equivalently: the week whose Thursday is the first Thursday of Y);
* a date's cycle year is therefore the year of the Thursday that ends its week, and
  its cycle number is 1 + whole weeks since the start of that year's cycle 01.

A year has 52 or 53 cycles (53 when January 1 is a Thursday, or a Wednesday in a
leap year).  The IRS publishes the real calendar each year (IRM 3.30.123-2, Document
6209 section 18); where it differs from the rule, put the published start of cycle 01
into `OVERRIDES` and every function here follows it.

All functions are pure (apart from reading `OVERRIDES`); none reads the wall clock --
pass a date from `idrs_sim.clock.Clock`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "OVERRIDES",
    "MIN_YEAR",
    "MAX_YEAR",
    "MasterFile",
    "DEAD_CYCLES",
    "year_start",
    "cycles_in_year",
    "cycle_of",
    "cycle_year",
    "cycle_week",
    "cycle_start",
    "cycle_end",
    "posting_date",
    "add_cycles",
    "add_posting_cycles",
    "cycles_after",
    "day_code",
    "cycle_date",
    "is_dead_cycle",
    "first_live_cycle",
    "validate_cycle",
    "unpostable_cycle_window",
]

#: year -> the Friday that starts that year's cycle 01, for years whose published
#: calendar (IRM 3.30.123-2 / Doc 6209 §18) differs from the rule.  Empty by default.
#: Each start must be a Friday within four weeks of January 1 of its year, so that
#: cycle years stay in order and a cycle number stays recognisable.
OVERRIDES: dict[int, date] = {}

#: Supported cycle years.  A sanity bound, not an IRS rule: it catches typos such as
#: "002301" in validate_cycle and keeps date arithmetic far from date.min/date.max.
MIN_YEAR = 1900
MAX_YEAR = 2199

MasterFile = Literal["IMF", "BMF"]

#: Dead cycles at the start of each processing year: ECC-MTB cycles in which nothing
#: posts to the master file (IRM 3.30.123.4.7, reference §3.1: IMF 01-03, BMF 01-02).
DEAD_CYCLES: dict[str, int] = {"IMF": 3, "BMF": 2}

_THURSDAY = 3  # date.weekday()
_WEDNESDAY = 2
_WEEK = timedelta(days=7)
_CYCLE_RE = re.compile(r"[0-9]{6}")  # not \d: that also matches non-ASCII digits
_OVERRIDE_SLACK = timedelta(days=28)

# Day codes (CADE 2, IRM 2.3.32; reference §3.1) by date.weekday(): Mon..Sun.
# Saturday and Sunday are not posting days: "00" (n/a).
_DAY_CODES = ("02", "03", "04", "05", "01", "00", "00")


def _rule_year_start(year: int) -> date:
    """Start (Friday) of cycle 01 by the reference §3.2 rule: first Thursday minus 6 days."""
    jan1 = date(year, 1, 1)
    first_thursday = jan1 + timedelta(days=(_THURSDAY - jan1.weekday()) % 7)
    return first_thursday - timedelta(days=6)


def year_start(year: int) -> date:
    """The Friday that starts cycle 01 of `year` (an `OVERRIDES` entry wins over the rule).

    Raises ValueError for a year outside MIN_YEAR..MAX_YEAR or a malformed override.
    """
    if not MIN_YEAR <= year <= MAX_YEAR + 1:  # +1: the end of MAX_YEAR's last cycle
        raise ValueError(f"cycle year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    start = OVERRIDES.get(year)
    if start is None:
        return _rule_year_start(year)
    if start.weekday() != 4:
        raise ValueError(f"OVERRIDES[{year}] = {start} is not a Friday; cycles run Friday..Thursday")
    if abs(start - date(year, 1, 1)) > _OVERRIDE_SLACK:
        raise ValueError(f"OVERRIDES[{year}] = {start} is more than 4 weeks from January 1 {year}")
    return start


def cycles_in_year(year: int) -> int:
    """Number of posting cycles in `year`: 52 or 53 by the rule (overrides may differ)."""
    return (year_start(year + 1) - year_start(year)).days // 7


def cycle_of(d: date) -> str:
    """The posting cycle "YYYYCC" that date `d` falls in (reference §3.2).

    A datetime is taken by its date.  Saturday and Sunday belong to the cycle that
    started on the Friday before them.
    """
    d = _as_date(d)
    if not year_start(MIN_YEAR) <= d < year_start(MAX_YEAR + 1):
        raise ValueError(f"{d} is outside the cycle calendar {MIN_YEAR}-{MAX_YEAR}")
    # By the rule the cycle year is the year of the week's Thursday, so at most one
    # step either way; the loops also cover override years.
    year = min(max(d.year, MIN_YEAR), MAX_YEAR)
    while d < year_start(year):
        year -= 1
    while d >= year_start(year + 1):
        year += 1
    week = 1 + (d - year_start(year)).days // 7
    return f"{year:04d}{week:02d}"


def _parse(cycle: str) -> tuple[int, int]:
    """(year, CC) of a valid cycle; ValueError carrying validate_cycle's message if not."""
    error = validate_cycle(cycle)
    if error is not None:
        raise ValueError(error)
    return int(cycle[:4]), int(cycle[4:])


def cycle_year(cycle: str) -> int:
    """The YYYY part of a cycle (the processing year, not a tax year)."""
    return _parse(cycle)[0]


def cycle_week(cycle: str) -> int:
    """The CC part of a cycle: its week number within the processing year (1-based)."""
    return _parse(cycle)[1]


def cycle_start(cycle: str) -> date:
    """The Friday that opens `cycle` (first daily posting day, day code 01)."""
    year, week = _parse(cycle)
    return year_start(year) + (week - 1) * _WEEK


def cycle_end(cycle: str) -> date:
    """The Thursday that closes `cycle` (day code 05)."""
    return cycle_start(cycle) + timedelta(days=6)


def posting_date(cycle: str) -> date:
    """The date of the cycle's weekly master-file run: its Thursday (IRM 3.30.123, ref §3.1)."""
    return cycle_end(cycle)


def add_cycles(cycle: str, n: int) -> str:
    """The cycle `n` weeks after (n < 0: before) `cycle`, crossing 52/53-cycle years.

    E.g. the UPRES release cycle "current + 2" (tpp-rules §6.1): 202425 -> 202427.
    Counted in weeks on the calendar, so it is right whatever a year's cycle count.
    """
    return cycle_of(cycle_start(cycle) + n * _WEEK)


def day_code(d: date) -> str:
    """Cycle day code (IRM 2.3.32): Fri 01, Mon 02, Tue 03, Wed 04, Thu 05; Sat/Sun "00"."""
    return _DAY_CODES[_as_date(d).weekday()]


def cycle_date(d: date) -> str:
    """The 8-digit cycle date YYYYCCDD (IRM 3.30.123.4.9): cycle + day code.

    E.g. 2017-02-02 (a Thursday in cycle 201705) -> "20170505".
    """
    return cycle_of(d) + day_code(d)


def _check_file(file: str) -> int:
    try:
        return DEAD_CYCLES[file]
    except KeyError:
        raise ValueError(f"master file must be 'IMF' or 'BMF', not {file!r}") from None


def is_dead_cycle(cycle: str, file: MasterFile | str) -> bool:
    """True if nothing posts to `file` in `cycle` (IRM 3.30.123.4.7: IMF 01-03, BMF 01-02)."""
    dead = _check_file(file)
    return _parse(cycle)[1] <= dead


def first_live_cycle(cycle: str, file: MasterFile | str) -> str:
    """The cycle in which input due in `cycle` actually posts to `file`.

    Input due in a dead cycle attempts to post in the first live cycle of that year
    (IRM 3.30.123.4.7: IMF input from campus cycles 201701-201704 posts in 201704);
    any other cycle is returned unchanged.
    """
    dead = _check_file(file)
    year, week = _parse(cycle)
    return f"{year:04d}{dead + 1:02d}" if week <= dead else cycle


def cycles_after(cycle: str) -> int:
    """How many cycles the calendar has after `cycle` (it ends with MAX_YEAR's last cycle)."""
    return (year_start(MAX_YEAR + 1) - cycle_start(cycle)).days // 7 - 1


def add_posting_cycles(cycle: str, n: int, file: MasterFile | str) -> str:
    """The `n`-th cycle after `cycle` in which something posts to `file`: dead cycles do not
    count.  "Post-delay 1" and "two cycles from the current cycle" (IRM 25.25.6.5.1.1 (5),
    25.25.6.5.1.2.1) exist to make one input post a cycle after another; across the year end,
    counting the dead cycles would put both in the first live cycle (202452 + 2 = 202502,
    dead, posts with everything else in 202504)."""
    out = cycle
    for _ in range(n):
        out = first_live_cycle(add_cycles(out, 1), file)
    return out


def validate_cycle(text: str) -> str | None:
    """None if `text` is a valid cycle "YYYYCC", else an error message for line 24.

    Checks the shape (exactly six digits, no blanks -- callers strip input fields),
    the supported year range, and that CC is 01..the year's number of cycles.
    """
    if not isinstance(text, str) or not _CYCLE_RE.fullmatch(text):
        return f"CYCLE {text!r} MUST BE 6 DIGITS YYYYCC"
    year, week = int(text[:4]), int(text[4:])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"CYCLE YEAR {year:04d} OUT OF RANGE {MIN_YEAR}-{MAX_YEAR}"
    try:
        count = cycles_in_year(year)
    except ValueError as exc:  # a malformed OVERRIDES entry
        return str(exc).upper()
    if not 1 <= week <= count:
        return f"CYCLE {text} INVALID: {year} HAS CYCLES 01-{count:02d}"
    return None


def unpostable_cycle_window(d: date) -> tuple[date, date]:
    """(Wednesday, Tuesday) of the unpostable cycle containing `d`.

    Unpostable cycles run Wednesday..Tuesday; UPREVE is allowed only inside the
    cycle in which the case is open (tpp-rules §6.1).
    """
    d = _as_date(d)
    start = d - timedelta(days=(d.weekday() - _WEDNESDAY) % 7)
    return start, start + timedelta(days=6)


def _as_date(d: date) -> date:
    """Drop the time of a datetime (a datetime is a date subclass)."""
    return date(d.year, d.month, d.day)
