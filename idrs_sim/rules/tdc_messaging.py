"""TDC users and messages (memo AP-08-0622-0008, Procedural Changes ¶4-5): the TP/Rep
registers with the Appeals Employee ID they were given; messages go only with consent and
authentication, and each one is an email notice without its content.

Every check returns None when the action is allowed, else the line-24 literal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from .tdc_access import EgainAccess
from .tdc_invitation import BADGE_NOT_ID
from .tdc_record import Registration, mmddyyyy

# -- TDC users and messages (Procedural Changes ¶4-5) ---------------------------------------

PARTIES = ("TP", "POA")


def check_registration(who: str, given_id: str, poa_on_case: bool, invited_ids: Iterable[str],
                       badges: Iterable[str], *, day: dt.date | None = None,
                       given_on: dt.date | None = None) -> str | None:
    """The TP/Rep registers with the Appeals Employee ID they were given (¶3-4), so not on a
    day (`day`) before the ID was given (`given_on`)."""
    if who not in PARTIES:
        return "WHO> TP OR POA"
    if who == "POA" and not poa_on_case:
        return "NO REPRESENTATIVE (POA) ON THIS CASE"
    ids = set(invited_ids)
    if not ids:
        return "THE TP/REP HAS NOT BEEN INVITED TO TDC SECURE MESSAGING"
    if given_id in set(badges):
        return "REGISTRATION FAILED: " + BADGE_NOT_ID
    if given_id not in ids:
        return f"ID> {given_id or 'BLANK'} IS NOT THE APPEALS EMPLOYEE ID GIVEN TO THE TP/REP"
    if day is not None and given_on is not None and day < given_on:
        return f"REGISTRATION DATED BEFORE THE ID WAS GIVEN {mmddyyyy(given_on)}"
    return None


def usable(reg: Registration) -> str | None:
    """Why a registration cannot carry messages: no consent, no authentication (¶4)."""
    if not reg.consented:
        return f"{reg.who} HAS NOT CONSENTED TO TDC SECURE MESSAGING"
    if not reg.authenticated:
        return f"{reg.who} HAS NOT AUTHENTICATED AT WWW.IRS.GOV/CONNECT"
    return None


def not_registered_until(who: str, first: dt.date) -> str:
    """Refusal of an entry dated before the TP/Rep registered (consent and authentication, ¶4)."""
    return f"{who} NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL {mmddyyyy(first)}"


def check_message(sender: str, registrations: Sequence[Registration], withdrawal: dt.date | None,
                  access: EgainAccess, *, day: dt.date) -> str | None:
    """A message dated `day` needs a TP/Rep who had consented and authenticated by then (¶4),
    had not withdrawn before it (a message dated on or before the withdrawal is recorded:
    CO-TDC records "each interaction"), and the employee's eGain Agent."""
    if sender not in (*PARTIES, "ATE"):
        return "FROM> TP, POA OR ATE"
    if not access.has_agent:
        return f"NO EGAIN AGENT ACCESS: {access.reason}"
    if withdrawal is not None and day > withdrawal:
        return f"THE TP/REP WITHDREW FROM TDC SECURE MESSAGING {mmddyyyy(withdrawal)}"
    parties = [sender] if sender in PARTIES else list(PARTIES)
    who = sender if sender in PARTIES else "THE TP/REP"
    regs = [r for r in registrations if r.who in parties]
    if not regs:
        return f"{who} HAS NOT REGISTERED FOR TDC SECURE MESSAGING"
    problems = [usable(r) for r in regs]
    if all(problems):
        return problems[0]
    first = min(r.date for r in regs if usable(r) is None)
    return not_registered_until(who, first) if day < first else None


def check_withdrawal(registrations: Sequence[Registration], withdrawal: dt.date | None,
                     day: dt.date) -> str | None:
    """CO-TDW: a registered TP/Rep asks, once, to stop using TDC; not before they registered."""
    if not registrations:
        return "THE TP/REP IS NOT REGISTERED FOR TDC SECURE MESSAGING"
    if withdrawal is not None:
        return "WITHDRAWAL ALREADY RECORDED"
    first = min(r.date for r in registrations)
    return not_registered_until("THE TP/REP", first) if day < first else None


def recipients(sender: str, registrations: Sequence[Registration]) -> list[str]:
    """Who gets the email notice (¶5: the user who "receives a message"): for a TP/Rep message,
    the Appeals employee they message -- the eGain ID they registered with, whoever keys it;
    for the employee's message, each usable party."""
    if sender in PARTIES:
        ids = [r.egain_id for r in registrations if r.who == sender and usable(r) is None]
        return [f"EGAIN {egain}" for egain in dict.fromkeys(ids)]
    return [r.who for r in registrations if usable(r) is None]


#: The email notice text (¶5): it says a message is waiting, never what it says.
NOTICE_TEXT = "NEW SECURE MESSAGE: LOG IN TO TDC TO READ IT"


def email_notice(to: str, day: dt.date) -> dict[str, str]:
    """The notice one recipient gets for one new message; the content is not an argument."""
    return {"to": to, "date": day.isoformat(), "text": NOTICE_TEXT}
