"""ICS screen ICSRQ: requests from the case -- TC 136, Form 4844 (TC 591 CC 50), module
assignment, ACS transfer, CIS, enforcement (IRM 5.7.1.6, 5.7.1.9).

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

from typing import Any

from ..commands import handles
from ..ics import cases as ics
from ..masterfile import derive
from ..masterfile.models import IcsCase
from ..rules import ftd_evidence
from .base import Context, Display, Refusal
from .ics import (
    AUTOMATIC_STAY,
    NO_ALERT_MODULE,
    _blank_form,
    _done,
    _history_lines,
    _refuse,
    _submitted,
    _target,
)
from .ics_contact import _idrs_facts
from .input_pending import new_pending

__all__ = ["ics_request"]

# --- requests (TC 136, Form 4844, assignment, CIS, enforcement) -----------------------------------------

REQUESTS = {
    "TC136": "REQUEST INPUT OF TC 136 (SUPPRESS FUTURE FTD ALERTS)",
    "4844": "FORM 4844 REQUEST FOR TERMINAL ACTION: TC 591 CC 50",
    "ASSIGN": "REQUEST ASSIGNMENT OF A MODULE (MOD-MFT> MOD-PRD>)",
    "ACSXFER": "ACS SUPPORT LIAISON: TRANSFER OF A STATUS 22 MODULE",
    "CIS": "COLLECTION INFORMATION STATEMENT",
    "ENFORCE": "DEMAND / ENFORCED COLLECTION ACTION",
    "BALDUE": "ALERT QTR 941 SECURED NOT FULLY PAID (PRE-ASSESSED/PROMPT ASSESS)",
    "NOENF": "NO ENFORCEMENT, UNFILED ALERT QTR 941 (ICS ONLY DEL RET; NOTE> WHY)",
}


def _insolvency_cleared(case: IcsCase) -> bool:
    return any(i.get("act") == "CLEAR" for i in ics.items(case, "insolvency"))


@handles("ICSRQ")
def ics_request(ctx: Context) -> Display | Refusal:
    """Requests from the case: TC 136 (5.7.1.6, 5.7.1.9), Form 4844 TC 591 CC 50 (5.7.1.6,
    5.7.1.8), assignment / STAUP alternative (5.7.1.9), ACS transfer (5.7.1.5), CIS and
    enforcement -- blocked in bankruptcy without Insolvency's clearance (5.7.1.5) -- and the RO's
    determinations on the alert-quarter 941 that close Bal Due/Del Ret Received: BALDUE
    (secured without full payment, 5.7.1.9), NOENF (no enforcement, unfiled, 5.7.1.8)."""
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
        if req == "ASSIGN":
            balance = derive.balance(target)
            problem = ftd_evidence.assignment_problem(status, balance)
            if problem is not None:
                return _refuse(ctx, "MOD-PRD", problem, case)
            entry["kind"] = ftd_evidence.assignable_kind(status, balance)
        entry.update(mft=mft, period=period, text=f"MFT {mft} {period} STATUS {status}")
    elif req == "BALDUE":  # IRM 5.7.1.9; decision FTD-R13
        problem = ftd_evidence.unpaid_return_problem(return_secured=ics.return_secured(module),
                                                     posted_balance=ics.posted_return_balance(module))
        if problem is not None:
            return _refuse(ctx, "REQ", problem, case)
        entry["text"] = f"{case.mft} {case.period} - THEN ICSCL CC>5, ICSMD KIND>PA"
    elif req == "NOENF":  # IRM 5.7.1.8, 5.1.11.7.1; decision FTD-R13
        problem = ftd_evidence.no_enforcement_problem(
            return_secured=ics.return_secured(module), period=case.period, today=ctx.today,
            contact_types=ics.contact_types(case), reason=note)
        if problem is not None:
            return _refuse(ctx, "NOTE" if problem == ftd_evidence.DETERMINATION_REQUIRED else "REQ", problem, case)
        entry["text"] = f"{case.mft} {case.period} - THEN ICSCL CC>5, ICSMD KIND>DR"
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
