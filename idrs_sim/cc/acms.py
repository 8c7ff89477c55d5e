"""ACMS, ACMSOPEN, ACMSSUB: the Appeals Case Management System screens (AP-08-1125-0028).

ACMS is beside IDRS, like ICS: ``ACMS TIN`` lists the taxpayer's appeals with the state of
each PAM support request; ``ACMS TIN APPEAL>ID`` shows one appeal: the written mediation
request, the PAM support request, its time limits, the attachments and the case action
record (MI, MO), which the mediator of an open mediation does not see (ex parte,
IRM 8.26.9.2.3.4.7).  ``ACMSOPEN`` opens the underlying appeal (refused to that mediator,
as an audit violation); ``ACMSSUB`` is the ATE's submission of the appeal for closing,
refused while a PAM support request is open.  The rules are in
`idrs_sim.rules.appeals_pam`; the other ACMS codes in `acms_intake` and `acms_pam`.
"""

from __future__ import annotations

import textwrap
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..digits import is_digits
from ..masterfile.appeals_models import Appeal
from ..masterfile.models import Employee
from ..rules import pam_codes, pam_deadlines, pam_intake, pam_literals, pam_mediation, pam_record
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .research import mark

NO_APPEALS = "NO APPEALS ON ACMS FOR THIS TIN"
APPEAL_REQUIRED = "APPEAL> REQUIRED - ACMS TIN LISTS THE APPEALS"
APPEAL_NOT_FOUND = "APPEAL NOT FOUND FOR THIS TIN"
TIN_REQUIRED = "TIN REQUIRED"


def refuse(ctx: Context, label: str | None, message: str, *, is_violation: bool = False) -> Refusal:
    """Keep the screen, mark the element (a screen field by its label, or where it was typed)."""
    if label is None:
        r = Refusal(message, marks=[mark(ctx, "code")])
    elif label in ctx.screen_values:
        r = Refusal(message, fields=[label])
    else:
        r = Refusal(message, marks=[mark(ctx, f"{label}>", fallback="end")])
    return violation(r) if is_violation else r


def appeals_of(ctx: Context, tin: str) -> list[Appeal]:
    return list(ctx.db.scalars(select(Appeal).where(Appeal.tin == tin).order_by(Appeal.number)))


def find_appeal(ctx: Context) -> Appeal | Refusal:
    """The appeal named by TIN and APPEAL> (the ACMS id)."""
    tin = ctx.cmd.tin
    if not tin:
        return refuse(ctx, None, TIN_REQUIRED)
    number = ctx.value("APPEAL").upper()
    if not number:
        return refuse(ctx, "APPEAL", APPEAL_REQUIRED)
    appeal = ctx.db.scalar(select(Appeal).where(Appeal.tin == tin, Appeal.number == number))
    if appeal is None:
        return refuse(ctx, "APPEAL", APPEAL_NOT_FOUND)
    ctx.state.last_tin = tin
    return appeal


def is_instructor(ctx: Context) -> bool:
    return "instructor" in (ctx.employee.roles or [])


def own_appeal(ctx: Context, appeal: Appeal, role: str) -> Refusal | None:
    """The ATE's actions are the appeal's ATE's, the ATM's the appeal's ATM's (audit violation)."""
    if is_instructor(ctx):
        return None
    if role == "ate" and ctx.idrs != appeal.ate:
        return refuse(ctx, "APPEAL", pam_literals.NOT_APPEAL_ATE, is_violation=True)
    if role == "atm" and ctx.idrs != appeal.atm:
        return refuse(ctx, "APPEAL", pam_literals.NOT_APPEAL_ATM, is_violation=True)
    return None


def is_mediator(ctx: Context, idrs: str) -> bool:
    emp = ctx.db.get(Employee, idrs) if is_digits(idrs, 10) else None
    return emp is not None and "mediator" in (emp.roles or [])


def _name(ctx: Context, tin: str) -> str:
    ent = ctx.entity(tin)
    return (ent.name_lines or [""])[0] if ent is not None else ""


