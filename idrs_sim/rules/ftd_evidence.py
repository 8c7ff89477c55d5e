"""What IDRS must show before an FTD Alert action that relies on it (IRM 5.7.1.5, 5.7.1.8, 5.7.1.9):
pure rules the ICS screens and FRM49 ask, so each is stated once.

* An assignment request (ICSRQ REQ>ASSIGN) is for an existing, unassigned Bal Due or Del Ret
  module of the taxpayer (5.7.1.5 "Unassigned bal due and/or del ret modules and a
  transfer/assignment request has been submitted"; 5.7.1.9 "request assignment of the
  existing IDRS module"): a balance due in a notice status, or a delinquent return in a Del Ret
  status (the statuses are the model's data, tables/ftd_alert_model.yaml).  Status 26 is
  already assigned; status 22 goes to the ACS Support Liaison (the screen's own refusal).
* A TC 599 (return secured, 5.7.1.8) needs a tax period that has ended: no return exists
  for a quarter that is still running.
* The Full Compliance Check's "no balances owed" (5.7.1.9 Brought into Compliance: "there are
  no additional balances owed, including penalties and interest") cannot be answered while
  IDRS shows a module with a balance due.
* An ICS-only Bal Due needs a balance due on IDRS (a credit or even module owes nothing).
* "Penalties Assessed" (Letter 5857/5664 tables, BRTVU) is net of abatements: each penalty
  TC less its abatement TC (TC 186 less TC 187, ...).
* Not Required to Deposit (code 2, decision FTD-R12): no other outstanding module (5.7.1.6
  "ensure that there are no other outstanding modules"); a business no longer liable closes
  from pre-contact research only on a posted final return (5.7.1.5), else after a contact or
  field call verified its status (5.7.1.5 "work the FTD Alert to verify status of the business
  before closing"; 5.7.1.8 field call) and, with deposits on the alert module, once its 941
  is secured (5.7.1.8).
* Bal Due/Del Ret Received (code 5, decision FTD-R13) besides a STAUP or an assignment
  request: the alert-quarter 941 secured without full payment (pre-assessed / prompt assess
  Bal Due, 5.7.1.9), or the determination not to enforce the unfiled alert-quarter 941 (ICS
  only Del Ret, 5.7.1.8) after an effort to secure it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .dates import period_end
from .ftd_alerts import PENALTY_TCS, model

__all__ = [
    "ALREADY_ASSIGNED",
    "BALANCE_DUE_ON_IDRS",
    "NO_BALANCE_DUE",
    "NOT_BAL_DUE_DEL_RET",
    "PENALTY_ABATEMENT_TCS",
    "PERIOD_NOT_ENDED",
    "assignable_kind",
    "assignment_problem",
    "balance_due_periods",
    "balances_answer_problem",
    "ics_only_problem",
    "net_penalties",
    "tc599_problem",
    "BUSINESS_STATUS_CONTACTS",
    "EFFORT_CONTACTS",
    "outstanding_modules",
    "no_longer_liable_problem",
    "RETURN_EFFORT_CONTACTS",
    "unpaid_return_problem",
    "no_enforcement_problem",
]

ALREADY_ASSIGNED = "MODULE ALREADY ASSIGNED (STATUS 26) - NOTHING TO REQUEST"
NOT_BAL_DUE_DEL_RET = "MODULE NOT AN UNASSIGNED BAL DUE OR DEL RET - ASSIGNMENT NOT REQUESTED"
PERIOD_NOT_ENDED = "TAX PERIOD NOT ENDED - NO RETURN TO SECURE YET (TC 599)"
BALANCE_DUE_ON_IDRS = "IDRS SHOWS A BALANCE DUE - BALANCES MUST BE N"
NO_BALANCE_DUE = "NO BALANCE DUE ON IDRS FOR THIS MODULE - NOT AN ICS ONLY BAL DUE"
#: The abatement TC of each penalty TC of `PENALTY_TCS` (an assessment TC + 1).
PENALTY_ABATEMENT_TCS = {tc: tc + 1 for tc in PENALTY_TCS}
ZERO = Decimal("0.00")


def assignable_kind(status: str, balance: Decimal) -> str | None:
    """BAL-DUE for a balance due in a notice status, DEL-RET for a module in a Del Ret status,
    else None (nothing to assign)."""
    m = model()
    if status in m.notice_statuses and balance > 0:
        return "BAL-DUE"
    if status in m.del_ret_statuses:
        return "DEL-RET"
    return None


def assignment_problem(status: str, balance: Decimal) -> str | None:
    """Why an assignment request of a module in `status` with `balance` is refused, or None."""
    if status in model().bal_due_statuses:
        return ALREADY_ASSIGNED
    return None if assignable_kind(status, balance) else NOT_BAL_DUE_DEL_RET


def tc599_problem(period: str, today: dt.date) -> str | None:
    """A return is secured (TC 599) only for a tax period that has ended by `today`."""
    end = period_end(period)
    return PERIOD_NOT_ENDED if end is None or end >= today else None


def balance_due_periods(balances: Mapping[str, Decimal]) -> list[str]:
    """The modules (keys, e.g. "01 202312") whose IDRS balance is due (above zero)."""
    return [k for k, bal in balances.items() if bal > 0]


def balances_answer_problem(answer: str, balances: Mapping[str, Decimal]) -> str | None:
    """BALANCES>Y (no balances owed) is refused while IDRS shows a balance due."""
    owed = balance_due_periods(balances)
    if answer != "Y" or not owed:
        return None
    return f"{BALANCE_DUE_ON_IDRS} ({owed[0]})"


def ics_only_problem(kind: str, balance: Decimal) -> str | None:
    """An ICS-only Bal Due (kind BAL-DUE, not prompt-assessed) needs a balance due on IDRS."""
    return NO_BALANCE_DUE if kind == "BAL-DUE" and balance <= 0 else None


def net_penalties(txns: Iterable[Any]) -> Decimal:
    """Penalties assessed less penalties abated, over `txns` (the caller's posted ones)."""
    abatements = set(PENALTY_ABATEMENT_TCS.values())
    total = ZERO
    for t in txns:
        if t.tc in PENALTY_TCS:
            total += abs(Decimal(t.amount or 0))
        elif t.tc in abatements:
            total -= abs(Decimal(t.amount or 0))
    return max(total, ZERO)


# --- Not Required to Deposit (IRM 5.7.1.5, 5.7.1.6, 5.7.1.8; decision FTD-R12) ----------------------

#: ICSCT contact types that verify the status of a business: a telephone contact with the
#: taxpayer or the POA, a field visit, a non-contact observational field visit (5.7.1.6, 5.7.1.8).
BUSINESS_STATUS_CONTACTS = ("PHONE", "POA", "FIELD", "OBSERVE")
#: ICSCT contact types that are an effort to reach the taxpayer and secure a return (5.7.1.8).
EFFORT_CONTACTS = (*BUSINESS_STATUS_CONTACTS, "NOSHOW", "ATTEMPT")
OUTSTANDING_MODULE = "OUTSTANDING MODULE {} - CLOSE AS BAL DUE/DEL RET RECEIVED"
STATUS_NOT_VERIFIED = "FINAL RETURN NOT POSTED - VERIFY BUSINESS STATUS BY CONTACT OR FIELD CALL"
DEPOSITS_RETURN_FIRST = "DEPOSITS ON ALERT MODULE - SECURE ITS 941 (TC 599) OR RECORD AN ATTEMPT"
#: ICSCT contact types that are an effort to secure the alert quarter's 941 from an out-of-
#: business taxpayer: a call (or attempted call) to the taxpayer or the POA (5.7.1.8 "make an
#: effort to secure ... document the ICS history notating all efforts taken").  A field or
#: observational visit verifies the business's status; it asks no one for a return.
RETURN_EFFORT_CONTACTS = ("ATTEMPT", "PHONE", "POA")


def outstanding_modules(modules: Mapping[str, tuple[str, Decimal]], alert_key: str) -> list[str]:
    """The modules ("MFT PERIOD" -> (status, IDRS balance)) other than the alert's that are
    outstanding: a balance due, or a delinquent return (a Del Ret status of the model)."""
    dr = model().del_ret_statuses
    return [k for k, (status, bal) in modules.items() if k != alert_key and (bal > 0 or status in dr)]


def no_longer_liable_problem(*, final_posted: bool, contact_types: Iterable[str], alert_deposits: bool,
                             return_secured: bool) -> str | None:
    """What stops closing a business no longer liable (Form 4844 / TC 591 CC 50 / final return)
    as Not Required to Deposit: its status unverified (no posted final return and no contact or
    field call), or -- the business worked as out of business (5.7.1.8), no final return posted --
    deposits on the alert module with its Form 941 neither secured nor sought: 5.7.1.8 "the RO
    must make an effort to secure the FTD Alert module Form 941 return before closing" -- an
    effort, recorded (`RETURN_EFFORT_CONTACTS`), suffices.  A posted final return closes from
    pre-contact research (5.7.1.5 "verify final return information is posted on IDRS and
    close")."""
    types = set(contact_types)
    if final_posted:
        return None
    if not types & set(BUSINESS_STATUS_CONTACTS):
        return STATUS_NOT_VERIFIED
    if alert_deposits and not return_secured and not types & set(RETURN_EFFORT_CONTACTS):
        return DEPOSITS_RETURN_FIRST
    return None


# --- Bal Due/Del Ret Received without a STAUP (IRM 5.7.1.8, 5.7.1.9; decision FTD-R13) ---------------

RETURN_NOT_SECURED_PA = "ALERT QUARTER FORM 941 NOT SECURED (TC 599) - NOTHING TO ASSESS"
RETURN_FULLY_PAID = "ALERT QUARTER RETURN FULLY PAID ON IDRS - NOT A BAL DUE"
RETURN_SECURED_NOT_DR = "ALERT QUARTER FORM 941 SECURED - NOT AN UNFILED RETURN (DEL RET)"
PERIOD_RUNNING_NOT_DR = "TAX PERIOD NOT ENDED - NO UNFILED RETURN YET"
NO_EFFORT = "NO CONTACT OR ATTEMPT RECORDED - MAKE AN EFFORT TO SECURE THE 941 FIRST"
DETERMINATION_REQUIRED = "ENFORCEMENT DETERMINATION (REASON) REQUIRED IN NOTE>"


def unpaid_return_problem(*, return_secured: bool, posted_balance: Decimal | None) -> str | None:
    """A balance due alert-quarter return secured without full payment (5.7.1.9): the return is
    secured (TC 599 / TC 150), and a posted return (`posted_balance`, None before one posts)
    still owes."""
    if not return_secured:
        return RETURN_NOT_SECURED_PA
    if posted_balance is not None and posted_balance <= 0:
        return RETURN_FULLY_PAID
    return None


def no_enforcement_problem(*, return_secured: bool, period: str, today: dt.date, contact_types: Iterable[str],
                           reason: str) -> str | None:
    """The RO's determination not to pursue enforcement for the unfiled alert-quarter 941
    (5.7.1.8): the quarter has ended, its return is not secured, an effort to secure it is on
    the case (a contact, attempt or field call) and the determination's reason is given."""
    if return_secured:
        return RETURN_SECURED_NOT_DR
    if tc599_problem(period, today) is not None:
        return PERIOD_RUNNING_NOT_DR
    if not set(contact_types) & set(EFFORT_CONTACTS):
        return NO_EFFORT
    return None if reason.strip() else DETERMINATION_REQUIRED
