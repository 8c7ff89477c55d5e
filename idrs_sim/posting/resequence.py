"""Posting rule for TC 971 AC 052: the return is resequenced 14 days (2 cycles).

    60  resequence_ac052        TC 971 AC 052 resequences the return 14 days (2 cycles)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from ..masterfile import derive
from ..masterfile.models import POSTED, Transaction
from . import calendar as cal
from .context import CycleContext, rule, set_extra
from .sqlhelp import MARKER

__all__ = ["resequence_ac052"]


def _load_due_accounts(ctx: CycleContext, *where: Any) -> None:
    """Load the accounts of the input due now that matches `where` (`preload.load_accounts`):
    the rule's walks through them then issue no SQL."""
    from .preload import load_accounts

    ctx.loaded.append(load_accounts(ctx.session, ctx.live(select(Transaction.entity_id).where(
        *ctx.due_conditions(), *where))))


@rule("resequence_ac052", 60)
def resequence_ac052(ctx: CycleContext) -> None:
    """TC 971 AC 052 resequences the TC 150 for 14 days = 2 cycles (IRM 25.25.6.1.7 table;
    25.25.6.5.1.2.2).  With a TPP hold the resequence applies after the UP 126 is
    resolved -- this rule runs after the UP 126 check, so a held return unposts first
    and is resequenced when released.  Once per return; TXMOD shows it as RS.
    """
    marker = MARKER
    stmt = (
        select(Transaction, marker)
        .join(marker, and_(
            marker.module_id == Transaction.module_id,
            marker.tc == 971,
            marker.ac == 52,
            marker.reversed_by_id.is_(None),
            or_(marker.status == POSTED, and_(*ctx.due_conditions(marker))),
        ))
        .where(*ctx.due_conditions(), Transaction.tc == 150)
        .order_by(Transaction.id)
    )
    _load_due_accounts(ctx, Transaction.tc == 150, select(marker.id).where(
        marker.module_id == Transaction.module_id, marker.tc == 971, marker.ac == 52).exists())
    done: set[int] = set()
    for ret, m in ctx.session.execute(ctx.live(stmt)).all():
        if ret.id in done or (ret.extra or {}).get("resequenced_052") or not derive.ac052_matches(m, ret.dln):
            continue
        done.add(ret.id)
        ret.due_cycle = cal.add_cycles(ctx.cycle, 2)
        set_extra(ret, resequenced_052=ctx.cycle)
        mod = ret.module
        ctx.report.resequenced.append((ret.entity.tin, mod.mft, mod.period, ret.tc, ret.due_cycle))
