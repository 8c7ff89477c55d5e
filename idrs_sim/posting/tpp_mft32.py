"""Posting rules for TC 971 AC 111: the checks, the move between MFT 30 and MFT 32, and
what the IRM's text requires beyond the move itself; the rules they apply are stated once
in `idrs_sim.rules.mft32`, the returns move with `posting.moves`.

    40  unpost_ac111              TC 971 AC 111 posting in cycles 47-52 / after a merge unposts
    45  refuse_ac111_prior_years  AC 111 on MFT 32 for TY 2021 and prior (2024) unposts
    50  move_mft32                TC 971 AC 111 moves the return to / from MFT 32
    55  divert_ac111_return       a return not yet posted whose DLN an AC 111 on MFT 30
                                  carries goes to MFT 32 instead (no TC 150, no refund)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from ..masterfile import derive
from ..masterfile.models import POSTED, UNPOSTABLE, Entity, TaxModule, Transaction, Unpostable, UnpostableHistory
from ..rules import mft32
from ..rules import urc as urc_rules
from . import calendar as cal
from .codes import UPC_AC111_MERGED, UPC_MFT32_WINDOW, in_mft32_window
from .context import CycleContext, rule
from .sqlhelp import RETURN

__all__ = ["UPC_AC111_PRIOR_YEAR", "divert_ac111_return", "move_mft32", "refuse_ac111_prior_years", "unpost_ac111"]

#: TC 971 AC 111 on MFT 32 for a return that cannot move back systemically.  The seed
#: names the codes failed AC 111s show (UNP 1680 merge, UNP 1735; IRM 25.25.6.2.1.5) but
#: not which one this is.  Decision I17-2: UNP 1735 like the cycle 47-52 case -- both are
#: "cannot move systemically" -- reassigned to the employee who input it.
UPC_AC111_PRIOR_YEAR = UPC_MFT32_WINDOW

#: The TC 971 AC 111 of a return's module, as a second reference to the transaction table.
_AC111 = aliased(Transaction, name="ac111")


def _bypasses(t: Any, upc: int) -> bool:
    """A return released by UPRES carries the codes it may bypass (`rules.urc.BYPASS`)."""
    return upc in ((t.extra or {}).get(urc_rules.BYPASS) or [])


def _merged_recently(merges: Iterable[tuple[str | None, dt.date | None]], cycle: str) -> bool:
    """A posted merge (TC 005/006) in the current or prior processing year; `merges` are the
    (posting cycle, transaction date) of the account's posted TC 005/006s."""
    year = cal.cycle_year(cycle)
    for posting_cycle, trans_date in merges:
        when = int(posting_cycle[:4]) if posting_cycle else (trans_date.year if trans_date else None)
        if when is not None and when >= year - 1:
            return True
    return False


@rule("unpost_ac111", 40)
def unpost_ac111(ctx: CycleContext) -> None:
    """TC 971 AC 111 checks (IRM 25.25.6.7 / 25.25.6.7.1, tpp-rules §2.1, §6.1, §9.3).

    * Posting in cycles 47-52 on MFT 30 or MFT 32 (a move to or from MFT 32): unpostable,
      reassigned to the initiating employee (the transaction's input_idrs).  IRM
      25.25.6.2.1.1 (1) Caution: "During Cycles 202447 - 202452, NO CURRENT OR PRIOR YEAR
      tax returns can be moved to or from the MFT 32 module ... an unpostable will
      generate": the move happens when the AC 111 posts, so the run's cycle decides, not
      the input cycle -- input in cycle 46 (or earlier with a POST-DELAY) that would post
      in 47-52 unposts; input in 52 that posts in the next year's first live cycle moves.
    * The account had a merge or slot (TC 005/006) in the current or prior processing
      year: UP 168 RC 0.

    Set-based: one statement reads the AC 111s, one the merges of their accounts
    (`posting.bulk` writes the unpostables).
    """
    from .bulk import Unpost, due_rows, unpost_rows

    if 971 not in ctx.due_tcs():
        return
    ac111 = (Transaction.tc == 971, Transaction.ac == 111)
    rows = due_rows(ctx, *ac111)
    if not rows:
        return
    merges: dict[int, list[tuple[str | None, dt.date | None]]] = {}
    for eid, cycle, when in ctx.session.execute(
            select(Transaction.entity_id, Transaction.posting_cycle, Transaction.trans_date).where(
                Transaction.tc.in_((5, 6)), Transaction.status == POSTED,
                Transaction.entity_id.in_(select(Transaction.entity_id).where(*ctx.due_conditions(), *ac111)))):
        merges.setdefault(eid, []).append((cycle, when))
    unpost: list[Unpost] = []
    for t in rows:
        if t.mft in ("30", "32") and in_mft32_window(ctx.cycle):  # the cycle the move would post in
            # Never bypassed: a released AC 111 still may not move anything in the window.
            unpost.append(Unpost(t, *UPC_MFT32_WINDOW, t.input_idrs or None, "MFT 32 MOVE CYC 47-52"))
        elif not _bypasses(t, UPC_AC111_MERGED[0]) and _merged_recently(merges.get(t.entity_id, ()), ctx.cycle):
            unpost.append(Unpost(t, *UPC_AC111_MERGED, t.input_idrs or None))
    unpost_rows(ctx, unpost)


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
        tax_year = mft32.tax_year_of(t.period)
        if tax_year is None:
            continue
        decided = t.input_cycle or ctx.cycle
        refusal = mft32.move_back_refusal(tax_year, cal.cycle_year(decided))
        if refusal is not None:
            unpost.append(Unpost(t, *UPC_AC111_PRIOR_YEAR, t.input_idrs or None, refusal))
    unpost_rows(ctx, unpost)


