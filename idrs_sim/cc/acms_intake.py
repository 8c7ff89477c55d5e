"""ACMSREQ, ACMSCAR, ACMSDOC: a written mediation request, the MI entry, attachments.

IRM 8.26.9.2.3(3)-(7) and 8.26.9.2.3.2: the ATE records the written request the day it is
received (ACMSREQ), then inputs MI in the case action record dated that day (ACMSCAR),
which opens the PAM support request (held when premature, perfecting when incomplete) and
routes it to the ATM.  ACMSDOC attaches what the others contribute: the Area Director's
approval or concurrence, the executive's, the analyst's eligibility discussion, the
taxpayer's details or withdrawal, the signed Agreement, the Mediator's Report.  Typed
without its elements each code shows its input screen (screens/acms*.map).
"""

from __future__ import annotations

import datetime as dt

from ..commands import handles
from ..masterfile.appeals_models import AppealDoc, CaseAction, PamRequest
from ..rules import pam_codes, pam_intake, pam_literals
from . import validate as v
from .acms import appeal_display, find_appeal, own_appeal, refuse
from .base import REQUEST_COMPLETED, Context, Display, Refusal

INVALID_INTAKE = "INVALID INTAKE - COMPLETE, PREMATURE OR INCOMPLETE"


def blank_form(ctx: Context, *labels: str) -> bool:
    """True when none of the code's elements was typed or is on the screen: show the form."""
    return all(not ctx.value(label) and label not in ctx.screen_values for label in labels)


def date_element(ctx: Context, label: str, *, required: bool) -> dt.date | Refusal:
    """A MMDDYYYY element, not later than today; today when optional and blank."""
    day, problem = v.check_date(label, ctx.value(label), ctx.today, required=required)
    if problem is not None:
        return refuse(ctx, label, problem.message)
    return day or ctx.today


@handles("ACMSREQ")
def acms_request(ctx: Context) -> Display | Refusal:
    """Record the written mediation request and say what the ATE must do next."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    cmd = f"ACMSREQ {appeal.tin} APPEAL>{appeal.number}"
    if blank_form(ctx, "RECEIVED", "INTAKE"):
        ctx.outcome = f"ACMSREQ FORM {appeal.number}"
        return appeal_display(ctx, appeal, cmd, "acmsreq", "KEY THE DAY THE WRITTEN REQUEST WAS RECEIVED",
                              RECEIVED="", INTAKE="")
    refused = own_appeal(ctx, appeal, "ate")
    if refused:
        return refused
    received = date_element(ctx, "RECEIVED", required=True)
    if isinstance(received, Refusal):
        return received
    intake = ctx.value("INTAKE").upper() or pam_codes.COMPLETE
    if intake not in pam_codes.INTAKES:
        return refuse(ctx, "INTAKE", INVALID_INTAKE)
    problem = pam_intake.check_request(appeal, appeal.pam, received)
    if problem:
        return refuse(ctx, "APPEAL" if problem == pam_literals.PAM_EXISTS else "RECEIVED", problem)
    appeal.request_received = received
    appeal.intake = intake
    ctx.db.flush()
    notice = pam_intake.request_notice(appeal, received)
    ctx.outcome = f"MEDIATION REQUEST RECORDED {appeal.number} {intake}"
    return appeal_display(ctx, appeal, cmd, "acmsreq", REQUEST_COMPLETED, RECEIVED="", INTAKE="", msg=notice)


@handles("ACMSCAR")
def acms_car(ctx: Context) -> Display | Refusal:
    """A case action record entry: MI, dated the day the request was received, opens the
    PAM support request (IRM 8.26.9.2.3.8)."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    cmd = f"ACMSCAR {appeal.tin} APPEAL>{appeal.number}"
    if blank_form(ctx, "CODE", "DATE"):
        ctx.outcome = f"ACMSCAR FORM {appeal.number}"
        return appeal_display(ctx, appeal, cmd, "acmscar", "KEY CODE>MI AND THE DATE THE REQUEST WAS RECEIVED",
                              CODE="", DATE="")
    refused = own_appeal(ctx, appeal, "ate")
    if refused:
        return refused
    code = ctx.value("CODE").upper()
    problem = pam_intake.check_car_code(code)
    if problem:
        return refuse(ctx, "CODE", problem)
    day = date_element(ctx, "DATE", required=True)
    if isinstance(day, Refusal):
        return day
    problem = pam_intake.check_mi(appeal, appeal.pam, day)
    if problem:
        return refuse(ctx, "DATE" if problem.startswith("MI DATE") else "CODE", problem)
    intake = appeal.intake or pam_codes.COMPLETE
    state = pam_intake.opening_state(intake)
    ctx.db.add(CaseAction(appeal=appeal, code="MI", date=day, idrs=ctx.idrs,
                          text="PAM SUPPORT REQUEST OPENED, ROUTED TO ATM"))
    assert appeal.request_received is not None
    appeal.pam = PamRequest(state=state, opened=day, opened_by=ctx.idrs,
                            perfect_due=pam_intake.perfect_due(appeal.request_received) if state == pam_codes.PERFECTING else None)
    ctx.db.flush()
    note = {pam_codes.HELD: "PREMATURE: HELD OPEN UNTIL SETTLEMENT DISCUSSIONS END",
            pam_codes.PERFECTING: f"INCOMPLETE: TP HAS UNTIL {pam_literals.mdy(appeal.pam.perfect_due)} TO PERFECT IT"}.get(
        state, f"ROUTED TO ATM {appeal.atm or ''} FOR APPROVAL AND ASSIGNMENT")
    ctx.outcome = f"MI INPUT {appeal.number} PAM SUPPORT REQUEST {state}"
    return appeal_display(ctx, appeal, cmd, "acmscar", REQUEST_COMPLETED, CODE="", DATE="", msg=note)


