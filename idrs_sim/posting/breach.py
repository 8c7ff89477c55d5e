"""Posting rules for the IRS data breach indicator TC 971 AC 505 and its reversal
(IRM 10.5.4.5.1.1 (6)-(7), Exhibits 10.5.4-2 / 10.5.4-3).  The rules are stated once in
`idrs_sim.rules.breach`; the FRM77 screen refuses the same input.

    65  unpost_duplicate_ac505  a second AC 505 with a breach number already on the entity
    69  match_tc972_ac505       TC 972 AC 505 reverses the indicator the employee named
                                (match_tc972 handles every other action code)
"""

from __future__ import annotations

from sqlalchemy import select

from ..masterfile.models import POSTED, Transaction
from ..rules import breach
from .rules import UPC_REVERSAL_NO_MATCH, CycleContext, rule

__all__ = ["UPC_DUPLICATE_BREACH", "match_tc972_ac505", "unpost_duplicate_ac505"]

#: A TC 971 AC 505 whose breach is already on the entity.  The IRM prints no code;
#: decision I17-4: UPC 168 RC 0, the TC 971/972 unpostable of UPC_REVERSAL_NO_MATCH.
UPC_DUPLICATE_BREACH = UPC_REVERSAL_NO_MATCH


def _due_505(ctx: CycleContext, tc: int) -> list[Transaction]:
    stmt = select(Transaction).where(
        *ctx.due_conditions(), Transaction.tc == tc, Transaction.ac == 505, Transaction.module_id.is_(None)
    ).order_by(Transaction.id)
    return list(ctx.session.scalars(ctx.live(stmt)))


def _indicators(ctx: CycleContext, txns: list[Transaction], *, before: int | None = None) -> list[breach.Indicator]:
    """The entity's unreversed TC 971 AC 505s, posted or due in this run (due ones only
    when input before `before`, so the first of two duplicates is the one that posts)."""
    return [
        breach.Indicator(t.id, t.secondary_date, breach.breach_number_in(t.misc))
        for t in txns
        if t.tc == 971 and t.ac == 505 and t.module_id is None and t.reversed_by_id is None
        and (t.status == POSTED or (ctx.is_due(t) and (before is None or t.id < before)))
    ]


@rule("unpost_duplicate_ac505", 65)
def unpost_duplicate_ac505(ctx: CycleContext) -> None:
    """One breach, one indicator: a TC 971 AC 505 whose breach tracking number is already
    on the entity, unreversed, unposts (IRM 10.5.4.5.1.1 (6): "Each TC 971 AC 505
    represents a different IRS data breach")."""
    if 971 not in ctx.due_tcs():
        return
    for t in _due_505(ctx, 971):
        others = _indicators(ctx, t.entity.entity_transactions, before=t.id)
        if breach.duplicate_breach(breach.breach_number_in(t.misc), others):
            ctx.new_unpostable(t, *UPC_DUPLICATE_BREACH, remarks=breach.DUPLICATE_BREACH[:60])


@rule("match_tc972_ac505", 69)
def match_tc972_ac505(ctx: CycleContext) -> None:
    """TC 972 AC 505 reverses the indicator the PGLD/IM employee named -- its breach date
    (SECONDARY-DT) and/or breach tracking number (REMARKS), or the one the FRM77 screen
    matched -- never simply the first; none (or several) fits: unpostable
    (IRM 10.5.4.5.1.1 (7), Exhibit 10.5.4-3; `rules.breach.pick_reversal`)."""
    if 972 not in ctx.due_tcs():
        return
    claimed: set[int] = set()
    for rev in _due_505(ctx, 972):
        extra = rev.extra or {}
        found = [i for i in _indicators(ctx, rev.entity.entity_transactions) if i.key not in claimed]
        named = extra.get("reverses")
        pick = breach.pick_reversal(found, rev.secondary_date, extra.get("breach_number"),
                                    named if isinstance(named, int) else None)
        if pick.key is None:
            ctx.new_unpostable(rev, *UPC_REVERSAL_NO_MATCH, remarks=(pick.problem or "")[:60])
            continue
        original = ctx.session.get(Transaction, pick.key)
        assert original is not None
        original.reversed_by_id = rev.id
        claimed.add(pick.key)
