"""ICS closing guards for FTD Alerts (IRM 5.7.1.9, catalogue A.14 #4-#5): what stops a closure.

The closing codes and the evidence each needs are stated once, in tables/ics_lists.yaml
(`evidence:` of each closing code); `EVIDENCE` names the check behind each word and
`closing_problem` runs them in the table's order.  Closing itself (`close_case`, and the
systemic closure of a replaced alert) stays with the case history in `idrs_sim.ics.cases`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..masterfile import derive
from ..masterfile.models import Entity, IcsCase, TaxModule
from ..rules import ftd_alerts as ftd_rules
from ..rules import ftd_evidence
from . import config
from .cases import (
    HQ_STATEMENT_WORDS,
    alert_deposits,
    alert_module,
    contact_types,
    fcc_full,
    final_return_posted,
    idrs_balances,
    items,
    latest_fcc,
    module_statuses,
    phone_contact,
    posted_return_balance,
    requested,
    return_secured,
    staup_modules,
    tc136_on_file,
    tc590_cc50,
    tc591_cc50,
    zero_return,
)

__all__ = [
    "CLOSED",
    "COMPLIANT_AT_CONTACT",
    "CONTACT_NOT_RECORDED",
    "FCC_NOT_FULL",
    "NOT_LIABLE_CONTACT",
    "RETURN_NOT_SECURED",
    "EVIDENCE",
    "CODE5_NEXT",
    "approval",
    "code5_basis",
    "closing_problem",
]

CLOSED = "FTD ALERT ALREADY CLOSED"
NARRATIVE_REQUIRED = "CLOSING NARRATIVE REQUIRED"
FCC_REQUIRED = "FULL COMPLIANCE CHECK REQUIRED BEFORE CLOSING"
FCC_NOT_FULL = "FULL COMPLIANCE CHECK DOES NOT SHOW FULL COMPLIANCE"
BALANCE_DUE_AT_CLOSING = "IDRS SHOWS A BALANCE DUE - NOT IN FULL COMPLIANCE"
RETURN_NOT_SECURED = "ALERT QUARTER FORM 941 NOT SECURED"
CONTACT_NOT_RECORDED = "INITIAL CONTACT NOT RECORDED"
NOT_COMPLIANT_AT_CONTACT = "TP NOT IN COMPLIANCE AT INITIAL CONTACT - USE BROUGHT INTO COMPLIANCE"
COMPLIANT_AT_CONTACT = "TP IN COMPLIANCE AT INITIAL CONTACT - USE TP IS IN COMPLIANCE"
TC136_REQUIRED = "TC 136 REQUEST REQUIRED"
NOT_REQUIRED_EVIDENCE = "TC 590 CC 50, FORM 4844, FINAL OR ZERO RETURN REQUIRED"
NOT_LIABLE_CONTACT = "INITIAL CONTACT NOT RECORDED - VERIFY DEPOSIT FREQUENCY AT CONTACT FIRST"
STAUP_REQUIRED = "STAUP OR ASSIGNMENT REQUEST REQUIRED FIRST"
#: The ICS-only module the RO creates on the alert module after closing code 5 on a determination.
CODE5_NEXT = {
    "BALDUE": "ALERT QUARTER 941 SECURED WITHOUT FULL PAYMENT - CREATE THE PRE-ASSESSED / PROMPT "
              "ASSESS BAL DUE ON THE ALERT MODULE (ICSMD KIND>PA)",
    "NOENF": "ENFORCEMENT NOT PURSUED FOR THE UNFILED ALERT QUARTER 941 - CREATE THE ICS ONLY DEL RET "
             "ON THE ALERT MODULE (ICSMD KIND>DR), CLOSE IT PER IRM 5.1.11.7.1",
}
APPROVAL_REQUIRED = "FTD ALERT PROGRAM ANALYST APPROVAL REQUIRED"
HQ_NOT_APPROVAL = "SYSTEMIC CLOSURE STATEMENT IS NOT ANALYST APPROVAL"
APPROVAL_NOT_ON_FILE = "ANALYST APPROVAL NOT ON FILE FOR THIS ALERT"


def approval(case: IcsCase, ref: str) -> dict[str, Any] | None:
    """The analyst concurrence with number `ref` recorded on this case."""
    ref = ref.strip().upper()
    for a in items(case, "approvals"):
        if str(a.get("id", "")).upper() == ref:
            return a
    return None


def _full_compliance(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """The latest Full Compliance Check answers Y throughout, and IDRS still shows no balance
    due at closing (IRM 5.7.1.9: "no additional balances owed, including penalties and interest")."""
    if not fcc_full(latest_fcc(case)):
        return FCC_NOT_FULL
    owed = ftd_evidence.balance_due_periods(idrs_balances(entity))
    return f"{BALANCE_DUE_AT_CLOSING} ({owed[0]})" if owed else None


def _return_secured(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    return None if return_secured(module) else RETURN_NOT_SECURED


def _compliance_at_contact(case: IcsCase) -> str | None:
    """COMPLIANT> of the initial telephone contact (Y / N), or None when none is recorded."""
    contact = phone_contact(case)
    return None if contact is None else str(contact.get("compliant") or "")


def _compliant_at_contact(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """TP is in Compliance: in compliance at the initial contact."""
    answer = _compliance_at_contact(case)
    if answer is None:
        return CONTACT_NOT_RECORDED
    return None if answer == "Y" else NOT_COMPLIANT_AT_CONTACT


def _not_compliant_at_contact(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """Brought into Compliance: "used when the taxpayer is not in full compliance at the time
    of the initial contact" (IRM 5.7.1.9)."""
    answer = _compliance_at_contact(case)
    if answer is None:
        return CONTACT_NOT_RECORDED
    return COMPLIANT_AT_CONTACT if answer == "Y" else None


