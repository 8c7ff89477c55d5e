"""The codes of Post-Appeals Mediation (PAM) on ACMS: appeal types, request states, intake
kinds, denial reasons, mediation results, letters, time limits and document kinds.

Source: memo AP-08-1125-0028, IRM 8.26.9.2.3 and Exhibit 8.26.9-1 (seeds/001; reference
part C), Rev. Proc. 2014-63.  The literals are typed as the Exhibit writes them; `pick`
is how a typed one is matched.  The rules that use these codes are in `appeals_pam`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..digits import is_digits

APPEAL_TYPES = ("OIC", "TFRP", "CDP", "EH")
CDP_TYPES = frozenset({"CDP", "EH"})  # a CDP hearing or equivalent hearing case

OPEN, HELD, PERFECTING, APPROVED, ASSIGNED, CLOSED = "OPEN", "HELD", "PERFECTING", "APPROVED", "ASSIGNED", "CLOSED"
STATES = (OPEN, HELD, PERFECTING, APPROVED, ASSIGNED, CLOSED)
UNDECIDED = frozenset({OPEN, HELD, PERFECTING})

COMPLETE, PREMATURE, INCOMPLETE = "COMPLETE", "PREMATURE", "INCOMPLETE"
INTAKES = (COMPLETE, PREMATURE, INCOMPLETE)

DENIED = "DENIED"  # the closing status of a denial ("returned" in ACMS now)
#: Exhibit 8.26.9-1, Mediation Request Denied, step 3: "request denied ('returned' in system now)".
STATUS_SHOWN = {DENIED: 'DENIED ("RETURNED" IN ACMS)'}
#: Exhibit 8.26.9-1, Mediation Request Denied, step 3 (the en dash typed as a hyphen).
DENIAL_REASONS = (
    "REQUEST DENIED - INELIGIBLE ISSUE OR CASE TYPE",
    "REQUEST DENIED WITH EXECUTIVE CONCURRENCE",
)
#: Exhibit 8.26.9-1, Post Mediation Session Actions, step 1.
AGREED = "MEDIATED - AGREED"
PARTIALLY_AGREED = "MEDIATED - PARTIALLY AGREED"
UNAGREED = "MEDIATED - UNAGREED"
TP_WITHDREW = "PAM WITHDRAWN BY WRITTEN REQUEST FROM TP"
APPEALS_WITHDREW = "WITHDRAWN BY APPEALS (WITH EXECUTIVE CONCURRENCE)"
RESULTS = (AGREED, PARTIALLY_AGREED, UNAGREED, TP_WITHDREW, APPEALS_WITHDREW)
WITHDRAWALS = (TP_WITHDREW, APPEALS_WITHDREW)
MEDIATED = (AGREED, PARTIALLY_AGREED, UNAGREED)  # a mediation session took place

LETTER_DENIAL_OIC = "5557"  # Post Appeals Mediation Denial - OIC
LETTER_DENIAL_TFRP = "5558"  # Post Appeals Mediation Denial - TFRP
LETTER_AGREEMENT = "5559"  # transmittal of the Agreement to Mediate, Consent, Participants List
LETTERS = {
    LETTER_DENIAL_OIC: "POST APPEALS MEDIATION DENIAL - OIC",
    LETTER_DENIAL_TFRP: "POST APPEALS MEDIATION DENIAL - TFRP",
    LETTER_AGREEMENT: "AGREEMENT TO MEDIATE TRANSMITTAL",
}

# Time limits (days).
ANSWER_DAYS = 14  # Rev. Proc. 2014-63 s. 7.03: the ATM answers within two weeks of receipt
PERFECT_DAYS = 14  # IRM 8.26.9.2.3(7): no more than 14 days to provide the details
EMAIL_BUSINESS_DAYS = 3  # Exhibit step 2: email the request to *AP ADR PMO within 3 business days
RETURN_DAYS = 7  # Letter 5559: no more than seven days to return the signed Agreement and Consent
AGREEMENT_DAYS = 21  # Rev. Proc. 2014-63 s. 8.01: Agreement signed within 3 weeks of approval notice
MEDIATION_DAYS = 60  # s. 8.01: mediation no more than 60 days after the Agreement is signed

#: Artifacts attached to the appeal / PAM support request, and the roles that attach them.
#: `L5557`/`L5558`/`L5559` are the letters ACMSLT issues (not attached with ACMSDOC).
DOC_KINDS: dict[str, tuple[str, ...]] = {
    "AD-APPROVAL": ("area-director",),  # the Area Director approves acceptance (8.26.9.2.3.1(3))
    "AD-CONCUR": ("area-director",),  # the AD concurs with the proposed denial
    "AD-NONCONCUR": ("area-director",),  # the AD does not concur: the request is accepted
    "EXEC-CONCUR": ("executive",),  # the first-line executive concurs (denial, Appeals' withdrawal)
    "EXEC-NONCONCUR": ("executive",),  # the executive does not concur: the request is accepted
    "ANALYST": ("adr-analyst", "atm"),  # eligibility discussion with the OIC/TFRP PAM analyst held
    "TALKS-ENDED": ("ate", "atm"),  # premature request: settlement discussions ended, no settlement
    "PERFECTED": ("ate",),  # incomplete request: the taxpayer provided the details in time
    "AGREEMENT": ("ate", "atm"),  # the signed Agreement to Mediate and Consent came back
    "WITHDRAWAL": ("ate", "atm", "mediator"),  # a written withdrawal (taxpayer or Appeals)
    "MEDIATOR-REPORT": ("mediator",),
    "OTHER": ("ate", "atm", "area-director", "executive", "mediator", "adr-analyst"),
}
LETTER_DOCS = {f"L{n}" for n in LETTERS}

APPEALS_ROLES = ("ate", "atm", "area-director", "executive", "mediator", "adr-analyst")


def normalise(text: str) -> str:
    """Upper case, dashes as '-', single blanks: how a typed literal is compared."""
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").upper().split())


def pick(text: str, choices: Sequence[str]) -> str | None:
    """The choice typed as its literal or as its number in the list (1-origin)."""
    typed = normalise(text)
    if is_digits(typed) and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1]
    return typed if typed in choices else None


def add_business_days(day: dt.date, n: int) -> dt.date:
    """`n` business days after `day` (Saturdays and Sundays skipped; holidays are not modelled)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day
