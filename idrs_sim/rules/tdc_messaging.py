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
                       badges: Iterable[str]) -> str | None:
    """The TP/Rep registers with the Appeals Employee ID they were given (¶3-4)."""
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
    return None


def usable(reg: Registration) -> str | None:
    """Why a registration cannot carry messages: no consent, no authentication (¶4)."""
    if not reg.consented:
        return f"{reg.who} HAS NOT CONSENTED TO TDC SECURE MESSAGING"
    if not reg.authenticated:
        return f"{reg.who} HAS NOT AUTHENTICATED AT WWW.IRS.GOV/CONNECT"
    return None


def check_message(sender: str, registrations: Sequence[Registration], withdrawal: dt.date | None,
                  access: EgainAccess) -> str | None:
    """A message needs a consented, authenticated TP/Rep who has not withdrawn, and the agent."""
    if sender not in (*PARTIES, "ATE"):
        return "FROM> TP, POA OR ATE"
    if not access.has_agent:
        return f"NO EGAIN AGENT ACCESS: {access.reason}"
    if withdrawal is not None:
        return f"THE TP/REP WITHDREW FROM TDC SECURE MESSAGING {mmddyyyy(withdrawal)}"
    parties = [sender] if sender in PARTIES else list(PARTIES)
    regs = [r for r in registrations if r.who in parties]
    if not regs:
        who = sender if sender in PARTIES else "THE TP/REP"
        return f"{who} HAS NOT REGISTERED FOR TDC SECURE MESSAGING"
    problems = [usable(r) for r in regs]
    if all(problems):
        return problems[0]
    return None


def recipients(sender: str, registrations: Sequence[Registration], employee_egain: str) -> list[str]:
    """Who gets the email notice: the employee for a TP/Rep message, else each usable party."""
    if sender in PARTIES:
        return [f"EGAIN {employee_egain}"]
    return [r.who for r in registrations if usable(r) is None]


#: The email notice text (¶5): it says a message is waiting, never what it says.
NOTICE_TEXT = "NEW SECURE MESSAGE: LOG IN TO TDC TO READ IT"


def email_notice(to: str, day: dt.date) -> dict[str, str]:
    """The notice one recipient gets for one new message; the content is not an argument."""
    return {"to": to, "date": day.isoformat(), "text": NOTICE_TEXT}
