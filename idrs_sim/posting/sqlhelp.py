"""SQL helpers of the posting rules: rows straight from the driver, executemany without
per-row parameter dicts, literals for constants, and the second references to the
transaction table the rules join.

Why: a 1M-module run reads and writes millions of rows; the ORM result machinery and Core's
per-row parameter dicts cost as much as SQLite's own work (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import aliased

from ..masterfile.models import Transaction

__all__ = ["MARKER", "RETURN", "driver_chunks", "insert_rows", "sql_literal"]

#: Second references to the transaction table (the TPP / AC 052 marker of a return, a
#: module's latest return), made once: an alias builds a proxy of every column.
MARKER = aliased(Transaction, name="marker")
RETURN = aliased(Transaction, name="ret")


def driver_chunks(conn: Any, stmt: Any, size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `stmt`, executed on the run's connection, straight from the driver's
    cursor `size` at a time: plain tuples, neither ORM nor Row objects, no type conversion
    (a bulk run reads hundreds of thousands of rows whose values need none)."""
    result = conn.execute(stmt)
    try:
        while chunk := result.cursor.fetchmany(size):
            yield chunk
    finally:
        result.close()


def sql_literal(value: int | str | dt.date) -> str:
    """A SQL literal for a constant the caller controls (digits, status words, dates)."""
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.date) else value
    if not re.fullmatch(r"[\w-]*", text):
        raise ValueError(f"not a safe literal: {text!r}")
    return f"'{text}'"


def insert_rows(conn: Any, stmt: Any, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """executemany of `stmt` with one tuple per row (values in the order of `names`).

    Where the driver takes positional parameters (SQLite), the compiled statement goes to
    the driver in one call, each value through its column type's bind conversion: Core's
    executemany builds a parameter dict per row, which cost as much as the insert itself
    for the refunds of a large run.  Other drivers take Core's path.
    """
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=list(names))
    order = compiled.positiontup if compiled.positional else None
    if not order or sorted(order) != sorted(names):  # e.g. a column default to compute: Core's path
        conn.execute(stmt, [dict(zip(names, row)) for row in rows])
        return
    columns = stmt.table.c
    procs = [columns[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    index = [names.index(n) for n in order]
    if any(procs) or index != list(range(len(names))):
        # Column by column: only the columns with a bind conversion are converted.
        values = list(zip(*rows))
        for i, proc in enumerate(procs):
            if proc is not None:
                values[i] = tuple(v if v is None else proc(v) for v in values[i])
        rows = list(zip(*(values[i] for i in index)))
    conn.exec_driver_sql(str(compiled), rows)
