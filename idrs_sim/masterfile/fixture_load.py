"""Fixture loading: validated rows into a master file, set-based (one executemany per table,
ids assigned by the loader) in one unit of work, so a large dump loads quickly and a failed
load leaves the previous master file untouched.

Part of `idrs_sim.masterfile.fixtures` (read / compose / validate / load / docs).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..gcpause import cyclic_gc_paused
from . import (
    acds_data,  # Appeals TDC (issue 26)
    )
from . import models as m
from .appeals_fixtures import (  # Appeals on ACMS (issue 25)
    insert_appeals,
)
from .db import _CLOCK_KEY, MasterFile
from .fixture_compose import Composition, compose
from .fixture_read import DATA_SOURCE, FixtureError
from .fixture_validate import Rows, validate
from .fixture_validate.schema import _to_decimal
from .security import hash_passwords

# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def load_fixture(mf: MasterFile, name_or_path: str | Path, replace: bool = True) -> Composition:
    """Load a fixture or a dump (by name or path) into `mf`: a fresh master file when `replace`.

    Raises FixtureError (file and line of each problem) without touching `mf` when the
    fixture has hard problems; lint problems do not stop the load.
    """
    comp = compose(name_or_path)
    if comp.problems:
        raise FixtureError(comp.problems)
    with cyclic_gc_paused():
        rows, problems = validate(comp.data, need_date=replace, file=comp.data.file, linting=False)
    hard = [p for p in problems if not p.lint]
    if hard:
        raise FixtureError(hard)
    _load_rows(mf, rows, replace, source=comp.data.file)
    return comp


def load_data(mf: MasterFile, data: dict, replace: bool = True, source: str = DATA_SOURCE) -> None:
    """Load a parsed master file (a fixture mapping or `dump()` output) into `mf`.

    `include:` is not followed here (there is no file to be relative to); use load_fixture.
    """
    if isinstance(data, dict) and data.get("include"):
        raise FixtureError("include: needs a fixture file; use load_fixture", source)
    with cyclic_gc_paused():
        rows, problems = validate(data, need_date=replace, file=source, linting=False)
    hard = [p for p in problems if not p.lint]
    if hard:
        raise FixtureError(hard)
    _load_rows(mf, rows, replace, source=source)


NO_PASSWORD_HASH = "scrypt$$"  # a dump without hashes: this employee has no password (see _employee_hashes)


def _employee_hashes(employees: list[dict]) -> list[str]:
    """The stored hash for each employee row: a fresh random salt per employee.

    A fixture's clear `password:` is hashed now, each with its own salt (the training
    file's employees all have one password; one hash shared by all of them gave every one
    the same salt).  The hashes run side by side on the scrypt pool (security.py); replay's
    in-memory loads come from the ready-made image and do not hash at all.  A dump's
    `password_hash` is kept as it is.  An employee with neither (a dump made without
    --with-hashes) gets NO_PASSWORD_HASH, which no password matches: such an employee
    cannot sign on until the master file is reloaded with a password for them
    (docs/security.md, "Dumps and password hashes").
    """
    clear = [e["_password"] for e in employees if e["_password"] is not None]
    fresh = iter(hash_passwords(clear))
    return [next(fresh) if e["_password"] is not None else (e["password_hash"] or NO_PASSWORD_HASH) for e in employees]


def give_passwords_to_the_hashless(mf: MasterFile) -> dict[str, str]:
    """A fresh random password for each employee loaded without one (a dump made without
    --with-hashes): its hash is stored, the passwords returned for the caller to keep.

    CONTRACT §4: `Load(dump output)` reproduces the master file, and §2's `SignOn(idrs)`
    types "the fixture's password".  A dump has none, so the `Simulator` that loaded it
    keeps these (`password_for`), the way it keeps a fixture's: a replay or a test signs on
    as anyone in the dump.  Nobody else learns them (never printed or saved), so a dump
    served to terminals still admits nobody until reloaded with passwords (decision SRV-6).
    """
    import secrets

    with mf.unit_of_work() as db:
        people = list(db.scalars(select(m.Employee).where(m.Employee.password_hash == NO_PASSWORD_HASH)))
        made = {e.idrs: secrets.token_hex(4) for e in people}
        for emp, hashed in zip(people, hash_passwords(made[e.idrs] for e in people)):
            emp.password_hash = hashed
    return made


def _load_rows(mf: MasterFile, rows: Rows, replace: bool, source: str) -> None:
    with cyclic_gc_paused():
        _load_rows_now(mf, rows, replace, source)


TRAIL_TABLES = frozenset({"audit", "incident_report"})


def _load_rows_now(mf: MasterFile, rows: Rows, replace: bool, source: str) -> None:
    try:
        with mf.unit_of_work() as session:
            if replace:
                # A fresh master file, but the audit trail and incident reports are the
                # record of what people did: append-only, they survive a reload.
                for table in reversed(m.Base.metadata.sorted_tables):
                    if table.name not in TRAIL_TABLES:
                        session.execute(delete(table))
            if rows.when is not None and replace:
                session.merge(m.SimState(key=_CLOCK_KEY, value=rows.when.isoformat()))
            _insert(session, rows, keep_employees=not replace)
    except IntegrityError as exc:
        raise FixtureError(f"the master file already holds some of these records: {exc.orig}", source) from None
    if rows.when is not None and replace:
        mf.clock.set(rows.when)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k[0] != "_"}


def _insert_with_ids(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows with ids assigned here (next after the table's highest); return the ids.

    Why not RETURNING: the ORM sends one statement per row when it must return keys (and
    splices the results, quadratic); with ids known up front one executemany does it.
    """
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    start = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    ids = list(range(start, start + len(rows)))
    for row, new_id in zip(rows, ids):
        row["id"] = new_id
    _executemany(session, table, rows)
    return ids


