"""FRM49: IDRS input of TC 590 / TC 599 by the revenue officer working an FTD Alert.

IRM 5.7.1.5: "Remember to input TC 590 CC 50 for the FTD Alert module only. The taxpayer may
be liable for future quarter employment tax."  IRM 5.7.1.8: "Use the appropriate closing
code with TC 599 for the return secured."  The input is stored pending (TXMOD shows PN) and
posts in the next weekly cycle, like every terminal input (docs/posting.md).  TC 591 CC 50
is not input here: it is requested on Form 4844 (ICSRQ REQ>4844), TC 136 likewise (REQ>TC136).

``FRM49 TIN MFT PERIOD`` shows the screen; TC>, CC> (and ZERO>Y for a signed zero return
secured with TC 599) then Enter -- or typed on line 1.
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..digits import digits_value
from ..masterfile.models import Entity, TaxModule
from ..rules import ftd_alerts as ftd_rules
from ..rules import ftd_evidence
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import tin_display
from .input_account import module_account
from .input_pending import new_pending
from .research import mark

DOC_CODE_FRM49 = "49"
INVALID_TC = "INVALID TRANSACTION CODE"
TC590_ALERT_ONLY = "TC 590 CC 50 ONLY ON THE FTD ALERT MODULE"
TC590_CC = "TC 590 CLOSING CODE MUST BE 50"
TC599_CC = "TC 599 CLOSING CODE REQUIRED - 2 DIGITS"
TC591_FORM_4844 = "TC 591 CC 50 IS REQUESTED ON FORM 4844 (ICSRQ REQ>4844)"
ALREADY = "TRANSACTION ALREADY ON THIS MODULE"
_LABELS = ("TC", "CC", "ZERO")


def _values(ctx: Context, ent: Entity, module: TaxModule, status: str = "", **fields: str) -> dict[str, Any]:
    return {"cmd": f"FRM49 {ent.tin} {module.mft} {module.period}", "tinx": tin_display(ent),
            "name1": (ent.name_lines or [""])[0], "mft": module.mft, "period": module.period, "cycle": ctx.cycle,
            "status": status, **{k: fields.get(k, "") for k in _LABELS}}


def _refuse(ctx: Context, label: str, literal: str, ent: Entity, module: TaxModule) -> Refusal:
    ctx.outcome = f"{literal}: FRM49 {ent.tin} {module.mft} {module.period}"[:80]
    if label in ctx.screen_values:
        return Refusal(literal, fields=[label])
    return Refusal(literal, marks=[mark(ctx, f"{label}>", fallback="end")])


@handles("FRM49")
def frm49(ctx: Context) -> Display | Refusal:
    """Validate and store a pending TC 590 CC 50 (alert module only) or TC 599 CC nn."""
    account = module_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    typed = getattr(ctx.cmd, "fields", None) or {}
    if not any(lb in typed for lb in _LABELS) and not all(lb in ctx.screen_values for lb in _LABELS):
        ctx.outcome = f"FRM49 SCREEN DISPLAYED {ent.tin} {module.mft} {module.period}"
        return Display("frm49", _values(ctx, ent, module))
    tc_text, cc_text, zero = ctx.value("TC"), ctx.value("CC"), ctx.value("ZERO").upper()
    allowed = ftd_rules.frm49_transaction_codes()
    tc = int(tc_text) if re.fullmatch(r"[0-9]{3}", tc_text) else None
    if tc == 591:
        return _refuse(ctx, "TC", TC591_FORM_4844, ent, module)
    if tc not in allowed:
        return _refuse(ctx, "TC", INVALID_TC, ent, module)
    live = [t for t in module.transactions if t.status in ("posted", "pending") and t.reversed_by_id is None]
    if tc == 590:
        if digits_value(cc_text) not in ftd_rules.tc590_closing_codes():
            return _refuse(ctx, "CC", TC590_CC, ent, module)
        if not ftd_rules.has_alert(module.transactions):
            return _refuse(ctx, "TC", TC590_ALERT_ONLY, ent, module)
    elif not re.fullmatch(r"[0-9]{2}", cc_text):
        return _refuse(ctx, "CC", TC599_CC, ent, module)
    elif (not_ended := ftd_evidence.tc599_problem(module.period, ctx.today)) is not None:
        return _refuse(ctx, "TC", not_ended, ent, module)
    if any(t.tc == tc for t in live):
        return _refuse(ctx, "TC", ALREADY, ent, module)
    extra: dict[str, Any] = {"cc": int(cc_text)}
    if tc == 599 and zero == "Y":
        extra["zero_return"] = True
    txn = new_pending(ctx, ent, module, tc, ac=int(cc_text), doc_code=DOC_CODE_FRM49, extra=extra)
    status = f"TC {tc} CC {int(cc_text):02d} INPUT - PENDING (PN), POSTS IN CYCLE {txn.due_cycle}"
    ctx.outcome = f"FRM49 TC {tc} CC {int(cc_text):02d} {ent.tin} {module.mft} {module.period} PN {txn.due_cycle}"
    return Display("frm49", _values(ctx, ent, module, status), message=REQUEST_COMPLETED)


__all__ = ["frm49"]
