"""Which TPP letter fits the account, and who may send Letter 5216 (IRM 25.25.6).

`rules.tpp_advice.reissue_refusal` says whether a TPP letter may go *now* (marker, wait,
limit); this module says whether the letter asked for is the *right one* for the account,
from the letter table of IRM 25.25.6.1.7 (7) -- the same for every employee who issues it:

* 4883C "Issued on accounts for returns filed with an address in the United States";
* 5447C "Issued on accounts for returns filed with an address outside the United States";
* 5747C "Issued on accounts containing a TC 971 AC 123 with a MISC field of "TAC AUTH
  ONLY" or ... "HIGH RISK AUTH"" (RIVO's reissue, 25.25.6.2.2.2 (1) box 4, says the same);
* a first-time filer without a letter marker gets the Letter 4883C (25.25.6.6.2 (1)
  exception) -- or the 5447C when the return's address is abroad (decision TPP-40);
* a period whose returns disagree (one from the U.S., one from abroad) is not checked for
  the address: which is "the return in question" is the caller's answer.

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
    "return_abroad",
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


def _return_documents(entity: Entity, period: str | None) -> list[dict[str, Any]]:
    """The documents of the returns in question: the period's UP 126 returns, newest first,
    then its posted TC 150s."""
    mods = _modules(entity, period)
    cases = sorted((u for m in mods for u in m.get("unpostables") or [] if u.get("code") == 126),
                   key=lambda u: str(u.get("status_date") or ""))
    docs = [u.get("document") or {} for u in reversed(cases)]
    return docs + [t.get("document") or {} for m in mods for t in txns_of(m, 150)]


def return_address(entity: Entity, period: str | None) -> list[str]:
    """The address on the return in question: the newest UP 126 document of the period,
    else its posted TC 150's document, else the entity's address (ENMOD)."""
    for doc in _return_documents(entity, period):
        if doc.get("address"):
            return [str(x) for x in doc["address"]]
    return [str(x) for x in entity.get("address") or []]


def return_abroad(entity: Entity, period: str | None) -> bool | None:
    """Whether the return in question was filed from abroad; None when the period's returns
    disagree (a taxpayer's own return from Austin beside an identity thief's from Toronto:
    which one is "the return in question" is the caller's answer, not the account's)."""
    found = {is_foreign_address([str(x) for x in doc["address"]])
             for doc in _return_documents(entity, period) if doc.get("address")}
    if len(found) > 1:
        return None
    return found.pop() if found else is_foreign_address(return_address(entity, period))


def tac_auth_marker(entity: Entity, period: str | None) -> bool:
    """A TC 971 AC 123 TAC AUTH ONLY / HIGH RISK AUTH (posted or pending, not reversed) on
    the period's module (any module when no period is named)."""
    return any(str(t.get("misc") or "").strip().upper() in TAC_AUTH_MISC and not t.get("reversed")
               and t.get("status") in ("posted", "pending")
               for m in _modules(entity, period) for t in txns_of(m, 971, 123, status=None))


def letter_fit_refusal(entity: Entity, period: str | None, letter: str, wait: LetterWait) -> str | None:
    """Why TPP letter `letter` does not fit this account (LETER's line 24), or None.
    `wait` is `tpp_advice.letter_wait` of the same account and period."""
    if wait.first_letter:
        # the exception's own letter (4883C), or the letter table's 5447C for a return abroad
        return None if letter in (wait.letter, DOMESTIC_LETTER) else first_time_filer(wait.letter or DOMESTIC_LETTER)
    if letter == TAC_LETTER and not tac_auth_marker(entity, period):
        return NO_TAC_AUTH_MARKER
    abroad = return_abroad(entity, period)
    if letter == FOREIGN_LETTER and abroad is False:
        return NOT_FOREIGN
    if letter == DOMESTIC_LETTER and abroad:
        return REISSUE_FOREIGN
    return None


def _failed_notes(entity: Entity) -> Iterable[dict[str, Any]]:
    yield from entity.get("notes") or []
    for m in entity.get("modules") or []:
        yield from m.get("notes") or []


def failed_auth_refusal(entity: Entity, today: dt.date | str, rule: dict[str, Any], *, idrs: str | None = None,
                        rivo: bool = False) -> str | None:
    """Letter 5216 only after a failed authentication on record: an AMS note of an issue in
    `rule['ams_issues']` (a failed authentication, or a caller sent to the TAC because they
    could not authenticate, IRM 25.25.6.3.4 (1)), or a letter of `rule['letters']` (6167C:
    the documentation requested again, 25.25.6.2 (12) box 6) -- tables/input_values.yaml
    `letters` 5216.  "Previously failed" (25.25.6.3.4 (2)) is a failure before this one: a
    note another employee made (today's on the phone line included), or the employee's own
    before today.  RIVO acts on "the response or AMS notes" (25.25.6.2.2.2 (1) box 5): the
    failure it documents from the response it read counts at once."""
    day = as_date(today)
    assert day is not None
    issues = {str(i).upper() for i in rule.get("ams_issues") or []}
    letters = {str(x).upper() for x in rule.get("letters") or []}

    def earlier(when: dt.date | None, by: Any) -> bool:
        return when is not None and (rivo or when < day or (by is not None and str(by) != idrs))

    for note in _failed_notes(entity):
        if str(note.get("issue") or "").upper() in issues and earlier(as_date(note.get("date")), note.get("idrs")):
            return None
    for x in entity.get("letters") or []:
        if str(x.get("letter") or "").upper() in letters and earlier(as_date(x.get("date")), x.get("idrs")):
            return None
    return NO_FAILED_AUTH
