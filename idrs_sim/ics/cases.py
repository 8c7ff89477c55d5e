"""ICS case logic for FTD Alerts (IRM 5.7.1.4-5.7.1.10): history, timers, notifications,
closing and systemic closures (the closing guards are `idrs_sim.ics.closing`).

An FTD Alert on ICS is an `IcsCase` of kind ``FTD-ALERT`` (masterfile.models).  What ICS
records besides the columns lives in the case's JSON (`history`, `extra`) -- always written
back by reassignment, since JSON columns do not track in-place changes:

* ``history``: ``[{date, idrs, text[, kind]}]`` -- the ICS case history, never rewritten;
* ``extra``: ``group`` (the designation hold file / group), ``contacts``, ``letters``,
  ``fcc`` (Full Compliance Check entries), ``ftdv`` (FTD Verification), ``cause_cure``,
  ``requests`` (TC 136, Form 4844, assignment, CIS...), ``approvals`` (analyst concurrence),
  ``transfer``, ``insolvency``, ``closing_narrative``, ``model`` (why Master File selected it).

The functions here take the master-file objects and the simulated date; they never read the
clock.  Screens are in `idrs_sim.cc.ics`; the posting rule in `idrs_sim.posting.ftd_alerts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..digits import is_digits
from ..masterfile import derive
from ..masterfile.models import PENDING, POSTED, Entity, IcsCase, TaxModule, Transaction
from ..rules import account
from ..rules import freezes as freeze_rules
from ..rules import ftd_alerts as ftd_rules
from ..rules import ftd_letters as letter_rules
from . import config

__all__ = [
    "ALERT",
    "SUB_CODE",
    "NOTIFICATION",
    "HQ_STATEMENT",
    "ASSIGN_DAYS",
    "CONTACT_DAYS",
    "NOTIFICATION_MARKS",
    "SYSTEMIC_REPLACED",
    "add_history",
    "put",
    "push",
    "ext",
    "group_of",
    "as_date",
    "assignment_due",
    "contact_due",
    "first_assigned",
    "reassign",
    "initial_contact",
    "notification_mark",
    "alert_module",
    "return_secured",
    "close_case",
    "open_alerts",
    "new_alert_case",
    "in_bankruptcy",
    "idrs_balances",
    "assignment_number",
    "employee_for_assignment",
]

ALERT = "FTD-ALERT"
#: IRM 5.7.1.4: "Ensure the case sub code is listed as FTD Alert 105".
SUB_CODE = "105"
#: IRM 5.7.1.9(9): the literal of the systemic follow-up notification (exact text).
NOTIFICATION = (
    "There is an assigned FTD Alert that has been open for more than 60 days, "
    "please resolve using the appropriate closing code"
)
#: IRM 5.7.1.5 Caution: the ICS systemic closure statement -- NOT the written authorization.
HQ_STATEMENT = "This closure is authorized by Headquarters, per IRM 5.7.1.5 and/or IRM 5.7.1.9."
HQ_STATEMENT_WORDS = "THIS CLOSURE IS AUTHORIZED BY HEADQUARTERS"
#: IRM 5.7.1.4: assignment within 7 calendar days of arrival in the hold file.
ASSIGN_DAYS = 7
#: IRM 5.7.1.1.6, 5.7.1.6: initial contact within 25 calendar days of assignment.
CONTACT_DAYS = 25
#: IRM 5.7.1.9(9): more than 60 days, repeated at the 75- and 90-day marks.
NOTIFICATION_MARKS = (60, 75, 90)
#: IRM 5.7.1.9: "the old Alert will be systemically closed and replaced with the new Alert".
SYSTEMIC_REPLACED = "SYSTEMIC - REPLACED BY NEW ALERT"

BANKRUPTCY_STATUS = "72"

# --- small helpers ---------------------------------------------------------------------------


def as_date(value: Any) -> dt.date | None:
    """A date from a date or an ISO string (JSON history keeps ISO text)."""
    try:
        return account.as_date(value)
    except ValueError:  # a history item with text that is not a date shows no date
        return None


def ext(case: IcsCase) -> dict[str, Any]:
    """A copy of the case's `extra` (change it and `put` it back)."""
    return dict(case.extra or {})


def put(case: IcsCase, **changes: Any) -> None:
    """Update `extra` by reassignment (in-place JSON changes are not tracked)."""
    case.extra = {**(case.extra or {}), **changes}


