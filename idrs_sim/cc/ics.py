"""ICS screens: the Integrated Collection System reached from the IDRS terminal (IRM 5.7.1).

ICS is not IDRS: it holds the FTD Alert cases the Master File sends (posting rule
``ftd_alerts``) and what the group manager and revenue officer do with them.  Codes
(commands/ics.yaml; docs/ftd.md walks through the procedures):

=======  ===========================================================  ===================
code     screen                                                       roles
=======  ===========================================================  ===================
ICS      inventory; ``ICS TIN MFT PERIOD`` the FTD Alert Case Summary  ro gm iqa analyst
ICSHF    group designation hold file                                  gm iqa
ICSAS    assign from the hold file (7 calendar days)                  gm
ICSHI    case history entry                                           ro gm iqa
ICSCT    Taxpayer Contact (initial contact within 25 days, no-show)   ro
ICSCC    Taxpayer Contact > Cause and Cure                            ro
ICSFC    Full Compliance Check                                        ro gm
ICSFV    FTD Verification                                             ro gm
ICSLT    Letters 5857 (+937 copies), 5664, 725-B with 5427            ro
ICSRQ    TC 136, Form 4844, assignment, CIS, enforcement requests     ro
ICSSC    sub code 105                                                 ro gm
ICSCL    closing codes                                                ro gm iqa
ICSAP    FTD Alert Program Analyst concurrence                        ftd-analyst
ICSTR    transfer, option E (GM approves)                             ro gm
ICSMD    ICS-only Bal Due / Del Ret                                   ro
ICSIN    Insolvency: monitoring, automatic-stay clearance             insolvency
=======  ===========================================================  ===================

Command-level roles are enforced by the session from the definitions.  Option-level roles
(the closing codes, transfer approval) are enforced here: the refusal is marked as an
audit violation (``violation = True``).  A revenue officer works only the cases assigned
to them, a group manager those of their group.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..digits import digits_value
from ..ics import cases as ics
from ..ics import config
from ..ics.letters import letter_5664_table, letter_5857_table, poa_for_period, table_lines
from ..masterfile import derive
from ..masterfile.models import PENDING, POSTED, Employee, Entity, IcsCase, Letter
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .input77 import new_pending, target_entity, violation
from .research import mark, money, wrap

# --- literals --------------------------------------------------------------------------------------
NO_ALERT = "NO FTD ALERT ON ICS FOR THIS TIN"
NO_ALERT_MODULE = "NO FTD ALERT ON ICS FOR THIS MODULE"
NOT_YOUR_CASE = "CASE NOT IN YOUR INVENTORY"
NOT_YOUR_GROUP = "CASE NOT IN YOUR GROUP"
CLOSED = ics.CLOSED
NOT_AUTHORIZED_CC = "CLOSING CODE NOT AUTHORIZED"
INVALID_CC = "INVALID CLOSING CODE"
APPROVE_NOT_AUTHORIZED = "TRANSFER APPROVAL NOT AUTHORIZED"
LETTER_5857_FIRST = "LETTER 5857 REQUIRED BEFORE INITIAL CONTACT"
NO_725B_FOR_5857 = "LETTER 725-B CANNOT BE SENT IN PLACE OF LETTER 5857"
AUTOMATIC_STAY = "AUTOMATIC STAY - INSOLVENCY CLEARANCE REQUIRED"
ALERT_OPEN_ON_MODULE = "FTD ALERT OPEN ON THIS MODULE - CLOSE THE ALERT FIRST"

ROLE_WORDS = {"ro": "RO", "gm": "GM", "iqa": "IQA", "ftd-analyst": "FTD ANALYST", "instructor": "INSTRUCTOR"}


# --- helpers ---------------------------------------------------------------------------------------


def _roles(ctx: Context) -> set[str]:
    return set(ctx.employee.roles or [])


def _is(ctx: Context, *roles: str) -> bool:
    return bool(_roles(ctx) & set(roles))


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


def _outcome(ctx: Context, text: str, case: IcsCase | None = None) -> None:
    """The audit record's outcome: what happened, on which case."""
    where = f"{case.tin} {case.mft} {case.period}" if case is not None else (ctx.cmd.tin or "")
    ctx.outcome = f"{text}: {where}".strip(": ")[:80]


def _refuse(ctx: Context, label: str | None, literal: str, case: IcsCase | None = None,
            is_violation: bool = False) -> Refusal:
    """Refuse with one literal, `*` after the field `label` (on the screen or typed)."""
    _outcome(ctx, literal, case)
    if label is None:
        r = Refusal(literal, marks=[mark(ctx, "tin")])
    elif label in ctx.screen_values:
        r = Refusal(literal, fields=[label])
    else:
        r = Refusal(literal, marks=[mark(ctx, f"{label}>", fallback="end")])
    return violation(r) if is_violation else r


def _submitted(ctx: Context, labels: tuple[str, ...]) -> bool:
    """The form was sent: one of its labels typed on the command lines, or all on the screen."""
    typed = getattr(ctx.cmd, "fields", None) or {}
    return any(lb in typed for lb in labels) or all(lb in ctx.screen_values for lb in labels)


def _entity(ctx: Context) -> Entity | Refusal:
    """The typed TIN's entity (ICS works on any TIN on file, established or not)."""
    return target_entity(ctx, need_established=False)


def _find_case(ctx: Context, ent: Entity, *, alert_only: bool = True) -> IcsCase | Refusal:
    """The case of the typed module (the FTD Alert, open first), or the TIN's open alert."""
    q = select(IcsCase).where(IcsCase.tin == ent.tin)
    if alert_only:
        q = q.where(IcsCase.kind == ics.ALERT)
    found = list(ctx.db.scalars(q.order_by(IcsCase.id)))
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if mft and period:
        found = [c for c in found if c.mft == mft and c.period == period]
        if not found:
            return _refuse(ctx, None, NO_ALERT_MODULE)
    elif mft or period:
        return _refuse(ctx, None, "INVALID TAX PERIOD" if mft else "INVALID MFT")
    if not found:
        return _refuse(ctx, None, NO_ALERT)

    def rank(c: IcsCase) -> tuple[int, int, str, int]:
        return (c.status == "open", c.kind == ics.ALERT, c.period, c.id)

    case = max(found, key=rank)
    ctx.cmd.mft, ctx.cmd.period = case.mft, case.period  # the audit record names the module
    return case


def _work_refusal(ctx: Context, case: IcsCase, *, need_open: bool = True) -> Refusal | None:
    """An RO works only their own cases, a GM those of their group (instructors any)."""
    if need_open and case.status != "open":
        return _refuse(ctx, None, CLOSED, case)
    roles = _roles(ctx)
    if roles & {"instructor", "iqa"}:
        return None
    if "gm" in roles and ics.group_of(case) == (ctx.employee.unit or ""):
        return None
    if "ro" in roles and case.assigned == ctx.idrs:
        return None
    if "gm" in roles:
        return _refuse(ctx, None, NOT_YOUR_GROUP, case)
    return _refuse(ctx, None, NOT_YOUR_CASE, case)


def _target(ctx: Context, *, need_open: bool = True, may_work: bool = True) -> tuple[Entity, IcsCase] | Refusal:
    ent = _entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    case = _find_case(ctx, ent)
    if isinstance(case, Refusal):
        return case
    if may_work:
        problem = _work_refusal(ctx, case, need_open=need_open)
        if problem is not None:
            return problem
    elif need_open and case.status != "open":
        return _refuse(ctx, None, CLOSED, case)
    return ent, case


def _alert_text(case: IcsCase) -> str:
    status = "OPEN" if case.status == "open" else "CLOSED"
    return f"{case.mft} {case.period} PRI {case.priority or '-'} SUB {case.sub_code or '---'} {status}"


def _head(ctx: Context, ent: Entity, case: IcsCase, code: str, title: str, status: str = "",
          **more: Any) -> dict[str, Any]:
    return {
        "cmd": f"{code} {case.tin} {case.mft} {case.period}",
        "title": title,
        "date": _fmt(ctx.today),
        "tin": case.tin,
        "name1": (ent.name_lines or [""])[0],
        "alert": _alert_text(case),
        "status": status,
        **more,
    }



