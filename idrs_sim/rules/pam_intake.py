"""Intake of a PAM support request, and what may be attached to it: the written request,
the MI case action dated the day it was received, the held (premature) and perfecting
(incomplete) states, and who attaches which document when.

Source: IRM 8.26.9.2.3(4)-(7), 8.26.9.2.3.2, 8.26.9.2.3.8 and Exhibit 8.26.9-1, Processing
Mediation Request.  Each check returns None when the action may go ahead, else the
line-24 literal that refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from .pam_codes import (
    ASSIGNED,
    CLOSED,
    DOC_KINDS,
    EMAIL_BUSINESS_DAYS,
    HELD,
    INCOMPLETE,
    LETTER_AGREEMENT,
    OPEN,
    PERFECT_DAYS,
    PERFECTING,
    PREMATURE,
    UNDECIDED,
    add_business_days,
)
from .pam_decision import DECISION_DOCS, check_after_analyst, check_executive_reached, not_before, not_perfected_by
from .pam_literals import (
    CDP_NOT_DENIED,
    DOC_NOT_AUTHORIZED,
    HELD_PREMATURE,
    INVALID_CAR_CODE,
    INVALID_DOC,
    MO_SYSTEM,
    NO_MI_CDP,
    NO_PAM,
    NO_REQUEST,
    NOT_ASSIGNED,
    NOT_ELIGIBLE,
    NOT_HELD,
    NOT_PERFECTING,
    PAM_CLOSED,
    PAM_EXISTS,
    REQUEST_RECORDED,
    mdy,
)
from .pam_record import AppealLike, DocLike, PamLike, is_cdp, latest, request_eligible, under_consideration

# ---- intake (8.26.9.2.3(4)-(7), 8.26.9.2.3.2, Exhibit Processing Mediation Request) ------


def request_notice(appeal: AppealLike, received: dt.date) -> str:
    """What the ATE is told when a written mediation request is recorded: eligibility is judged
    on the day it was received (8.26.9.2.3(3), (4) Note and Reminder), not the status today.
    A CDP/EH OIC never has a PAM support request nor an ACMS denial (8.26.9.2.3.2(4) Note, (5))."""
    if is_cdp(appeal):
        return "CDP/EH OIC - NO MI; EMAIL THE REQUEST TO *AP ADR PMO"
    if not under_consideration(appeal, received):
        return "NOT ELIGIBLE - NOTIFY ATM; EMAIL REQUEST AND DENIAL LETTER TO *AP ADR PMO"
    due = add_business_days(received, EMAIL_BUSINESS_DAYS)
    return f"NOTIFY ATM NOW; EMAIL REQUEST TO *AP ADR PMO BY {mdy(due)}; INPUT MI"


#: What the email to *AP ADR PMO must say, and the contact with the taxpayer, for a premature
#: request (IRM 8.26.9.2.3(6)) and an incomplete one ((7)); a complete one needs neither.
INTAKE_ADVICE: dict[str, tuple[str, ...]] = {
    PREMATURE: (
        "EMAIL TO *AP ADR PMO: REQUEST IS PREMATURE, SETTLEMENT DISCUSSIONS ONGOING",
        "HOLD IT OPEN UNTIL SETTLEMENT DISCUSSIONS ARE COMPLETE",
    ),
    INCOMPLETE: (
        'EMAIL TO *AP ADR PMO: WORKING WITH THE TP TO "PERFECT" THE MEDIATION REQUEST',
        "CONTACT TP: NOT ENOUGH INFORMATION TO DECIDE WHETHER TO AGREE TO MEDIATION;",
        "ALLOW NO MORE THAN 14 DAYS FOR THE DETAILS (REV. PROC. 2014-63 SECTION 7)",
    ),
}


def intake_advice(appeal: AppealLike, intake: str | None, pam: PamLike | None, today: dt.date) -> tuple[str, ...]:
    """The premature / incomplete steps of 8.26.9.2.3(6)-(7), shown while they are the next
    step: once the request is recorded, until the hold ends or, for an incomplete request,
    until it is perfected or its 14 days have run."""
    if is_cdp(appeal) or appeal.request_received is None or not request_eligible(appeal):
        return ()
    if pam is not None and pam.state not in (HELD, PERFECTING):
        return ()
    due = pam.perfect_due if pam is not None and pam.perfect_due else perfect_due(appeal.request_received)
    if intake == INCOMPLETE and today > due:
        return ()
    return INTAKE_ADVICE.get(intake or "", ())


def check_received(appeal: AppealLike, received: dt.date) -> str | None:
    """Appeals receives a mediation request on a case it has: not before the appeal was received."""
    return not_before("REQUEST", received, "APPEAL RECEIVED", appeal.received)


def check_request(appeal: AppealLike, pam: PamLike | None, received: dt.date) -> str | None:
    """A written request can be recorded on any appeal Appeals had received by then, once,
    before its PAM support request.  Recorded, its received date is what eligibility and the
    MI date are judged on: a second ACMSREQ never changes it (decision APP-R6)."""
    if pam is not None:
        return PAM_EXISTS
    if appeal.request_received is not None:
        return REQUEST_RECORDED.format(day=mdy(appeal.request_received))
    return check_received(appeal, received)


def check_car_code(code: str) -> str | None:
    """The ATE inputs MI; MO is written by ACMS when the PAM support request closes."""
    if code == "MO":
        return MO_SYSTEM
    return None if code == "MI" else INVALID_CAR_CODE


def check_mi(appeal: AppealLike, pam: PamLike | None, date: dt.date) -> str | None:
    """MI opens the PAM support request: dated the day the request was received (8.26.9.2.3.8),
    never for an OIC in a CDP/EH case (8.26.9.2.3.2(5)), only for a request received while
    the case was under consideration (8.26.9.2.3(3); decision PAM-20)."""
    if is_cdp(appeal):
        return NO_MI_CDP
    if appeal.request_received is None:
        return NO_REQUEST
    problem = check_received(appeal, appeal.request_received)
    if problem:
        return problem
    if not request_eligible(appeal):
        return NOT_ELIGIBLE
    if pam is not None:
        return PAM_EXISTS
    if date != appeal.request_received:
        return f"MI DATE MUST BE DATE REQUEST RECEIVED {mdy(appeal.request_received)}"
    return None


def opening_state(intake: str) -> str:
    """Premature requests are held open, incomplete ones are perfected (8.26.9.2.3(6), (7))."""
    return {PREMATURE: HELD, INCOMPLETE: PERFECTING}.get(intake, OPEN)


def perfect_due(received: dt.date) -> dt.date:
    """Decision: the taxpayer is contacted on the day the request is received; 14 days from then."""
    return received + dt.timedelta(days=PERFECT_DAYS)


# ---- attachments ------------------------------------------------------------------------

EXECUTIVE_ANSWERS = ("EXEC-CONCUR", "EXEC-NONCONCUR")
DENIAL_ANSWERS = ("AD-CONCUR", "AD-NONCONCUR", *EXECUTIVE_ANSWERS)


def check_doc(kind: str, roles: Iterable[str], appeal: AppealLike, pam: PamLike | None,
              docs: Sequence[DocLike], date: dt.date) -> str | None:
    """Who attaches what, and when it fits the PAM support request's state."""
    allowed = DOC_KINDS.get(kind)
    if allowed is None:
        return INVALID_DOC
    if not set(roles) & (set(allowed) | {"instructor"}):
        return DOC_NOT_AUTHORIZED
    if appeal.request_received is None:
        return NO_REQUEST
    if kind != "OTHER":
        late = not_before("DOCUMENT", date, "REQUEST RECEIVED", appeal.request_received)
        if late:
            return late
    problem = check_after_analyst(docs, kind, date) or _after_hold(kind, pam, docs, date)
    if problem:
        return problem
    if pam is None and kind in DENIAL_ANSWERS and is_cdp(appeal):
        # A CDP/EH OIC has no PAM support request and is not denied through ACMS (decision PAM-14).
        return CDP_NOT_DENIED
    if kind in EXECUTIVE_ANSWERS and (pam is None or pam.state in UNDECIDED):
        # Undecided, the executive answers a proposed denial, reached only after the AD concurred;
        # after approval an EXEC-CONCUR is the concurrence with Appeals' withdrawal (decision PAM-11).
        problem = check_executive_reached(docs, date)
        if problem:
            return problem
    if pam is None:
        # An ineligible request (received after the appeal closed) has no PAM support request; its
        # denial still needs the concurrences and the analyst (decision PAM-7).
        return None if kind in (*DENIAL_ANSWERS, "ANALYST", "OTHER") else NO_PAM
    if pam.state == CLOSED and kind != "OTHER":
        return PAM_CLOSED
    if kind == "TALKS-ENDED" and pam.state != HELD:
        return NOT_HELD
    if kind == "PERFECTED":
        if pam.state != PERFECTING:
            return NOT_PERFECTING
        if pam.perfect_due is not None and date > pam.perfect_due:
            return f"PERFECTING PERIOD ENDED {mdy(pam.perfect_due)} - 14 DAYS"
    if kind == "AGREEMENT":
        return _agreement(pam, docs, date)
    if kind == "MEDIATOR-REPORT" and pam.state != ASSIGNED:
        return NOT_ASSIGNED
    return None


