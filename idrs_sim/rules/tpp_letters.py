"""Which TPP letter fits the account, and who may send Letter 5216 (IRM 25.25.6).

`rules.tpp_advice.reissue_refusal` says whether a TPP letter may go *now* (marker, wait,
limit); this module says whether the letter asked for is the *right one* for the account,
from the letter table of IRM 25.25.6.1.7 (7) -- the same for every employee who issues it:

* 4883C "Issued on accounts for returns filed with an address in the United States";
* 5447C "Issued on accounts for returns filed with an address outside the United States";
* 5747C "Issued on accounts containing a TC 971 AC 123 with a MISC field of "TAC AUTH
  ONLY" or ... "HIGH RISK AUTH"" (RIVO's reissue, 25.25.6.2.2.2 (1) box 4, says the same);
* a first-time filer without a letter marker gets the Letter 4883C (25.25.6.6.2 (1)
  exception) -- the 5447C when the return's address is abroad (decision TPP-40).

Letter 5216 "Taxpayer Cannot Authenticate" (25.25.6.1.7; 25.25.6.3.4 (2); 25.25.6.2.2.2 (1)
box 5) goes only after a failed authentication already on record: `failed_auth_refusal`.

Pure functions over one entity's dump dict (docs/masterfile-schema.md), as `tpp_advice`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .account import as_date
from .tpp_advice import FOREIGN_LETTER, LetterWait, is_foreign_address, txns_of

__all__ = [
    "NOT_FOREIGN",
    "NO_FAILED_AUTH",
    "NO_TAC_AUTH_MARKER",
    "REISSUE_FOREIGN",
    "failed_auth_refusal",
    "first_time_filer",
    "letter_fit_refusal",
    "return_address",
    "tac_auth_marker",
]

Entity = dict[str, Any]

#: TC 971 AC 123 MISC literals of an account whose taxpayer must authenticate in person (5747C).
TAC_AUTH_MISC = ("TAC AUTH ONLY", "HIGH RISK AUTH")
DOMESTIC_LETTER, TAC_LETTER = "4883C", "5747C"

#: LETER's line 24 (the first two as `tpp_advice.reissue_refusal` words them).
REISSUE_FOREIGN = "REISSUE 5447C - THE RETURN HAS A FOREIGN ADDRESS"
NOT_FOREIGN = "5447C IS ONLY FOR A RETURN WITH A FOREIGN ADDRESS"
NO_TAC_AUTH_MARKER = "5747C NEEDS TC 971 AC 123 TAC AUTH ONLY OR HIGH RISK AUTH"
NO_FAILED_AUTH = "AMS SHOWS NO PREVIOUS FAILED AUTHENTICATION - NO LETTER 5216"


def first_time_filer(letter: str) -> str:
    """LETER's line 24 for a first-time filer (IRM 25.25.6.6.2 (1) exception): their letter."""
    return f"FIRST-TIME FILER WITHOUT LETTER MARKER - ISSUE LETTER {letter}"


def _modules(entity: Entity, period: str | None) -> list[dict[str, Any]]:
    return [m for m in entity.get("modules") or [] if period is None or m.get("period") == period]


def return_address(entity: Entity, period: str | None) -> list[str]:
    """The address on the return in question: the newest UP 126 document of the period,
    else its posted TC 150's document, else the entity's address (ENMOD)."""
    mods = _modules(entity, period)
    cases = sorted((u for m in mods for u in m.get("unpostables") or [] if u.get("code") == 126),
                   key=lambda u: str(u.get("status_date") or ""))
    docs = [u.get("document") or {} for u in reversed(cases)]
    docs += [t.get("document") or {} for m in mods for t in txns_of(m, 150)]
    for doc in docs:
        if doc.get("address"):
            return [str(x) for x in doc["address"]]
    return [str(x) for x in entity.get("address") or []]


def tac_auth_marker(entity: Entity, period: str | None) -> bool:
    """A TC 971 AC 123 TAC AUTH ONLY / HIGH RISK AUTH (posted or pending, not reversed) on
    the period's module (any module when no period is named)."""
    return any(str(t.get("misc") or "").strip().upper() in TAC_AUTH_MISC and not t.get("reversed")
               and t.get("status") in ("posted", "pending")
               for m in _modules(entity, period) for t in txns_of(m, 971, 123, status=None))


def letter_fit_refusal(entity: Entity, period: str | None, letter: str, wait: LetterWait) -> str | None:
    """Why TPP letter `letter` does not fit this account (LETER's line 24), or None.
    `wait` is `tpp_advice.letter_wait` of the same account and period."""
    if wait.first_letter and letter != wait.letter:
        return first_time_filer(wait.letter or DOMESTIC_LETTER)
    if letter == TAC_LETTER and not tac_auth_marker(entity, period):
        return NO_TAC_AUTH_MARKER
    foreign = is_foreign_address(return_address(entity, period))
    if letter == FOREIGN_LETTER and not foreign:
        return NOT_FOREIGN
    if letter == DOMESTIC_LETTER and foreign:
        return REISSUE_FOREIGN
    return None


def _failed_notes(entity: Entity) -> Iterable[dict[str, Any]]:
    yield from entity.get("notes") or []
    for m in entity.get("modules") or []:
        yield from m.get("notes") or []


def failed_auth_refusal(entity: Entity, today: dt.date | str, rule: dict[str, Any]) -> str | None:
    """Letter 5216 only after a failed authentication on record *before today* (IRM
    25.25.6.3.4 (2): "If AMS notes show the taxpayer previously failed authentication";
    today's failure at the TAC is the one the letter answers): an AMS note of an issue in
    `rule['ams_issues']`, or a letter of `rule['letters']` (6167C: the documentation
    requested again, 25.25.6.2 (12) box 6) -- tables/input_values.yaml `letters` 5216."""
    day = as_date(today)
    assert day is not None
    issues = {str(i).upper() for i in rule.get("ams_issues") or []}
    letters = {str(x).upper() for x in rule.get("letters") or []}
    for note in _failed_notes(entity):
        when = as_date(note.get("date"))
        if str(note.get("issue") or "").upper() in issues and when is not None and when < day:
            return None
    for x in entity.get("letters") or []:
        when = as_date(x.get("date"))
        if str(x.get("letter") or "").upper() in letters and when is not None and when < day:
            return None
    return NO_FAILED_AUTH
