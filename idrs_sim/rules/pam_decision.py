"""The ATM's decision on a PAM support request: approval (with the Area Director's approval
and a provisional mediator), or denial (with the AD's and a first-line executive's
concurrence, Letter 5557 or 5558, closed on the letter's mail date), and Letter 5559.

Source: IRM 8.26.9.2.3.1, 8.26.9.2.3.3, 8.26.9.2.3.4 and Exhibit 8.26.9-1.  Each check
returns None when the action may go ahead, else the line-24 literal that refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from .pam_codes import (
    APPROVED,
    ASSIGNED,
    CLOSED,
    DENIAL_REASONS,
    HELD,
    LETTER_AGREEMENT,
    LETTER_DENIAL_OIC,
    LETTER_DENIAL_TFRP,
    LETTERS,
    PERFECTING,
    pick,
)
from .pam_literals import (
    ALREADY_APPROVED,
    CDP_NOT_DENIED,
    DECIDED,
    HELD_PREMATURE,
    INVALID_LETTER,
    INVALID_REASON,
    LETTER_5559_ISSUED,
    MEDIATOR_ALREADY,
    NO_AD_APPROVAL,
    NO_AD_CONCUR,
    NO_ANALYST,
    NO_EXEC_CONCUR,
    NO_PAM,
    NO_REQUEST,
    NONCONCURRED,
    NOT_A_MEDIATOR,
    NOT_APPROVED,
    PAM_CLOSED,
    mdy,
)
from .pam_record import AppealLike, DocLike, PamLike, has, is_cdp, latest, request_eligible

# ---- decision (8.26.9.2.3.1, 8.26.9.2.3.3, 8.26.9.2.3.4; Exhibit) -----------------------


def _undecided(pam: PamLike | None, today: dt.date, *, denying: bool) -> str | None:
    if pam is None:
        return NO_PAM
    if pam.state == CLOSED:
        return PAM_CLOSED
    if pam.state in (APPROVED, ASSIGNED):
        return DECIDED if denying else ALREADY_APPROVED
    if pam.state == HELD:
        return HELD_PREMATURE
    if pam.state == PERFECTING:
        due = pam.perfect_due
        # Not perfected: it cannot be approved; it can be denied once the 14 days have run.
        if not denying or (due is not None and today <= due):
            return f"REQUEST NOT PERFECTED - DETAILS DUE {mdy(due)}"
    return None


def not_before(what: str, day: dt.date, event: str, when: dt.date | None) -> str | None:
    """Dates follow the steps: `what` dated `day` cannot come before `event` dated `when`."""
    return f"{what} DATE CANNOT BE BEFORE {event} {mdy(when)}" if when is not None and day < when else None


def check_executive_reached(docs: Iterable[DocLike], day: dt.date) -> str | None:
    """The first-line executive is asked only "if the Area Director concurs with the proposed
    denial" (8.26.9.2.3.3(1)(c); Exhibit step 1c): an executive's concurrence or
    non-concurrence needs an AD-CONCUR on file, dated on or before it."""
    ad = [d.date for d in docs if d.kind == "AD-CONCUR"]
    if not ad:
        return NO_AD_CONCUR
    return not_before("EXECUTIVE", day, "AREA DIRECTOR CONCURRENCE", min(ad))


def accepted_by_nonconcurrence(docs: Sequence[DocLike]) -> bool:
    """The AD not concurring with a proposed denial accepts the request; so does the first-line
    executive not concurring, once the AD has concurred (8.26.9.2.3.3(1)(c) Note)."""
    return has(docs, "AD-NONCONCUR") or any(
        d.kind == "EXEC-NONCONCUR" and check_executive_reached(docs, d.date) is None for d in docs)


def check_approve(pam: PamLike | None, docs: Sequence[DocLike], mediator_ok: bool, today: dt.date) -> str | None:
    """The ATM approves, after the analyst discussion and the Area Director's approval, and
    selects a (provisional) mediator (Exhibit step 5; decision C.4 #2)."""
    problem = _undecided(pam, today, denying=False)
    if problem:
        return problem
    if not has(docs, "ANALYST"):
        return NO_ANALYST
    if not (has(docs, "AD-APPROVAL") or accepted_by_nonconcurrence(docs)):
        return NO_AD_APPROVAL
    return None if mediator_ok else NOT_A_MEDIATOR


def denial_letter(appeal: AppealLike) -> str:
    """Letter 5557 for an OIC, 5558 for a TFRP (never for a CDP/EH OIC: `check_letter`)."""
    return LETTER_DENIAL_TFRP if appeal.type == "TFRP" else LETTER_DENIAL_OIC


def check_concurrence(docs: Sequence[DocLike]) -> str | None:
    """Every denial: the analyst discussed it, the AD and a first-line executive concur, and
    neither did not concur (8.26.9.2.3.3(1); the pilot; decision C.4 #1)."""
    if accepted_by_nonconcurrence(docs):
        return NONCONCURRED
    if not has(docs, "ANALYST"):
        return NO_ANALYST
    if not has(docs, "AD-CONCUR"):
        return NO_AD_CONCUR
    if not has(docs, "EXEC-CONCUR"):
        return NO_EXEC_CONCUR
    return None


def check_letter(letter: str, appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike],
                 today: dt.date, *, mailed: dt.date) -> str | None:
    """Letters 5557/5558 (denial: signed and mailed by the ATM after concurrence) and 5559."""
    if letter not in LETTERS:
        return INVALID_LETTER
    if letter == LETTER_AGREEMENT:
        if pam is None:
            return NO_PAM
        if has(docs, "L" + LETTER_AGREEMENT):
            return LETTER_5559_ISSUED
        if pam.state != APPROVED:
            return MEDIATOR_ALREADY if pam.state == ASSIGNED else NOT_APPROVED
        return None
    if is_cdp(appeal):
        # No PAM support request exists for a CDP/EH OIC (8.26.9.2.3.2(5)): nothing to deny in
        # ACMS; the request is emailed to *AP ADR PMO ((4) Note).  Decision PAM-14.
        return CDP_NOT_DENIED
    right = denial_letter(appeal)
    if letter != right:
        return f"USE LETTER {right} FOR A{'N' if appeal.type == 'OIC' else ''} {appeal.type} APPEAL"
    if appeal.request_received is None:
        return NO_REQUEST
    if has(docs, "L" + letter):
        return f"LETTER {letter} ALREADY ISSUED"
    if pam is not None:
        problem = _undecided(pam, today, denying=True)
        if problem:
            return problem
    elif request_eligible(appeal):
        # Received while under consideration: MI opens the PAM support request, denied from there.
        # Only a request received after the appeal closed is denied without one (decision PAM-7).
        return NO_PAM
    return check_concurrence(docs) or _denial_letter_date(appeal, docs, mailed)


