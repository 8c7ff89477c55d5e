"""Posting rules that post the due input: a duplicate return as TC 976, a return's credits
with it, then everything due.

    75  duplicate_returns       a second return on a module posts as TC 976 (-A)
    80  return_credits          a return's withholding / refundable credits post with it
   100  post_due                everything still due posts (one UPDATE)
"""

from __future__ import annotations

from array import array
from typing import Any

from sqlalchemy import JSON, Numeric, Table, and_, bindparam, cast, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from ..masterfile.models import PENDING, POSTED, Entity, TaxModule, Transaction
from ..rules import mft32
from .context import CycleContext, rule
from .sqlhelp import driver_chunks

__all__ = ["duplicate_returns", "post_due", "return_credits"]


@rule("duplicate_returns", 75)
def duplicate_returns(ctx: CycleContext) -> None:
    """A return (TC 150) due on a module that already has an original return -- posted, or
    due before it in this run -- posts as TC 976 with -A, not as a second TC 150 (Document
    6209: TC 976, duplicate return posted; -A "esp. TC 976 on a module that already has TC
    150", which holds the refund: reference §6, IRM 25.25.6.5.2.4).  The rule is
    `rules.mft32.arriving_return`, the one a return released from the GUF or moved back
    from MFT 32 follows: a release (URC 0 / 6, a corrected TIN) or a fixture's input comes
    here alike.  On MFT 32 every return is a TC 976 already.

    One statement (an indexed EXISTS per due return; usually it finds none), and one
    UPDATE for those it finds: the same two for 20 modules as for 20,000 (issue 19).
    Before `return_credits`, so a duplicate's withholding does not post twice.
    """
    ctx.session.flush()
    other = aliased(Transaction)
    first = exists().where(
        other.module_id == Transaction.module_id, other.tc == 150, other.id != Transaction.id,
        or_(other.status == POSTED, and_(*ctx.due_conditions(other), other.id < Transaction.id)),
    )
    stmt = (
        select(Transaction.id, Transaction.amount, Transaction.extra)
        .join(TaxModule, TaxModule.id == Transaction.module_id)
        .where(*ctx.due_conditions(), Transaction.tc == 150, TaxModule.mft != "32", first)
        .order_by(Transaction.id)
    )
    changes = []
    for tid, amount, extra in ctx.session.execute(ctx.live(stmt)):
        dup = mft32.arriving_return(amount, extra, other_return_posted=True)
        assert dup is not None
        changes.append({"b_id": tid, "tc": dup.tc, "amount": dup.amount, "extra": dup.extra})
    if changes:
        txn_t = Transaction.__table__
        assert isinstance(txn_t, Table)
        ctx.session.connection().execute(txn_t.update().where(txn_t.c.id == bindparam("b_id")), changes)
        ctx.session.expire_all()


def _credit_insert(ctx: CycleContext, key: str, tc: int) -> None:
    value = cast(Transaction.document[key].as_string(), Numeric(14, 2))
    src = (
        select(
            Transaction.entity_id, Transaction.module_id, literal(tc), value, Transaction.trans_date,
            literal(POSTED), literal(ctx.cycle), literal(ctx.cycle), literal(ctx.cycle), literal(0),
            literal({"generated": "return", "key": key}, JSON),
        )
        .where(*ctx.due_conditions(), Transaction.tc == 150, value > 0)
    )
    cols = ["entity_id", "module_id", "tc", "amount", "trans_date", "status", "input_cycle", "due_cycle",
            "posting_cycle", "post_delay", "extra"]
    ctx.session.execute(insert(Transaction).from_select(cols, ctx.live(src)))


@rule("return_credits", 80)
def return_credits(ctx: CycleContext) -> None:
    """The credits claimed on a return post with it: withholding as TC 806, refundable
    credits as TC 766 (Document 6209 §8A, reference §5.1).  Set-based INSERT ... SELECT
    from the return documents (`withholding`, `refundable_credits`) of returns due now.

    They are made posted, in this cycle: the return they come from is due and nothing
    between here and post_due can unpost it.  post_due reports them after the pending
    input (they are the newest rows: `credits_after` is the highest id before them), so a
    bulk run neither indexes them as pending nor updates them a second time.
    """
    ctx.session.flush()
    ctx.credits_after = ctx.session.execute(select(func.coalesce(func.max(Transaction.id), 0))).scalar_one()
    _credit_insert(ctx, "withholding", 806)
    _credit_insert(ctx, "refundable_credits", 766)


def _report_posted(ctx: CycleContext, conn: Any, stmt: Any) -> int:
    """Put the rows of `stmt` (id, TIN, MFT, period, TC, AC, module id) in the report as
    posted, and in `ctx.posted_chunks`; returns how many there were."""
    posted, share = ctx.report.posted, ctx.shared.setdefault
    before = len(posted)
    for chunk in driver_chunks(conn, stmt):
        ids, tins, mfts, periods, tcs, acs, mods = zip(*chunk)
        ctx.posted_chunks.append((array("q", ids), array("l", tcs),
                                  array("q", [0 if m is None else m for m in mods])))
        ctx.posted_tcs.update(tcs)
        posted.extend(zip(tins, map(share, mfts, mfts), map(share, periods, periods), map(share, tcs, tcs), acs))
    return len(posted) - before


@rule("post_due", 100)
def post_due(ctx: CycleContext) -> None:
    """Everything still due posts: one UPDATE (DESIGN: set-based).  IRM 3.30.123: input
    reaches the master file in the weekly run; dead cycles (IMF 01-03, BMF 01-02,
    IRM 3.30.123.4.7) post nothing and their items wait for the first live cycle.
    """
    ctx.session.flush()
    conn = ctx.session.connection()
    conds = ctx.due_conditions()
    # When everything due is due in one and the same cycle (the usual case: last week's
    # input), the rows are selected by that cycle: the same rows, which SQLite then reads in
    # id order straight from the (status, due_cycle) index instead of sorting them all first.
    dues = conn.execute(select(Transaction.due_cycle).where(*conds).distinct().limit(2)).scalars().all()
    read = conds if len(dues) != 1 else [Transaction.status == PENDING, Transaction.due_cycle == dues[0]]
    # Read straight from the driver (`driver_chunks`); the rows become report tuples with
    # the few distinct MFT / period / TC values shared (`ctx.shared`), so that a 1M-module
    # run holds one small tuple per posting rather than every row twice over.
    rows = (
        select(Transaction.id, Entity.tin, TaxModule.mft, TaxModule.period, Transaction.tc, Transaction.ac,
               Transaction.module_id)
        .join(Entity, Entity.id == Transaction.entity_id)
        .outerjoin(TaxModule, TaxModule.id == Transaction.module_id)
        .order_by(Transaction.id)
    )
    pending = _report_posted(ctx, conn, ctx.live(rows.where(*read))) if dues else 0
    if ctx.credits_after is not None:  # return_credits' TC 806/766, made posted after every pending row
        _report_posted(ctx, conn, rows.where(Transaction.id > ctx.credits_after, Transaction.status == POSTED,
                                             Transaction.posting_cycle == ctx.cycle))
    if not pending:
        return
    ctx.session.execute(
        ctx.live(update(Transaction).where(*conds)).values(status=POSTED, posting_cycle=ctx.cycle),
        execution_options={"synchronize_session": False},
    )
    ctx.session.expire_all()
