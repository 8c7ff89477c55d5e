"""REQ77 / FRM77: input of TC 971 / TC 972 (non-monetary transactions with an action code).

REQ77 asks for the FRM77 input screen (IRM 2.4.19).  With TIN, MFT and tax period it is
for a module-level transaction; with the TIN alone for an entity-level action code
(AC 505, AC 527: CONTRACT §3).  REQ77 cannot be initiated when the entity is not
established -- a first-time filer gets no TC 971/972 at all, not even AC 850 or AC 506
(IRM 25.25.6.5.1.1; tpp-rules §9.1): the literal is ``ENTITY NOT ESTABLISHED``.

Enter on FRM77 validates every element (validate.py + tables/misc_rules.yaml +
tables/codes.yaml) and, when all are good, stores a *pending* transaction: it shows at
once as PN on TXMOD / ENMOD with the cycle it will post in, ``due_cycle_for(C, delay)``
(docs/posting.md).  Bad elements: one line-24 literal, ``*`` right of each bad field.

The account is found by `input_account`, the transaction stored by `input_pending` (both
shared by every input code, so each piece of terminal input is stored the same way), and
the action codes' account checks are in `frm77_account_checks`.
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..masterfile.models import Entity, TaxModule
from ..rules import misc as misc_rules
from ..rules.dates import period_end
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .display import tin_display
from .frm77_account_checks import ACCOUNT_CHECKS
from .input_account import target_account
from .input_pending import DOC_CODE_FRM77, new_pending

INVALID_TC = "INVALID TRANSACTION CODE"
INVALID_AC = "INVALID ACTION CODE"
AC_NOT_AUTHORIZED = "ACTION CODE NOT AUTHORIZED FOR THIS EMPLOYEE"
MODULE_REQUIRED = "TAX MODULE REQUIRED FOR THIS ACTION CODE"
XREF_REQUIRED = "XRED-TIN AND XRED-TX-PRD REQUIRED"
INVALID_XREF_PERIOD = "INVALID XRED-TX-PRD"

_FIELD_LABELS = ("TC", "TC971/151", "TRANS-DT", "SECONDARY-DT", "MISC", "POST-DELAY", "XRED-TIN", "XRED-TX-PRD",
                 "REMARKS")


# ---------------------------------------------------------------------------------
# REQ77 / FRM77


def _screen(ctx: Context, ent: Entity, module: TaxModule | None, fields: dict[str, str],
            status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else []) + [ent.name_control]
    values: dict[str, Any] = {
        "cmd": " ".join(["FRM77", *parts]),
        "name1": (ent.name_lines or [""])[0],
        "tinx": tin_display(ent),
        "level": f"MFT>{module.mft} TXPRD>{module.period}" if module else "ENTITY (NO MODULE)",
        "cycle": ctx.cycle,
        "status": status,
    }
    values.update(fields)
    return values


@handles("REQ77")
def req77(ctx: Context) -> Display | Refusal:
    """Return FRM77 with TIN, MFT, period and name control filled in (IRM 2.4.19)."""
    found = target_account(ctx, need_established=True)  # no TC 971/972 on an entity not established
    if isinstance(found, Refusal):
        return found
    ent, module = found
    fields = {label: "" for label in _FIELD_LABELS}
    fields["TRANS-DT"] = v.fmt_mmddyyyy(ctx.today)
    ctx.outcome = f"REQ77 FRM77 DISPLAYED {ent.tin}" + (f" {module.mft} {module.period}" if module else "")
    return Display("frm77", _screen(ctx, ent, module, fields))


@handles("FRM77")
def frm77(ctx: Context) -> Display | Refusal:
    """Validate the FRM77 elements and store the pending TC 971/972 (REQUEST COMPLETED)."""
    found = target_account(ctx, need_established=True)  # no TC 971/972 on an entity not established
    if isinstance(found, Refusal):
        return found
    ent, module = found
    typed = {label: ctx.value(label) for label in _FIELD_LABELS}
    problems: list[v.Problem] = []

    # TC and action code first: everything else depends on the rule they select.
    tc_text, ac_text = typed["TC"], typed["TC971/151"]
    tc = int(tc_text) if re.fullmatch(r"[0-9]{3}", tc_text) else None
    if tc not in (971, 972):
        problems.append(v.Problem("TC", INVALID_TC))
    ac = int(ac_text) if re.fullmatch(r"[0-9]{1,3}", ac_text) else None
    rule = v.action_rule(tc, ac) if tc in (971, 972) and ac is not None else None
    if ac is None or (tc in (971, 972) and rule is None):
        problems.append(v.Problem("TC971/151", INVALID_AC))
    if problems or rule is None:
        return _refuse(ctx, problems)
    assert tc is not None and ac is not None

    if not v.has_role(ctx.employee.roles, rule.roles):
        ctx.outcome = f"{AC_NOT_AUTHORIZED}: TC {tc} AC {ac:03d} {ent.tin}"
        return violation(Refusal(AC_NOT_AUTHORIZED, fields=["TC971/151"]))

    # Where it posts: entity (AC 505, 506, 527...), module, or as the REQ77 was made.
    level = rule.level
    if level == "module" and module is None:
        problems.append(v.Problem("TC971/151", MODULE_REQUIRED))
    on_module = module if level in ("module", "either") else None
    wrong_file = misc_rules.file_refusal(tc, ac, ent.file)
    if wrong_file:  # AC 505: an individual's (IMF) entity only
        problems.append(v.Problem("TC971/151", wrong_file))

    misc = typed["MISC"].upper()
    problem = v.check_misc(rule, misc)
    if problem:
        problems.append(problem)

    trans_date, problem = v.check_date("TRANS-DT", typed["TRANS-DT"], ctx.today)
    if problem:
        problems.append(problem)
    if rule.extra.get("trans_dt") == "input_date" and trans_date not in (None, ctx.today):
        problems.append(v.Problem("TRANS-DT", f"TRANS-DT MUST BE THE INPUT DATE FOR TC {tc} AC {ac:03d}"))
    trans_date = trans_date or ctx.today

    secondary, problem = v.check_date(
        "SECONDARY-DT", typed["SECONDARY-DT"], ctx.today,
        required=rule.secondary_dt == "required" or (rule.secondary_dt == "tax_year" and module is None),
        not_future=rule.secondary_dt != "tax_year")
    if problem:
        problems.append(problem)
    if secondary is not None and rule.secondary_dt == "tax_year" and secondary.year > ctx.today.year:
        # the tax year of an incident may be this year (not yet ended), never a later one
        problems.append(v.Problem("SECONDARY-DT", "SECONDARY-DT LATER THAN CURRENT TAX YEAR"))
    if rule.secondary_dt == "forbidden" and typed["SECONDARY-DT"]:
        problems.append(v.Problem("SECONDARY-DT", "SECONDARY-DT NOT ALLOWED FOR THIS ACTION CODE"))
    if secondary is None and rule.secondary_dt == "tax_year" and module is not None:
        secondary = period_end(module.period)

    delay, problem = v.check_post_delay(typed["POST-DELAY"])
    if problem:
        problems.append(problem)

    xref_tin, xref_period = typed["XRED-TIN"].upper(), typed["XRED-TX-PRD"]
    if rule.xref and not (xref_tin and xref_period):
        problems.append(v.Problem("XRED-TIN" if not xref_tin else "XRED-TX-PRD", XREF_REQUIRED))
    if xref_tin and xref_tin != "R" and not v.normalize_tin(xref_tin):
        problems.append(v.Problem("XRED-TIN", v.INVALID_TIN_LITERAL))
    if xref_period and period_end(xref_period) is None:
        problems.append(v.Problem("XRED-TX-PRD", INVALID_XREF_PERIOD))

    extra: dict[str, Any] = {}
    if not problems:
        for check in rule.checks:
            problem = ACCOUNT_CHECKS[check](ctx, ent, module, tc, ac, misc, secondary, extra)
            if problem:
                problems.append(problem)
    if problems:
        return _refuse(ctx, problems)

    if module is not None and on_module is None:
        extra.update(input_mft=module.mft, input_period=module.period)
    if typed["REMARKS"]:
        extra["remarks"] = typed["REMARKS"][:60]
    if xref_tin:
        extra.update(xref_tin=xref_tin, xref_period=xref_period)
    txn = new_pending(ctx, ent, on_module, tc, ac=ac, trans_date=trans_date, secondary_date=secondary,
                      misc=misc, post_delay=delay, doc_code=DOC_CODE_FRM77, extra=extra)
    where = f"{on_module.mft} {on_module.period}" if on_module else "ENTITY"
    ctx.outcome = f"FRM77 TC {tc} AC {ac:03d} {ent.tin} {where} PN {txn.due_cycle}" + (f" MISC {misc}" if misc else "")
    status = (f"TC {tc} AC {ac:03d} INPUT - PENDING (PN) ON {'ENTITY' if on_module is None else 'MODULE'}, "
              f"POSTS IN CYCLE {txn.due_cycle}")
    shown = dict(typed)
    shown["TRANS-DT"] = v.fmt_mmddyyyy(trans_date)
    shown["SECONDARY-DT"] = v.fmt_mmddyyyy(secondary)
    return Display("frm77", _screen(ctx, ent, module, shown, status), message=REQUEST_COMPLETED)


def _refuse(ctx: Context, problems: list[v.Problem]) -> Refusal:
    """One literal (the first problem's) and a `*` at every bad field."""
    labels = list(dict.fromkeys(p.label for p in problems))
    ctx.outcome = f"{problems[0].message}: {ctx.cmd.head} {ctx.cmd.tin or ''}".strip()
    return Refusal(problems[0].message, fields=labels)


__all__ = ["req77", "frm77"]