@rule("move_mft32", 50)
def move_mft32(ctx: CycleContext) -> None:
    """TC 971 AC 111 moves a return between MFT 30 and MFT 32 (IRM 25.25.6.5.4, tpp §2.1).

    On MFT 30 with the DLN of a return that is UP 126 (open case on that module): the
    return moves to MFT 32 and posts there as TC 976; the case closes URC 6 CCC 3 (the
    batch closure of IRM 25.25.6.5.4).  On MFT 32 with the DLN of a posted TC 976: the
    return moves back to MFT 30 (TC 150; TC 976 with -A when a return is already posted
    there).  No matching return: the AC 111 posts with no other effect.

    Set-based (issue 19): one statement reads the AC 111s, one the open cases with their
    returns, one the posted TC 976s; `posting.moves` moves the returns.
    """
    from .bulk import due_rows
    from .moves import Move, move_returns

    if 971 not in ctx.due_tcs():
        return
    ac111 = (Transaction.tc == 971, Transaction.ac == 111)
    rows = [r for r in due_rows(ctx, *ac111) if r.module_id is not None and derive.misc_dln(r.misc) is not None]
    if not rows:
        return
    their_modules = select(Transaction.module_id).where(*ctx.due_conditions(), *ac111)
    ret = RETURN
    returns = (ret.id, ret.entity_id, Entity.tin, TaxModule.mft, TaxModule.period, ret.dln, ret.amount, ret.document,
               ret.extra)
    cases: dict[int | None, list[Any]] = {}
    for c in ctx.session.execute(
            select(Unpostable.id.label("case_id"), Unpostable.seq, Unpostable.module_id, Unpostable.dln.label("case_dln"),
                   Unpostable.resolved_by, ret.status, ret.tc, *returns)
            .select_from(Unpostable).join(ret, ret.id == Unpostable.txn_id).join(Entity, Entity.id == ret.entity_id)
            .outerjoin(TaxModule, TaxModule.id == ret.module_id)
            .where(Unpostable.module_id.in_(their_modules), Unpostable.status == "open").order_by(Unpostable.id)):
        cases.setdefault(c.module_id, []).append(c)
    on_32: dict[int | None, list[Any]] = {}
    for t in ctx.session.execute(
            select(ret.module_id, *returns).join(Entity, Entity.id == ret.entity_id)
            .join(TaxModule, TaxModule.id == ret.module_id)
            .where(ret.module_id.in_(their_modules), ret.tc == 976, ret.status == POSTED).order_by(ret.id)):
        on_32.setdefault(t.module_id, []).append(t)

    def move(t: Any, to_mft: str) -> Move:
        period = t.period if t.period is not None else (t.document or {}).get("period", "")
        return Move(t.id, t.entity_id, t.tin, t.mft, period, t.dln, t.amount, t.document, t.extra, to_mft)

    moves: list[Move] = []
    moved: set[int] = set()  # returns
    closed_ids: set[int] = set()  # cases
    closed: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for r in rows:
        dln = derive.misc_dln(r.misc)
        if r.mft == "30":
            for c in cases.get(r.module_id, []):
                if (c.case_id not in closed_ids and derive.dln_digits(c.case_dln) == dln
                        and c.status == UNPOSTABLE and c.tc == 150 and c.id not in moved):
                    closed_ids.add(c.case_id)
                    closed.append({"b_id": c.case_id})
                    history.append({"case_id": c.case_id, "date": ctx.run_date, "idrs": c.resolved_by,
                                    "text": f"CLOSED URC 6 CCC 3 - TC 971 AC 111 CYC {ctx.cycle}"[:80]})
                    ctx.report.released.append((c.seq, "6"))
                    moved.add(c.id)
                    moves.append(move(c, "32"))
                    break
        elif r.mft == "32":
            for t in on_32.get(r.module_id, []):
                if t.id not in moved and derive.dln_digits(t.dln) == dln:
                    moved.add(t.id)
                    moves.append(move(t, "30"))
                    break
    if closed:
        ctx.session.flush()
        conn = ctx.session.connection()
        case_t, hist_t = Unpostable.__table__, UnpostableHistory.__table__
        assert isinstance(case_t, Table) and isinstance(hist_t, Table)
        conn.execute(case_t.update().where(case_t.c.id == bindparam("b_id")).values(
            urc="6", ccc="3", resolved_date=ctx.run_date, status="closed", released=True, status_date=ctx.run_date),
            closed)
        conn.execute(hist_t.insert(), history)
    move_returns(ctx, moves, select(Transaction.entity_id).where(*ctx.due_conditions(), *ac111))


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
