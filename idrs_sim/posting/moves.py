"""Returns moving between MFT 30 and MFT 32, set-based: TC 971 AC 111 (`tpp_mft32.move_mft32`,
`tpp_mft32.divert_ac111_return`).  What a moved return becomes is `rules.mft32.moved_return`.

`move_returns` moves any number of returns in a fixed number of statements: one reads the
target modules, one the returns already posted there, one inserts the modules that do not
exist yet, one updates the returns (issue 19: `move_return` walks each account; it is
left for the one-object path of URC 6 CCC 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from ..masterfile.ids import reserve_ids
from ..masterfile.models import PENDING, POSTED, Entity, TaxModule, Transaction
from ..rules import mft32
from .context import CycleContext

__all__ = ["Move", "module_for", "move_return", "move_returns"]


class Move(NamedTuple):
    """One return to move: the columns `moved_return` and the report need."""

    txn_id: int
    entity_id: int
    tin: str
    from_mft: str | None
    period: str
    dln: str | None
    amount: Decimal | None
    document: dict[str, Any] | None
    extra: dict[str, Any] | None
    to_mft: str


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def move_returns(ctx: CycleContext, moves: Sequence[Move], entities: Any) -> None:
    """Move each return to its MFT (module of the same period, made when missing); it becomes
    due in this cycle and `post_due` posts it.  `entities`: a select of the entity ids the
    moves are on (a superset will do), so no statement carries one parameter per move."""
    from .up299 import too_old_to_move, unpost_too_old

    refused = [(m.txn_id, lit) for m in moves if (lit := too_old_to_move(ctx, m.to_mft, m.period)) is not None]
    if refused:  # UP 299 instead (IRM 25.25.6, Unpostable Code 299 Listing)
        unpost_too_old(ctx, refused)
        gone = {txn_id for txn_id, _ in refused}
        moves = [m for m in moves if m.txn_id not in gone]
    if not moves:
        return
    s = ctx.session
    s.flush()
    conn = s.connection()
    wanted = {(m.entity_id, m.to_mft, m.period) for m in moves}
    modules: dict[tuple[int, str, str], int] = {}
    for mid, eid, mft, period in conn.execute(
            select(TaxModule.id, TaxModule.entity_id, TaxModule.mft, TaxModule.period).where(
                TaxModule.entity_id.in_(entities), TaxModule.mft.in_(sorted({m.to_mft for m in moves})))
            .order_by(TaxModule.id)):
        modules.setdefault((eid, mft, period), mid)
    missing = sorted(k for k in wanted if k not in modules)
    if missing:
        first = reserve_ids(conn, _table(TaxModule), len(missing))
        for n, key in enumerate(missing):
            modules[key] = first + n
        conn.execute(_table(TaxModule).insert(), [{"id": modules[k], "entity_id": k[0], "mft": k[1], "period": k[2]}
                                                  for k in missing])
    # A TC 150 already posted on an MFT 30 target: the return comes back as TC 976 (-A).
    back = [modules[(m.entity_id, m.to_mft, m.period)] for m in moves if m.to_mft != "32"]
    with_return: set[int | None] = set()
    if back:
        t = Transaction
        with_return = set(conn.execute(select(t.module_id).where(
            t.tc == 150, t.status == POSTED, t.module_id.in_(
                select(TaxModule.id).where(and_(TaxModule.entity_id.in_(entities), TaxModule.mft != "32")))
        ).distinct()).scalars())
    updates: list[dict[str, Any]] = []
    for m in moves:
        target = modules[(m.entity_id, m.to_mft, m.period)]
        after = mft32.moved_return(m.to_mft, m.amount, m.document, m.extra,
                                   other_return_posted=m.to_mft != "32" and target in with_return,
                                   from_mft=m.from_mft, cycle=ctx.cycle)
        updates.append({"b_id": m.txn_id, "module_id": target, "tc": after.tc,
                        "amount": m.amount if after.amount is None else after.amount,
                        "status": PENDING, "due_cycle": ctx.cycle, "extra": after.extra})
        ctx.report.moved.append((m.tin, m.period, m.dln, m.from_mft, m.to_mft))
    txn = _table(Transaction)
    conn.execute(txn.update().where(txn.c.id == bindparam("b_id")), updates)
    s.expire_all()


def module_for(session: Session, entity: Entity, mft: str, period: str) -> TaxModule:
    """The entity's module for MFT/period, created when it does not exist yet."""
    for m in entity.modules:
        if m.mft == mft and m.period == period:
            return m
    m = TaxModule(entity=entity, mft=mft, period=period)
    session.add(m)
    return m


def move_return(ctx: CycleContext, txn: Transaction, to_mft: str) -> None:
    """Move one return (an object of a loaded account) to MFT 32 or back to MFT 30, as
    `rules.mft32.moved_return` says; it becomes due in this cycle and `post_due` posts it.
    (Many returns: `move_returns`.)"""
    source = txn.module
    period = source.period if source else (txn.document or {}).get("period", "")
    target = module_for(ctx.session, txn.entity, to_mft, period)
    other_return = to_mft != "32" and any(
        t.tc == 150 and t.status == POSTED and t.id != txn.id for t in target.transactions)
    from_mft = source.mft if source else None
    after = mft32.moved_return(to_mft, txn.amount, txn.document, txn.extra, other_return_posted=other_return,
                               from_mft=from_mft, cycle=ctx.cycle)
    if after.amount is not None:
        txn.amount = after.amount
    txn.extra = after.extra
    txn.module = target
    txn.tc = after.tc
    txn.status = PENDING
    txn.due_cycle = ctx.cycle
    ctx.report.moved.append((txn.entity.tin, period, txn.dln, from_mft, to_mft))
