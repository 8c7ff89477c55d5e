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
