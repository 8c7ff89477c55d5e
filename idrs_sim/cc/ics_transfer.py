"""ICS screens: transfer (ICSTR, IRM 5.7.1.10), ICS-only modules (ICSMD, IRM 5.7.1.9) and
Insolvency (ICSIN, IRM 5.7.1.5).

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..ics import cases as ics
from ..ics import config
from ..masterfile import derive
from ..masterfile.models import IcsCase
from ..rules import ftd_alerts as ftd_rules
from ..rules import ftd_evidence
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .ics import (
    ALERT_OPEN_ON_MODULE,
    APPROVE_NOT_AUTHORIZED,
    _blank_form,
    _done,
    _employee,
    _entity,
    _head,
    _history_lines,
    _refuse,
    _submitted,
    _target,
)
from .input_pending import new_pending
from .research_elements import new_module_problem

__all__ = ["ics_insolvency", "ics_module", "ics_transfer"]

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
        ics.reassign(case, pending.get("to"), ctx.today)
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
    problem = new_module_problem(ctx, ent)
    if problem is not None:
        return _refuse(ctx, None, problem[0])
    mft, period = ctx.cmd.mft, ctx.cmd.period
    assert mft is not None and period is not None
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
    if not spec.get("prompt_assess"):
        target = ent.module(mft, period)
        owes = ftd_evidence.ics_only_problem(str(spec["kind"]), derive.balance(target) if target else Decimal(0))
        if owes is not None:
            return _refuse(ctx, "KIND", owes)
    group = ics.group_of(alerts[-1]) if alerts else (ctx.employee.unit or ftd_rules.model().default_group)
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
