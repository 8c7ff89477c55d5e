"""Who must offer TDC Secure Messaging, and who has the eGain Agent to do it
(memo AP-08-0622-0008, Procedural Changes ¶1-3).

A BEARS approval for PROD USERS TDC APPEALS gives a listed-series Appeals manager or
technical employee the eGain Agent and a permanent eGain number: the "Appeals Employee
ID" taxpayers register with (never the badge number).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# -- access (Procedural Changes ¶1-3) -------------------------------------------------

#: IR and GS job series whose managers and technical employees must offer TDC SM.
LISTED_SERIES = ("0930", "0110", "1101", "0512", "0526", "0801")
#: The BEARS entitlement the employee requests (¶1).
BEARS_ENTITLEMENT = "PROD USERS TDC APPEALS (TDC APPEALS (PROD))"
#: The simulator roles of "Appeals managers and technical employees".
TDC_ROLES = ("ate", "atm")
EGAIN_ID = re.compile(r"^[0-9A-Z]{4,12}$")


NOT_CASE_ATE = "NOT THE ATE OF THIS CASE"
#: Who works any ACDS case: ACDS keeps no ATM on a case, so a manager acts on her ATEs'
#: cases (the manager who invites for an ATE without the eGain Agent); the instructor too.
ANY_CASE_ROLES = ("atm", "instructor")


def check_case_owner(idrs: str, roles: Iterable[str], case_ate: str | None) -> str | None:
    """An entry on an ACDS case is made by the case's ATE (or a manager), as ACMS allows only
    the appeal's ATE (decision APP-R12); an ATE keying another ATE's case is refused."""
    if set(roles) & set(ANY_CASE_ROLES) or not case_ate:
        return None
    return None if idrs == case_ate else NOT_CASE_ATE


def must_offer(roles: Iterable[str], series: str | None) -> bool:
    """Whether the memo obliges this employee to offer TDC: a manager or ATE in a listed series."""
    return bool(set(roles) & set(TDC_ROLES)) and series in LISTED_SERIES


@dataclass(frozen=True)
class EgainAccess:
    """Whether an employee has the eGain Agent, the eGain ID, or why there is none."""

    has_agent: bool
    egain_id: str | None
    reason: str


def egain_access(roles: Iterable[str], series: str | None, bears: bool, egain: str | None) -> EgainAccess:
    """The eGain Agent comes with a BEARS approval to a listed-series manager or ATE (¶1-3)."""
    if not set(roles) & set(TDC_ROLES):
        return EgainAccess(False, None, "NOT AN APPEALS MANAGER OR TECHNICAL EMPLOYEE")
    if not series:
        return EgainAccess(False, None, "NO JOB SERIES ON FILE")
    if series not in LISTED_SERIES:
        return EgainAccess(False, None, f"SERIES {series} IS NOT A TDC SERIES ({' '.join(LISTED_SERIES)})")
    if not bears:
        return EgainAccess(False, None, f"NO BEARS APPROVAL FOR {BEARS_ENTITLEMENT}")
    if not egain:
        return EgainAccess(False, None, "BEARS APPROVED - EGAIN ID NOT YET ISSUED")
    return EgainAccess(True, egain, "EGAIN AGENT ACCESS GRANTED (BEARS APPROVED)")
