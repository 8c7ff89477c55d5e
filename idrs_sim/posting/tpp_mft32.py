"""Posting rules for TC 971 AC 111 that the IRM's text requires beyond the move itself
(`rules.move_mft32`); the rules they apply are stated once in `idrs_sim.rules.mft32`.

    45  refuse_ac111_prior_years  AC 111 on MFT 32 for TY 2021 and prior (2024) unposts
    55  divert_ac111_return       a return not yet posted whose DLN an AC 111 on MFT 30
                                  carries goes to MFT 32 instead (no TC 150, no refund)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..digits import is_digits
from ..masterfile import derive
from ..masterfile.models import POSTED, Entity, TaxModule, Transaction
from ..rules import mft32
from . import calendar as cal
from .rules import (
    UPC_MFT32_WINDOW,
    CycleContext,
    rule,
)

__all__ = ["UPC_AC111_PRIOR_YEAR", "divert_ac111_return", "refuse_ac111_prior_years"]

#: TC 971 AC 111 on MFT 32 for a return that cannot move back systemically.  The seed
#: names the codes failed AC 111s show (UNP 1680 merge, UNP 1735; IRM 25.25.6.2.1.5) but
#: not which one this is.  Decision I17-2: UNP 1735 like the cycle 47-52 case -- both are
#: "cannot move systemically" -- reassigned to the employee who input it.
UPC_AC111_PRIOR_YEAR = UPC_MFT32_WINDOW

#: The TC 971 AC 111 of a return's module, as a second reference to the transaction table.
_AC111 = aliased(Transaction, name="ac111")


@rule("refuse_ac111_prior_years", 45)
def refuse_ac111_prior_years(ctx: CycleContext) -> None:
    """TC 971 AC 111 on MFT 32 for a tax year that is neither the current nor the prior
    one (TY 2021 and prior in 2024) unposts, reassigned to the input employee, with the
    literal that says to reprocess manually: Form 4442 to RIVO (IRM 25.25.6.5.5.3 (2)
    box 2; 25.25.6.2.2.1 (4) box 5 exception).  FRM77 refuses the same input; this
    catches AC 111s that reach posting another way (fixtures, scripts of older data)."""
    from .bulk import Unpost, due_rows, unpost_rows

    if 971 not in ctx.due_tcs():
        return
    unpost: list[Unpost] = []
    for t in due_rows(ctx, Transaction.tc == 971, Transaction.ac == 111, TaxModule.mft == "32"):
        period = t.period or ""
        if not is_digits(period[:4]):
            continue
        decided = t.input_cycle or ctx.cycle
        refusal = mft32.move_back_refusal(int(period[:4]), cal.cycle_year(decided))
        if refusal is not None:
            unpost.append(Unpost(t, *UPC_AC111_PRIOR_YEAR, t.input_idrs or None, refusal))
    unpost_rows(ctx, unpost)


@rule("divert_ac111_return", 55)
def divert_ac111_return(ctx: CycleContext) -> None:
    """A return (TC 150) due on MFT 30 whose DLN an unreversed TC 971 AC 111 on the same
    module carries (posted, or due in this run) does not post there: it moves to MFT 32
    as TC 976, so no TC 846 refund issues on MFT 30 (IRM 25.25.6.5.4 (6) box 3: the batch
    closed the UP 126 with URC 0 within the last seven days, the return has not posted,
    the taxpayer did not file it: "input a TC 971 AC 111 with the DLN of the identity
    theft return").  A return that was moved between MFT 30 and 32 before is left alone
    (`rules.mft32.diverted_by_ac111`).  Decision I17-1 in docs/decisions.md.
    """
    from .moves import Move, move_returns

    if 150 not in ctx.due_tcs():
        return
    marker = _AC111
    holding = and_(
        marker.module_id == Transaction.module_id,
        marker.tc == 971,
        marker.ac == 111,
        marker.reversed_by_id.is_(None),
        or_(marker.status == POSTED, and_(*ctx.due_conditions(marker))),
    )
    due_here = (*ctx.due_conditions(), Transaction.tc == 150, TaxModule.mft == "30")
    t = Transaction
    stmt = (
        select(t.id, t.entity_id, Entity.tin, TaxModule.period, t.dln, t.amount, t.document, t.extra, marker.misc)
        .join(TaxModule, TaxModule.id == t.module_id)
        .join(Entity, Entity.id == t.entity_id)
        .join(marker, holding)
        .where(*due_here)
        .order_by(t.id)
    )
    dlns: dict[int, set[str]] = {}
    returns: dict[int, Any] = {}
    for row in ctx.session.execute(ctx.live(stmt)).all():
        returns[row.id] = row
        found = derive.misc_dln(row.misc)
        if found:
            dlns.setdefault(row.id, set()).add(found)
    moves: list[Move] = []
    for rid, r in returns.items():
        moved_before = bool((r.extra or {}).get("moved_from"))
        if mft32.diverted_by_ac111(derive.dln_digits(r.dln), dlns.get(rid, set()), moved_before):
            moves.append(Move(r.id, r.entity_id, r.tin, "30", r.period, r.dln, r.amount, r.document, r.extra, "32"))
    move_returns(ctx, moves, select(Transaction.entity_id).join(TaxModule, TaxModule.id == Transaction.module_id)
                 .where(*due_here, select(marker.id).where(holding).exists()))
