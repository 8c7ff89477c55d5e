"""ACMSPAM and ACMSLT: deciding, assigning and closing a PAM support request; its letters.

IRM 8.26.9.2.3.1-8.26.9.2.3.8 and Exhibit 8.26.9-1.  The ATM approves (after the analyst
discussion and the Area Director's approval, selecting a mediator), faxes Letter 5559 and
assigns the request to the mediator; or, with the Area Director's and a first-line
executive's concurrence, mails Letter 5557 (OIC) or 5558 (TFRP) and closes the request as
Denied on the letter's mail date.  Before a mediator is assigned the ATM closes a
withdrawal; after that the mediator submits the closing with only the Mediator's Report
and one of five results.  Every closing writes MO to the case action record.
"""

from __future__ import annotations

import datetime as dt

from ..commands import handles
from ..masterfile.appeals_models import Appeal, AppealDoc, CaseAction, PamRequest
from ..rules import pam_codes, pam_decision, pam_literals, pam_mediation, pam_record
from .acms import (
    appeal_display,
    find_appeal,
    is_instructor,
    is_mediator,
    own_appeal,
    refuse,
)
from .acms_intake import blank_form, date_element
from .base import REQUEST_COMPLETED, Context, Display, Refusal

ACTIONS = ("APPROVE", "ASSIGN", "DENY", "CLOSE", "SUBMIT")
INVALID_ACTION = "INVALID ACT - APPROVE, ASSIGN, DENY, CLOSE OR SUBMIT"
ACTION_NOT_AUTHORIZED = "ACTION NOT AUTHORIZED FOR YOUR ROLE"
MEDIATOR_REQUIRED = "MEDIATOR> REQUIRED"
_INPUTS = ("ACT", "MEDIATOR", "REASON", "RESULT", "DATE", "ATTACH")


def _blank_inputs() -> dict[str, str]:
    return {label: "" for label in _INPUTS}


def _close(ctx: Context, appeal: Appeal, p: PamRequest, day: dt.date, status: str, *,
           reason: str | None = None, result: str | None = None) -> None:
    """Close the PAM support request; ACMS writes MO (mediation out) dated the closing."""
    p.state, p.closed, p.closed_by, p.status, p.reason, p.result = pam_codes.CLOSED, day, ctx.idrs, status, reason, result
    ctx.db.add(CaseAction(appeal=appeal, code="MO", date=day, idrs=ctx.idrs,
                          text=f"MEDIATION OUT - PAM SUPPORT REQUEST CLOSED {status}"))


@handles("ACMSPAM")
def acms_pam(ctx: Context) -> Display | Refusal:
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    cmd = f"ACMSPAM {appeal.tin} APPEAL>{appeal.number}"
    if blank_form(ctx, "ACT"):
        ctx.outcome = f"ACMSPAM FORM {appeal.number}"
        return appeal_display(ctx, appeal, cmd, "acmspam", "KEY ACT> " + ", ".join(ACTIONS), **_blank_inputs())
    act = ctx.value("ACT").upper()
    if act not in ACTIONS:
        return refuse(ctx, "ACT", INVALID_ACTION)
    roles = set(ctx.employee.roles or [])
    needed = "mediator" if act == "SUBMIT" else ("atm" if act != "CLOSE" else None)
    if needed and needed not in roles and not is_instructor(ctx):
        return refuse(ctx, "ACT", ACTION_NOT_AUTHORIZED, is_violation=True)
    if act != "SUBMIT" and "atm" in roles:
        refused = own_appeal(ctx, appeal, "atm")
        if refused:
            return refused
    p, docs = appeal.pam, appeal.docs
    if act in ("APPROVE", "ASSIGN"):
        mediator = ctx.value("MEDIATOR") or (p.mediator if p is not None and act == "ASSIGN" else "") or ""
        if not mediator:
            return refuse(ctx, "MEDIATOR", MEDIATOR_REQUIRED)
        ok = is_mediator(ctx, mediator)
        check = pam_decision.check_approve(p, docs, ok, ctx.today) if act == "APPROVE" else pam_mediation.check_assign(p, docs, ok)
        if check:
            return refuse(ctx, "MEDIATOR" if check == pam_literals.NOT_A_MEDIATOR else "ACT", check)
        assert p is not None
        p.mediator = mediator
        if act == "APPROVE":
            p.state, p.approved = pam_codes.APPROVED, ctx.today
            note = f"APPROVED - MEDIATOR {mediator} SELECTED; NOTIFY TP, ATE AND PAM ANALYST"
        else:
            p.state, p.assigned = pam_codes.ASSIGNED, ctx.today
            note = f"ASSIGNED TO MEDIATOR {mediator}"
    elif act == "DENY":
        day = date_element(ctx, "DATE", required=True)
        if isinstance(day, Refusal):
            return day
        reason = ctx.value("REASON")
        check = pam_decision.check_deny(appeal, p, docs, reason, day, ctx.today)
        if check:
            label = {pam_literals.INVALID_REASON: "REASON"}.get(check, "DATE" if check.startswith("DENIAL DATE") else "ACT")
            return refuse(ctx, label, check)
        assert p is not None
        _close(ctx, appeal, p, day, pam_codes.DENIED, reason=pam_codes.pick(reason, pam_codes.DENIAL_REASONS))
        note = f"CLOSED DENIED {pam_literals.mdy(day)} - MO WRITTEN; ATE MAY SUBMIT THE APPEAL FOR CLOSING"
    else:  # CLOSE / SUBMIT
        day = date_element(ctx, "DATE", required=act == "CLOSE")
        if isinstance(day, Refusal):
            return day
        result = ctx.value("RESULT")
        if act == "CLOSE":
            check = pam_mediation.check_close(p, docs, result, day, by_atm="atm" in roles or is_instructor(ctx))
        else:
            attach = [a for a in ctx.value("ATTACH").upper().split(",")]
            check = pam_mediation.check_submit(p, docs, result, attach, ctx.idrs, day)
        if check:
            label = {pam_literals.INVALID_RESULT: "RESULT", pam_literals.ONLY_REPORT: "ATTACH",
                     pam_literals.APPEALS_DENIES: "RESULT", pam_literals.ATM_CLOSES_WITHDRAWALS: "RESULT"}.get(
                check, "DATE" if check.startswith("CLOSE DATE") else "ACT")
            return refuse(ctx, label, check, is_violation=check == pam_literals.NOT_THE_MEDIATOR)
        assert p is not None
        chosen = pam_codes.pick(result, pam_codes.RESULTS)
        if act == "SUBMIT" and not pam_record.has(docs, "MEDIATOR-REPORT"):
            ctx.db.add(AppealDoc(appeal=appeal, kind="MEDIATOR-REPORT", date=day, idrs=ctx.idrs))
        status = "WITHDRAWN" if chosen in pam_codes.WITHDRAWALS else "MEDIATED"
        _close(ctx, appeal, p, day, status, result=chosen)
        note = f"CLOSED {status} {pam_literals.mdy(day)} - MO WRITTEN"
    ctx.db.flush()
    ctx.db.refresh(appeal)
    ctx.outcome = f"PAM {act} {appeal.number}"
    return appeal_display(ctx, appeal, cmd, "acmspam", REQUEST_COMPLETED, **_blank_inputs(), msg=note)


