"""A PAM support request after approval: the mediator assigned once Letter 5559 went out,
closing (by the ATM on a withdrawal before assignment, by the mediator's submission with
the Mediator's Report after it), and what an open request forbids (submitting the appeal
for closing; the mediator seeing the underlying appeal, ex parte).

Source: Exhibit 8.26.9-1; IRM 8.26.9.2.3.3 Note, 8.26.9.2.3.4.7, 8.26.9.2.3.7, 8.26.9.2.3.8.
Each check returns None when the action may go ahead, else the line-24 literal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .pam_codes import (
    APPEALS_WITHDREW,
    APPROVED,
    ASSIGNED,
    CLOSED,
    LETTER_AGREEMENT,
    MEDIATED,
    RESULTS,
    UNDECIDED,
    WITHDRAWALS,
    pick,
)
from .pam_decision import not_before
from .pam_literals import (
    ALREADY_SUBMITTED,
    APPEAL_CLOSED,
    APPEALS_DENIES,
    ATM_AFTER_MEDIATOR,
    ATM_CLOSES_WITHDRAWALS,
    AWAITS_MI,
    INVALID_RESULT,
    MEDIATOR_ALREADY,
    MEDIATOR_SUBMITS,
    NO_AGREEMENT,
    NO_EXEC_CONCUR,
    NO_LETTER_5559,
    NO_PAM,
    NO_WITHDRAWAL,
    NOT_A_MEDIATOR,
    NOT_APPROVED,
    NOT_ASSIGNED,
    NOT_THE_MEDIATOR,
    ONLY_REPORT,
    PAM_CLOSED,
    PAM_OPEN,
    WITHDRAWN_BEFORE_ASSIGNED,
    mdy,
)
from .pam_record import AppealLike, DocLike, PamLike, has, is_cdp, is_open, latest, request_eligible

# ---- after approval (Exhibit; 8.26.9.2.3.4.7; 8.26.9.2.3.7; 8.26.9.2.3.8) ----------------


def check_assign(pam: PamLike | None, docs: Sequence[DocLike], mediator_ok: bool) -> str | None:
    """The ATM assigns the request to the mediator once Letter 5559 went out (steps 3-5)."""
    if pam is None:
        return NO_PAM
    if pam.state == CLOSED:
        return PAM_CLOSED
    if pam.state == ASSIGNED:
        return MEDIATOR_ALREADY
    if pam.state != APPROVED:
        return NOT_APPROVED
    if not has(docs, "L" + LETTER_AGREEMENT):
        return NO_LETTER_5559
    return None if mediator_ok else NOT_A_MEDIATOR


def _withdrawal(result: str, docs: Sequence[DocLike], date: dt.date | None,
                approved: dt.date | None = None) -> str | None:
    if result not in WITHDRAWALS:
        return None
    withdrawal = latest(docs, "WITHDRAWAL")
    if withdrawal is None:
        return NO_WITHDRAWAL
    if result == APPEALS_WITHDREW:
        # "Withdrawn by Appeals (with Executive concurrence)": the executive concurred with the
        # withdrawal, so on or before it, and after the approval it withdraws from (decision APP-R9).
        concurred = [d.date for d in docs if d.kind == "EXEC-CONCUR"
                     and (approved is None or d.date >= approved)]
        if not concurred:
            return NO_EXEC_CONCUR
        if min(concurred) > withdrawal.date:
            return f"EXECUTIVE CONCURRENCE {mdy(min(concurred))} IS AFTER THE WITHDRAWAL {mdy(withdrawal.date)}"
    if date is not None and date != withdrawal.date:
        return f"CLOSE DATE MUST BE THE WITHDRAWAL DATE {mdy(withdrawal.date)}"
    return None


def withdrawn_before_assignment(pam: PamLike, docs: Sequence[DocLike]) -> bool:
    """The written withdrawal is dated before the mediator was assigned (8.26.9.2.3.8: "before
    a mediator is assigned" the ATM closes), even if the assignment was keyed after it."""
    withdrawal = latest(docs, "WITHDRAWAL")
    return withdrawal is not None and pam.assigned is not None and withdrawal.date < pam.assigned


def check_close(pam: PamLike | None, docs: Sequence[DocLike], result: str, date: dt.date,
                by_atm: bool) -> str | None:
    """ACT>CLOSE: the ATM closes on a withdrawal before a mediator is assigned (8.26.9.2.3.8),
    the withdrawal's date deciding; after that the mediator closes, by submitting with the
    Mediator's Report."""
    if pam is None:
        return NO_PAM
    if pam.state == CLOSED:
        return PAM_CLOSED
    if not by_atm:
        return MEDIATOR_SUBMITS
    if pam.state == ASSIGNED and not withdrawn_before_assignment(pam, docs):
        return ATM_AFTER_MEDIATOR
    chosen = pick(result, RESULTS)
    if chosen is None:
        return INVALID_RESULT
    if chosen not in WITHDRAWALS:
        return ATM_CLOSES_WITHDRAWALS
    if chosen == APPEALS_WITHDREW and pam.state in UNDECIDED:
        # "Withdrawn by Appeals (with Executive concurrence)" is a mediation result (Exhibit, Post
        # Mediation Session Actions): Appeals withdraws from a mediation it accepted.  Turning down a
        # request not approved is a denial -- Letter 5557/5558 with its rationale, closed Denied
        # (8.26.9.2.3.3(1)(c)-(e); the pilot).  The taxpayer may still withdraw (IRM 8.26.9.2.3(6)(a)).
        return APPEALS_DENIES
    return _withdrawal(chosen, docs, date, pam.approved)


def check_submit(pam: PamLike | None, docs: Sequence[DocLike], result: str, attach: Sequence[str],
                 idrs: str, date: dt.date) -> str | None:
    """ACT>SUBMIT: the assigned mediator closes the request at the end of mediation or on a
    withdrawal after assignment, attaching only the Mediator's Report, with one of five results."""
    if pam is None:
        return NO_PAM
    if pam.state == CLOSED:
        return PAM_CLOSED
    if pam.state != ASSIGNED:
        return NOT_ASSIGNED
    if pam.mediator != idrs:
        return NOT_THE_MEDIATOR
    if [a.strip() for a in attach if a.strip()] != ["MEDIATOR-REPORT"]:
        return ONLY_REPORT
    chosen = pick(result, RESULTS)
    if chosen is None:
        return INVALID_RESULT
    if chosen in WITHDRAWALS and withdrawn_before_assignment(pam, docs):
        return WITHDRAWN_BEFORE_ASSIGNED
    return _mediated(chosen, docs, date) or _withdrawal(chosen, docs, date, pam.approved)


def _mediated(result: str, docs: Sequence[DocLike], date: dt.date) -> str | None:
    """A "Mediated" result (agreed, partially agreed, unagreed) says a mediation session took
    place, and mediation takes place after the Agreement to Mediate is signed (Exhibit 8.26.9-1,
    After the Pre-Mediation Conference Call, steps 3 and 6): the signed Agreement is attached
    and the session did not end before it was signed.  Decision PAM-19."""
    if result not in MEDIATED:
        return None
    agreement = latest(docs, "AGREEMENT")
    if agreement is None:
        return NO_AGREEMENT
    return not_before("CLOSE", date, "AGREEMENT TO MEDIATE SIGNED", agreement.date)


# ---- guards -----------------------------------------------------------------------------


def check_submit_appeal(appeal: AppealLike, pam: PamLike | None) -> str | None:
    """The ATE cannot submit the appeal for closing while a PAM support request is open
    (8.26.9.2.3.3 Note): closing it writes MO, which allows the submission."""
    if not is_open(appeal):
        return APPEAL_CLOSED
    if appeal.submitted is not None:
        return ALREADY_SUBMITTED
    if pam is not None and pam.state != CLOSED:
        return PAM_OPEN
    if pam is None and appeal.request_received is not None and not is_cdp(appeal) and request_eligible(appeal):
        # A written request received while under consideration opens a PAM support request by MI
        # (8.26.9.2.3.2(5)); until then the appeal cannot go to closing past it (decision APP-R8).
        return AWAITS_MI.format(day=mdy(appeal.request_received))
    return None


def mediation_open_for(pam: PamLike | None, idrs: str) -> bool:
    """Ex parte (8.26.9.2.3.4.7): the request's mediator may not see the underlying appeal or its
    case action record until the mediation is closed."""
    return pam is not None and pam.state != CLOSED and pam.mediator == idrs