def _blank_form(ctx: Context, ent: Entity, case: IcsCase, code: str, screen: str, title: str,
                labels: tuple[str, ...], lines: list[str]) -> Display:
    """The ICS screen of `code` with its input fields empty: what every ICS code shows until
    the user keys its fields (and the audit outcome that says so)."""
    ctx.outcome = f"{code} SCREEN {case.tin} {case.mft} {case.period}"
    return Display(screen, _head(ctx, ent, case, code, title, **dict.fromkeys(labels, "")), lines)

def _history_lines(case: IcsCase) -> list[str]:
    lines: list[str] = []
    for h in case.history or []:
        d = ics.as_date(h.get("date"))
        head = f"{d.strftime('%m%d%Y') if d else '        '} {str(h.get('idrs') or 'ICS'):<10} "
        text = str(h.get("text", ""))
        parts = wrap(text, 79 - len(head))
        lines.append(head + parts[0])
        lines += [" " * len(head) + p for p in parts[1:]]
    return lines or ["NO CASE HISTORY"]


def _notification_lines(mark_: int | None) -> list[str]:
    """The IRM 5.7.1.9(9) literal, on two lines, with the mark it is shown for."""
    if mark_ is None:
        return ["", ""]
    first, second = ics.NOTIFICATION.split("days, ", 1)
    return [f"{first}days,", f"{second}  ({mark_}-DAY NOTIFICATION)"]


def _employee(ctx: Context, idrs: str | None) -> Employee | None:
    return ctx.db.get(Employee, idrs) if idrs else None


def _done(ctx: Context, ent: Entity, case: IcsCase, code: str, mapname: str, title: str, status: str,
          lines: list[str], fields: dict[str, str]) -> Display:
    _outcome(ctx, f"{code} {status}"[:60], case)
    values = _head(ctx, ent, case, code, title, status, **{k: "" for k in fields})
    return Display(mapname, values, lines, message=REQUEST_COMPLETED)


# --- ICS: inventory and case summary ------------------------------------------------------------------


def _inventory_line(ctx: Context, case: IcsCase) -> str:
    today = ctx.today
    days = (today - case.assigned_date).days if case.assigned_date else (today - case.opened).days if case.opened else 0
    contact = ""
    if case.kind == ics.ALERT and case.assigned_date:
        made = ics.initial_contact(case)
        due = ics.contact_due(case)
        contact = "MADE" if made else ("LATE" if due and today > due else (due.strftime("%m%d%Y") if due else ""))
    mark_ = ics.notification_mark(case, today)
    notice = f"{mark_}-DAY" if mark_ else ""
    asgd = case.assigned_date.strftime("%m%d%Y") if case.assigned_date else ""
    return (f"{case.tin:<11} {case.mft:<2} {case.period:<6} {case.kind:<9} {case.priority or ' ':<1} "
            f"{case.sub_code or '':<3} {case.assigned or 'HOLD FILE':<10} {asgd:<8} {days:>3} {contact:<8} "
            f"{notice}")[:79].rstrip()


def _inventory(ctx: Context) -> Display:
    roles = _roles(ctx)
    unit = ctx.employee.unit or ""
    q = select(IcsCase).where(IcsCase.status == "open").order_by(IcsCase.tin, IcsCase.period, IcsCase.id)
    cases = list(ctx.db.scalars(q))
    notes: list[str] = []
    if roles & {"iqa", "ftd-analyst", "instructor"}:
        mine = [c for c in cases if c.kind == ics.ALERT]
        role = "iqa" if "iqa" in roles else "ftd-analyst" if "ftd-analyst" in roles else "instructor"
        notes.append(f"ALL OPEN FTD ALERTS: {len(mine)}")
    elif "gm" in roles:
        group = [c for c in cases if ics.group_of(c) == unit]
        mine = [c for c in group if c.assigned]
        hold = [c for c in group if not c.assigned and c.kind == ics.ALERT]
        over = [c for c in hold if c.opened and (ctx.today - c.opened).days > ics.ASSIGN_DAYS]
        notes.append(f"GROUP HOLD FILE: {len(hold)} ALERTS WAITING, {len(over)} OVERDUE (ICSHF)")
        role = "gm"
    else:
        mine = [c for c in cases if c.assigned == ctx.idrs]
        role = "ro"
    marks = [m for m in (ics.notification_mark(c, ctx.today) for c in mine if c.assigned == ctx.idrs) if m]
    note_lines = _notification_lines(max(marks) if marks else None)
    values = {
        "cmd": "ICS",
        "date": _fmt(ctx.today),
        "idrs": ctx.idrs,
        "ename": ctx.employee.name,
        "group": unit,
        "role": ROLE_WORDS.get(role, role.upper())[:12],
        "note1": note_lines[0] or (notes[0] if notes else ""),
        "note2": note_lines[1] if note_lines[0] else "",
        "note3": notes[0] if note_lines[0] and notes else "",
    }
    lines = [_inventory_line(ctx, c) for c in mine] or ["NO CASES IN THIS INVENTORY"]
    ctx.outcome = f"ICS INVENTORY {len(mine)} CASES" + (f" NOTIFICATION {max(marks)}-DAY" if marks else "")
    return Display("ics_inv", values, lines)


def _case_lines(ctx: Context, ent: Entity, case: IcsCase) -> list[str]:
    x = case.extra or {}
    out: list[str] = []
    model = x.get("model") or {}
    if model:
        out.append(f"MASTER FILE ANALYSIS (CYC {model.get('cycle', '')}): CURRENT DEPOSITS "
                   f"{money(model.get('current'))} BASELINE {money(model.get('baseline'))} - {model.get('reason', '')}"[:79])
    for lt in ics.items(case, "letters"):
        d = ics.as_date(lt.get("date"))
        out.append(f"LETTER {lt.get('letter')} ISSUED {_fmt(d)} {lt.get('summary', '')}"[:79])
    for c in ics.items(case, "contacts"):
        d = ics.as_date(c.get("date"))
        out.append(f"CONTACT {c.get('type')} {_fmt(d)}" + (f" COMPLIANT {c['compliant']}" if c.get("compliant") else "")
                   + (" TIMELY" if c.get("timely") else " LATE" if c.get("timely") is False else ""))
    fcc = ics.latest_fcc(case)
    if fcc:
        out.append(f"FULL COMPLIANCE CHECK {_fmt(ics.as_date(fcc.get('date')))}: "
                   f"{'FULL COMPLIANCE' if ics.fcc_full(fcc) else 'NOT IN FULL COMPLIANCE'}")
    for r in ics.items(case, "requests"):
        out.append(f"REQUEST {r.get('req')} {_fmt(ics.as_date(r.get('date')))} {r.get('text', '')}"[:79])
    for a in ics.items(case, "approvals"):
        out.append(f"ANALYST CONCURRENCE {a.get('id')} {_fmt(ics.as_date(a.get('date')))} {a.get('reason', '')}"[:79])
    tr = x.get("transfer")
    if tr:
        out.append(f"TRANSFER OPTION E TO {tr.get('asgn')} - {str(tr.get('status', '')).upper()}")
    if case.closing_code:
        out.append(f"CLOSING CODE: {case.closing_code}  CLOSED {_fmt(case.closed)}")
    out.append("--- CASE HISTORY ---")
    return out + _history_lines(case)


