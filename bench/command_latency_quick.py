"""Research command latency: ENMOD and TXMODA on a synthetic 100k-entity master file.

Every entity is an IMF taxpayer with entity transactions (TC 971 AC 505 / AC 123, one
pending), two letters, an entity control base, and one MFT 30 module with a posted return
(TC 150 with its document), TC 806, TC 846, a TC 971 AC 124 marker, a pending TC 290, an
open UP 126 RC 0 on every tenth module, a control base with a history item.  The data is
bulk-inserted with SQLAlchemy Core (one executemany per table); then commands are typed
at an in-process `Terminal` on an `IdrsSession` (parse, definition, handler, audit record,
screen map, paging) and each Enter is timed.  Before timing, every SQL statement one ENMOD
and one TXMODA issue is run through EXPLAIN QUERY PLAN: a full scan of a big table is
reported (there should be none).  Prints figures only.

    PYTHONPATH=. python bench/command_latency_quick.py [--entities 100000] [--runs 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, text

from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.models import (
    PENDING,
    POSTED,
    ControlBase,
    Employee,
    Entity,
    HistoryItem,
    Letter,
    TaxModule,
    Transaction,
    Unpostable,
)
from idrs_sim.masterfile.security import hash_password
from idrs_sim.session import IdrsSession
from idrs_sim.terminal.terminal import Terminal

IDRS = "1485012345"
PASSWORD = "bench123"
TODAY = dt.date(2024, 6, 17)
BIG_TABLES = ("entity", "tax_module", "txn", "unpostable", "control_base", "history_item", "letter", "audit")


def tin(i: int) -> str:
    return f"4{i // 10000:02d}-{i // 100 % 100:02d}-{i % 10000:04d}"


CHUNK = 10_000


def build(mf: MasterFile, n: int) -> float:
    """Bulk-insert `n` entities with their modules and rows, 10k entities per executemany
    batch (bounded memory), all in one unit of work; returns seconds."""
    start = time.perf_counter()
    with mf.unit_of_work() as s:
        for first in range(0, n, CHUNK):
            for model, rows in _rows(first, min(n, first + CHUNK)):
                s.execute(model.__table__.insert(), rows)
        s.add(Employee(idrs=IDRS, name="B BENCH", roles=["tpp-assistor"], password_hash=hash_password(PASSWORD)))
    return time.perf_counter() - start


def _rows(lo: int, hi: int) -> list[tuple[type, list[dict[str, Any]]]]:
    """The rows of entities lo..hi-1 (ids are the entity number + 1; txn ids 8 per entity)."""
    doc: dict[str, Any] = {"tc": 150, "form": "1040", "tax_year": 2023, "filing_status": "single",
                           "received": "2024-02-15", "tax": "4200.00", "withholding": "5000.00", "refund": "800.00",
                           "income": [{"payer_ein": "99-1000001", "payer_name": "ACME CO", "wages": "50000.00",
                                       "withholding": "5000.00"}], "direct_deposit": None}
    ents, mods, txns, letters, cases, controls, hist = [], [], [], [], [], [], []
    tid = lo * 8
    for i in range(lo, hi):
        eid = mid = i + 1
        ents.append(dict(id=eid, tin=tin(i), tin_type="SSN", file="IMF", established=True, name_control="TEST",
                         name_lines=[f"TAXPAYER {i}"], address=["1 MAIN ST", "AUSTIN TX 78701"],
                         filing_requirements={"1040": "01"}, poa=[], information_returns=[], extra={}, depositor=None))
        mods.append(dict(id=mid, entity_id=eid, mft="30", period="202312"))

        def t(**kw: Any) -> None:
            nonlocal tid
            tid += 1
            row = dict(id=tid, entity_id=eid, module_id=mid, tc=0, ac=None, amount=Decimal("0.00"), trans_date=TODAY,
                       secondary_date=None, misc=None, dln=None, status=POSTED, input_date=None, input_cycle=None,
                       due_cycle=None, posting_cycle="202410", post_delay=0, reversed_by_id=None, input_idrs=None,
                       refund_method=None, document=None, extra={})
            row.update(kw)
            txns.append(row)

        dln = f"2924704{i % 1000000:06d}4"[:14]
        t(module_id=None, tc=971, ac=505, trans_date=dt.date(2024, 3, 1), secondary_date=dt.date(2024, 2, 11),
          misc=f"IR2024{i % 100000000:08d}"[:13])
        t(module_id=None, tc=971, ac=123, misc="5071C SENT 202312", posting_cycle="202405")
        t(module_id=None, tc=971, ac=505, status=PENDING, posting_cycle=None, due_cycle="202427",
          misc=f"CR2024{i % 100000000:08d}"[:13])
        t(tc=971, ac=124, misc=dln, dln="18277051101004", posting_cycle="202408")
        t(tc=150, amount=Decimal("4200.00"), dln=dln, document=doc, posting_cycle="202419")
        t(tc=806, amount=Decimal("-5000.00"), dln=dln, posting_cycle="202419")
        t(tc=846, amount=Decimal("800.00"), posting_cycle="202421", refund_method="check")
        t(tc=290, status=PENDING, posting_cycle=None, due_cycle="202427")
        letters.append(dict(entity_id=eid, letter="4883C", period="202312", date=dt.date(2024, 3, 4), idrs="1485000100",
                            on_idrs=True))
        letters.append(dict(entity_id=eid, letter="5216", period="202312", date=dt.date(2024, 4, 4), idrs="1485000100",
                            on_idrs=False))
        controls.append(dict(id=2 * i + 1, entity_id=eid, module_id=None, category="MISC", status="A",
                             activity="ENTREVIEW", idrs=IDRS, opened_date=TODAY))
        controls.append(dict(id=2 * i + 2, entity_id=eid, module_id=mid, category="FRPI", status="A",
                             activity="REQ_FRZRLS", idrs="1486907202", opened_date=TODAY))
        hist.append(dict(entity_id=eid, module_id=mid, control_id=2 * i + 2, date=TODAY, idrs="1486907202",
                         activity="FRZREVIEW", text="FREEZE RELEASE REQUESTED"))
        if i % 10 == 0:
            cases.append(dict(seq=f"{i:012d}", entity_id=eid, module_id=mid, upc=126, reason=0,
                              dln=f"2924704{(i + 1) % 1000000:06d}5"[:14], status="open", assigned="0912345678",
                              original_cycle="202409", status_date=TODAY, document=doc))
    return [(Entity, ents), (TaxModule, mods), (Transaction, txns), (Letter, letters),
            (ControlBase, controls), (HistoryItem, hist), (Unpostable, cases)]


def plans(mf: MasterFile, term: Terminal, command: str) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement one command issues; full scans of big tables."""
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(mf.engine, "before_cursor_execute", capture)
    try:
        type_command(term, command)
    finally:
        event.remove(mf.engine, "before_cursor_execute", capture)
    scans: list[str] = []
    with mf.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            for row in rows:
                detail = str(row[-1])
                if detail.startswith("SCAN") and any(f" {t}" in detail or detail.endswith(t) for t in BIG_TABLES):
                    scans.append(f"{detail}  <-  {statement.split('FROM', 1)[-1][:70].strip()}")
    return [f"{len(seen)} SELECTs"] + scans


