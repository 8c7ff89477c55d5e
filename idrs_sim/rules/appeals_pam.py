"""Post-Appeals Mediation (PAM) support requests on ACMS, as pure rules.

Source: memo AP-08-1125-0028 (11-24-2025), IRM 8.26.9.2.3 - 8.26.9.2.3.8 and Exhibit
8.26.9-1 (seeds/001; digested in reference part C).  Every rule is stated here once; the
ACMS command codes (`idrs_sim.cc.acms*`) read the master file, ask these functions and
write what they decide.  A check returns None when the action may go ahead, else the
line-24 literal that refuses it.

The lifecycle of a PAM support request (one per appeal):

    written request received (ACMSREQ) -> ATE inputs MI dated that day (ACMSCAR)
      -> OPEN (routed to the ATM) | HELD (premature) | PERFECTING (incomplete, 14 days)
      -> APPROVED by the ATM after the Area Director's approval (provisional mediator)
         -> Letter 5559 (7 days to return) -> ASSIGNED to the mediator
         -> the mediator submits closing with only the Mediator's Report -> CLOSED
      -> DENIED by the ATM with AD and first-line executive concurrence, Letter 5557/5558,
         closed on the letter's mail date -> CLOSED
      -> withdrawn: closed by the ATM before a mediator is assigned, by the mediator after
    Every closing writes MO (mediation out) to the case action record.

Decisions where the memo is silent are in docs/decisions.md ("Appeals PAM").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..digits import is_digits

# ---- vocabulary -------------------------------------------------------------------------

APPEAL_TYPES = ("OIC", "TFRP", "CDP", "EH")
CDP_TYPES = frozenset({"CDP", "EH"})  # a CDP hearing or equivalent hearing case

OPEN, HELD, PERFECTING, APPROVED, ASSIGNED, CLOSED = "OPEN", "HELD", "PERFECTING", "APPROVED", "ASSIGNED", "CLOSED"
STATES = (OPEN, HELD, PERFECTING, APPROVED, ASSIGNED, CLOSED)
UNDECIDED = frozenset({OPEN, HELD, PERFECTING})

COMPLETE, PREMATURE, INCOMPLETE = "COMPLETE", "PREMATURE", "INCOMPLETE"
INTAKES = (COMPLETE, PREMATURE, INCOMPLETE)

DENIED = "DENIED"  # the closing status of a denial ("returned" in ACMS now)
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

# ---- line-24 literals -------------------------------------------------------------------

NO_REQUEST = "NO WRITTEN MEDIATION REQUEST RECEIVED"
NO_MI_CDP = "NO MI - OIC IS PART OF A CDP OR EH CASE"
NOT_ELIGIBLE = "NOT ELIGIBLE - APPEAL NO LONGER UNDER CONSIDERATION"
PAM_EXISTS = "PAM SUPPORT REQUEST ALREADY OPENED FOR THIS APPEAL"
MO_SYSTEM = "MO IS WRITTEN BY ACMS WHEN THE PAM SUPPORT REQUEST CLOSES"
INVALID_CAR_CODE = "INVALID CASE ACTION CODE"
NO_PAM = "NO PAM SUPPORT REQUEST - ATE INPUTS MI FIRST"
PAM_CLOSED = "PAM SUPPORT REQUEST IS CLOSED"
HELD_PREMATURE = "REQUEST PREMATURE - HELD OPEN UNTIL SETTLEMENT DISCUSSIONS END"
ALREADY_APPROVED = "PAM SUPPORT REQUEST ALREADY APPROVED"
NO_ANALYST = "ELIGIBILITY NOT DISCUSSED WITH PAM ANALYST (DOC ANALYST)"
NO_AD_APPROVAL = "AREA DIRECTOR APPROVAL NOT ATTACHED"
NO_AD_CONCUR = "AREA DIRECTOR CONCURRENCE NOT ATTACHED"
NO_EXEC_CONCUR = "EXECUTIVE CONCURRENCE NOT ATTACHED"
NONCONCURRED = "DENIAL NOT CONCURRED - REQUEST ACCEPTED, APPROVE IT"
NOT_A_MEDIATOR = "MEDIATOR MUST BE AN EMPLOYEE WITH THE MEDIATOR ROLE"
INVALID_DOC = "INVALID DOCUMENT KIND"
DOC_NOT_AUTHORIZED = "DOCUMENT KIND NOT AUTHORIZED FOR YOUR ROLE"
NOT_HELD = "REQUEST IS NOT HELD AS PREMATURE"
NOT_PERFECTING = "REQUEST IS NOT BEING PERFECTED"
NO_LETTER_5559 = "ISSUE LETTER 5559 BEFORE ASSIGNING A MEDIATOR"
LETTER_5559_ISSUED = "LETTER 5559 ALREADY ISSUED"
NOT_APPROVED = "PAM SUPPORT REQUEST NOT APPROVED"
MEDIATOR_ALREADY = "MEDIATOR ALREADY ASSIGNED"
INVALID_LETTER = "INVALID LETTER - 5557, 5558 OR 5559"
DECIDED = "PAM SUPPORT REQUEST APPROVED - DENIAL NOT AVAILABLE"
INVALID_REASON = "INVALID DENIAL REASON"
INVALID_RESULT = "INVALID MEDIATION RESULT"
ATM_AFTER_MEDIATOR = "MEDIATOR ASSIGNED - ONLY THE MEDIATOR MAY CLOSE"
ATM_CLOSES_WITHDRAWALS = "ATM CLOSES ON WITHDRAWAL ONLY (DENIAL: ACT>DENY)"
MEDIATOR_SUBMITS = "MEDIATOR CLOSES BY ACT>SUBMIT WITH THE MEDIATOR'S REPORT"
NOT_ASSIGNED = "NO MEDIATOR ASSIGNED - THE ATM CLOSES"
NOT_THE_MEDIATOR = "NOT THE MEDIATOR ASSIGNED TO THIS PAM SUPPORT REQUEST"
ONLY_REPORT = "ATTACH ONLY THE MEDIATOR'S REPORT"
NO_WITHDRAWAL = "WRITTEN WITHDRAWAL NOT ATTACHED (DOC WITHDRAWAL)"
PAM_OPEN = "OPEN PAM SUPPORT REQUEST - APPEAL CANNOT BE SUBMITTED FOR CLOSING"
APPEAL_CLOSED = "APPEAL IS CLOSED"
ALREADY_SUBMITTED = "APPEAL ALREADY SUBMITTED FOR CLOSING"
EX_PARTE = "EX PARTE - UNDERLYING APPEAL NOT AVAILABLE UNTIL MEDIATION CLOSED"
NOT_APPEAL_ATE = "NOT THE ATE OF THIS APPEAL"
NOT_APPEAL_ATM = "NOT THE ATM OF THIS APPEAL"


def mdy(day: dt.date | None) -> str:
    """MM/DD/YYYY as ACMS shows dates in messages."""
    return f"{day:%m/%d/%Y}" if day else ""


# ---- what the rules read ----------------------------------------------------------------


class AppealLike(Protocol):
    type: str
    cdp: bool
    status: str
    request_received: dt.date | None
    submitted: dt.date | None


class PamLike(Protocol):
    state: str
    opened: dt.date
    perfect_due: dt.date | None
    mediator: str | None
    approved: dt.date | None
    assigned: dt.date | None


class DocLike(Protocol):
    kind: str
    date: dt.date


def _latest(docs: Iterable[DocLike], kind: str) -> DocLike | None:
    found = [d for d in docs if d.kind == kind]
    return max(found, key=lambda d: d.date) if found else None


def has(docs: Iterable[DocLike], kind: str) -> bool:
    return any(d.kind == kind for d in docs)


def is_cdp(appeal: AppealLike) -> bool:
    """An OIC that is part of a CDP or equivalent hearing (EH) case (8.26.9.2.3.2(5))."""
    return bool(appeal.cdp) or appeal.type in CDP_TYPES


def under_consideration(appeal: AppealLike) -> bool:
    """Rev. Proc. 2014-63 ss. 4.01, 7.02: eligible only while Appeals is considering the case."""
    return appeal.status == "open"


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


# ---- intake (8.26.9.2.3(4)-(7), 8.26.9.2.3.2, Exhibit Processing Mediation Request) ------


def request_notice(appeal: AppealLike, received: dt.date) -> str:
    """What the ATE is told when a written mediation request is recorded."""
    if not under_consideration(appeal):
        return "NOT ELIGIBLE - NOTIFY ATM; EMAIL REQUEST AND DENIAL LETTER TO *AP ADR PMO"
    if is_cdp(appeal):
        return "CDP/EH OIC - NO MI; EMAIL THE REQUEST TO *AP ADR PMO"
    due = add_business_days(received, EMAIL_BUSINESS_DAYS)
    return f"NOTIFY ATM NOW; EMAIL REQUEST TO *AP ADR PMO BY {mdy(due)}; INPUT MI"


def check_request(appeal: AppealLike, pam: PamLike | None) -> str | None:
    """A written request can be recorded on any appeal, once, before its PAM support request."""
    return PAM_EXISTS if pam is not None else None


def check_car_code(code: str) -> str | None:
    """The ATE inputs MI; MO is written by ACMS when the PAM support request closes."""
    if code == "MO":
        return MO_SYSTEM
    return None if code == "MI" else INVALID_CAR_CODE


def check_mi(appeal: AppealLike, pam: PamLike | None, date: dt.date) -> str | None:
    """MI opens the PAM support request: dated the day the request was received (8.26.9.2.3.8),
    never for an OIC in a CDP/EH case (8.26.9.2.3.2(5)), only while under consideration."""
    if is_cdp(appeal):
        return NO_MI_CDP
    if not under_consideration(appeal):
        return NOT_ELIGIBLE
    if appeal.request_received is None:
        return NO_REQUEST
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
    if pam is None:
        # An ineligible request (appeal closed) or a CDP/EH OIC has no PAM support request; its
        # denial still needs the concurrences and the analyst (decision C.4 / C.1).
        return None if kind in ("AD-CONCUR", "AD-NONCONCUR", "EXEC-CONCUR", "EXEC-NONCONCUR", "ANALYST", "OTHER") else NO_PAM
    if pam.state == CLOSED and kind != "OTHER":
        return PAM_CLOSED
    if kind == "TALKS-ENDED" and pam.state != HELD:
        return NOT_HELD
    if kind == "PERFECTED":
        if pam.state != PERFECTING:
            return NOT_PERFECTING
        if pam.perfect_due is not None and date > pam.perfect_due:
            return f"PERFECTING PERIOD ENDED {mdy(pam.perfect_due)} - 14 DAYS"
    if kind == "AGREEMENT" and not has(docs, "L" + LETTER_AGREEMENT):
        return "AGREEMENT FOLLOWS LETTER 5559"
    if kind == "MEDIATOR-REPORT" and pam.state != ASSIGNED:
        return NOT_ASSIGNED
    return None


def state_after_doc(state: str, kind: str) -> str:
    """A held request goes to the ATM once talks end; a perfected one once the details arrive."""
    if state == HELD and kind == "TALKS-ENDED":
        return OPEN
    if state == PERFECTING and kind == "PERFECTED":
        return OPEN
    return state


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


def accepted_by_nonconcurrence(docs: Iterable[DocLike]) -> bool:
    """Either the AD or the first-line executive not concurring with a denial accepts the request."""
    return has(docs, "AD-NONCONCUR") or has(docs, "EXEC-NONCONCUR")


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
    """Letter 5557 for an OIC (CDP/EH OICs included), 5558 for a TFRP."""
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
                 today: dt.date) -> str | None:
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
    elif under_consideration(appeal) and not is_cdp(appeal):
        return NO_PAM
    return check_concurrence(docs)


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
    letter = _latest(docs, "L" + denial_letter(appeal))
    if letter is None:
        return f"DENIAL LETTER {denial_letter(appeal)} NOT ISSUED"
    if date != letter.date:
        return f"DENIAL DATE MUST BE THE LETTER MAIL DATE {mdy(letter.date)}"
    return None


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


def _withdrawal(result: str, docs: Sequence[DocLike], date: dt.date | None) -> str | None:
    if result not in WITHDRAWALS:
        return None
    withdrawal = _latest(docs, "WITHDRAWAL")
    if withdrawal is None:
        return NO_WITHDRAWAL
    if result == APPEALS_WITHDREW and not has(docs, "EXEC-CONCUR"):
        return NO_EXEC_CONCUR
    if date is not None and date != withdrawal.date:
        return f"CLOSE DATE MUST BE THE WITHDRAWAL DATE {mdy(withdrawal.date)}"
    return None


def check_close(pam: PamLike | None, docs: Sequence[DocLike], result: str, date: dt.date,
                by_atm: bool) -> str | None:
    """ACT>CLOSE: the ATM closes on a withdrawal before a mediator is assigned (8.26.9.2.3.8);
    after that the mediator closes, by submitting with the Mediator's Report."""
    if pam is None:
        return NO_PAM
    if pam.state == CLOSED:
        return PAM_CLOSED
    if not by_atm:
        return MEDIATOR_SUBMITS
    if pam.state == ASSIGNED:
        return ATM_AFTER_MEDIATOR
    chosen = pick(result, RESULTS)
    if chosen is None:
        return INVALID_RESULT
    if chosen not in WITHDRAWALS:
        return ATM_CLOSES_WITHDRAWALS
    return _withdrawal(chosen, docs, date)


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
    return _withdrawal(chosen, docs, date)