def header(ctx: Context, appeal: Appeal, cmd: str, **extra: Any) -> dict[str, Any]:
    """The rows every ACMS appeal screen shares."""
    p = appeal.pam
    state = p.state if p is not None else "NONE"
    if p is not None and p.state == pam_codes.CLOSED and p.status:
        state = f"CLOSED {p.status}"
    return {
        "cmd": cmd,
        "date": f"{ctx.today:%m/%d/%Y}",
        "tin": appeal.tin,
        "name1": _name(ctx, appeal.tin),
        "appeal": appeal.number,
        "type": appeal.type + ("/CDP-EH" if pam_record.is_cdp(appeal) and appeal.type == "OIC" else ""),
        "status": appeal.status.upper() + (" SUBMITTED" if appeal.submitted else ""),
        "ate": appeal.ate or "",
        "atm": appeal.atm or "",
        "pam": state,
        "msg": "",
        **extra,
    }


def _d(day: Any) -> str:
    return pam_literals.mdy(day)


def detail_lines(ctx: Context, appeal: Appeal, *, show_car: bool) -> list[str]:
    """The request, the PAM support request, the case action record, time limits, attachments."""
    lines: list[str] = []
    if appeal.request_received is None:
        lines.append("NO WRITTEN MEDIATION REQUEST RECEIVED")
    else:
        lines.append(f"WRITTEN MEDIATION REQUEST RECEIVED {_d(appeal.request_received)}  INTAKE {appeal.intake or pam_codes.COMPLETE}")
        if pam_record.is_cdp(appeal):
            lines.append("  OIC IN A CDP OR EH CASE - NO MI, NO PAM SUPPORT REQUEST")
        elif not pam_record.request_eligible(appeal):
            lines.append("  NOT ELIGIBLE - APPEAL NO LONGER UNDER CONSIDERATION")
        lines += ["  " + advice for advice in pam_intake.intake_advice(appeal, appeal.intake, appeal.pam, ctx.today)]
    p = appeal.pam
    if p is not None:
        lines.append(f"PAM SUPPORT REQUEST  STATE {p.state}  OPENED {_d(p.opened)} BY {p.opened_by or ''}")
        if p.mediator:
            kind = "ASSIGNED " + _d(p.assigned) if p.assigned else "SELECTED (PROVISIONAL)"
            lines.append(f"  MEDIATOR {p.mediator} {kind}  APPROVED {_d(p.approved)}")
        if p.state == pam_codes.CLOSED:
            shown = pam_codes.STATUS_SHOWN.get(p.status or "", p.status or "")
            lines.append(f"  CLOSED {_d(p.closed)} BY {p.closed_by or ''}  {shown}")
            if p.reason:
                lines.append(f"  REASON: {p.reason}")
            if p.result:
                lines.append(f"  RESULT: {p.result}")
    lines.append("CASE ACTION RECORD")
    if not show_car:
        lines.append("  NOT AVAILABLE IN THE PAM SUPPORT REQUEST (EX PARTE)")
    elif not appeal.car:
        lines.append("  NO ENTRIES")
    else:
        for entry in appeal.car:
            lines.append(f"  {_d(entry.date)} {entry.code:<3} {entry.idrs or '':<10} {entry.text or ''}".rstrip()[:79])
    limits = pam_deadlines.deadlines(appeal, p, appeal.docs, p.closed if p is not None else None)
    if limits:
        lines.append("TIME LIMITS")
        lines += ["  " + d.line(ctx.today) for d in limits]
    if appeal.docs:
        lines.append("ATTACHMENTS AND LETTERS")
        for doc in appeal.docs:
            what = doc.kind
            if doc.kind in pam_codes.LETTER_DOCS:
                what = f"LETTER {doc.kind[1:]} {pam_codes.LETTERS[doc.kind[1:]]}"
            if doc.kind in pam_codes.LETTER_DOCS and doc.text:  # a denial letter's rationale, whole
                lines.append(f"  {_d(doc.date)} {doc.idrs or '':<10} {what}"[:79])
                parts = textwrap.wrap(doc.text, 62)
                lines += [("    RATIONALE: " if i == 0 else " " * 15) + part for i, part in enumerate(parts)]
            else:
                lines.append(f"  {_d(doc.date)} {doc.idrs or '':<10} {what} {doc.text or ''}".rstrip()[:79])
    return lines