@handles("ICS")
def ics_main(ctx: Context) -> Display | Refusal:
    """ICS inventory, or the FTD Alert Case Summary of the typed case (IRM 5.7.1.2, 5.7.1.9(9))."""
    if not ctx.cmd.tin:
        if ctx.cmd.args or ctx.cmd.fields:
            return _refuse(ctx, None, v.INVALID_TIN_LITERAL)
        return _inventory(ctx)
    ent = _entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    case = _find_case(ctx, ent, alert_only=False)
    if isinstance(case, Refusal):
        return case
    today = ctx.today
    labels = config.ics_data().get("priorities") or {}
    due = ics.assignment_due(case)
    if case.assigned_date and case.opened:
        days = (case.assigned_date - case.opened).days
        asgw = f"{days} DAYS AFTER RECEIPT - {'TIMELY' if days <= ics.ASSIGN_DAYS else 'LATE'}"
    elif case.opened and case.status == "open":
        asgw = "IN GROUP HOLD FILE" + (" - ASSIGNMENT OVERDUE" if due and today > due else "")
    else:
        asgw = ""
    cdue = ics.contact_due(case) if case.kind == ics.ALERT else None
    made = ics.initial_contact(case)
    if made:
        cstat = f"INITIAL CONTACT {made.get('type')} {_fmt(ics.as_date(made.get('date')))} " + \
                ("TIMELY" if made.get("timely") else "LATE")
    elif cdue:
        left = (cdue - today).days
        cstat = f"NOT MADE - {left} DAYS LEFT" if left >= 0 else f"NOT MADE - {-left} DAYS LATE"
    else:
        cstat = ""
    mark_ = ics.notification_mark(case, today)
    note = _notification_lines(mark_)
    sub = case.sub_code or "---"
    values = {
        "cmd": f"ICS {case.tin} {case.mft} {case.period}",
        "date": _fmt(today),
        "tin": case.tin,
        "name1": (ent.name_lines or [""])[0],
        "group": ics.group_of(case),
        "module": f"941 MFT {case.mft} {case.period}" if case.mft == "01" else f"MFT {case.mft} {case.period}",
        "p": case.priority or "",
        "plabel": labels.get(case.priority or "", case.kind),
        "sub": sub,
        "subw": ("FTD ALERT" if sub == ics.SUB_CODE else
                 "NOT 105 - UPDATE ICS" if case.status == "open" and case.kind == ics.ALERT else ""),
        "status": ("OPEN" if case.status == "open" else f"CLOSED {_fmt(case.closed)}"),
        "rcvd": _fmt(case.opened),
        "rd": str((today - case.opened).days) if case.opened else "",
        "adue": _fmt(due),
        "ro": case.assigned or "HOLD FILE",
        "asgd": _fmt(case.assigned_date),
        "asgw": asgw,
        "cdue": _fmt(cdue),
        "cstat": cstat,
        "notice1": note[0],
        "notice2": note[1],
    }
    ctx.outcome = f"ICS CASE SUMMARY {case.tin} {case.mft} {case.period}" + (f" NOTIFICATION {mark_}-DAY" if mark_ else "")
    return Display("ics_case", values, _case_lines(ctx, ent, case))


# --- hold file and assignment (IRM 5.7.1.4) ---------------------------------------------------------


@handles("ICSHF")
def ics_hold(ctx: Context) -> Display | Refusal:
    """The group designation hold file: unassigned alerts, 7-calendar-day deadline."""
    group = ctx.value("GROUP").upper() if _is(ctx, "iqa", "instructor") and ctx.value("GROUP") else (ctx.employee.unit or "")
    cases = [c for c in ctx.db.scalars(select(IcsCase).where(IcsCase.kind == ics.ALERT, IcsCase.status == "open",
                                                              IcsCase.assigned.is_(None)).order_by(IcsCase.opened, IcsCase.tin))
             if ics.group_of(c) == group]
    lines = []
    over = 0
    for c in cases:
        ent = ctx.db.scalar(select(Entity).where(Entity.tin == c.tin))
        days = (ctx.today - c.opened).days if c.opened else 0
        due = ics.assignment_due(c)
        late = due is not None and ctx.today > due
        over += late
        lines.append(f"{c.tin:<11} {c.mft:<2} {c.period:<6} {c.priority or ' '} {c.sub_code or '---':<3} "
                     f"{_fmt(c.opened):<10} {days:>4} {(_fmt(due) + (' OVERDUE' if late else '')):<18} "
                     f"{((ent.name_lines or [''])[0] if ent else '')}"[:79])
    values = {"cmd": "ICSHF", "date": _fmt(ctx.today), "group": group, "count": str(len(cases)), "over": str(over),
              "status": "ASSIGN WITHIN 7 CALENDAR DAYS OF ARRIVAL - ICSAS TIN MFT PERIOD RO>NNNNNNNNNN"}
    ctx.outcome = f"ICS HOLD FILE {group} {len(cases)} WAITING {over} OVERDUE"
    return Display("ics_hold", values, lines or ["NO ALERTS IN THE GROUP DESIGNATION HOLD FILE"])


