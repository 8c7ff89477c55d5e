"""The TPP/FTD mix: a master file shaped like the work trainees create, for the posting
benchmark (`python -m bench.posting --mix`, docs/benchmarks.md "The TPP/FTD mix").

Per 100 taxpayers (scenario = taxpayer number mod 100):

    0-29   IMF return TC 150, paper (refund by check, or balance due)
    30-49  IMF return TC 150 asking for direct deposit
    50-59  TC 971 AC 124 posted, TC 972 AC 124 pending with the same DLN in MISC (module)
    60-64  TC 971 AC 527 posted on the entity, TC 972 AC 527 pending (entity level)
    65-74  TC 290 .00 input with a 1-cycle post-delay, releasing a RIVO -R hold (TC 971 AC 134)
           on a module with a credit balance: the refund issues
    75-82  a return on the GUF (UP 126) resolved by UPRES: URC 0, 0, 6, 6, 8, 8, D, D
    83-86  TC 971 AC 111 with the DLN of a return that is UP 126: moves it to MFT 32 (TC 976)
    87-90  TC 150 whose DLN a posted TC 971 AC 124 carries: goes unpostable UP 126
    91     BMF semiweekly depositor, a Form 941 quarter and no deposits now: FTD alert issued
    92-99  BMF semiweekly depositor with its deposits made: a pending TC 650 deposit

Built with plain `sqlite3` on the master file's own connection (tables and indexes as the
models create them).  The simulated date is Friday 2024-06-14 (cycle 202425; the input is
due in 202426, the 13th cycle week of the quarter, when FTD alerts issue).  The TINs are
fictitious: SSNs 400-00-xxxx upwards (group 00, never issued), EINs 99-xxxxxxx.

The *input rows* are what the cycle works on: every pending transaction and every return
on the GUF that UPRES resolved; the plain-SQLite floor inserts exactly these rows.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

DATE = dt.datetime(2024, 6, 14, 8, 0)
INPUT_CYCLE, CYCLE = "202425", "202426"
CHUNK = 50_000

ENTITY_SQL = ("INSERT INTO entity (id, tin, tin_type, file, established, name_control, name_lines, address, "
              "filing_requirements, depositor, poa, information_returns, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
MODULE_SQL = "INSERT INTO tax_module (id, entity_id, mft, period) VALUES (?,?,?,?)"
TXN_COLS = ("id", "entity_id", "module_id", "tc", "ac", "amount", "trans_date", "misc", "dln", "status",
            "input_cycle", "due_cycle", "posting_cycle", "post_delay", "input_idrs", "document", "extra")
TXN_SQL = f"INSERT INTO {{table}} ({', '.join(TXN_COLS)}) VALUES ({', '.join('?' * len(TXN_COLS))})"
CASE_COLS = ("id", "seq", "entity_id", "module_id", "txn_id", "upc", "reason", "dln", "status", "assigned", "urc",
             "ccc", "original_cycle", "status_date", "resolved_by", "resolved_date", "released", "document")
CASE_SQL = f"INSERT INTO unpostable ({', '.join(CASE_COLS)}) VALUES ({', '.join('?' * len(CASE_COLS))})"

SCENARIOS = (
    ("return_paper", range(30)), ("return_dd", range(30, 50)), ("tc972_module", range(50, 60)),
    ("tc972_entity", range(60, 65)), ("tc290_release", range(65, 75)), ("upres", range(75, 83)),
    ("ac111_move", range(83, 87)), ("tc150_up126", range(87, 91)), ("ftd_alert", range(91, 92)),
    ("ftd_deposit", range(92, 100)),
)
KIND = [name for name, span in SCENARIOS for _ in span]
URCS = ("0", "0", "6", "6", "8", "8", "D", "D")
TPP = "1485012345"


def ssn(i: int) -> str:
    return f"{400 + i // 10000}-00-{i % 10000:04d}"


def ein(i: int) -> str:
    return f"99-{i:07d}"


def dln(i: int) -> str:
    return f"29211{(i // 100000) % 1000:03d}{i % 100000:05d}4"[:14]


class Rows:
    """The rows of taxpayers lo..hi-1: entities, modules, history (posted), input, cases."""

    def __init__(self) -> None:
        self.entities: list[tuple[Any, ...]] = []
        self.modules: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        self.input: list[tuple[Any, ...]] = []
        self.cases: list[tuple[Any, ...]] = []


def _ids(i: int) -> tuple[int, int, int]:
    """(entity id, first module id, first transaction id) of taxpayer i: fixed strides, so a
    chunk is built without knowing the others (2 modules, 4 transactions per taxpayer)."""
    return i + 1, 2 * i + 1, 4 * i + 1


def rows(lo: int, hi: int) -> Rows:
    r = Rows()
    ent_add, mod_add, hist, inp, cases = r.entities.append, r.modules.append, r.history.append, r.input.append, r.cases.append
    for i in range(lo, hi):
        kind = KIND[i % 100]
        eid, mid, tid = _ids(i)
        d = dln(i)
        if kind.startswith("ftd"):
            ent_add((eid, ein(i), "EIN", "BMF", 1, "TEST", '["TEST EMPLOYER"]', '["1 MAIN ST", "AUSTIN TX 78701"]',
                     '{"941": "01"}', "semiweekly", "[]", "[]", "{}"))
            mod_add((mid, eid, "01", "202403"))
            mod_add((mid + 1, eid, "01", "202406"))
            hist((tid, eid, mid, 150, None, 20000, "2024-04-30", None, None, "posted", "202418", "202419", "202419", 0,
                  None, None, "{}"))
            hist((tid + 1, eid, mid, 650, None, 20000, "2024-03-15", None, None, "posted", "202412", "202413", "202413",
                  0, None, None, "{}"))
            if kind == "ftd_deposit":
                hist((tid + 2, eid, mid + 1, 650, None, 15000, "2024-05-15", None, None, "posted", "202420", "202421",
                      "202421", 0, None, None, "{}"))
                inp((tid + 3, eid, mid + 1, 650, None, 1500, "2024-06-12", None, None, "pending", INPUT_CYCLE, CYCLE,
                     None, 0, None, None, "{}"))
            continue
        ent_add((eid, ssn(i), "SSN", "IMF", 1, "TEST", '["TEST TAXPAYER"]', "[]", "{}", None, "[]", "[]", "{}"))
        mod_add((mid, eid, "30", "202312"))
        if kind in ("return_paper", "return_dd"):
            withholding = 4000 + (i % 3) * 1500  # tax 5000: a third owe, two thirds refund
            dd = '{"routing": "111000025", "account": "1"}' if kind == "return_dd" else "null"
            doc = f'{{"tc": 150, "tax": "5000.00", "withholding": "{withholding}.00", "direct_deposit": {dd}}}'
            inp((tid, eid, mid, 150, None, 5000, "2024-04-15", None, d, "pending", INPUT_CYCLE, CYCLE, None, 0, None,
                 doc, "{}"))
        elif kind == "tc972_module":
            hist((tid, eid, mid, 971, 124, 0, "2024-04-01", d, None, "posted", "202414", "202415", "202415", 0, TPP,
                  None, "{}"))
            inp((tid + 1, eid, mid, 972, 124, 0, "2024-06-12", d, None, "pending", INPUT_CYCLE, CYCLE, None, 0, TPP,
                 None, "{}"))
        elif kind == "tc972_entity":
            hist((tid, eid, None, 971, 527, 0, "2024-04-01", "IVO EL IDT", None, "posted", "202414", "202415",
                  "202415", 0, TPP, None, "{}"))
            inp((tid + 1, eid, None, 972, 527, 0, "2024-06-12", None, None, "pending", INPUT_CYCLE, CYCLE, None, 0,
                 TPP, None, "{}"))
        elif kind == "tc290_release":
            doc = '{"tc": 150, "tax": "5000.00", "withholding": "6500.00", "direct_deposit": null}'
            hist((tid, eid, mid, 150, None, 5000, "2024-04-15", None, d, "posted", "202416", "202417", "202417", 0,
                  None, doc, "{}"))
            hist((tid + 1, eid, mid, 806, None, 6500, "2024-04-15", None, None, "posted", "202416", "202417", "202417",
                  0, None, None, '{"generated": "return", "key": "withholding"}'))
            hist((tid + 2, eid, mid, 971, 134, 0, "2024-04-10", d, None, "posted", "202415", "202416", "202416", 0,
                  TPP, None, "{}"))
            inp((tid + 3, eid, mid, 290, None, 0, "2024-06-05", None, None, "pending", "202424", CYCLE, None, 1, TPP,
                 None, "{}"))
        elif kind in ("upres", "ac111_move"):
            doc = '{"tc": 150, "tax": "5000.00", "withholding": "4000.00", "direct_deposit": null}'
            row = (tid, eid, mid, 150, None, 5000, "2024-04-15", None, d, "unpostable", "202416", "202417", None, 0,
                   None, doc, "{}")
            urc = URCS[i % 100 - 75] if kind == "upres" else None
            (inp if kind == "upres" else hist)(row)
            cases((tid, f"{tid:09d}", eid, mid, tid, 126, 0, d, "open", TPP, urc, None, "202417",
                          "2024-04-26", TPP if urc else None, "2024-06-14" if urc else None, 0, None))
            if kind == "ac111_move":
                inp((tid + 1, eid, mid, 971, 111, 0, "2024-06-12", d, None, "pending", INPUT_CYCLE, CYCLE, None, 0,
                     TPP, None, "{}"))
        elif kind == "tc150_up126":
            hist((tid, eid, mid, 971, 124, 0, "2024-04-01", d, None, "posted", "202414", "202415", "202415", 0, TPP,
                  None, "{}"))
            doc = '{"tc": 150, "tax": "5000.00", "withholding": "6000.00", "direct_deposit": null}'
            inp((tid + 1, eid, mid, 150, None, 5000, "2024-04-15", None, d, "pending", INPUT_CYCLE, CYCLE, None, 0,
                 None, doc, "{}"))
    return r


def input_count(n: int) -> int:
    """How many input rows (the floor's rows) n taxpayers have."""
    per = {"return_paper": 1, "return_dd": 1, "tc972_module": 1, "tc972_entity": 1, "tc290_release": 1, "upres": 1,
           "ac111_move": 1, "tc150_up126": 1, "ftd_alert": 0, "ftd_deposit": 1}
    return sum(per[KIND[i % 100]] for i in range(n))


def fill(con: sqlite3.Connection, n: int) -> dict[str, int]:
    """Fill an empty master file (its schema made by the models) with n taxpayers."""
    counts = {"entities": 0, "modules": 0, "history": 0, "input": 0, "cases": 0}
    con.execute("BEGIN")
    for lo in range(0, n, CHUNK):
        r = rows(lo, min(n, lo + CHUNK))
        con.executemany(ENTITY_SQL, r.entities)
        con.executemany(MODULE_SQL, r.modules)
        con.executemany(TXN_SQL.format(table="txn"), r.history)
        con.executemany(TXN_SQL.format(table="txn"), r.input)
        con.executemany(CASE_SQL, r.cases)
        for key, got in (("entities", r.entities), ("modules", r.modules), ("history", r.history),
                         ("input", r.input), ("cases", r.cases)):
            counts[key] += len(got)
    con.execute("COMMIT")
    return counts


def insert_floor(con: sqlite3.Connection, n: int) -> tuple[float, float]:
    """The plain-SQLite floor: executemany of the n taxpayers' input rows into `txn` of a
    database that holds the master file's schema with its entities and modules (not timed),
    then COMMIT; (wall, cpu) of the executemany calls and the commit."""
    con.execute("BEGIN")
    for lo in range(0, n, CHUNK):
        r = rows(lo, min(n, lo + CHUNK))
        con.executemany(ENTITY_SQL, r.entities)
        con.executemany(MODULE_SQL, r.modules)
    con.execute("COMMIT")
    wall = cpu = 0.0
    con.execute("BEGIN")
    for lo in range(0, n, CHUNK):
        batch = rows(lo, min(n, lo + CHUNK)).input
        w0, c0 = time.perf_counter(), time.process_time()
        con.executemany(TXN_SQL.format(table="txn"), batch)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
    w0, c0 = time.perf_counter(), time.process_time()
    con.execute("COMMIT")
    return wall + time.perf_counter() - w0, cpu + time.process_time() - c0


def _timed(call: Any, sql: str, params: Any, wall: float, cpu: float) -> tuple[float, float]:
    """`call(sql, params)`, its wall and CPU time added to the running totals."""
    w0, c0 = time.perf_counter(), time.process_time()
    call(sql, params)
    return wall + time.perf_counter() - w0, cpu + time.process_time() - c0


def write_floor(before: bytes, after: bytes, tmp: str, verify: bool = False) -> dict[str, Any]:
    """The writes floor: the rows a cycle wrote, written again with plain sqlite3.

    `before` and `after` are images of the master file before and after the cycle.  Into a
    copy of `before`, table by table (parents first): INSERT of every row the cycle added,
    UPDATE by rowid of the columns that changed in every row it changed, DELETE of every
    row it removed -- executemany in blocks, one transaction, foreign keys checked at
    COMMIT -- so that the copy ends equal to `after` (`verify` checks it).  No reading and
    no deciding: any posting run that leaves the same master file writes at least these
    rows, so this is what such a run costs at the least on SQLite.  The differences are
    read outside the timing (`before` is written under `tmp` to be attached); the figures
    time the writes and the COMMIT only.
    """
    path = os.path.join(tmp, "write-floor-before.db")
    with open(path, "wb") as fh:
        fh.write(before)
    src = sqlite3.connect(":memory:")
    dst = sqlite3.connect(":memory:", isolation_level=None)
    try:
        src.deserialize(after)
        src.execute("ATTACH DATABASE ? AS b", (path,))
        dst.deserialize(before)
        dst.execute("PRAGMA foreign_keys=ON")
        tables = [t for (t,) in src.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        wall = cpu = 0.0
        rows_written = {"inserted": 0, "updated": 0, "deleted": 0}
        dst.execute("BEGIN")
        dst.execute("PRAGMA defer_foreign_keys=ON")
        for table in tables:
            info = list(src.execute(f'PRAGMA main.table_info("{table}")'))
            cols = [c[1] for c in info]
            names = ", ".join(f'"{c}"' for c in cols)
            (top,) = src.execute(f'SELECT coalesce(max(rowid), 0) FROM b."{table}"').fetchone()
            insert = f'INSERT INTO "{table}" (rowid, {names}) VALUES ({", ".join("?" * (len(cols) + 1))})'
            added = src.execute(f'SELECT rowid, {names} FROM main."{table}" WHERE rowid > ?', (top,))
            while block := added.fetchmany(CHUNK):
                wall, cpu = _timed(dst.executemany, insert, block, wall, cpu)
                rows_written["inserted"] += len(block)
            # A changed row sets only the columns that changed (as a posting rule's UPDATE does),
            # grouped by which ones: setting an unchanged indexed column would rewrite its index.
            differs = " OR ".join(f'a."{c}" IS NOT o."{c}"' for c in cols)
            changed = src.execute(f'SELECT a.rowid, {", ".join(f"a.{chr(34)}{c}{chr(34)}" for c in cols)}, '
                                  f'{", ".join(f"o.{chr(34)}{c}{chr(34)}" for c in cols)} FROM main."{table}" a '
                                  f'JOIN b."{table}" o ON o.rowid = a.rowid WHERE {differs}')
            width = len(cols)
            while block := changed.fetchmany(CHUNK):
                groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
                for r in block:
                    which = tuple(k for k in range(width) if r[1 + k] != r[1 + width + k])
                    groups.setdefault(which, []).append((*(r[1 + k] for k in which), r[0]))
                for which, params in groups.items():
                    sets = ", ".join(f'"{cols[k]}" = ?' for k in which)
                    wall, cpu = _timed(dst.executemany, f'UPDATE "{table}" SET {sets} WHERE rowid = ?', params,
                                       wall, cpu)
                rows_written["updated"] += len(block)
            gone = src.execute(f'SELECT rowid FROM b."{table}" EXCEPT SELECT rowid FROM main."{table}"').fetchall()
            wall, cpu = _timed(dst.executemany, f'DELETE FROM "{table}" WHERE rowid = ?', gone, wall, cpu)
            rows_written["deleted"] += len(gone)
        wall, cpu = _timed(dst.execute, "COMMIT", (), wall, cpu)
        if verify:
            dst.execute("ATTACH DATABASE ? AS b", (path,))
            src_tables = {t: list(src.execute(f'SELECT rowid, * FROM main."{t}" ORDER BY rowid')) for t in tables}
            for t in tables:
                if list(dst.execute(f'SELECT rowid, * FROM main."{t}" ORDER BY rowid')) != src_tables[t]:
                    raise AssertionError(f"write floor: table {t} differs from the cycle's")
        return {"wall_s": wall, "cpu_s": cpu, **rows_written}
    finally:
        src.close()
        dst.close()
        os.remove(path)


def schema_ddl(mf: Any) -> list[str]:
    raw = mf.engine.raw_connection()
    try:
        return [sql for (sql,) in raw.driver_connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'table' DESC, rowid")]
    finally:
        raw.close()


def floor_copy(ddl: list[str], path: str, n: int) -> tuple[float, float]:
    """`insert_floor` into a new database (`path`, or ":memory:") with the schema `ddl`."""
    if path != ":memory:" and os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys=ON")
        for sql in ddl:
            con.execute(sql)
        return insert_floor(con, n)
    finally:
        con.close()


def build_file(path: str, n: int) -> dict[str, int]:
    """A SQLite file master file of n mix taxpayers, its clock on DATE (for `idrs-sim cycle`)."""
    from idrs_sim.clock import Clock
    from idrs_sim.masterfile.db import MasterFile

    if os.path.exists(path):
        os.remove(path)
    mf = MasterFile(f"sqlite:///{path}", clock=Clock(DATE))
    mf.save_clock()
    raw = mf.engine.raw_connection()
    try:
        counts = fill(raw.driver_connection, n)
    finally:
        raw.close()
        mf.dispose()
    return counts


def build_idle_file(path: str) -> None:
    """A master file with the schema, the clock and one taxpayer with nothing on it: what
    `idrs-sim cycle` start-up is measured on (an empty file would get the training fixture)."""
    build_file(path, 0)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute(ENTITY_SQL, (1, ssn(0), "SSN", "IMF", 1, "IDLE", '["IDLE TAXPAYER"]', "[]", "{}", None, "[]", "[]",
                                 "{}"))
    finally:
        con.close()


def scenario_counts(n: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(n):
        out[KIND[i % 100]] = out.get(KIND[i % 100], 0) + 1
    return out


def expected(n: int) -> Iterator[tuple[str, int]]:
    """What a correct cycle does with n taxpayers (the smoke test checks these)."""
    c = scenario_counts(n)
    yield "reversed", c.get("tc972_module", 0) + c.get("tc972_entity", 0)
    yield "moved_to_mft32", c.get("ac111_move", 0)
    yield "up126", c.get("tc150_up126", 0)
    yield "alerts", c.get("ftd_alert", 0)
