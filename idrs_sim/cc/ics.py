"""ICS screens: the Integrated Collection System reached from the IDRS terminal (IRM 5.7.1).

ICS is not IDRS: it holds the FTD Alert cases the Master File sends (posting rule
``ftd_alerts``) and what the group manager and revenue officer do with them.  Codes
(commands/ics.yaml; lists in tables/ics_lists.yaml; docs/ftd.md walks through the procedures):

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

The handlers are in modules along these sections: `ics_case` (ICS, ICSHF, ICSAS, ICSHI,
ICSSC), `ics_contact` (ICSCT, ICSCC, ICSFC, ICSFV), `ics_letters` (ICSLT), `ics_requests`
(ICSRQ), `ics_closing` (ICSCL, ICSAP), `ics_transfer` (ICSTR, ICSMD, ICSIN); this module keeps
their shared literals and helpers.

Command-level roles are enforced by the session from the definitions.  Option-level roles
(the closing codes, transfer approval) are enforced here: the refusal is marked as an
audit violation (``violation = True``).  A revenue officer works only the cases assigned
to them, a group manager those of their group.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ..ics import cases as ics
from ..ics import closing
from ..masterfile.models import Employee, Entity, IcsCase
from ..rules import ftd_letters as letter_rules
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .display import wrap
from .input_account import target_entity
from .research import mark

# --- literals --------------------------------------------------------------------------------------
NO_ALERT = "NO FTD ALERT ON ICS FOR THIS TIN"
NO_ALERT_MODULE = "NO FTD ALERT ON ICS FOR THIS MODULE"
NOT_YOUR_CASE = "CASE NOT IN YOUR INVENTORY"
NOT_YOUR_GROUP = "CASE NOT IN YOUR GROUP"
CLOSED = closing.CLOSED
NOT_AUTHORIZED_CC = "CLOSING CODE NOT AUTHORIZED"
INVALID_CC = "INVALID CLOSING CODE"
APPROVE_NOT_AUTHORIZED = "TRANSFER APPROVAL NOT AUTHORIZED"
LETTER_5857_FIRST = letter_rules.LETTER_5857_FIRST
NO_725B_FOR_5857 = letter_rules.NO_725B_FOR_5857
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