@handles("ICSAS")
def ics_assign(ctx: Context) -> Display | Refusal:
    """The GM assigns an alert to an RO of the group; late when more than 7 days after arrival."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "ASSIGN FTD ALERT"
    if not _submitted(ctx, ("RO",)):
        return _blank_form(ctx, ent, case, "ICSAS", "ics_assign", title, ("RO",), _history_lines(case))
    ro_no = ctx.value("RO")
    if not ro_no:
        return _refuse(ctx, "RO", "RO IDRS NUMBER REQUIRED", case)
    emp = _employee(ctx, ro_no)
    if emp is None or "ro" not in (emp.roles or []) or (emp.unit or "") != ics.group_of(case):
        return _refuse(ctx, "RO", "NOT A REVENUE OFFICER OF THIS GROUP", case)
    if case.assigned == emp.idrs:
        return _refuse(ctx, "RO", "ALERT ALREADY ASSIGNED TO THIS RO", case)
    previous = case.assigned
    days = (ctx.today - case.opened).days if case.opened else 0
    timely = days <= ics.ASSIGN_DAYS
    case.assigned = emp.idrs
    case.assigned_date = ctx.today
    if previous:
        text = f"REASSIGNED FROM {previous} TO {emp.idrs} {emp.name}"
    else:
        text = (f"ASSIGNED FROM GROUP HOLD FILE TO {emp.idrs} {emp.name} - {days} DAYS AFTER ARRIVAL - "
                + ("TIMELY" if timely else "LATE (MORE THAN 7 CALENDAR DAYS)"))
        ics.put(case, assignment={"date": ctx.today.isoformat(), "days": days, "timely": timely, "by": ctx.idrs})
    ics.add_history(case, ctx.today, ctx.idrs, text)
    due = ics.contact_due(case)
    status = f"ASSIGNED TO {emp.idrs} - INITIAL CONTACT DUE {_fmt(due)}" + ("" if timely or previous else " - LATE ASSIGNMENT")
    return _done(ctx, ent, case, "ICSAS", "ics_assign", title, status, _history_lines(case), {"RO": ""})


# --- history, sub code -------------------------------------------------------------------------------


@handles("ICSHI")
def ics_history(ctx: Context) -> Display | Refusal:
    """One line of case history (IRM 5.7.1.5: document findings and the action plan)."""
    found = _target(ctx, need_open=False)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "CASE HISTORY"
    if not _submitted(ctx, ("HIST",)):
        return _blank_form(ctx, ent, case, "ICSHI", "ics_hist", title, ("HIST",), _history_lines(case))
    text = ctx.value("HIST")
    if not text:
        return _refuse(ctx, "HIST", "HISTORY TEXT REQUIRED", case)
    ics.add_history(case, ctx.today, ctx.idrs, text.upper())
    return _done(ctx, ent, case, "ICSHI", "ics_hist", title, "HISTORY ADDED", _history_lines(case), {"HIST": ""})


@handles("ICSSC")
def ics_subcode(ctx: Context) -> Display | Refusal:
    """IRM 5.7.1.4: the sub code must be 105; RO or GM corrects it (A.15 #9), logged."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "SUB CODE"
    if not _submitted(ctx, ("SUB",)):
        return _blank_form(ctx, ent, case, "ICSSC", "ics_subcode", title, ("SUB",), _history_lines(case))
    sub = ctx.value("SUB")
    if sub != ics.SUB_CODE:
        return _refuse(ctx, "SUB", "SUB CODE MUST BE 105 (FTD ALERT)", case)
    if case.sub_code == ics.SUB_CODE:
        return _refuse(ctx, "SUB", "SUB CODE IS ALREADY 105", case)
    old = case.sub_code or "BLANK"
    case.sub_code = ics.SUB_CODE
    role = "GM" if _is(ctx, "gm") else "RO" if _is(ctx, "ro") else "USER"
    ics.add_history(case, ctx.today, ctx.idrs, f"SUB CODE CHANGED FROM {old} TO 105 BY {role} {ctx.idrs}")
    return _done(ctx, ent, case, "ICSSC", "ics_subcode", title, "SUB CODE 105", _history_lines(case), {"SUB": ""})


# --- contacts (IRM 5.7.1.6) -------------------------------------------------------------------------

CONTACT_TYPES = {
    "PHONE": "INITIAL TELEPHONE CONTACT",
    "NOSHOW": "NO RESPONSE TO APPOINTMENT LETTER (TIMELY CONTACT, IRM 5.1.10.3.1(1))",
    "ATTEMPT": "ATTEMPTED TELEPHONE CONTACT",
    "FIELD": "FIELD VISIT TO THE BUSINESS",
    "OBSERVE": "NON-CONTACT OBSERVATIONAL FIELD VISIT",
    "REPVAL": "REPRESENTATION VALIDATION CONTACT (NOT INVESTIGATIVE)",
}


def _letters(case: IcsCase, name: str) -> list[dict[str, Any]]:
    return [lt for lt in ics.items(case, "letters") if lt.get("letter") == name]


@handles("ICSCT")
def ics_contact(ctx: Context) -> Display | Refusal:
    """Taxpayer Contact: initial contact within 25 days of assignment (a recorded no-show to
    Letter 5857 counts); later than that needs the reason for the delay (IRM 5.7.1.6)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "TAXPAYER CONTACT"
    labels = ("TYPE", "COMPLIANT", "PUB1", "DELAY", "NOTE")
    if not _submitted(ctx, labels):
        lines = [f"{k:<8} {t}" for k, t in CONTACT_TYPES.items()] + ["--- CASE HISTORY ---"] + _history_lines(case)
        return _blank_form(ctx, ent, case, "ICSCT", "ics_contact", title, labels, lines)
    kind = ctx.value("TYPE").upper()
    if kind not in CONTACT_TYPES:
        return _refuse(ctx, "TYPE", "INVALID CONTACT TYPE", case)
    compliant, pub1 = ctx.value("COMPLIANT").upper(), ctx.value("PUB1").upper()
    delay, note = ctx.value("DELAY").upper(), ctx.value("NOTE").upper()
    first = ics.initial_contact(case) is None and kind in ("PHONE", "NOSHOW")
    if kind in ("PHONE", "NOSHOW") and not _letters(case, "5857"):
        return _refuse(ctx, "TYPE", LETTER_5857_FIRST, case)
    if kind == "PHONE" and ics.phone_contact(case) is None:
        if compliant not in ("Y", "N"):
            return _refuse(ctx, "COMPLIANT", "COMPLIANT AT INITIAL CONTACT MUST BE Y OR N", case)
        if pub1 != "Y":
            return _refuse(ctx, "PUB1", "PUB 1 MUST BE REVIEWED AT INITIAL CONTACT", case)
    due = ics.contact_due(case)
    timely = None
    if first:
        timely = due is None or ctx.today <= due
        if not timely and not delay:
            return _refuse(ctx, "DELAY", "CONTACT AFTER 25 DAYS - REASON FOR DELAY REQUIRED", case)
    entry: dict[str, Any] = {"type": kind, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if compliant in ("Y", "N"):
        entry["compliant"] = compliant
    if pub1:
        entry["pub1"] = pub1
    if timely is not None:
        entry["timely"] = timely
    if delay:
        entry["delay"] = delay
    if note:
        entry["note"] = note
    ics.push(case, "contacts", entry)
    text = CONTACT_TYPES[kind]
    if first:
        text += " - " + ("TIMELY" if timely else f"LATE, DELAY: {delay}")
    if compliant in ("Y", "N") and kind == "PHONE":
        text += f" - TP {'IN' if compliant == 'Y' else 'NOT IN'} FULL COMPLIANCE AT CONTACT"
        if pub1 == "Y":
            text += " - PUB 1 REVIEWED"
    if note:
        text += f" - {note}"
    ics.add_history(case, ctx.today, ctx.idrs, text)
    status = f"{kind} RECORDED" + (" - TIMELY INITIAL CONTACT" if timely else " - LATE INITIAL CONTACT" if first else "")
    return _done(ctx, ent, case, "ICSCT", "ics_contact", title, status, _history_lines(case), dict.fromkeys(labels, ""))


@handles("ICSCC")
def ics_cause(ctx: Context) -> Display | Refusal:
    """Taxpayer Contact > Cause and Cure (IRM 5.7.1.6)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "CAUSE AND CURE"
    data = config.ics_data()
    causes, cures = data.get("causes") or {}, data.get("cures") or {}
    if not _submitted(ctx, ("CAUSE", "CURE")):
        lines = ["CAUSE:"] + [f"  {k} {t}" for k, t in causes.items()] + ["CURE:"] + [f"  {k} {t}" for k, t in cures.items()]
        return _blank_form(ctx, ent, case, "ICSCC", "ics_cause", title, ("CAUSE", "CURE"), lines)
    if ics.phone_contact(case) is None:
        return _refuse(ctx, "CAUSE", ics.CONTACT_NOT_RECORDED, case)
    cause, cure = ctx.value("CAUSE"), ctx.value("CURE")
    if digits_value(cause) not in causes:
        return _refuse(ctx, "CAUSE", "INVALID CAUSE", case)
    if digits_value(cure) not in cures:
        return _refuse(ctx, "CURE", "INVALID CURE", case)
    ics.push(case, "cause_cure", {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "cause": int(cause), "cure": int(cure)})
    ics.add_history(case, ctx.today, ctx.idrs, f"CAUSE AND CURE: CAUSE {causes[int(cause)]}; CURE {cures[int(cure)]}")
    return _done(ctx, ent, case, "ICSCC", "ics_cause", title, "CAUSE AND CURE RECORDED", _history_lines(case),
                 {"CAUSE": "", "CURE": ""})


# --- Full Compliance Check, FTD Verification ------------------------------------------------------------


def _idrs_facts(ent: Entity, case: IcsCase, today: dt.date) -> list[str]:
    """What IDRS shows for the Full Compliance Check (research; nothing decided here)."""
    module = ics.alert_module(ent, case)
    out = [f"DEPOSITOR ON MASTER FILE: {(ent.depositor or 'NONE').upper()}   FILING REQUIREMENTS: "
           + " ".join(f"{k}-{val}" for k, val in (ent.filing_requirements or {}).items())]
    if ics.return_secured(module):
        out.append(f"ALERT QUARTER {case.period} FORM 941: SECURED OR POSTED")
    else:
        out.append(f"ALERT QUARTER {case.period} FORM 941: NOT SECURED")
    for m in ent.modules:
        status = derive.module_status(m)
        bal = derive.balance(m)
        if bal > 0 or status in ("02", "03", "22", "26"):
            out.append(f"  MFT {m.mft} {m.period} STATUS {status} BALANCE {money(bal)}"
                       + (" STAUP" if m.stop_notice_weeks else ""))
    if ics.tc136_on_file(ent):
        out.append("TC 136 ON FILE (FTD ALERTS SUPPRESSED)")
    return out


@handles("ICSFC")
def ics_fcc(ctx: Context) -> Display | Refusal:
    """The Full Compliance Check (IRM 5.7.1.6; required at closing, 5.7.1.9(8))."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "FULL COMPLIANCE CHECK"
    labels = ("DEPOSITOR", "DEPOSITS", "RETURNS", "BALANCES")
    if not _submitted(ctx, labels):
        return _blank_form(ctx, ent, case, "ICSFC", "ics_fcc", title, labels, _idrs_facts(ent, case, ctx.today))
    depositor = ctx.value("DEPOSITOR").upper()
    if depositor not in ("S", "M"):
        return _refuse(ctx, "DEPOSITOR", "DEPOSITOR MUST BE S OR M", case)
    answers = {}
    for label in labels[1:]:
        answer = ctx.value(label).upper()
        if answer not in ("Y", "N"):
            return _refuse(ctx, label, f"{label} MUST BE Y OR N", case)
        answers[label.lower()] = answer
    entry = {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "depositor": depositor, **answers}
    ics.push(case, "fcc", entry)
    full = ics.fcc_full(entry)
    ics.add_history(case, ctx.today, ctx.idrs,
                    f"FULL COMPLIANCE CHECK: DEPOSITOR {'SEMIWEEKLY' if depositor == 'S' else 'MONTHLY'}, DEPOSITS "
                    f"{answers['deposits']}, RETURNS {answers['returns']}, BALANCES {answers['balances']} - "
                    + ("FULL COMPLIANCE" if full else "NOT IN FULL COMPLIANCE"))
    return _done(ctx, ent, case, "ICSFC", "ics_fcc", title,
                 "FULL COMPLIANCE" if full else "NOT IN FULL COMPLIANCE", _idrs_facts(ent, case, ctx.today),
                 dict.fromkeys(labels, ""))


def _deposit_lines(ent: Entity, case: IcsCase) -> tuple[list[str], int, Decimal]:
    lines, count, total = [], 0, Decimal("0.00")
    for m in ent.modules:
        if m.mft != case.mft or m.period < case.period:
            continue
        for t in m.transactions:
            if t.tc in (650, 670) and t.status in (POSTED, PENDING):
                amt = abs(Decimal(t.amount or 0))
                state = "PN" if t.status == PENDING else "  "
                lines.append(f"{m.period} TC {t.tc} {state} {(t.trans_date.strftime('%m%d%Y') if t.trans_date else ''):<8} "
                             f"{money(amt):>14}")
                if t.tc == 650:
                    count += 1
                    total += amt
    return lines or ["NO DEPOSITS ON IDRS FOR THE ALERT QUARTER OR LATER QUARTERS"], count, total


@handles("ICSFV")
def ics_ftdv(ctx: Context) -> Display | Refusal:
    """FTD Verification: document deposits for the alert and later quarters (IRM 5.7.1.7)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "FTD VERIFICATION"
    lines, count, total = _deposit_lines(ent, case)
    results = config.ics_data().get("ftd_verification") or {}
    if not _submitted(ctx, ("RESULT",)):
        return _blank_form(ctx, ent, case, "ICSFV", "ics_ftdv", title, ("RESULT",), lines)
    result = ctx.value("RESULT")
    if digits_value(result) not in results:
        return _refuse(ctx, "RESULT", "RESULT MUST BE 1-4", case)
    ics.push(case, "ftdv", {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "result": int(result),
                            "deposits": count, "total": f"{total:.2f}"})
    ics.add_history(case, ctx.today, ctx.idrs,
                    f"FTD VERIFICATION: {count} DEPOSITS {money(total)} SINCE {case.period} - {results[int(result)]}")
    return _done(ctx, ent, case, "ICSFV", "ics_ftdv", title, results[int(result)], lines, {"RESULT": ""})


# --- letters (IRM 5.7.1.5, 5.7.1.6) ---------------------------------------------------------------------

LETTER_TITLES = {
    "5857": "FTD ALERT APPOINTMENT LETTER",
    "5664": "FTD ALERT FIELD CONTACT LETTER",
    "725-B": "NOTICE OF APPOINTMENT",
    "5427": "INCOMPLETE POWER OF ATTORNEY",
    "937": "TRANSMITTAL LETTER FOR POWER OF ATTORNEY",
}


def _letter_name(text: str) -> str:
    t = text.strip().upper().replace(" ", "")
    return {"725B": "725-B", "L5857": "5857"}.get(t, t)


def _record_letter(ctx: Context, ent: Entity, case: IcsCase, name: str) -> None:
    ctx.db.add(Letter(entity=ent, letter=name, period=case.period, date=ctx.today, idrs=ctx.idrs, on_idrs=False))


def _parse_time(text: str) -> str | None:
    return text if re.fullmatch(r"([01][0-9]|2[0-3])[0-5][0-9]", text or "") else None


@handles("ICSLT")
def ics_letter(ctx: Context) -> Display | Refusal:
    """Letters 5857 (table from IDRS; copies with 937 to representatives on CFINK), 5664,
    725-B only with 5427 (never in place of 5857) -- IRM 5.7.1.5, 5.7.1.6."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "LETTERS"
    labels = ("LETTER", "MEET", "APPT-DT", "APPT-TM", "WITH")
    if not _submitted(ctx, labels):
        menu = [f"{k:<6} {t}" for k, t in LETTER_TITLES.items() if k != "937"]
        menu += ["", "LETTER 5857 TABLE FROM IDRS:"] + table_lines(letter_5857_table(ent, case.mft, case.period))
        return _blank_form(ctx, ent, case, "ICSLT", "ics_letter", title, labels, menu)
    name = _letter_name(ctx.value("LETTER"))
    with_ = _letter_name(ctx.value("WITH"))
    meet = ctx.value("MEET").upper()
    appt_text, tm_text = ctx.value("APPT-DT"), ctx.value("APPT-TM")
    if name not in LETTER_TITLES:
        return _refuse(ctx, "LETTER", "INVALID LETTER FOR AN FTD ALERT", case)
    if name == "937":
        return _refuse(ctx, "LETTER", "LETTER 937 GOES ONLY WITH A COPY OF LETTER 5857", case)
    if name == "725-B" and with_ != "5427":
        return _refuse(ctx, "LETTER", NO_725B_FOR_5857, case)
    appt: dt.date | None = None
    if appt_text:
        appt = v.parse_mmddyyyy(appt_text)
        if appt is None:
            return _refuse(ctx, "APPT-DT", v.INVALID_DATE, case)
        if appt < ctx.today:
            return _refuse(ctx, "APPT-DT", "APPOINTMENT DATE BEFORE TODAY", case)
    lines: list[str] = []
    summary = ""
    entry: dict[str, Any] = {"letter": name, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if name == "5857":
        if meet not in ("T", "P"):
            return _refuse(ctx, "MEET", "MEETING TYPE MUST BE T (TELEPHONE) OR P (IN PERSON)", case)
        if meet == "P" and not _letters(case, "5857"):
            return _refuse(ctx, "MEET", "INITIAL CONTACT MUST BE BY TELEPHONE - MEET>T", case)
        if appt is None:
            return _refuse(ctx, "APPT-DT", "APPOINTMENT DATE REQUIRED", case)
        tm = _parse_time(tm_text)
        if tm is None:
            return _refuse(ctx, "APPT-TM", "APPOINTMENT TIME REQUIRED - HHMM", case)
        rows = letter_5857_table(ent, case.mft, case.period)
        covering, other = poa_for_period(ent, case.period)
        kind = "TELEPHONE" if meet == "T" else "IN PERSON"
        summary = f"{kind} {_fmt(appt)} {tm[:2]}:{tm[2:]}"
        entry.update(meet=kind, appointment=f"{appt.isoformat()} {tm[:2]}:{tm[2:]}", summary=summary,
                     table=[{"row": r.label, "period": r.period, "tax": None if r.tax is None else f"{r.tax:.2f}",
                             "deposits": None if r.deposits is None else f"{r.deposits:.2f}",
                             "penalties": None if r.penalties is None else f"{r.penalties:.2f}"} for r in rows],
                     copies=[{"name": p.get("name"), "form": p.get("form"), "caf": p.get("caf")} for p in covering])
        _record_letter(ctx, ent, case, "5857")
        lines += [f"LETTER 5857 {LETTER_TITLES['5857']}  DATE {_fmt(ctx.today)}",
                  f"TO: {(ent.name_lines or [''])[0]}  {' '.join(ent.address or [])}"[:79],
                  f"MEETING TYPE: {kind}{' (INITIAL CONTACT)' if not _letters(case, '5857') else ''}",
                  f"THE REVENUE OFFICER WILL CALL ON {_fmt(appt)} AT {tm[:2]}:{tm[2:]}"]
        lines += table_lines(rows)
        ics.add_history(case, ctx.today, ctx.idrs, f"LETTER 5857 ISSUED - {summary} APPOINTMENT - TABLE: "
                        + "; ".join(f"{r.label} {r.period_end:%m-%d-%Y} DEPOSITS {money(r.deposits) or 'N/A'}"
                                    for r in rows))
        for p in covering:
            _record_letter(ctx, ent, case, "937")
            text = (f"COPY OF LETTER 5857 WITH LETTER 937 MAILED TO {p.get('name')} "
                    f"(FORM {p.get('form')}, CAF {p.get('caf')})")
            lines += wrap(text)
            ics.add_history(case, ctx.today, ctx.idrs, text)
        for p in other:
            text = (f"{p.get('name')} (FORM {p.get('form')}) NOT AUTHORIZED FOR {case.period} - VALIDATE "
                    "REPRESENTATION (725-B WITH 5427)")
            lines += wrap(text)
            ics.add_history(case, ctx.today, ctx.idrs, text)
        if any(p.get("form") == "8821" for p in covering):
            lines += wrap("FORM 8821 APPOINTEE MAY RECEIVE INFORMATION ONLY - NO REPRESENTATION OR NEGOTIATION")
    elif name == "5664":
        rows = letter_5664_table(ent, case.mft, case.period)
        summary = f"FIELD VISIT {_fmt(appt)}" if appt else "FIELD CONTACT"
        entry.update(summary=summary, table=[{"row": r.label, "period": r.period,
                                              "tax": None if r.tax is None else f"{r.tax:.2f}",
                                              "deposits": None if r.deposits is None else f"{r.deposits:.2f}",
                                              "penalties": None if r.penalties is None else f"{r.penalties:.2f}"}
                                             for r in rows])
        _record_letter(ctx, ent, case, "5664")
        lines += [f"LETTER 5664 {LETTER_TITLES['5664']}  DATE {_fmt(ctx.today)}  {summary}"]
        lines += table_lines(rows, tax_header="TAX RETURN")
        lines.append("MAY BE LEFT IN A SEALED ENVELOPE ADDRESSED TO THE TAXPAYER AT THE BUSINESS")
        ics.add_history(case, ctx.today, ctx.idrs, f"LETTER 5664 PREPARED - {summary} - TABLE: "
                        + "; ".join(f"{r.label} {r.period_end:%m-%d-%Y} TAX {money(r.tax) or 'N/A'} DEPOSITS "
                                    f"{money(r.deposits) or 'N/A'}" for r in rows))
    elif name == "725-B":
        summary = "WITH LETTER 5427 - REPRESENTATION VALIDATION"
        entry.update(summary=summary, with_="5427")
        _record_letter(ctx, ent, case, "725-B")
        _record_letter(ctx, ent, case, "5427")
        ics.push(case, "letters", {"letter": "5427", "date": ctx.today.isoformat(), "idrs": ctx.idrs,
                                   "summary": "WITH LETTER 725-B"})
        lines += wrap("LETTERS 725-B AND 5427 ISSUED: APPOINTMENT TO VALIDATE REPRESENTATION (NOT AN "
                      "INVESTIGATIVE CONTACT)")
        ics.add_history(case, ctx.today, ctx.idrs, "LETTERS 725-B AND 5427 ISSUED - REPRESENTATION VALIDATION "
                        "(NOT AN INVESTIGATIVE CONTACT; DOES NOT REPLACE LETTER 5857)")
    else:  # 5427 alone
        summary = "INCOMPLETE POWER OF ATTORNEY"
        entry.update(summary=summary)
        _record_letter(ctx, ent, case, "5427")
        lines.append("LETTER 5427 INCOMPLETE POWER OF ATTORNEY ISSUED")
        ics.add_history(case, ctx.today, ctx.idrs, "LETTER 5427 ISSUED - INCOMPLETE POWER OF ATTORNEY")
    ics.push(case, "letters", entry)
    ctx.db.flush()
    return _done(ctx, ent, case, "ICSLT", "ics_letter", title, f"LETTER {name} ISSUED", lines, dict.fromkeys(labels, ""))


# --- requests (TC 136, Form 4844, assignment, CIS, enforcement) -----------------------------------------

REQUESTS = {
    "TC136": "REQUEST INPUT OF TC 136 (SUPPRESS FUTURE FTD ALERTS)",
    "4844": "FORM 4844 REQUEST FOR TERMINAL ACTION: TC 591 CC 50",
    "ASSIGN": "REQUEST ASSIGNMENT OF A MODULE (MOD-MFT> MOD-PRD>)",
    "ACSXFER": "ACS SUPPORT LIAISON: TRANSFER OF A STATUS 22 MODULE",
    "CIS": "COLLECTION INFORMATION STATEMENT",
    "ENFORCE": "DEMAND / ENFORCED COLLECTION ACTION",
}


def _insolvency_cleared(case: IcsCase) -> bool:
    return any(i.get("act") == "CLEAR" for i in ics.items(case, "insolvency"))


@handles("ICSRQ")
def ics_request(ctx: Context) -> Display | Refusal:
    """Requests from the case: TC 136 (5.7.1.6, 5.7.1.9), Form 4844 TC 591 CC 50 (5.7.1.6,
    5.7.1.8), assignment / STAUP alternative (5.7.1.9), ACS transfer (5.7.1.5), CIS and
    enforcement -- blocked in bankruptcy without Insolvency's clearance (5.7.1.5)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "REQUESTS"
    labels = ("REQ", "MOD-MFT", "MOD-PRD", "NOTE")
    if not _submitted(ctx, labels):
        lines = [f"{k:<8} {t}" for k, t in REQUESTS.items()] + _idrs_facts(ent, case, ctx.today)
        return _blank_form(ctx, ent, case, "ICSRQ", "ics_request", title, labels, lines)
    req = ctx.value("REQ").upper()
    note = ctx.value("NOTE").upper()
    if req not in REQUESTS:
        return _refuse(ctx, "REQ", "INVALID REQUEST", case)
    entry: dict[str, Any] = {"req": req, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    module = ics.alert_module(ent, case)
    if req == "TC136":
        if ics.tc136_on_file(ent):
            return _refuse(ctx, "REQ", "TC 136 ALREADY ON FILE", case)
        txn = new_pending(ctx, ent, None, 136, extra={"requested_via": "ICS", "alert": f"{case.mft} {case.period}"})
        entry["text"] = f"TC 136 PENDING, POSTS CYCLE {txn.due_cycle}"
    elif req == "4844":
        if ics.tc591_cc50(ent):
            return _refuse(ctx, "REQ", "TC 591 CC 50 ALREADY ON FILE", case)
        if module is None:
            return _refuse(ctx, "REQ", NO_ALERT_MODULE, case)
        txn = new_pending(ctx, ent, module, 591, ac=50, extra={"cc": 50, "form": "4844", "requested_via": "ICS"})
        entry["text"] = f"TC 591 CC 50 ON {case.mft} {case.period} PENDING, POSTS CYCLE {txn.due_cycle}"
    elif req in ("ASSIGN", "ACSXFER"):
        mft, period = ctx.value("MOD-MFT") or case.mft, ctx.value("MOD-PRD") or case.period
        target = ent.module(mft, period)
        if target is None:
            return _refuse(ctx, "MOD-PRD", "MODULE NOT ON IDRS", case)
        status = derive.module_status(target)
        if req == "ASSIGN" and status == "22":
            return _refuse(ctx, "REQ", "MODULE IN STATUS 22 (ACS) - REQ>ACSXFER TO THE ACS SUPPORT LIAISON", case)
        if req == "ACSXFER" and status != "22":
            return _refuse(ctx, "MOD-PRD", "MODULE NOT IN STATUS 22", case)
        entry.update(mft=mft, period=period, text=f"MFT {mft} {period} STATUS {status}")
    else:  # CIS, ENFORCE
        if ics.in_bankruptcy(ent) and not _insolvency_cleared(case):
            return _refuse(ctx, "REQ", AUTOMATIC_STAY, case)
        entry["text"] = ""
    if note:
        entry["note"] = note
    ics.push(case, "requests", entry)
    ics.add_history(case, ctx.today, ctx.idrs, f"{REQUESTS[req]} - {entry.get('text', '')}".rstrip(" -")
                    + (f" - {note}" if note else ""))
    return _done(ctx, ent, case, "ICSRQ", "ics_request", title, f"{req} REQUESTED {entry.get('text', '')}".strip(),
                 _history_lines(case), dict.fromkeys(labels, ""))


# --- closing (IRM 5.7.1.9) ---------------------------------------------------------------------------------


def _visible_codes(ctx: Context) -> list[config.ClosingCode]:
    """The closing options this user sees: Alert Erroneously Created only for GM and IQA."""
    return [c for c in config.closing_codes() if v.has_role(ctx.employee.roles, list(c.roles))]


@handles("ICSCL")
def ics_close(ctx: Context) -> Display | Refusal:
    """Close an FTD Alert: a code this user may select, a closing narrative, the Full
    Compliance Check and the code's own conditions (ics.cases.closing_problem)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "CLOSE FTD ALERT"
    labels = ("CC", "APPROVAL", "NARR")
    visible = _visible_codes(ctx)
    if not _submitted(ctx, labels):
        lines = ["CLOSING OPTIONS:"] + [f"  {c.n} {c.code}" for c in visible]
        for a in ics.items(case, "approvals"):
            lines.append(f"ANALYST CONCURRENCE ON FILE: {a.get('id')} {_fmt(ics.as_date(a.get('date')))}")
        return _blank_form(ctx, ent, case, "ICSCL", "ics_close", title, labels, lines)
    typed = ctx.value("CC")
    code = config.closing_code(typed)
    if code is None:
        return _refuse(ctx, "CC", INVALID_CC if typed else "CLOSING CODE REQUIRED", case)
    if code not in visible:
        return _refuse(ctx, "CC", NOT_AUTHORIZED_CC, case, is_violation=True)
    narrative = ctx.value("NARR").upper()
    ref = ctx.value("APPROVAL")
    problem = ics.closing_problem(case, ent, code, narrative, ref)
    if problem is not None:
        return _refuse(ctx, problem[0], problem[1], case)
    extra_history: list[str] = []
    if code.analyst_approval:
        a = ics.approval(case, ref) or {}
        extra_history.append(f"FTD ALERT PROGRAM ANALYST APPROVAL EMAIL {a.get('id')} OF "
                             f"{_fmt(ics.as_date(a.get('date')))} FROM {a.get('idrs')} COPIED INTO HISTORY: "
                             f"{a.get('reason', '')}" + (f" - {a['note']}" if a.get("note") else ""))
        ics.put(case, hq_tracked=True)
    else:
        fcc = ics.latest_fcc(case)
        extra_history.append(f"FULL COMPLIANCE CHECK OF {_fmt(ics.as_date(fcc.get('date')) if fcc else None)} "
                             "CONFIRMED AT CLOSING")
        if code.code == "Bal Due/Del Ret Received":
            stauped = ics.staup_modules(ent)
            if stauped:
                extra_history.append("STAUP INPUT VERIFIED ON IDRS: " + ", ".join(
                    f"MFT {m.mft} {m.period} UNTIL CYCLE {m.stop_notice_until}" for m in stauped))
    ics.close_case(case, ctx.today, ctx.idrs, code.code, narrative, extra_history=extra_history)
    status = f"CLOSED {code.code.upper()}"
    if code.code == "Bal Due/Del Ret Received":
        status += " - CREATE THE ICS ONLY BAL DUE/DEL RET (ICSMD)"
    return _done(ctx, ent, case, "ICSCL", "ics_close", title, status[:79], _history_lines(case),
                 dict.fromkeys(labels, ""))


# --- the FTD Alert Program Analyst ---------------------------------------------------------------------


def _reason_holds(ent: Entity, check: str | None) -> str | None:
    """A literal when IDRS does not show what the reason claims (A.11 examples)."""
    if check == "status26" and not any(derive.module_status(m) == "26" for m in ent.modules):
        return "IDRS DOES NOT SHOW STATUS 26 FOR THIS TAXPAYER"
    if check == "status72" and not any(derive.module_status(m) == "72" for m in ent.modules):
        return "IDRS DOES NOT SHOW STATUS 72 FOR THIS TAXPAYER"
    if check == "tc914":
        txns = list(ent.entity_transactions) + [t for m in ent.modules for t in m.transactions]
        if not any(t.tc in (914, 916) for t in derive.unreversed(txns)):
            return "IDRS DOES NOT SHOW TC 914/916"
    return None


@handles("ICSAP")
def ics_approve(ctx: Context) -> Display | Refusal:
    """The FTD Alert Program Analyst's emailed concurrence for Alert Erroneously Created
    (IRM 5.7.1.5, 5.7.1.9); ICS shows its number for the GM to copy into history."""
    found = _target(ctx, may_work=False)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "FTD ALERT PROGRAM ANALYST"
    reasons = config.ics_data().get("erroneous_reasons") or {}
    if not _submitted(ctx, ("REASON", "NOTE")):
        lines = ["REASONS FOR ALERT ERRONEOUSLY CREATED:"] + [f"  {k} {r['text']}" for k, r in reasons.items()]
        return _blank_form(ctx, ent, case, "ICSAP", "ics_approve", title, ("REASON", "NOTE"),
                           lines + ["--- CASE HISTORY ---"] + _history_lines(case))
    reason = ctx.value("REASON")
    if digits_value(reason) not in reasons:
        return _refuse(ctx, "REASON", "INVALID REASON", case)
    r = reasons[int(reason)]
    problem = _reason_holds(ent, r.get("check"))
    if problem:
        return _refuse(ctx, "REASON", problem, case)
    n = len(ics.items(case, "approvals")) + 1
    ref = f"FTDA{case.id:05d}{n:02d}"
    note = ctx.value("NOTE").upper()
    ics.push(case, "approvals", {"id": ref, "date": ctx.today.isoformat(), "idrs": ctx.idrs, "reason": r["text"],
                                 **({"note": note} if note else {})})
    status = f"CONCURRENCE {ref} EMAILED TO THE GM"
    return _done(ctx, ent, case, "ICSAP", "ics_approve", title, status,
                 [f"CONCURRENCE {ref}: {r['text']}", "THE GM COPIES THIS APPROVAL INTO THE ICS HISTORY WHEN CLOSING "
                  "(ICSCL CC>6 APPROVAL>" + ref + ")"], {"REASON": "", "NOTE": ""})


# --- transfer (IRM 5.7.1.10) ---------------------------------------------------------------------------------


def _area(asgn: str) -> str:
    return asgn[:2]


@handles("ICSTR")
def ics_transfer(ctx: Context) -> Display | Refusal:
    """Collection Activities > Transfer option E to the receiving RO's assignment number; the
    business itself must be located in the receiving area; the GM approves."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "TRANSFER - OPTION E"
    labels = ("OPT", "ACK", "ASGN", "BUS-ST", "APPROVE", "F3210")
    areas = config.ics_data().get("areas") or {}
    pending = (case.extra or {}).get("transfer") or {}
    if not _submitted(ctx, labels):
        lines = ["OPTION E  TRANSFER NON-BAL DUE/DEL RET INVENTORY", "AREAS:"]
        lines += [f"  {k} {a.get('name')}: {' '.join(a.get('states') or [])}" for k, a in areas.items()]
        if pending:
            lines.append(f"TRANSFER TO {pending.get('asgn')} {str(pending.get('status')).upper()}")
        return _blank_form(ctx, ent, case, "ICSTR", "ics_transfer", title, labels, lines)
    approve = ctx.value("APPROVE").upper()
    if approve:
        allowed = config.ics_data().get("transfer_approval_roles") or ["gm"]
        if not v.has_role(ctx.employee.roles, allowed):
            return _refuse(ctx, "APPROVE", APPROVE_NOT_AUTHORIZED, case, is_violation=True)
        if pending.get("status") != "pending":
            return _refuse(ctx, "APPROVE", "NO TRANSFER PENDING APPROVAL", case)
        if approve not in ("Y", "N"):
            return _refuse(ctx, "APPROVE", "APPROVE MUST BE Y OR N", case)
        if approve == "N":
            ics.put(case, transfer={**pending, "status": "rejected", "decided": ctx.today.isoformat()})
            ics.add_history(case, ctx.today, ctx.idrs, f"TRANSFER TO {pending.get('asgn')} NOT APPROVED BY GM")
            return _done(ctx, ent, case, "ICSTR", "ics_transfer", title, "TRANSFER NOT APPROVED",
                         _history_lines(case), dict.fromkeys(labels, ""))
        receiver = _employee(ctx, pending.get("to"))
        previous = case.assigned
        case.assigned = pending.get("to")
        case.assigned_date = ctx.today
        ics.put(case, group=(receiver.unit if receiver else ics.group_of(case)),
                transfer={**pending, "status": "approved", "decided": ctx.today.isoformat()})
        ics.add_history(case, ctx.today, ctx.idrs, f"TRANSFER APPROVED BY GM - FTD ALERT TRANSFERRED FROM {previous} "
                        f"TO ASSIGNMENT {pending.get('asgn')} ({pending.get('to')})")
        return _done(ctx, ent, case, "ICSTR", "ics_transfer", title, f"TRANSFERRED TO {pending.get('asgn')}",
                     _history_lines(case), dict.fromkeys(labels, ""))
    if pending.get("status") == "pending":
        return _refuse(ctx, "OPT", "TRANSFER ALREADY PENDING GM APPROVAL", case)
    if ctx.value("OPT").upper() != "E":
        return _refuse(ctx, "OPT", "SELECT OPTION E - TRANSFER NON-BAL DUE/DEL RET INVENTORY", case)
    if ctx.value("ACK").upper() != "Y":
        return _refuse(ctx, "ACK", "CHECK ACKNOWLEDGE ALERTS (ACK>Y)", case)
    asgn = ctx.value("ASGN")
    if not asgn:
        return _refuse(ctx, "ASGN", "RECEIVING RO ASSIGNMENT NUMBER REQUIRED", case)
    receiver = ics.employee_for_assignment(ctx.db, asgn)
    if receiver is None or "ro" not in (receiver.roles or []):
        return _refuse(ctx, "ASGN", "INVALID ASSIGNMENT NUMBER - NOT A REVENUE OFFICER", case)
    here = _area(ics.assignment_number(case.assigned))
    if _area(asgn) == here:
        return _refuse(ctx, "ASGN", "RECEIVING RO IS IN THIS AREA - NOT A TRANSFER", case)
    state = ctx.value("BUS-ST").upper()
    if not state:
        return _refuse(ctx, "BUS-ST", "STATE OF THE BUSINESS LOCATION REQUIRED", case)
    if state not in ((areas.get(_area(asgn)) or {}).get("states") or []):
        return _refuse(ctx, "BUS-ST", "BUSINESS NOT LOCATED IN THE RECEIVING AREA", case)
    address = ctx.value("F3210").upper()
    if not address:
        return _refuse(ctx, "F3210", "FORM 3210 MAILING ADDRESS REQUIRED", case)
    ics.put(case, transfer={"status": "pending", "asgn": asgn, "to": receiver.idrs, "state": state,
                            "form3210": address, "date": ctx.today.isoformat(), "by": ctx.idrs})
    ics.add_history(case, ctx.today, ctx.idrs,
                    f"TRANSFER OPTION E (TRANSFER NON-BAL DUE/DEL RET INVENTORY), ACKNOWLEDGE ALERTS, TO ASSIGNMENT "
                    f"{asgn} ({receiver.name}); BUSINESS LOCATED IN {state}; FORM 3210 TO {address}; RECEIVING OFFICE "
                    "CALLED - GM ALERTED OF PENDING APPROVAL")
    return _done(ctx, ent, case, "ICSTR", "ics_transfer", title, f"TRANSFER TO {asgn} PENDING GM APPROVAL",
                 _history_lines(case), dict.fromkeys(labels, ""))


# --- ICS-only modules (IRM 5.7.1.9) --------------------------------------------------------------------------


@handles("ICSMD")
def ics_module(ctx: Context) -> Display | Refusal:
    """Create an ICS-only Bal Due / Del Ret (or prompt-assess Bal Due); on the FTD Alert
    module only after the alert is closed (IRM 5.7.1.9)."""
    ent = _entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if not mft or not period:
        return _refuse(ctx, None, "INVALID MFT" if not mft else "INVALID TAX PERIOD")
    kinds = config.ics_data().get("ics_only_kinds") or {}
    cases = list(ctx.db.scalars(select(IcsCase).where(IcsCase.tin == ent.tin, IcsCase.mft == mft,
                                                       IcsCase.period == period).order_by(IcsCase.id)))
    alerts = [c for c in cases if c.kind == ics.ALERT]
    shown = max(alerts, key=lambda c: (c.status == "open", c.id)) if alerts else IcsCase(
        tin=ent.tin, mft=mft, period=period, kind="ICS-ONLY", status="open", history=[], extra={})
    title = "ICS ONLY MODULE"
    if not _submitted(ctx, ("KIND",)):
        ctx.outcome = f"ICSMD SCREEN {ent.tin} {mft} {period}"
        lines = [f"{k}  {k_['text']}" for k, k_ in kinds.items()]
        return Display("ics_module", _head(ctx, ent, shown, "ICSMD", title, KIND=""), lines)
    kind = ctx.value("KIND").upper()
    if kind not in kinds:
        return _refuse(ctx, "KIND", "KIND MUST BE BD, DR OR PA")
    open_alert = [c for c in alerts if c.status == "open"]
    if open_alert:
        return _refuse(ctx, "KIND", ALERT_OPEN_ON_MODULE, open_alert[0])
    spec = kinds[kind]
    if any(c.kind == spec["kind"] and c.status == "open" for c in cases):
        return _refuse(ctx, "KIND", f"{spec['kind']} ALREADY OPEN ON ICS FOR THIS MODULE")
    group = ics.group_of(alerts[-1]) if alerts else (ctx.employee.unit or config.model().default_group)
    new = IcsCase(tin=ent.tin, mft=mft, period=period, kind=spec["kind"], status="open", assigned=ctx.idrs,
                  opened=ctx.today, assigned_date=ctx.today, history=[],
                  extra={"group": group, "ics_only": True, **({"prompt_assess": True} if spec.get("prompt_assess") else {})})
    ics.add_history(new, ctx.today, ctx.idrs, f"{spec['text']} CREATED ON ICS" +
                    (f" AFTER FTD ALERT CLOSED {alerts[-1].closing_code}" if alerts else ""))
    ctx.db.add(new)
    ctx.db.flush()
    ctx.outcome = f"ICSMD {spec['kind']} CREATED {ent.tin} {mft} {period}"
    values = _head(ctx, ent, new, "ICSMD", title, f"{spec['text']} CREATED", KIND="")
    return Display("ics_module", values, _history_lines(new), message=REQUEST_COMPLETED)


# --- Insolvency (IRM 5.7.1.5) -------------------------------------------------------------------------------


@handles("ICSIN")
def ics_insolvency(ctx: Context) -> Display | Refusal:
    """Insolvency on an alert in bankruptcy: MONITOR (monitoring compliance; TC 136 requested)
    or CLEAR (the collection action will not violate the automatic stay)."""
    found = _target(ctx, may_work=False)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "INSOLVENCY"
    if not _submitted(ctx, ("ACT",)):
        return _blank_form(ctx, ent, case, "ICSIN", "ics_insolv", title, ("ACT",), _history_lines(case))
    act = ctx.value("ACT").upper()
    if act not in ("MONITOR", "CLEAR"):
        return _refuse(ctx, "ACT", "ACT MUST BE MONITOR OR CLEAR", case)
    if not ics.in_bankruptcy(ent):
        return _refuse(ctx, "ACT", "NO BANKRUPTCY ON IDRS FOR THIS TAXPAYER", case)
    entry: dict[str, Any] = {"act": act, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if act == "MONITOR":
        text = "INSOLVENCY IS MONITORING THE TAXPAYER'S COMPLIANCE"
        if not ics.tc136_on_file(ent):
            txn = new_pending(ctx, ent, None, 136, extra={"requested_via": "INSOLVENCY",
                                                          "alert": f"{case.mft} {case.period}"})
            text += f" - TC 136 REQUESTED, POSTS CYCLE {txn.due_cycle}"
            ics.push(case, "requests", {"req": "TC136", "date": ctx.today.isoformat(), "idrs": ctx.idrs,
                                        "text": f"BY INSOLVENCY, POSTS CYCLE {txn.due_cycle}"})
        else:
            text += " - TC 136 ALREADY ON FILE"
    else:
        text = "INSOLVENCY: COLLECTION ACTION WILL NOT VIOLATE THE AUTOMATIC STAY (11 USC 362)"
    ics.push(case, "insolvency", entry)
    ics.add_history(case, ctx.today, ctx.idrs, text)
    return _done(ctx, ent, case, "ICSIN", "ics_insolv", title, act + " RECORDED", _history_lines(case), {"ACT": ""})


__all__ = [
    "ics_main", "ics_hold", "ics_assign", "ics_history", "ics_subcode", "ics_contact", "ics_cause", "ics_fcc",
    "ics_ftdv", "ics_letter", "ics_request", "ics_close", "ics_approve", "ics_transfer", "ics_module",
    "ics_insolvency",
]