def _insert_many(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        _executemany(session, model.__table__, rows)  # type: ignore[attr-defined]


def _fast_json(proc: Any) -> Any:
    """The JSON bind processor, short-cut for the empty values most rows carry."""
    if proc is None:
        return None

    def process(value: Any) -> Any:
        if value is None:
            return "null"
        if not value and isinstance(value, (dict, list)):
            return "{}" if isinstance(value, dict) else "[]"
        return proc(value)

    return process


def _executemany(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """One INSERT executemany for rows that all have the same keys.

    On SQLite the rows go straight to the driver, each value through the column type's own
    bind processor (so the stored form is exactly SQLAlchemy's): about 3x faster than
    `session.execute(insert, rows)`, whose per-row parameter building dominates large loads.
    Other databases take the ordinary path.
    """
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        session.execute(table.insert(), rows)
        return
    keys = list(rows[0])
    cols = [table.c[k] for k in keys]
    sql = f'INSERT INTO {table.name} ({", ".join(c.name for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
    procs = [_fast_json(c.type._cached_bind_processor(dialect)) if isinstance(c.type, JSON) else c.type._cached_bind_processor(dialect) for c in cols]
    pairs = list(zip(keys, procs))
    params = [tuple(row[k] if proc is None else proc(row[k]) for k, proc in pairs) for row in rows]
    conn.exec_driver_sql(sql, params)


def _fix_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the ids assigned by `_insert_with_ids`."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in m.Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1),"
                    f" (SELECT COUNT(*) > 0 FROM {table.name}))"
                )
            )