def type_command(term: Terminal, command: str) -> str:
    term.clear()
    term.type_text(command)
    term.enter()
    return term.screen.message


def timed(term: Terminal, commands: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each Enter (CPU time shows what the process itself
    spent when the machine is shared: wall time then includes waiting for a core)."""
    wall, cpu = [], []
    for command in commands:
        start, cstart = time.perf_counter(), time.process_time()
        message = type_command(term, command)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cstart) * 1000)
        assert not message.strip(), f"{command}: {message}"
    return wall, cpu


def _pct(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return statistics.median(ms) if q == 0.5 else ms[min(len(ms) - 1, int(len(ms) * q))]


def report(name: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(f"{name:<8} n={len(wall):>5}  wall p50 {_pct(wall, .5):7.2f} ms  p99 {_pct(wall, .99):7.2f} ms"
          f"   cpu p50 {_pct(cpu, .5):7.2f} ms  p99 {_pct(cpu, .99):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--db", default="sqlite://")
    args = parser.parse_args()
    mf = MasterFile(args.db, clock=Clock(TODAY))
    secs = build(mf, args.entities)
    with mf.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM txn")).scalar()
    print(f"built {args.entities} entities, {count} transactions in {secs:.1f} s ({mf.engine.dialect.name})")
    session = IdrsSession(mf, "BENCH01", idle_timeout_minutes=None)
    term = Terminal(session)
    term.type_text(IDRS)  # a full 10-digit field skips to PASSWORD by itself
    term.type_text(PASSWORD)
    term.enter()
    assert "SIGN-ON COMPLETED" in term.screen.message, term.screen.message
    rng = random.Random(7)
    picks = [tin(rng.randrange(args.entities)) for _ in range(args.runs)]
    for name, command in (("ENMOD", f"ENMOD {picks[0]}"), ("TXMODA", f"TXMODA {picks[0]} 30 202312")):
        found = plans(mf, term, command)
        print(f"{name:<8} query plan: {found[0]}; " + ("no full scans" if len(found) == 1 else "FULL SCANS:"))
        for line in found[1:]:
            print(f"           {line}")
    timed(term, [f"ENMOD {t}" for t in picks[:50]])  # warm-up: maps, definitions, statement cache
    report("ENMOD", timed(term, [f"ENMOD {t}" for t in picks]))
    report("TXMODA", timed(term, [f"TXMODA {t} 30 202312" for t in picks]))


if __name__ == "__main__":
    main()
