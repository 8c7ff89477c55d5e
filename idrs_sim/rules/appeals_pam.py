"""Post-Appeals Mediation (PAM) support requests on ACMS, as pure rules.

Source: memo AP-08-1125-0028 (11-24-2025), IRM 8.26.9.2.3 - 8.26.9.2.3.8 and Exhibit
8.26.9-1 (seeds/001; digested in reference part C).  Every rule is stated once (in the
modules named below); the ACMS command codes (`idrs_sim.cc.acms*`) read the master file,
ask these functions and write what they decide.  A check returns None when the action may
go ahead, else the line-24 literal that refuses it.

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

The rules are split by job, and this module gives them their one import path:
`pam_codes` (appeal types, states, results, letters, time limits, document kinds),
`pam_literals` (the line-24 literals), `pam_record` (what the rules read: appeal, PAM
support request, documents), `pam_intake` (request, MI, held/perfecting, attachments),
`pam_decision` (approval, denial, letters), `pam_mediation` (assignment, closing, the
guards while mediation is open) and `pam_deadlines` (the time limits ACMS shows).
"""

from __future__ import annotations

from .pam_codes import (
    AGREED,
    AGREEMENT_DAYS,
    ANSWER_DAYS,
    APPEAL_TYPES,
    APPEALS_ROLES,
    APPEALS_WITHDREW,
    APPROVED,
    ASSIGNED,
    CDP_TYPES,
    CLOSED,
    COMPLETE,
    DENIAL_REASONS,
    DENIED,
    DOC_KINDS,
    EMAIL_BUSINESS_DAYS,
    HELD,
    INCOMPLETE,
    INTAKES,
    LETTER_AGREEMENT,
    LETTER_DENIAL_OIC,
    LETTER_DENIAL_TFRP,
    LETTER_DOCS,
    LETTERS,
    MEDIATED,
    MEDIATION_DAYS,
    OPEN,
    PARTIALLY_AGREED,
    PERFECT_DAYS,
    PERFECTING,
    PREMATURE,
    RESULTS,
    RETURN_DAYS,
    STATES,
    TP_WITHDREW,
    UNAGREED,
    UNDECIDED,
    WITHDRAWALS,
    add_business_days,
    normalise,
    pick,
)
from .pam_deadlines import (
    Deadline,
    deadlines,
)
from .pam_decision import (
    accepted_by_nonconcurrence,
    check_approve,
    check_concurrence,
    check_deny,
    check_letter,
    denial_letter,
)
from .pam_intake import (
    check_car_code,
    check_doc,
    check_mi,
    check_received,
    check_request,
    opening_state,
    perfect_due,
    request_notice,
    state_after_doc,
)
from .pam_literals import (
    ALREADY_APPROVED,
    ALREADY_SUBMITTED,
    APPEAL_CLOSED,
    ATM_AFTER_MEDIATOR,
    ATM_CLOSES_WITHDRAWALS,
    CDP_NOT_DENIED,
    DECIDED,
    DOC_NOT_AUTHORIZED,
    EX_PARTE,
    HELD_PREMATURE,
    INVALID_CAR_CODE,
    INVALID_DOC,
    INVALID_LETTER,
    INVALID_REASON,
    INVALID_RESULT,
    LETTER_5559_ISSUED,
    MEDIATOR_ALREADY,
    MEDIATOR_SUBMITS,
    MO_SYSTEM,
    NO_AD_APPROVAL,
    NO_AD_CONCUR,
    NO_AGREEMENT,
    NO_ANALYST,
    NO_EXEC_CONCUR,
    NO_LETTER_5559,
    NO_MI_CDP,
    NO_PAM,
    NO_REQUEST,
    NO_WITHDRAWAL,
    NONCONCURRED,
    NOT_A_MEDIATOR,
    NOT_APPEAL_ATE,
    NOT_APPEAL_ATM,
    NOT_APPROVED,
    NOT_ASSIGNED,
    NOT_ELIGIBLE,
    NOT_HELD,
    NOT_PERFECTING,
    NOT_THE_MEDIATOR,
    ONLY_REPORT,
    PAM_CLOSED,
    PAM_EXISTS,
    PAM_OPEN,
    mdy,
)
from .pam_mediation import (
    check_assign,
    check_close,
    check_submit,
    check_submit_appeal,
    mediation_open_for,
)
from .pam_record import (
    AppealLike,
    DocLike,
    PamLike,
    has,
    is_cdp,
    is_open,
    request_eligible,
    under_consideration,
)

__all__ = [  # every public name the module had before the split
    "AGREED", "AGREEMENT_DAYS", "ALREADY_APPROVED", "ALREADY_SUBMITTED", "ANSWER_DAYS",
    "APPEALS_ROLES", "APPEALS_WITHDREW", "APPEAL_CLOSED", "APPEAL_TYPES", "APPROVED", "ASSIGNED",
    "ATM_AFTER_MEDIATOR", "ATM_CLOSES_WITHDRAWALS", "AppealLike", "CDP_TYPES", "CLOSED", "COMPLETE",
    "DECIDED", "DENIAL_REASONS", "DENIED", "DOC_KINDS", "DOC_NOT_AUTHORIZED", "Deadline", "DocLike",
    "EMAIL_BUSINESS_DAYS", "EX_PARTE", "HELD", "HELD_PREMATURE", "INCOMPLETE", "INTAKES",
    "INVALID_CAR_CODE", "INVALID_DOC", "INVALID_LETTER", "INVALID_REASON", "INVALID_RESULT",
    "LETTERS", "LETTER_5559_ISSUED", "LETTER_AGREEMENT", "LETTER_DENIAL_OIC", "LETTER_DENIAL_TFRP",
    "LETTER_DOCS", "MEDIATION_DAYS", "MEDIATOR_ALREADY", "MEDIATOR_SUBMITS", "MO_SYSTEM",
    "NONCONCURRED", "NOT_APPEAL_ATE", "NOT_APPEAL_ATM", "NOT_APPROVED", "NOT_ASSIGNED",
    "NOT_A_MEDIATOR", "NOT_ELIGIBLE", "NOT_HELD", "NOT_PERFECTING", "NOT_THE_MEDIATOR",
    "NO_AD_APPROVAL", "NO_AD_CONCUR", "NO_ANALYST", "NO_EXEC_CONCUR", "NO_LETTER_5559", "NO_MI_CDP",
    "NO_PAM", "NO_REQUEST", "NO_WITHDRAWAL", "ONLY_REPORT", "OPEN", "PAM_CLOSED", "PAM_EXISTS",
    "PAM_OPEN", "PARTIALLY_AGREED", "PERFECTING", "PERFECT_DAYS", "PREMATURE", "PamLike", "RESULTS",
    "RETURN_DAYS", "STATES", "TP_WITHDREW", "UNAGREED", "UNDECIDED", "WITHDRAWALS",
    "CDP_NOT_DENIED", "MEDIATED", "NO_AGREEMENT", "check_received", "is_open", "request_eligible",
    "accepted_by_nonconcurrence", "add_business_days", "check_approve", "check_assign",
    "check_car_code", "check_close", "check_concurrence", "check_deny", "check_doc", "check_letter",
    "check_mi", "check_request", "check_submit", "check_submit_appeal", "deadlines",
    "denial_letter", "has", "is_cdp", "mdy", "mediation_open_for", "normalise", "opening_state",
    "perfect_due", "pick", "request_notice", "state_after_doc", "under_consideration",
]