def _insert(session: Session, rows: Rows, keep_employees: bool = False) -> None:
    """Insert validated rows table by table (one executemany each), parents before children.

    `keep_employees` (adding to a master file): employees already on file stay as they are,
    so that a scenario, which brings the training employees, can be added to a running class.
    """
    on_file = set(session.scalars(select(m.Employee.idrs))) if keep_employees else set()
    employees = []
    new = [e for e in rows.employees if e["idrs"] not in on_file]
    for e, pw_hash in zip(new, _employee_hashes(new)):
        row = _plain(e)
        row["password_hash"] = pw_hash
        employees.append(row)
    _insert_many(session, m.Employee, employees)

    ents = rows.entities
    ent_ids = _insert_with_ids(session, m.Entity, [_plain(e) for e in ents])
    mod_rows, mod_refs = [], []
    for ent, eid in zip(ents, ent_ids):
        ent["_id"] = eid
        for mod in ent["_modules"]:
            mod_rows.append({**_plain(mod), "entity_id": eid})
            mod_refs.append(mod)
    for mod, module_id in zip(mod_refs, _insert_with_ids(session, m.TaxModule, mod_rows)):
        mod["_id"] = module_id

    # Transactions: entity level, then each module's own, each followed by the unposted
    # transactions the loader creates for unpostables without `txn:` (see _auto_txn).
    txn_rows, txn_refs = [], []
    for ent in ents:
        for owner, level in _levels(ent):
            for up in level["unpostables"]:
                if up["_txn"] is None:
                    up["_txn"] = _auto_txn(up)
                    level["txns"].append(up["_txn"])
            for t in level["txns"]:
                txn_rows.append({**_plain(t), "entity_id": ent["_id"], "module_id": owner["_id"] if owner else None})
                txn_refs.append(t)
    for t, tid in zip(txn_refs, _insert_with_ids(session, m.Transaction, txn_rows)):
        t["_id"] = tid
    links = [{"id": t["_id"], "reversed_by_id": t["_link"]["_id"]} for t in txn_refs if t["_link"] is not None]
    if links:  # after the insert: a reversal usually comes after its original
        session.execute(update(m.Transaction), links)

    up_rows: list[dict[str, Any]] = []
    up_refs: list[dict[str, Any]] = []
    ctl_rows: list[dict[str, Any]] = []
    ctl_refs: list[tuple[dict[str, Any], int, int | None]] = []
    hist_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    letter_rows: list[dict[str, Any]] = []
    for ent in ents:
        eid = ent["_id"]
        for owner, level in _levels(ent):
            mid = owner["_id"] if owner else None
            for up in level["unpostables"]:
                up_rows.append({**_plain(up), "entity_id": eid, "module_id": mid, "txn_id": up["_txn"]["_id"]})
                up_refs.append(up)
            for c in level["controls"]:
                ctl_rows.append({**_plain(c), "entity_id": eid, "module_id": mid})
                ctl_refs.append((c, eid, mid))
            for h in level["history"]:
                hist_rows.append({**h, "entity_id": eid, "module_id": mid, "control_id": None})
            for n in level["notes"]:
                note_rows.append({**n, "entity_id": eid, "module_id": mid})
            for letter in level["letters"]:
                letter_rows.append({**letter, "entity_id": eid})
    up_hist: list[dict[str, Any]] = []
    for up, uid in zip(up_refs, _insert_with_ids(session, m.Unpostable, up_rows)):
        up_hist.extend({**h, "case_id": uid} for h in up["_history"])
    _insert_many(session, m.UnpostableHistory, up_hist)
    for (c, c_eid, c_mid), cid in zip(ctl_refs, _insert_with_ids(session, m.ControlBase, ctl_rows)):
        hist_rows.extend({**h, "entity_id": c_eid, "module_id": c_mid, "control_id": cid} for h in c["_history"])
    _insert_many(session, m.HistoryItem, hist_rows)
    _insert_many(session, m.Note, note_rows)
    _insert_many(session, m.Letter, letter_rows)
    _insert_many(session, m.IcsCase, rows.ics_cases)
    insert_appeals(session, rows.appeals)  # Appeals on ACMS (issue 25)
    _insert_many(session, m.CycleRun, rows.cycle_runs)
    acds_data.insert(session, rows.acds_cases)  # Appeals TDC (issue 26)
    for key, value in rows.state.items():
        session.merge(m.SimState(key=key, value=value))
    _fix_sequences(session)


def _levels(ent: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, list]]]:
    """(module or None, its rows) for the entity level and each module, in insert order."""
    return [(None, ent["_level"]), *((mod, mod["_level"]) for mod in ent["_modules"])]


def _auto_txn(up: dict[str, Any]) -> dict[str, Any]:
    """The unposted transaction of an unpostable case given without `txn:`.

    Decision: every case points at its transaction, as the posting run makes them, so that
    TXMOD shows the unpostable and a resolution has something to post.  Its TC is the
    document's `tc` (default 150), amount the document's `tax`, DLN the case's; status
    `unpostable`, or `deleted` once a closed case has been released (a case that reposted
    lists its posted TC 150 separately, or names it with `txn:`).
    """
    doc = up["document"] or {}
    tc = doc.get("tc", 150)
    amount = _to_decimal(doc.get("tax", "0.00")) if tc == 150 else Decimal("0.00")
    received = doc.get("received")
    try:
        trans_date = dt.date.fromisoformat(received) if isinstance(received, str) else None
    except ValueError:
        trans_date = None
    closed_released = up["status"] == "closed" and up["released"]
    return {
        "tc": tc if isinstance(tc, int) else 150,
        "ac": None,
        "amount": amount if amount is not None else Decimal("0.00"),
        "trans_date": trans_date,
        "secondary_date": None,
        "misc": None,
        "dln": up["dln"],
        "status": m.DELETED if closed_released else m.UNPOSTABLE,
        "input_date": None,
        "input_cycle": None,
        "due_cycle": None,
        "posting_cycle": up["original_cycle"],
        "post_delay": 0,
        "input_idrs": None,
        "refund_method": None,
        "document": up["document"],
        "extra": {},
        "_link": None,
    }