def push(case: IcsCase, key: str, item: dict[str, Any]) -> None:
    """Append `item` to the list `extra[key]`."""
    items = list((case.extra or {}).get(key) or [])
    items.append(item)
    put(case, **{key: items})


def items(case: IcsCase, key: str) -> list[dict[str, Any]]:
    return [i for i in ((case.extra or {}).get(key) or []) if isinstance(i, dict)]


def add_history(case: IcsCase, date: dt.date, idrs: str | None, text: str, kind: str | None = None) -> None:
    """One ICS case history entry (IRM 5.1.10.8); history is append-only."""
    entry: dict[str, Any] = {"date": date.isoformat(), "idrs": idrs, "text": text}
    if kind:
        entry["kind"] = kind
    case.history = [*(case.history or []), entry]


def group_of(case: IcsCase) -> str:
    """The group whose designation hold file / inventory holds the case."""
    return str((case.extra or {}).get("group") or ftd_rules.model().default_group)


def assignment_number(idrs: str | None) -> str:
    """ICS assignment number AATTGGRR: the last eight digits of the IDRS number [EMU]."""
    return (idrs or "")[-8:]


def employee_for_assignment(session: Session, asgn: str) -> Any:
    """The employee whose ICS assignment number is `asgn`, or None."""
    from ..masterfile.models import Employee

    if not is_digits(asgn, 8):
        return None
    return session.scalar(select(Employee).where(Employee.idrs.like(f"%{asgn}")))


# --- timers (IRM 5.7.1.4, 5.7.1.6, 5.7.1.9(9)) -------------------------------------------------


def assignment_due(case: IcsCase) -> dt.date | None:
    """Arrival in the group designation hold file + 7 calendar days."""
    return case.opened + dt.timedelta(days=ASSIGN_DAYS) if case.opened else None


def first_assigned(case: IcsCase) -> dt.date | None:
    """The date the alert was first assigned to an RO: ICSAS records it (``extra.assignment``),
    else the case's assignment date.  A reassignment or transfer keeps it (`reassign`)."""
    first = as_date(((case.extra or {}).get("assignment") or {}).get("date"))
    return first or case.assigned_date


def reassign(case: IcsCase, idrs: str | None, date: dt.date) -> None:
    """Give the case to another RO on `date`, keeping the first assignment on record: the 7-day
    assignment measure (IRM 5.7.1.4) and the 25-day contact clock (5.7.1.6) run from it; the
    60-day notification (5.7.1.9(9)) runs from `assigned_date`, the current RO's inventory."""
    if case.assigned_date and not ((case.extra or {}).get("assignment") or {}).get("date"):
        put(case, assignment={"date": case.assigned_date.isoformat()})
    case.assigned = idrs
    case.assigned_date = date


def contact_due(case: IcsCase) -> dt.date | None:
    """First assignment + 25 calendar days (A.15 #3: anchored on assignment; a reassignment does
    not restart it, decision FTD-R5)."""
    first = first_assigned(case)
    return first + dt.timedelta(days=CONTACT_DAYS) if first else None


def initial_contact(case: IcsCase) -> dict[str, Any] | None:
    """The first telephone contact (PHONE, POA) or recorded NOSHOW: what makes the contact
    timely (5.7.1.6)."""
    for c in items(case, "contacts"):
        if c.get("type") in letter_rules.INITIAL_CONTACT_TYPES:
            return c
    return None


def phone_contact(case: IcsCase) -> dict[str, Any] | None:
    """The first investigative telephone contact with the taxpayer (PHONE) or the POA (POA)."""
    for c in items(case, "contacts"):
        if c.get("type") in letter_rules.PHONE_CONTACT_TYPES:
            return c
    return None


def contact_types(case: IcsCase) -> list[str]:
    """The ICSCT types recorded on the case, in order (what the closing rules weigh)."""
    return [str(c.get("type") or "") for c in items(case, "contacts")]


def notification_mark(case: IcsCase, today: dt.date) -> int | None:
    """60, 75 or 90 when an open FTD Alert has been assigned that long (IRM 5.7.1.9(9)).

    More than 60 days shows the notification; it repeats at the 75- and 90-day marks.
    """
    if case.kind != ALERT or case.status != "open" or not case.assigned or not case.assigned_date:
        return None
    days = (today - case.assigned_date).days
    if days >= NOTIFICATION_MARKS[2]:
        return NOTIFICATION_MARKS[2]
    if days >= NOTIFICATION_MARKS[1]:
        return NOTIFICATION_MARKS[1]
    if days > NOTIFICATION_MARKS[0]:
        return NOTIFICATION_MARKS[0]
    return None


