"""Loading what one screen shows with as little per-query work as the ORM allows.

A research key reads one entity or one module and a handful of its collections.  Each
read is one indexed query; what costs is SQLAlchemy's work around it: building the
`select()` and its cache key anew (about a third of an ORM query on the benchmark
machine) and, for a lazy load, the loader's own bookkeeping.  So the queries a research
code runs on every key are built once, here, with bound parameters, and a collection is
filled with `set_committed_value` from one such query: the same rows in the same order
as the lazy load (the relationship's own `order_by`), loaded as if the ORM had loaded
them (not dirty, nothing to flush), at about 60 % of the lazy load's cost.

Most collections a display shows are empty (a module's cases and controls, an entity's
letters).  The statement that reads the entity (and module) therefore carries an `EXISTS`
flag per collection (`collection_exists`, one indexed probe each), and an empty collection
is set to [] without a query (`fill_flagged`): TXMODA reads entity, module and flags in one
statement (`entity_and_module`).

Only simple one-to-many relationships (a foreign key to the parent's primary key) are
prepared this way; anything else is refused loudly, so a new relationship is not
silently loaded wrong.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Exists, Select, and_, bindparam, exists, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .models import Base, Entity, HistoryItem, TaxModule

T = TypeVar("T")

#: One entity by its (unique, indexed) TIN.
ENTITY_BY_TIN: Select[Entity] = select(Entity).where(Entity.tin == bindparam("tin"))
#: One module of an entity by MFT and period (the unique entity_id, mft, period index).
MODULE_OF_ENTITY: Select[TaxModule] = select(TaxModule).where(
    TaxModule.entity_id == bindparam("entity_id"),
    TaxModule.mft == bindparam("mft"),
    TaxModule.period == bindparam("period"),
)


def _simple_collection(cls: type[Base], name: str) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """The relationship `cls.name` with its parent key and child foreign key, if it is a
    simple one-to-many collection (ValueError otherwise)."""
    prop = inspect(cls).relationships[name]
    pairs = prop.local_remote_pairs or []
    if not prop.uselist or prop.secondary is not None or len(pairs) != 1:
        raise ValueError(f"{cls.__name__}.{name}: only a simple one-to-many collection can be prepared")
    local, remote = pairs[0]
    if not local.primary_key:
        raise ValueError(f"{cls.__name__}.{name}: the collection must hang off the primary key")
    return prop, local, remote


@cache
def _collection_query(cls: type[Base], name: str) -> Select[Any]:
    """`SELECT child WHERE child.fk = :parent ORDER BY <the relationship's order_by>`."""
    prop, _, remote = _simple_collection(cls, name)
    stmt = select(prop.mapper.class_).where(remote == bindparam("parent"))
    order_by = prop.order_by or ()
    return stmt.order_by(*order_by) if order_by else stmt


@cache
def collection_exists(cls: type[Base], name: str) -> Exists:
    """`EXISTS (SELECT child WHERE child.fk = cls.pk)`, correlated to the `cls` row of the
    query it is put in: one indexed probe that tells whether the collection is empty."""
    _, local, remote = _simple_collection(cls, name)
    return exists().where(remote == local)


#: Whether a module has history items (by the indexed entity_id, then the module).
MODULE_HAS_HISTORY: Exists = exists().where(
    HistoryItem.entity_id == TaxModule.entity_id, HistoryItem.module_id == TaxModule.id
)


#: Whether an entity has history items of its own (module_id NULL), by the indexed entity_id.
ENTITY_HAS_HISTORY: Exists = exists().where(HistoryItem.entity_id == Entity.id, HistoryItem.module_id.is_(None))


def load_collections(db: Session, obj: Base, *names: str) -> None:
    """Fill the named collections of `obj` (each with one prepared query), unless loaded.

    A collection already loaded in this session is left as it is, as a lazy load would.
    """
    state = inspect(obj)
    unloaded = state.unloaded
    if state.identity is None:  # as `None[0]` would, but saying why
        raise TypeError(f"{type(obj).__name__} has no identity: it was not loaded from the database")
    ident = state.identity[0]
    for name in names:
        if name in unloaded:
            rows = list(db.scalars(_collection_query(type(obj), name), {"parent": ident}))
            set_committed_value(obj, name, rows)


def fill_flagged(db: Session, obj: Base, flags: dict[str, bool]) -> None:
    """Fill collections whose emptiness is already known (from `collection_exists` in the
    query that read `obj`): an empty one is set to [] without a query, the others loaded."""
    unloaded = inspect(obj).unloaded
    present = []
    for name, flag in flags.items():
        if flag:
            present.append(name)
        elif name in unloaded:
            set_committed_value(obj, name, [])
    load_collections(db, obj, *present)


def _flags(cls: type[Base], load: tuple[str, ...]) -> list[Any]:
    return [collection_exists(cls, name).label(f"has_{cls.__tablename__}_{name}") for name in load]


@cache
def _entity_query(load: tuple[str, ...], module_load: tuple[str, ...] | None, history: bool = False) -> Select[Any]:
    """Entity by TIN with an EXISTS flag per collection in `load`; with `module_load`, also
    its module by MFT + period (outer join: None when the entity has no such module),
    whether that module has history and a flag per collection in `module_load`; with
    `history`, last, whether the entity has history of its own.  One statement on the TIN
    and (entity_id, mft, period) indexes."""
    stmt = select(Entity, *_flags(Entity, load))
    if module_load is not None:
        on = and_(TaxModule.entity_id == Entity.id, TaxModule.mft == bindparam("mft"),
                  TaxModule.period == bindparam("period"))
        stmt = stmt.add_columns(TaxModule, MODULE_HAS_HISTORY.label("has_module_history"),
                                *_flags(TaxModule, module_load)).outerjoin(TaxModule, on)
    if history:
        stmt = stmt.add_columns(ENTITY_HAS_HISTORY.label("has_entity_history"))
    return stmt.where(Entity.tin == bindparam("tin"))


def read_entity(db: Session, tin: str, load: tuple[str, ...] = (), options: tuple[Any, ...] = (),
                history: bool = False) -> tuple[Entity | None, bool]:
    """The entity of `tin` (None if not on file) with the collections in `load` filled:
    one statement that also tells which of them are empty, then one query per collection
    that has rows (`fill_flagged`).  With `history`, the same statement also says whether
    the entity has history items of its own (module_id NULL); else that is False."""
    stmt = _entity_query(load, None, history)
    row = db.execute(stmt.options(*options) if options else stmt, {"tin": tin}).first()
    if row is None:
        return None, False
    fill_flagged(db, row[0], dict(zip(load, (bool(f) for f in row[1:1 + len(load)]))))
    return row[0], history and bool(row[-1])


def entity_by_tin(db: Session, tin: str, load: tuple[str, ...] = (), options: tuple[Any, ...] = ()) -> Entity | None:
    """`read_entity` without the history flag."""
    return read_entity(db, tin, load, options)[0]


def entity_and_module(db: Session, tin: str, mft: str, period: str, load: tuple[str, ...] = (),
                      module_load: tuple[str, ...] = (), options: tuple[Any, ...] = (),
                      ) -> tuple[Entity | None, TaxModule | None, bool]:
    """The entity of `tin` and its module `mft` `period`, each with the collections in
    `load` / `module_load` filled, and whether that module has history items;
    (None, None, False) for a TIN not on file, (entity, None, False) for no such module.

    A module display needs both rows and usually finds its cases and controls empty: one
    statement answers all of it, and only a collection that has rows costs a query.
    """
    stmt = _entity_query(load, module_load)
    row = db.execute(stmt.options(*options) if options else stmt, {"tin": tin, "mft": mft, "period": period}).first()
    if row is None:
        return None, None, False
    ent, n = row[0], len(load)
    module, has_history = row[n + 1], bool(row[n + 2])
    if module is None:
        return ent, None, False
    fill_flagged(db, ent, dict(zip(load, (bool(f) for f in row[1:n + 1]))))
    fill_flagged(db, module, dict(zip(module_load, (bool(f) for f in row[n + 3:]))))
    return ent, module, has_history


def module_transactions_from_entity(ent: Entity, module: TaxModule) -> None:
    """Fill `module.transactions` from the entity's transactions already in memory.

    Every transaction of a module carries the module's entity (`entity_id`), so when the
    entity's collection is loaded the module's is a subset of it, in the same order
    (both are ordered by id): no query needed.
    """
    if "transactions" in inspect(module).unloaded and "transactions" not in inspect(ent).unloaded:
        set_committed_value(module, "transactions", [t for t in ent.transactions if t.module_id == module.id])


def module_of(db: Session, ent: Entity, mft: str, period: str) -> TaxModule | None:
    """`ent.module(mft, period)` without loading every module of the entity: one prepared
    query on the unique (entity_id, mft, period) index unless the modules are loaded."""
    if "modules" not in inspect(ent).unloaded:
        return ent.module(mft, period)
    return db.scalar(MODULE_OF_ENTITY, {"entity_id": ent.id, "mft": mft, "period": period})