# ---- guards -----------------------------------------------------------------------------


def check_submit_appeal(appeal: AppealLike, pam: PamLike | None) -> str | None:
    """The ATE cannot submit the appeal for closing while a PAM support request is open
    (8.26.9.2.3.3 Note): closing it writes MO, which allows the submission."""
    if not under_consideration(appeal):
        return APPEAL_CLOSED
    if appeal.submitted is not None:
        return ALREADY_SUBMITTED
    if pam is not None and pam.state != CLOSED:
        return PAM_OPEN
    return None


def mediation_open_for(pam: PamLike | None, idrs: str) -> bool:
    """Ex parte (8.26.9.2.3.4.7): the request's mediator may not see the underlying appeal or its
    case action record until the mediation is closed."""
    return pam is not None and pam.state != CLOSED and pam.mediator == idrs


# ---- deadlines shown on ACMS ------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date
    met: dt.date | None = None  # when it was met (None: still running)
    tracked: bool = True  # False: done outside ACMS (an email), shown for information only

    def line(self, today: dt.date) -> str:
        if not self.tracked:
            state = f"{(self.due - today).days} DAYS LEFT" if today <= self.due else ""
        elif self.met is not None:
            state = "MET " + mdy(self.met) if self.met <= self.due else "LATE " + mdy(self.met)
        else:
            state = "OVERDUE" if today > self.due else f"{(self.due - today).days} DAYS LEFT"
        return f"{self.label:<36} {mdy(self.due)} {state}".rstrip()