def _sender(ctx: Context, appeal: Appeal, letter: str) -> Refusal | None:
    """The ATM signs and mails a denial letter; the appeal's ATE or ATM faxes Letter 5559
    (`pam_decision.letter_senders`).  Anyone else is refused as an audit violation."""
    roles = set(ctx.employee.roles or [])
    senders = pam_decision.letter_senders(letter)
    if is_instructor(ctx) or any(r in roles and ctx.idrs == getattr(appeal, r) for r in senders):
        return None
    if not roles & set(senders):
        return refuse(ctx, "LETTER", pam_literals.ATM_SIGNS_DENIAL, is_violation=True)
    return own_appeal(ctx, appeal, "atm" if "atm" in roles and "atm" in senders else "ate")


@handles("ACMSLT")
def acms_letter(ctx: Context) -> Display | Refusal:
    """Letters 5557 / 5558 (denial, after concurrence: the ATM) and 5559 (after approval: the ATE or ATM)."""
    appeal = find_appeal(ctx)
    if isinstance(appeal, Refusal):
        return appeal
    cmd = f"ACMSLT {appeal.tin} APPEAL>{appeal.number}"
    if blank_form(ctx, "LETTER"):
        ctx.outcome = f"ACMSLT FORM {appeal.number}"
        return appeal_display(ctx, appeal, cmd, "acmslt", "KEY LETTER> 5557, 5558 OR 5559 AND THE MAIL DATE",
                              LETTER="", DATE="")
    letter = ctx.value("LETTER").upper().removeprefix("L")
    refused = _sender(ctx, appeal, letter)
    if refused:
        return refused
    day = date_element(ctx, "DATE", required=True)
    if isinstance(day, Refusal):
        return day
    text = ctx.value("TEXT")
    check = pam_decision.check_letter(letter, appeal, appeal.pam, appeal.docs, ctx.today, mailed=day, text=text)
    if check:
        texts = (pam_literals.NO_RATIONALE, pam_literals.TEXT_NOT_TAKEN, pam_literals.TEXT_TOO_LONG)
        return refuse(ctx, "TEXT" if check in texts else "DATE" if check.startswith("LETTER DATE") else "LETTER", check)
    ctx.db.add(AppealDoc(appeal=appeal, kind="L" + letter, date=day, idrs=ctx.idrs, text=text.upper() or None))
    ctx.db.flush()
    ctx.db.refresh(appeal)
    if letter == pam_codes.LETTER_AGREEMENT:
        note = f"SIGNED AGREEMENT AND CONSENT DUE BACK {pam_literals.mdy(day + dt.timedelta(days=pam_codes.RETURN_DAYS))}"
    else:
        note = f"DENIAL MAILED - CLOSE THE PAM SUPPORT REQUEST AS DENIED DATED {pam_literals.mdy(day)}"
    ctx.outcome = f"LETTER {letter} ISSUED {appeal.number}"
    return appeal_display(ctx, appeal, cmd, "acmslt", REQUEST_COMPLETED, LETTER="", DATE="", msg=note)


__all__ = ["acms_letter", "acms_pam"]