# --- what IDRS shows about the alert ------------------------------------------------------------


def alert_module(entity: Entity, case: IcsCase) -> TaxModule | None:
    return entity.module(case.mft, case.period)


def _live(txns: Iterable[Transaction]) -> list[Transaction]:
    """Posted or pending, not deleted, unpostable or reversed."""
    return [t for t in txns if t.status in (POSTED, PENDING) and t.reversed_by_id is None]


def tc_closing_code(t: Transaction) -> int | None:
    """The closing code of a TC 520/59X (idrs_sim.rules.freezes.closing_code)."""
    return freeze_rules.closing_code(t)


def return_secured(module: TaxModule | None) -> bool:
    """The alert-quarter 941 is secured: a TC 150 (posted or pending) or a TC 599 on the module."""
    if module is None:
        return False
    return any(t.tc in (150, 599) for t in _live(module.transactions))


def alert_deposits(module: TaxModule | None) -> bool:
    """Deposits made on the module (a posted or pending deposit TC, IRM 5.7.1.8)."""
    return module is not None and any(t.tc in ftd_rules.DEPOSIT_TCS for t in _live(module.transactions))


def posted_return_balance(module: TaxModule | None) -> Decimal | None:
    """The module's IDRS balance once a return (TC 150) has posted on it, else None."""
    if module is None or not any(t.tc == 150 and t.status == POSTED for t in _live(module.transactions)):
        return None
    return derive.balance(module)


def module_statuses(entity: Entity) -> dict[str, tuple[str, Decimal]]:
    """Each module's status and IDRS balance, keyed "MFT PERIOD"."""
    return {f"{m.mft} {m.period}": (derive.module_status(m), derive.balance(m))
            for m in sorted(entity.modules, key=lambda m: (m.mft, m.period))}


def zero_return(module: TaxModule | None) -> bool:
    """A secured or posted zero return for the quarter (TC 150 of .00, or `zero_return`)."""
    if module is None:
        return False
    for t in _live(module.transactions):
        if t.tc == 150 and (Decimal(t.amount or 0) == 0 or (t.document or {}).get("zero_return")):
            return True
        if t.tc == 599 and (t.extra or {}).get("zero_return"):
            return True
    return False


def final_return_posted(entity: Entity) -> bool:
    """A posted Form 941 with the final-return box checked (IRM 5.7.1.5: verify it on IDRS)."""
    return any(
        t.tc == 150 and t.status == POSTED and bool((t.document or {}).get("final"))
        for m in entity.modules for t in m.transactions
    )


def tc590_cc50(module: TaxModule | None) -> bool:
    return module is not None and any(t.tc == 590 and tc_closing_code(t) == 50 for t in _live(module.transactions))


def tc591_cc50(entity: Entity) -> bool:
    txns = list(entity.entity_transactions) + [t for m in entity.modules for t in m.transactions]
    return any(t.tc == 591 and tc_closing_code(t) == 50 for t in _live(txns))


def tc136_on_file(entity: Entity) -> bool:
    """TC 136 posted (not reversed by TC 137) or pending on the entity or any module: the
    TC 136 rule of idrs_sim.rules.freezes, a pending one counting (not requested twice)."""
    txns = list(entity.entity_transactions) + [t for m in entity.modules for t in m.transactions]
    return freeze_rules.tc136_in_effect(txns, pending_counts=True)


def requested(case: IcsCase, req: str) -> list[dict[str, Any]]:
    return [r for r in items(case, "requests") if r.get("req") == req]


def staup_modules(entity: Entity) -> list[TaxModule]:
    return [m for m in entity.modules if m.stop_notice_weeks]


def in_bankruptcy(entity: Entity) -> bool:
    """Status 72 on any module, or a -V bankruptcy freeze on the entity (IRM 5.7.1.9)."""
    if any(derive.module_status(m) == BANKRUPTCY_STATUS for m in entity.modules):
        return True
    return "-V" in derive.entity_freezes(entity)


