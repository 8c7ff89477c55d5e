"""ICS screens: closing an FTD Alert (ICSCL, IRM 5.7.1.9) and the FTD Alert Program
Analyst's concurrence (ICSAP).

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

from ..commands import handles
from ..digits import digits_value
from ..ics import cases as ics
from ..ics import closing, config
from ..masterfile import derive
from ..masterfile.models import Entity
from . import validate as v
from .base import Context, Display, Refusal
from .ics import (
    INVALID_CC,
    NOT_AUTHORIZED_CC,
    _blank_form,
    _done,
    _fmt,
    _history_lines,
    _refuse,
    _submitted,
    _target,
)

__all__ = ["ics_approve", "ics_close"]

# --- closing (IRM 5.7.1.9) ---------------------------------------------------------------------------------


def _visible_codes(ctx: Context) -> list[config.ClosingCode]:
    """The closing options this user sees: Alert Erroneously Created only for GM and IQA."""
    return [c for c in config.closing_codes() if v.has_role(ctx.employee.roles, list(c.roles))]


@handles("ICSCL")
def ics_close(ctx: Context) -> Display | Refusal:
    """Close an FTD Alert: a code this user may select, a closing narrative, the Full
    Compliance Check and the code's own conditions (ics.closing.closing_problem)."""
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
    problem = closing.closing_problem(case, ent, code, narrative, ref)
    if problem is not None:
        return _refuse(ctx, problem[0], problem[1], case)
    extra_history: list[str] = []
    if code.analyst_approval:
        a = closing.approval(case, ref) or {}
        extra_history.append(f"FTD ALERT PROGRAM ANALYST APPROVAL EMAIL {a.get('id')} OF "
                             f"{_fmt(ics.as_date(a.get('date')))} FROM {a.get('idrs')} COPIED INTO HISTORY: "
                             f"{a.get('reason', '')}" + (f" - {a['note']}" if a.get("note") else ""))
        ics.put(case, hq_tracked=True)
    else:
        fcc = ics.latest_fcc(case)
        extra_history.append(f"FULL COMPLIANCE CHECK OF {_fmt(ics.as_date(fcc.get('date')) if fcc else None)} "
                             "CONFIRMED AT CLOSING")
        if "staup_or_assignment" in code.evidence:
            stauped = ics.staup_modules(ent)
            if stauped:
                extra_history.append("STAUP INPUT VERIFIED ON IDRS: " + ", ".join(
                    f"MFT {m.mft} {m.period} UNTIL CYCLE {m.stop_notice_until}" for m in stauped))
            basis = closing.code5_basis(case, ent, ics.alert_module(ent, case))
            if basis is not None:
                extra_history.append(closing.CODE5_NEXT[basis])
    ics.close_case(case, ctx.today, ctx.idrs, code.code, narrative, extra_history=extra_history,
                   hq_statement=code.analyst_approval)
    status = f"CLOSED {code.code.upper()}" + (f" - {code.next_step}" if code.next_step else "")
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