_NAMES = {"ANALYST": "ANALYST", "EXEC-CONCUR": "EXECUTIVE", "EXEC-NONCONCUR": "EXECUTIVE"}


def _after_hold(kind: str, pam: PamLike | None, docs: Sequence[DocLike], date: dt.date) -> str | None:
    """The decision's documents follow the end of a hold (8.26.9.2.3(6)(b), (7)(a)-(b)): a
    premature request is discussed with the analyst once settlement talks end, an incomplete one
    once the details arrive or the 14 days end without them -- judged on the document's date."""
    if kind not in DECISION_DOCS or pam is None:
        return None
    what = _NAMES.get(kind, "AREA DIRECTOR")
    if pam.state == HELD:
        return HELD_PREMATURE
    if pam.state == PERFECTING and pam.perfect_due is not None and date <= pam.perfect_due:
        return not_perfected_by(what, pam.perfect_due)
    for event, label in (("TALKS-ENDED", "SETTLEMENT TALKS ENDED"), ("PERFECTED", "DETAILS PERFECTED")):
        done = latest(docs, event)
        if done is not None:
            return not_before(what, date, label, done.date)
    return None


def _agreement(pam: PamLike, docs: Sequence[DocLike], date: dt.date) -> str | None:
    """The signed Agreement to Mediate comes back after Letter 5559 transmitted it, which the ATM
    faxed once she signed it, after the approval (Exhibit, After the Pre-Mediation Conference
    Call, step 3; decision APP-R2): dated on or after both."""
    letter = latest(docs, "L" + LETTER_AGREEMENT)
    if letter is None:
        return "AGREEMENT FOLLOWS LETTER 5559"
    return (not_before("AGREEMENT", date, "APPROVAL", pam.approved)
            or not_before("AGREEMENT", date, "LETTER 5559", letter.date))


def state_after_doc(state: str, kind: str) -> str:
    """A held request goes to the ATM once talks end; a perfected one once the details arrive."""
    if state == HELD and kind == "TALKS-ENDED":
        return OPEN
    if state == PERFECTING and kind == "PERFECTED":
        return OPEN
    return state
