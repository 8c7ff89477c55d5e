"""New row ids handed out in bulk, the same on SQLite and PostgreSQL.

Why: the posting run writes many rows with one executemany per table, so it numbers them
itself instead of asking the database one row at a time.  SQLite gives a row without an id
max(id) + 1, so max + 1 is all it needs.  PostgreSQL gives one its sequence's next value,
which does not move when ids are written explicitly: the sequence must be moved past the
ids handed out here, or the next row written without an id (a trainee's input, another
rule) takes one of them (`duplicate key value violates unique constraint`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

__all__ = ["reserve_ids"]


def reserve_ids(db: Session | Connection, table: Table, count: int) -> int:
    """The first of `count` consecutive ids for new rows of `table`, none of them used and
    none of them handed out by the table's sequence later (PostgreSQL)."""
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    if dialect != "postgresql":
        return int(db.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    seq = f"pg_get_serial_sequence('{table.name}', 'id')"
    first = int(db.execute(text(
        f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), nextval({seq})) + 1")).scalar_one())
    if count > 0:
        db.execute(text(f"SELECT setval({seq}, :last)"), {"last": first + count - 1})
    return first