def _denial_letter_date(appeal: AppealLike, docs: Sequence[DocLike], mailed: dt.date) -> str | None:
    """The ATM signs and mails the denial letter after the executive concurs (8.26.9.2.3.3(1)(d)):
    not before the request was received nor before the AD's and the executive's concurrences."""
    def first(kind: str) -> dt.date | None:
        return min((d.date for d in docs if d.kind == kind), default=None)

    return (not_before("LETTER", mailed, "REQUEST RECEIVED", appeal.request_received)
            or not_before("LETTER", mailed, "AREA DIRECTOR CONCURRENCE", first("AD-CONCUR"))
            or not_before("LETTER", mailed, "EXECUTIVE CONCURRENCE", first("EXEC-CONCUR")))


def check_deny(appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike], reason: str,
               date: dt.date, today: dt.date) -> str | None:
    """The ATM closes the request as Denied on the date the signed denial letter was mailed,
    with one of the two denial reasons (Exhibit, Mediation Request Denied, step 3)."""
    problem = _undecided(pam, today, denying=True)
    if problem:
        return problem
    if pick(reason, DENIAL_REASONS) is None:
        return INVALID_REASON
    problem = check_concurrence(docs)
    if problem:
        return problem
    letter = latest(docs, "L" + denial_letter(appeal))
    if letter is None:
        return f"DENIAL LETTER {denial_letter(appeal)} NOT ISSUED"
    if date != letter.date:
        return f"DENIAL DATE MUST BE THE LETTER MAIL DATE {mdy(letter.date)}"
    return None