@handles("ACMSDOC")
def acms_doc(ctx: Context) -> Display | Refusal:
    """Attach an artifact; each kind by its role (a wrong role is an audit violation)."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    cmd = f"ACMSDOC {appeal.tin} APPEAL>{appeal.number}"
    if blank_form(ctx, "DOC"):
        ctx.outcome = f"ACMSDOC FORM {appeal.number}"
        return appeal_display(ctx, appeal, cmd, "acmsdoc", "KEY DOC> (" + " ".join(list(pam_codes.DOC_KINDS)[:6]) + " ...)",
                              DOC="", DATE="", TEXT="")
    kind = ctx.value("DOC").upper()
    day = date_element(ctx, "DATE", required=False)
    if isinstance(day, Refusal):
        return day
    p = appeal.pam
    problem = pam_intake.check_doc(kind, ctx.employee.roles or [], appeal, p, appeal.docs, day)
    if problem:
        return refuse(ctx, "DATE" if "DATE CANNOT BE BEFORE" in problem else "DOC", problem,
                      is_violation=problem == pam_literals.DOC_NOT_AUTHORIZED)
    if kind == "MEDIATOR-REPORT" and p is not None and p.mediator != ctx.idrs and "instructor" not in (ctx.employee.roles or []):
        return refuse(ctx, "DOC", pam_literals.NOT_THE_MEDIATOR, is_violation=True)
    if len(ctx.value("TEXT")) > pam_literals.TEXT_MAX:
        return refuse(ctx, "TEXT", pam_literals.TEXT_TOO_LONG)
    ctx.db.add(AppealDoc(appeal=appeal, kind=kind, date=day, idrs=ctx.idrs, text=ctx.value("TEXT") or None))
    if p is not None:
        p.state = pam_intake.state_after_doc(p.state, kind)
    ctx.db.flush()
    ctx.db.refresh(appeal)
    ctx.outcome = f"ACMS {kind} ATTACHED {appeal.number}"
    return appeal_display(ctx, appeal, cmd, "acmsdoc", REQUEST_COMPLETED, DOC="", DATE="", TEXT="",
                          msg=f"{kind} ATTACHED {pam_literals.mdy(day)}")


__all__ = ["acms_car", "acms_doc", "acms_request", "blank_form", "date_element"]
