"""The IRS data breach indicator TC 971 AC 505 and its reversal TC 972 AC 505
(IRM 10.5.4.5.1.1 (6)-(7); Exhibits 10.5.4-2, 10.5.4-3), as pure functions that both the
FRM77 screen and the posting run call.

* One breach, one indicator: "Each TC 971 AC 505 represents a different IRS data breach"
  (10.5.4.5.1.1 (6)), and the breach tracking number in MISC names the breach (Exhibit
  10.5.4-2).  A second TC 971 AC 505 with a breach number already on the entity (posted
  or pending, unreversed) is refused at input and unposts at posting.
* A TC 972 AC 505 reverses the indicator the PGLD/IM employee names: by its breach date
  (SECONDARY-DT, Exhibit 10.5.4-2) and/or its breach tracking number (the TC 972's MISC
  holds the reason IRSERR / IRSADM / OTHER, Exhibit 10.5.4-3, so the number is keyed in
  REMARKS; decision I17-3).  Nothing named and a single indicator: that one.  No match,
  or several left: nothing is reversed (refused at input, unpostable at posting).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .account import PENDING, POSTED, Txn

__all__ = [
    "AC505_AMBIGUOUS",
    "BREACH_NUMBER",
    "DUPLICATE_BREACH",
    "NO_MATCHING_AC505",
    "Indicator",
    "Pick",
    "breach_number_in",
    "duplicate_breach",
    "open_indicators",
    "pick_reversal",
]

#: Breach tracking number: IR, CR or PR and 11 digits (Exhibit 10.5.4-2).
BREACH_NUMBER = re.compile(r"\b((?:IR|CR|PR)\d{11})\b")

DUPLICATE_BREACH = "BREACH NUMBER ALREADY ON THIS ENTITY - ONE TC 971 AC 505 PER BREACH"
NO_MATCHING_AC505 = "NO UNREVERSED TC 971 AC 505 WITH THIS BREACH DATE/NUMBER"
AC505_AMBIGUOUS = "MORE THAN ONE AC 505 - ENTER ITS BREACH DATE IN SECONDARY-DT"


class Indicator(NamedTuple):
    """One unreversed TC 971 AC 505 on the entity (posted, or pending/due)."""

    key: int  # the transaction's id
    breach_date: dt.date | None  # SECONDARY-DT
    breach_number: str | None  # MISC


class Pick(NamedTuple):
    """Which indicator a reversal reverses (`key`), or why none (`problem`)."""

    key: int | None
    problem: str | None


def breach_number_in(text: str | None) -> str | None:
    """The breach tracking number written in `text` (MISC or REMARKS), upper case."""
    m = BREACH_NUMBER.search((text or "").upper())
    return m.group(1) if m else None


def open_indicators(entity_txns: Iterable[Txn]) -> list[Indicator]:
    """The entity's unreversed TC 971 AC 505s, posted or pending (what a new indicator or a
    reversal is checked against at input)."""
    return [Indicator(t.id, t.secondary_date, breach_number_in(t.misc)) for t in entity_txns
            if t.tc == 971 and t.ac == 505 and t.reversed_by_id is None and t.status in (POSTED, PENDING)]


def duplicate_breach(breach_number: str | None, on_entity: Iterable[Indicator]) -> bool:
    """True when an unreversed indicator with this breach number is already on the entity."""
    number = (breach_number or "").strip().upper()
    return bool(number) and any((i.breach_number or "").strip().upper() == number for i in on_entity)


def pick_reversal(indicators: Sequence[Indicator], breach_date: dt.date | None,
                  breach_number: str | None, named_key: int | None = None) -> Pick:
    """The indicator a TC 972 AC 505 reverses.

    `named_key` is the indicator the input screen already matched (it must still be
    unreversed, and still fit the date/number named).  Otherwise the date and number
    named filter the unreversed indicators; exactly one must remain.
    """
    number = (breach_number or "").strip().upper() or None
    fits = [i for i in indicators
            if (breach_date is None or i.breach_date == breach_date)
            and (number is None or (i.breach_number or "").strip().upper() == number)]
    if named_key is not None:
        return Pick(named_key, None) if any(i.key == named_key for i in fits) else Pick(None, NO_MATCHING_AC505)
    if not fits:
        return Pick(None, NO_MATCHING_AC505)
    if len(fits) > 1:
        return Pick(None, AC505_AMBIGUOUS)
    return Pick(fits[0].key, None)
