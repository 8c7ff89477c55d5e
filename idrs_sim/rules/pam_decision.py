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
    NO_RATIONALE,
    NO_REQUEST,
    NONCONCURRED,
    NOT_A_MEDIATOR,
    NOT_APPROVED,
    NOT_PERFECTED_BY,
    PAM_CLOSED,
    TEXT_MAX,
    TEXT_NOT_TAKEN,
    TEXT_TOO_LONG,
    mdy,
)
from .pam_record import AppealLike, DocLike, PamLike, has, is_cdp, latest, request_eligible

# ---- decision (8.26.9.2.3.1, 8.26.9.2.3.3, 8.26.9.2.3.4; Exhibit) -----------------------


def _undecided(pam: PamLike | None, today: dt.date, *, denying: bool, dated: dt.date | None = None,
               what: str = "DENIAL") -> str | None:
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
        # The 14 days are judged on the denial's own date, not the day it is keyed: a letter or
        # denial dated inside the perfecting period is refused even when keyed after it ended.
        if due is not None and dated is not None and dated <= due:
            return not_perfected_by(what, due)
    return None


def not_perfected_by(what: str, due: dt.date) -> str:
    """`what` dated within the perfecting period of a request not perfected: the first day it may carry."""
    return NOT_PERFECTED_BY.format(what=what, day=mdy(due + dt.timedelta(days=1)), due=mdy(due))


#: The decision's documents in the order the Exhibit reaches them: the analyst discussion, then
#: the Area Director, then (a denial) the first-line executive.
AD_DOCS = ("AD-APPROVAL", "AD-CONCUR", "AD-NONCONCUR")
DECISION_DOCS = ("ANALYST", *AD_DOCS, "EXEC-CONCUR", "EXEC-NONCONCUR")


def first(docs: Iterable[DocLike], kind: str) -> dt.date | None:
    """The date of the earliest document of `kind` on file, or None."""
    return min((d.date for d in docs if d.kind == kind), default=None)


def check_after_analyst(docs: Iterable[DocLike], kind: str, day: dt.date) -> str | None:
    """The Area Director is asked after the analyst discussion (8.26.9.2.3.3(1)(a)-(b); Exhibit
    Processing step 5, Denied step 1a-b): an AD document needs the discussion on file, dated on
    or before it."""
    if kind not in AD_DOCS:
        return None
    analyst = first(docs, "ANALYST")
    if analyst is None:
        return NO_ANALYST
    return not_before("AREA DIRECTOR", day, "ANALYST DISCUSSION", analyst)


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
    problem = _in_order(docs, "AD-APPROVAL" if has(docs, "AD-APPROVAL") else "AD-NONCONCUR")
    if problem:
        return problem
    return None if mediator_ok else NOT_A_MEDIATOR


def _in_order(docs: Sequence[DocLike], kind: str) -> str | None:
    """Dates, not only presence: some `kind` document is dated on or after the analyst discussion."""
    analyst = first(docs, "ANALYST")
    dates = [d.date for d in docs if d.kind == kind]
    if analyst is None or not dates or max(dates) >= analyst:
        return None
    return not_before("AREA DIRECTOR", max(dates), "ANALYST DISCUSSION", analyst)


def letter_senders(letter: str) -> tuple[str, ...]:
    """Who sends the letter: the ATM signs and mails a denial letter (8.26.9.2.3.3(1)(d));
    Letter 5559 is faxed by the ATE or the ATM once the ATM signed the Agreement to Mediate
    (Exhibit 8.26.9-1, After the Pre-Mediation Conference Call, step 3, Who "ATE & ATM")."""
    return ("atm", "ate") if letter == LETTER_AGREEMENT else ("atm",)


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
    return _in_order(docs, "AD-CONCUR") or check_executive_reached(docs, max(
        d.date for d in docs if d.kind == "EXEC-CONCUR"))


def check_letter(letter: str, appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike],
                 today: dt.date, *, mailed: dt.date, text: str = "") -> str | None:
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
        if text:
            return TEXT_NOT_TAKEN
        # Faxed once the ATM has signed the Agreement, after the approval (Exhibit, After the
        # Pre-Mediation Conference Call, step 3): not dated before the approval.
        return not_before("LETTER", mailed, "APPROVAL", pam.approved)
    if is_cdp(appeal):
        # No PAM support request exists for a CDP/EH OIC (8.26.9.2.3.2(5)): nothing to deny in
        # ACMS; the request is emailed to *AP ADR PMO ((4) Note).  Decision PAM-14.
        return CDP_NOT_DENIED
    right = denial_letter(appeal)
    if letter != right:
        return f"USE LETTER {right} FOR A{'N' if appeal.type in ('OIC', 'EH') else ''} {appeal.type} APPEAL"
    if appeal.request_received is None:
        return NO_REQUEST
    if has(docs, "L" + letter):
        return f"LETTER {letter} ALREADY ISSUED"
    if pam is not None:
        problem = _undecided(pam, today, denying=True, dated=mailed, what="LETTER")
        if problem:
            return problem
    elif request_eligible(appeal):
        # Received while under consideration: MI opens the PAM support request, denied from there.
        # Only a request received after the appeal closed is denied without one (decision PAM-7).
        return NO_PAM
    return check_concurrence(docs) or _denial_letter_date(appeal, docs, mailed) or check_rationale(text)


def check_rationale(text: str) -> str | None:
    """The pilot (memo AP-08-1125-0028, Background): "The rationale for denying a PAM request
    must be explained to the taxpayer" -- the denial letter carries it (TEXT>)."""
    if not text.strip():
        return NO_RATIONALE
    return TEXT_TOO_LONG if len(text.strip()) > TEXT_MAX else None


def _denial_letter_date(appeal: AppealLike, docs: Sequence[DocLike], mailed: dt.date) -> str | None:
    """The ATM signs and mails the denial letter after the executive concurs (8.26.9.2.3.3(1)(d)):
    not before the request was received nor before the AD's and the executive's concurrences."""
    return (not_before("LETTER", mailed, "REQUEST RECEIVED", appeal.request_received)
            or not_before("LETTER", mailed, "AREA DIRECTOR CONCURRENCE", first(docs, "AD-CONCUR"))
            or not_before("LETTER", mailed, "EXECUTIVE CONCURRENCE", first(docs, "EXEC-CONCUR")))


def check_deny(appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike], reason: str,
               date: dt.date, today: dt.date) -> str | None:
    """The ATM closes the request as Denied on the date the signed denial letter was mailed,
    with one of the two denial reasons (Exhibit, Mediation Request Denied, step 3)."""
    problem = _undecided(pam, today, denying=True, dated=date, what="DENIAL")
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
