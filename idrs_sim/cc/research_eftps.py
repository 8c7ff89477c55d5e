"""EFTPS: an employer's federal tax deposits with the bank each came from, the potential levy
sources an RO reads before contact (IRM 5.7.1.5).  Part of the BMF research of
`research_bmf`, whose account reading it shares.
"""

from __future__ import annotations

import datetime as dt

from ..commands import handles
from ..masterfile import derive
from ..rules.ftd_alerts import DEPOSIT_TCS
from .base import Context, Display, Refusal
from .display import clip, dln, mdy, money
from .research import NOT_FOUND, displayed, find_entity, refuse, remember, research_code
from .research_bmf import BMF_LOAD, bmf_values, modules_shown, posted_of


@handles("EFTPS")
@research_code
def eftps(ctx: Context) -> Display | Refusal:
    """Federal tax deposits (TC 650) newest first, with the bank they came from (levy sources)."""
    ent = find_entity(ctx, options=BMF_LOAD)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    rows: list[tuple[dt.date, str]] = []
    for m in modules_shown(ctx, ent):
        for t in posted_of(m):
            if t.tc not in DEPOSIT_TCS:
                continue
            extra = t.extra or {}
            bank = extra.get("bank") or (ent.extra or {}).get("eftps_bank") or ""
            routing = extra.get("routing") or ""
            rows.append((t.trans_date or dt.date.min, clip(
                f"{m.mft:<3} {m.period:<6} {t.tc:03d}{'R' if t.reversed_by_id else ' '} {mdy(t.trans_date):<8} "
                f"{money(abs(derive.signed_amount(t))):>13} {dln(t.dln):<17} {str(bank)[:12]:<12} {routing}"
            )))
    if not rows:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    lines = [line for _, line in sorted(rows, key=lambda r: r[0], reverse=True)]
    return displayed(ctx, Display("eftps", bmf_values(ctx, ent), lines), f"DEPOSITS {ent.tin} {len(rows)}")


__all__ = ["eftps"]