def _tc136(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    return None if requested(case, "TC136") or tc136_on_file(entity) else TC136_REQUIRED


def _not_liable(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """Not Required to Deposit (decisions FTD-R3, FTD-R12).  Not liable for the alert quarter
    only -- TC 590 CC 50 or a zero return -- after the initial telephone contact: "verify the
    deposit frequency during your scheduled initial telephone contact" (5.7.1.5).  No longer
    liable -- a Form 4844 request, TC 591 CC 50 or a posted final return -- on a posted final
    return from pre-contact research, else once a contact or field call verified the business's
    status (5.7.1.5, 5.7.1.8), and with deposits on the alert module only once its 941 is secured
    (5.7.1.8).  Either way no other module may be outstanding (5.7.1.6)."""
    final = final_return_posted(entity)
    no_longer = bool(requested(case, "4844")) or tc591_cc50(entity) or final
    this_quarter = tc590_cc50(module) or zero_return(module)
    if not (no_longer or this_quarter):
        return NOT_REQUIRED_EVIDENCE
    key = f"{case.mft} {case.period}"
    outstanding = ftd_evidence.outstanding_modules(module_statuses(entity), key)
    if outstanding:
        return ftd_evidence.OUTSTANDING_MODULE.format(outstanding[0])
    if this_quarter and phone_contact(case) is not None:
        return None
    if not no_longer:
        return NOT_LIABLE_CONTACT
    return ftd_evidence.no_longer_liable_problem(
        final_posted=final, contact_types=contact_types(case), alert_deposits=alert_deposits(module),
        return_secured=return_secured(module))


def _initial_contact(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """The initial telephone contact is recorded (TP is Sporadic/Seasonal: the taxpayer tells
    the RO at the initial interview, IRM 5.7.1.6, 5.7.1.9; decision FTD-R3)."""
    return None if phone_contact(case) is not None else CONTACT_NOT_RECORDED


def _assignment_request(entity: Entity, request: dict[str, Any]) -> bool:
    """An assignment request of a Bal Due / Del Ret module (IRM 5.7.1.5, 5.7.1.9): the kind
    ICSRQ recorded, else (an older entry) what IDRS shows for its module now, assigned since
    (status 26) included."""
    if request.get("kind"):
        return True
    target = entity.module(str(request.get("mft") or ""), str(request.get("period") or ""))
    if target is None:
        return False
    status = derive.module_status(target)
    return (status in ftd_rules.model().bal_due_statuses
            or ftd_evidence.assignable_kind(status, derive.balance(target)) is not None)


def code5_basis(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """Which ICSRQ determination lets Bal Due/Del Ret Received close without a STAUP (decision
    FTD-R13) and still holds on IDRS: BALDUE (the alert-quarter 941 secured without full
    payment, 5.7.1.9) or NOENF (no enforcement for the unfiled alert-quarter 941, 5.7.1.8)."""
    for r in reversed(requested(case, "BALDUE") + requested(case, "NOENF")):
        if r["req"] == "BALDUE" and ftd_evidence.unpaid_return_problem(
                return_secured=return_secured(module), posted_balance=posted_return_balance(module)) is None:
            return "BALDUE"
        if r["req"] == "NOENF" and not return_secured(module):
            return "NOENF"
    return None


def _staup_or_assignment(case: IcsCase, entity: Entity, module: TaxModule | None) -> str | None:
    """Bal Due/Del Ret Received: a STAUP input, or an assignment request of an existing Bal Due
    or Del Ret module of the taxpayer (not merely any request, nor one of the alert's credit
    module) -- a transfer request to the ACS Support Liaison for a status 22 module is one
    ("a transfer/assignment request has been submitted", IRM 5.7.1.5) -- or the RO's
    determination on the alert-quarter 941 (`code5_basis`)."""
    if (staup_modules(entity) or requested(case, "ACSXFER")  # ICSRQ took it only for a status 22 module
            or any(_assignment_request(entity, r) for r in requested(case, "ASSIGN"))):
        return None
    return None if code5_basis(case, entity, module) else STAUP_REQUIRED


#: The evidence a closing code can require (`evidence:` of the closing codes in
#: tables/ics_lists.yaml, which says which code needs which): name -> the check, returning the
#: literal that stops the closure or None.
EVIDENCE: dict[str, Callable[[IcsCase, Entity, TaxModule | None], str | None]] = {
    "full_compliance": _full_compliance,
    "return_secured": _return_secured,
    "compliant_at_contact": _compliant_at_contact,
    "not_compliant_at_contact": _not_compliant_at_contact,
    "initial_contact": _initial_contact,
    "tc136": _tc136,
    "not_liable": _not_liable,
    "staup_or_assignment": _staup_or_assignment,
}


def closing_problem(case: IcsCase, entity: Entity, code: config.ClosingCode, narrative: str,
                    approval_ref: str = "") -> tuple[str, str] | None:
    """What stops this closure, as (field label, literal); None when it may close.

    Catalogue A.14 #4-#5: narrative always; Alert Erroneously Created the analyst's
    concurrence (the GM closes it without a field call); every other code a Full Compliance
    Check on the case, then the evidence its table entry lists, in that order (the compliance
    codes the alert-quarter 941 secured; TP is in Compliance an initial contact at which the TP
    was compliant, Brought into Compliance one at which the TP was not; Sporadic/Seasonal a TC
    136 request; Not Required to
    Deposit TC 590 CC 50, Form 4844, a final or a zero return; Bal Due/Del Ret Received a STAUP
    or an assignment request first).
    """
    if case.status != "open":
        return ("CC", CLOSED)
    if code.analyst_approval:
        ref = approval_ref.strip()
        if not ref:
            return ("APPROVAL", APPROVAL_REQUIRED)
        if HQ_STATEMENT_WORDS in ref.upper():
            return ("APPROVAL", HQ_NOT_APPROVAL)
        if approval(case, ref) is None:
            return ("APPROVAL", APPROVAL_NOT_ON_FILE)
        if not narrative.strip():
            return ("NARR", NARRATIVE_REQUIRED)
        return None
    if not narrative.strip():
        return ("NARR", NARRATIVE_REQUIRED)
    if latest_fcc(case) is None:
        return ("CC", FCC_REQUIRED)
    module = alert_module(entity, case)
    for name in code.evidence:
        check = EVIDENCE.get(name)
        if check is None:
            raise ValueError(f"tables/ics_lists.yaml: closing code {code.n} needs unknown evidence {name!r}")
        problem = check(case, entity, module)
        if problem is not None:
            return ("CC", problem)
    return None