def idrs_balances(entity: Entity) -> dict[str, Decimal]:
    """Each module's IDRS balance, keyed "MFT PERIOD" (what the Full Compliance Check weighs)."""
    return {f"{m.mft} {m.period}": derive.balance(m) for m in sorted(entity.modules, key=lambda m: (m.mft, m.period))}


def latest_fcc(case: IcsCase) -> dict[str, Any] | None:
    entries = items(case, "fcc")
    return entries[-1] if entries else None


def fcc_full(entry: dict[str, Any] | None) -> bool:
    """The Full Compliance Check entry answers Y to deposits, returns and balances."""
    return entry is not None and all(entry.get(k) == "Y" for k in ("deposits", "returns", "balances"))


# --- closing (IRM 5.7.1.9; the guards are idrs_sim.ics.closing) ----------------------------------


def close_case(case: IcsCase, date: dt.date, idrs: str | None, code: str, narrative: str,
               *, systemic: bool = False, extra_history: Iterable[str] = (), hq_statement: bool = False) -> None:
    """Close the alert: narrative into history, closing code, and the sub code ICS changes by
    itself when the FTD module closes (IRM 5.7.1.4, 5.2.1.9(5)).  `hq_statement`: a Headquarters
    closure (Alert Erroneously Created), on which ICS writes its systemic closure statement
    into the history -- the text IRM 5.7.1.5/5.7.1.9 warn is NOT the written authorization."""
    for line in extra_history:
        add_history(case, date, idrs, line)
    add_history(case, date, idrs, f"CLOSING NARRATIVE: {narrative}".strip(), kind="narrative")
    add_history(case, date, idrs, f"{'SYSTEMIC CLOSURE' if systemic else 'FTD ALERT CLOSED'}: {code.upper()}",
                kind="closed")
    if hq_statement:
        add_history(case, date, None, HQ_STATEMENT, kind="hq_statement")
    case.status = "closed"
    case.closed = date
    case.closing_code = code
    put(case, closing_narrative=narrative, closed_by=idrs, **({"systemic": True} if systemic else {}))
    if case.sub_code == SUB_CODE:
        put(case, prior_sub_code=SUB_CODE)
        case.sub_code = None
        add_history(case, date, None, "SUB CODE 105 CHANGED BY ICS - FTD MODULE CLOSED")


# --- queries -------------------------------------------------------------------------------------


def open_alerts(session: Session, tin: str) -> list[IcsCase]:
    return list(session.scalars(
        select(IcsCase).where(IcsCase.tin == tin, IcsCase.kind == ALERT, IcsCase.status == "open")
        .order_by(IcsCase.period, IcsCase.id)
    ))


def new_alert_case(session: Session, entity: Entity, mft: str, period: str, priority: str, received: dt.date,
                   group: str, model: dict[str, Any], *, open_before: list[IcsCase] | None = None) -> IcsCase:
    """An A/B alert arriving in the group designation hold file (IRM 5.7.1.1.5, 5.7.1.4).

    A prior quarter's alert still open is closed systemically and replaced (IRM 5.7.1.9);
    the replacement stays with the RO who held the old one [EMU], else waits in the hold file.
    `open_before`: the TIN's open alerts when the caller read them already (the posting run
    reads every TIN's at once), in `open_alerts` order.
    """
    inherited: str | None = None
    for old in open_alerts(session, entity.tin) if open_before is None else open_before:
        if old.period >= period:
            continue
        inherited = inherited or old.assigned
        close_case(old, received, None, SYSTEMIC_REPLACED,
                   f"FTD ALERT {old.mft} {old.period} REPLACED BY NEW FTD ALERT {mft} {period} (IRM 5.7.1.9)",
                   systemic=True)
    case = IcsCase(tin=entity.tin, mft=mft, period=period, kind=ALERT, priority=priority, sub_code=SUB_CODE,
                   status="open", assigned=None, opened=received, history=[],
                   extra={"group": group, "model": model})
    label = (config.ics_data().get("priorities") or {}).get(priority, "")
    add_history(case, received, None,
                f"FTD ALERT RECEIVED FROM MASTER FILE - PRIORITY {priority} {label} - GROUP HOLD FILE {group}")
    if inherited:
        case.assigned = inherited
        case.assigned_date = received
        add_history(case, received, None, f"REPLACES OPEN PRIOR-QUARTER ALERT - ASSIGNED TO {inherited}")
    session.add(case)
    return case

