"""Posting rules that change the entity: a TC 014 address, a first return establishing it.

   115  entity_changes          a posted TC 014 replaces the address
   120  establish_entities      a posted return establishes its entity
"""

from __future__ import annotations

from sqlalchemy import select, update

from ..masterfile.models import POSTED, Entity, Transaction
from .context import CycleContext, rule

__all__ = ["entity_changes", "establish_entities"]


@rule("entity_changes", 115)
def entity_changes(ctx: CycleContext) -> None:
    """A posted TC 014 (address change, input with INCHG) replaces the entity's address
    with the lines it carries (Document 6209 §8A: TC 014 address change; IRM 2.3.15)."""
    posted_now = ctx.posted_ids([14])  # only what post_due posted is looked at
    if not posted_now:
        return
    from .preload import load_entities

    now = (Transaction.posting_cycle == ctx.cycle, Transaction.status == POSTED, Transaction.tc == 14)
    ctx.loaded.append(load_entities(ctx.session, select(Transaction.entity_id).where(*now)))
    stmt = select(Transaction).where(*now).order_by(Transaction.id)
    for txn in ctx.session.scalars(stmt):
        if txn.id not in posted_now:
            continue
        lines = (txn.extra or {}).get("address")
        if lines:
            txn.entity.address = list(lines)


@rule("establish_entities", 120)
def establish_entities(ctx: CycleContext) -> None:
    """A posted return establishes its entity (first-time filer; the TC 000 that IDRS
    generates is not shown) -- after that REQ77 may input TC 971/972 (tpp-rules §9.1)."""
    ctx.session.flush()
    # Only entities not yet established can change: when there are none (the usual case),
    # the posted transactions are not read to list the filers.
    if ctx.session.execute(select(Entity.id).where(Entity.established.is_(False)).limit(1)).first() is not None:
        filers = select(Transaction.entity_id).where(
            Transaction.tc == 150, Transaction.status == POSTED, Transaction.posting_cycle == ctx.cycle
        )
        ctx.session.execute(
            update(Entity).where(Entity.established.is_(False), Entity.id.in_(filers)).values(established=True),
            execution_options={"synchronize_session": False},
        )
    ctx.session.expire_all()