def appeal_display(ctx: Context, appeal: Appeal, cmd: str, map_name: str = "acms_appeal", message: str = "",
                   **extra: Any) -> Display:
    show_car = not pam_mediation.mediation_open_for(appeal.pam, ctx.idrs)
    return Display(map_name, header(ctx, appeal, cmd, **extra), detail_lines(ctx, appeal, show_car=show_car),
                   message=message)


def _list_lines(appeals: list[Appeal]) -> list[str]:
    out = []
    for a in appeals:
        p = a.pam
        state = "-" if p is None else (f"CLOSED {p.status or ''}".strip() if p.state == pam_codes.CLOSED else p.state)
        kind = a.type + ("/CDP" if a.cdp and a.type == "OIC" else "")
        out.append(f"{a.number:<16} {kind:<8} {a.status.upper():<6} {a.ate or '':<10} {a.atm or '':<10} "
                   f"{_d(a.request_received) or '-':<10} {state}"[:79])
    return out


@handles("ACMS")
def acms(ctx: Context) -> Display | Refusal:
    """The taxpayer's appeals, or one appeal with its PAM support request."""
    tin = ctx.cmd.tin
    if not tin:
        return refuse(ctx, None, TIN_REQUIRED)
    if ctx.value("APPEAL"):
        appeal = find_appeal(ctx)
        if isinstance(appeal, Refusal):
            return appeal
        ctx.outcome = f"ACMS APPEAL DISPLAYED {appeal.number}"
        return appeal_display(ctx, appeal, f"ACMS {tin} APPEAL>{appeal.number}")
    appeals = appeals_of(ctx, tin)
    if not appeals:
        return refuse(ctx, None, NO_APPEALS)
    ctx.state.last_tin = tin
    ctx.outcome = f"ACMS APPEALS DISPLAYED {tin}"
    return Display("acms", {"cmd": f"ACMS {tin}", "date": f"{ctx.today:%m/%d/%Y}", "tin": tin,
                            "name1": _name(ctx, tin), "count": str(len(appeals))}, _list_lines(appeals))


@handles("ACMSOPEN")
def acms_open(ctx: Context) -> Display | Refusal:
    """Open the underlying appeal; the mediator may not until the mediation is closed."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    if pam_mediation.mediation_open_for(appeal.pam, ctx.idrs):
        ctx.outcome = f"{pam_literals.EX_PARTE}"[:80]
        return refuse(ctx, "APPEAL", pam_literals.EX_PARTE, is_violation=True)
    ctx.outcome = f"ACMS APPEAL OPENED {appeal.number}"
    return appeal_display(ctx, appeal, f"ACMSOPEN {appeal.tin} APPEAL>{appeal.number}", message=REQUEST_COMPLETED)


@handles("ACMSSUB")
def acms_submit(ctx: Context) -> Display | Refusal:
    """The ATE submits the appeal for closing approval: not while a PAM support request is open."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    refused = own_appeal(ctx, appeal, "ate")
    if refused:
        return refused
    problem = pam_mediation.check_submit_appeal(appeal, appeal.pam)
    if problem:
        return refuse(ctx, "APPEAL", problem)
    appeal.submitted = ctx.today
    ctx.db.flush()
    ctx.outcome = f"APPEAL {appeal.number} SUBMITTED FOR CLOSING"
    return appeal_display(ctx, appeal, f"ACMSSUB {appeal.tin} APPEAL>{appeal.number}", message=REQUEST_COMPLETED)


__all__ = ["acms", "acms_open", "acms_submit", "appeal_display", "find_appeal", "own_appeal", "refuse"]
