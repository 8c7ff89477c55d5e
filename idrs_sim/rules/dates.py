"""Dates as IDRS input takes them: MMDDYYYY, years 1900-2099.

One parser for every screen (FRM77, ADJ54, ACTON, INCID, the Appeals and ICS codes): a
sweep found year 0001 and 9999 accepted where each screen parsed dates its own way.  The
years are those of an IDRS tax period (docs/command-syntax.md); a date outside them is no
date a case can carry.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange

MIN_YEAR, MAX_YEAR = 1900, 2099
#: How far back a date of something that happened (a transaction, a receipt, a discovery)
#: or a new module's tax year may go: the master file holds nothing older, and a year of
#: 1900 keyed in error was stored as it stood (decisions TERM-R2, TERM-R3).
OLDEST_YEARS = 20

__all__ = ["MAX_YEAR", "MIN_YEAR", "OLDEST_YEARS", "parse_mmddyyyy", "period_end", "too_old"]


def parse_mmddyyyy(text: str | None) -> dt.date | None:
    """A date typed as MMDDYYYY, or None when it is not one (or outside 1900-2099)."""
    text = (text or "").strip()
    if not re.fullmatch(r"[0-9]{8}", text) or not MIN_YEAR <= int(text[4:]) <= MAX_YEAR:
        return None
    try:
        return dt.date(int(text[4:]), int(text[:2]), int(text[2:4]))
    except ValueError:
        return None


def too_old(year: int, today: dt.date) -> bool:
    """Whether `year` is more than OLDEST_YEARS before today's."""
    return year < today.year - OLDEST_YEARS


def period_end(period: str | None) -> dt.date | None:
    """The last day of a tax period YYYYMM (a quarter, a tax year), None when it is not one.
    One statement for FRM77's AC 506 tax year, the TC 599 quarter and the Letter 5857 rows."""
    text = period or ""
    if not re.fullmatch(r"[0-9]{6}", text):
        return None
    year, month = int(text[:4]), int(text[4:])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, monthrange(year, month)[1])