def deadlines(appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike],
              closed: dt.date | None) -> list[Deadline]:
    """The time limits of the request as it stands (Rev. Proc. 2014-63 ss. 7.03, 8.01; IRM
    8.26.9.2.3(7); Letter 5559; Exhibit step 2)."""
    received = appeal.request_received
    if received is None:
        return []
    out = [Deadline("EMAIL REQUEST TO *AP ADR PMO BY", add_business_days(received, EMAIL_BUSINESS_DAYS),
                    tracked=False)]
    if pam is None:
        return out
    answered = pam.approved or (closed if pam.state == CLOSED else None)
    out.append(Deadline("ATM ANSWER TO TP AND ATE (2 WEEKS)", received + dt.timedelta(days=ANSWER_DAYS), answered))
    if pam.perfect_due is not None:
        perfected = _latest(docs, "PERFECTED")
        out.append(Deadline("DETAILS FROM TP DUE (14 DAYS)", pam.perfect_due, perfected.date if perfected else None))
    agreement = _latest(docs, "AGREEMENT")
    if pam.approved is not None:
        out.append(Deadline("AGREEMENT TO MEDIATE SIGNED (3 WKS)",
                            pam.approved + dt.timedelta(days=AGREEMENT_DAYS), agreement.date if agreement else None))
    letter = _latest(docs, "L" + LETTER_AGREEMENT)
    if letter is not None:
        out.append(Deadline("L5559 SIGNED AGREEMENT BACK (7 DAYS)", letter.date + dt.timedelta(days=RETURN_DAYS),
                            agreement.date if agreement else None))
    if agreement is not None:
        out.append(Deadline("MEDIATION HELD BY (60 DAYS)", agreement.date + dt.timedelta(days=MEDIATION_DAYS),
                            closed if pam.state == CLOSED else None))
    return out
