"""ICS screens: the inventory and FTD Alert Case Summary (ICS), the group hold file and
assignment (ICSHF, ICSAS: IRM 5.7.1.4), case history (ICSHI) and the sub code (ICSSC).

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

from sqlalchemy import select

from ..commands import handles
from ..ics import cases as ics
from ..ics import config
from ..masterfile.models import Entity, IcsCase
from . import validate as v
from .base import Context, Display, Refusal
from .display import money
from .ics import (
    ROLE_WORDS,
    _blank_form,
    _done,
    _employee,
    _entity,
    _find_case,
    _fmt,
    _history_lines,
    _is,
    _notification_lines,
    _refuse,
    _roles,
    _submitted,
    _target,
)

__all__ = ["ics_assign", "ics_history", "ics_hold", "ics_main", "ics_subcode"]

GROUP_NOT_AUTHORIZED = "GROUP> NOT AUTHORIZED - ANOTHER GROUP'S HOLD FILE IS FOR IQA ONLY"

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
    first = ics.first_assigned(case)
    if first and case.opened:
        days = (first - case.opened).days
        asgw = f"{days} DAYS AFTER RECEIPT - {'TIMELY' if days <= ics.ASSIGN_DAYS else 'LATE'}"
        if first != case.assigned_date:  # reassigned: the 7 days are measured on the first assignment
            asgw = f"1ST ASSIGNED {_fmt(first)} ({days} DAYS) - {'TIMELY' if days <= ics.ASSIGN_DAYS else 'LATE'}"
    elif case.opened and case.status == "open":
        asgw = "IN GROUP HOLD FILE" + (" - ASSIGNMENT OVERDUE" if due and today > due else "")
    else:
        asgw = ""
    cdue = ics.contact_due(case) if case.kind == ics.ALERT else None
    made = ics.initial_contact(case)
    if made:
        cstat = f"INITIAL CONTACT {made.get('type')} {_fmt(ics.as_date(made.get('date')))} " + \
                ("TIMELY" if made.get("timely") else "LATE")
    elif cdue and case.status != "open":  # closed: the 25-day timer stopped (decision FTD-R2)
        cstat = f"NOT MADE - TIMER CLOSED {_fmt(case.closed)}" + (
            " (WAS OVERDUE)" if case.closed and case.closed > cdue else "")
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
    """The group designation hold file: unassigned alerts, 7-calendar-day deadline.  GROUP>
    names another group's hold file: IQA and instructors only (anyone else is refused, an
    option-level violation -- never silently shown their own group instead)."""
    own, typed = ctx.employee.unit or "", ctx.value("GROUP").upper()
    if typed and typed != own.upper() and not _is(ctx, "iqa", "instructor"):
        return _refuse(ctx, "GROUP", GROUP_NOT_AUTHORIZED, is_violation=True)
    group = typed or own
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
    if previous:
        ics.reassign(case, emp.idrs, ctx.today)
    else:
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
