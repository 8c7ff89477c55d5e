"""Load the accounts a posting rule works on in a fixed number of statements, and give
the rows a run adds their ids before they are written, so that a rule with object logic
(URC actions, MFT 32 moves, AC 111 checks, refund holds, FTD alerts) issues the same SQL
for 20 inputs as for 20,000 (issue 19).

Why: such a rule walked `txn.entity.modules`, `module.unpostables`, `case.txn` ... one
object at a time, and every walk was a lazy load: one or two statements per input.
`load_accounts` reads the entities a rule needs with their modules, transactions,
unpostable cases and case history -- one statement each, whatever the number of entities
(the ids come as a subquery, never as a list of parameters) -- and puts them in the
session as loaded collections (`set_committed_value`), in the order their relationships
declare.  After it, the rule's walks find everything in the session: no SQL.

`assign_ids` (a `before_flush` hook the run installs) numbers the new rows of a flush
from the table's highest id, as SQLite would: the ORM then writes them with one
executemany per table instead of a RETURNING statement per page of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Column, Integer, MetaData, Table, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..masterfile.ids import reserve_ids
from ..masterfile.models import (
    Entity,
    TaxModule,
    Transaction,
    Unpostable,
    UnpostableHistory,
)

__all__ = ["ModuleFacts", "TxnFacts", "assign_ids", "id_set", "load_accounts", "load_entities", "module_facts"]


def load_accounts(session: Session, entity_ids: Any, *, cases: bool = True, history: bool = True) -> dict[int, Entity]:
    """The entities whose ids the one-column select `entity_ids` gives, with their modules,
    transactions, and -- with `cases` -- their unpostable cases (and, with `history`, each
    case's history) loaded: three to five statements.  Flushes first, so what is read is
    what the run wrote.  (Without `cases` the case collections stay unloaded.)"""
    session.flush()
    ids = entity_ids
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    if not entities:
        return entities
    modules = list(session.scalars(select(TaxModule).where(TaxModule.entity_id.in_(ids))))
    txns = list(session.scalars(select(Transaction).where(Transaction.entity_id.in_(ids)).order_by(Transaction.id)))
    found = list(session.scalars(select(Unpostable).where(Unpostable.entity_id.in_(ids)).order_by(Unpostable.id))
                 ) if cases else []
    history = history and cases
    lines: dict[int, list[UnpostableHistory]] = defaultdict(list)
    if history and found:
        for h in session.scalars(select(UnpostableHistory).where(UnpostableHistory.case_id.in_(
                select(Unpostable.id).where(Unpostable.entity_id.in_(ids)))).order_by(UnpostableHistory.id)):
            lines[h.case_id].append(h)
    mods_of: dict[int, list[TaxModule]] = defaultdict(list)
    for m in modules:
        mods_of[m.entity_id].append(m)
    txns_of_entity: dict[int, list[Transaction]] = defaultdict(list)
    txns_of_module: dict[int, list[Transaction]] = defaultdict(list)
    for t in txns:
        txns_of_entity[t.entity_id].append(t)
        if t.module_id is not None:
            txns_of_module[t.module_id].append(t)
    cases_of_entity: dict[int, list[Unpostable]] = defaultdict(list)
    cases_of_module: dict[int, list[Unpostable]] = defaultdict(list)
    for c in found:
        cases_of_entity[c.entity_id].append(c)
        if c.module_id is not None:
            cases_of_module[c.module_id].append(c)
        if history:
            set_committed_value(c, "history", lines.get(c.id, []))
    for eid, ent in entities.items():
        set_committed_value(ent, "modules", sorted(mods_of.get(eid, []), key=lambda m: (m.mft, m.period)))
        set_committed_value(ent, "transactions", txns_of_entity.get(eid, []))
        if cases:
            set_committed_value(ent, "unpostables", cases_of_entity.get(eid, []))
    for m in modules:
        set_committed_value(m, "transactions", txns_of_module.get(m.id, []))
        if cases:
            set_committed_value(m, "unpostables", cases_of_module.get(m.id, []))
    return entities


def load_entities(session: Session, entity_ids: Any) -> dict[int, Entity]:
    """Only the entities (no collections) whose ids `entity_ids` gives: one statement, so
    that `txn.entity` finds them in the session."""
    session.flush()
    return {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(entity_ids)))}


class TxnFacts(NamedTuple):
    """What `masterfile.derive`'s freeze and balance rules read of a transaction."""

    id: int
    module_id: int | None
    tc: int
    ac: int | None
    status: str
    amount: Any
    extra: dict[str, Any] | None
    reversed_by_id: int | None
    posting_cycle: str | None
    secondary_date: Any


class EntityFacts(NamedTuple):
    entity_transactions: list[TxnFacts]


class ModuleFacts(NamedTuple):
    """A module as `derive.refund_hold` / `derive.freeze_details` read it."""

    id: int
    mft: str
    transactions: list[TxnFacts]
    entity: EntityFacts


_FACT_COLUMNS = (Transaction.id, Transaction.module_id, Transaction.tc, Transaction.ac, Transaction.status,
                 Transaction.amount, Transaction.extra, Transaction.reversed_by_id, Transaction.posting_cycle,
                 Transaction.secondary_date)


def module_facts(session: Session, module_ids: Any) -> dict[int, ModuleFacts]:
    """The modules whose ids the one-column select `module_ids` gives, as plain records
    with their transactions and their entities' own transactions: three statements, no ORM
    objects.  `derive`'s rules read attributes only, and a record costs a fraction of an
    ORM object (10,000 suspect modules of a refund run took 1.7 s and 250 MB as objects)."""
    session.flush()
    conn = session.connection()
    mods = conn.execute(select(TaxModule.id, TaxModule.entity_id, TaxModule.mft).where(
        TaxModule.id.in_(module_ids))).all()
    if not mods:
        return {}
    by_module: dict[int, list[TxnFacts]] = defaultdict(list)
    for row in conn.execute(select(*_FACT_COLUMNS).where(Transaction.module_id.in_(module_ids))
                            .order_by(Transaction.id)):
        by_module[row[1]].append(TxnFacts(*row))
    by_entity: dict[int, list[TxnFacts]] = defaultdict(list)
    for eid, *values in conn.execute(select(Transaction.entity_id, *_FACT_COLUMNS).where(
            Transaction.module_id.is_(None),
            Transaction.entity_id.in_(select(TaxModule.entity_id).where(TaxModule.id.in_(module_ids))))
            .order_by(Transaction.id)):
        by_entity[eid].append(TxnFacts(*values))
    entities = {eid: EntityFacts(by_entity.get(eid, [])) for eid in {m[1] for m in mods}}
    return {mid: ModuleFacts(mid, mft, by_module.get(mid, []), entities[eid]) for mid, eid, mft in mods}


_ID_TABLES: dict[str, Table] = {}


def id_set(session: Session, name: str, ids: Iterable[int]) -> Any:
    """A one-column select of `ids`, through a temporary table `name` filled with one
    executemany: a list of ids as parameters of an IN would be one parameter per id (SQLite
    takes at most 32,766 in one statement, and the statement text differs by size)."""
    table = _ID_TABLES.get(name)
    if table is None:
        table = _ID_TABLES[name] = Table(name, MetaData(), Column("id", Integer, primary_key=True),
                                         prefixes=["TEMPORARY"])
    conn = session.connection()
    table.create(conn, checkfirst=True)
    conn.execute(table.delete())
    unique = sorted(set(ids))
    if unique:
        conn.execute(table.insert(), [{"id": i} for i in unique])
    return select(table.c.id)


def _new_without_id(objs: Iterable[Any]) -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = defaultdict(list)
    for obj in objs:
        table = getattr(type(obj), "__table__", None)
        if table is None or "id" not in table.c or getattr(obj, "id", None) is not None:
            continue
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and pk[0].autoincrement in (True, "auto"):
            found[type(obj)].append(obj)
    return found


def assign_ids(session: Session, _context: Any = None, _instances: Any = None) -> None:
    """`before_flush`: number the new rows of each table from its highest id + 1 (what SQLite
    gives a row without one; `masterfile.ids`), one statement per table with new rows."""
    for model, objs in _new_without_id(session.new).items():
        with session.no_autoflush:
            first = reserve_ids(session, model.__table__, len(objs))
        for n, obj in enumerate(sorted(objs, key=lambda o: inspect(o).insert_order), start=first):
            obj.id = n
