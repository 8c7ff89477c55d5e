"""STAUP: delay the balance-due notices of a tax module for a number of weeks (cycles).

IRM 3.13.122 "CC STAUP"; IRM 3.12.279: an unpostable case referred to Adjustments or
Collection takes STAUP for 15 weeks, otherwise 4.  A status update of the TIF, not a
master-file transaction: it takes effect at once (no posting) and TXMOD shows it from
the module's `stop_notice_weeks` / `stop_notice_until` (the cycle the delay ends).

``STAUP TIN MFT PERIOD WEEKS>nn`` (or the STAUP screen): 1-15 weeks; 0 removes the delay.
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..masterfile.models import Entity, TaxModule
from ..posting import calendar
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import tin_display
from .input_account import module_account
from .research import mark

MAX_WEEKS = 15
INVALID_WEEKS = "WEEKS MUST BE 0-15"


def _values(ctx: Context, ent: Entity, module: TaxModule, weeks: str = "", status: str = "") -> dict[str, Any]:
    current = (f"{module.stop_notice_weeks} WEEKS, UNTIL CYCLE {module.stop_notice_until}"
               if module.stop_notice_weeks else "NONE")
    return {
        "cmd": f"STAUP {ent.tin} {module.mft} {module.period}",
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "mft": module.mft,
        "period": module.period,
        "cycle": ctx.cycle,
        "current": current,
        "WEEKS": weeks,
        "status": status,
    }


@handles("STAUP")
def staup(ctx: Context) -> Display | Refusal:
    """Set (or with 0 remove) the notice delay of the module."""
    account = module_account(ctx, need_established=False)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    weeks = ctx.value("WEEKS")
    if not weeks and "WEEKS" not in ctx.screen_values:
        ctx.outcome = f"STAUP SCREEN DISPLAYED {ent.tin} {module.mft} {module.period}"
        return Display("staup", _values(ctx, ent, module))
    if not re.fullmatch(r"[0-9]{1,2}", weeks) or int(weeks) > MAX_WEEKS:
        ctx.outcome = f"{INVALID_WEEKS}: STAUP {ent.tin} {module.mft} {module.period}"
        if "WEEKS" in ctx.screen_values:
            return Refusal(INVALID_WEEKS, fields=["WEEKS"])
        return Refusal(INVALID_WEEKS, marks=[mark(ctx, "WEEKS>", fallback="end")])
    n = int(weeks)
    if n == 0:
        module.stop_notice_weeks = None
        module.stop_notice_until = None
        status = "NOTICE DELAY REMOVED"
    else:
        module.stop_notice_weeks = n
        module.stop_notice_until = calendar.add_cycles(ctx.cycle, n)
        status = f"NOTICES DELAYED {n} WEEKS - UNTIL CYCLE {module.stop_notice_until}"
    ctx.outcome = f"STAUP {ent.tin} {module.mft} {module.period} {status}"[:80]
    return Display("staup", _values(ctx, ent, module, weeks, status), message=REQUEST_COMPLETED)


__all__ = ["staup", "MAX_WEEKS"]
