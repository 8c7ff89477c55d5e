"""Command latency in process: ENMOD, TXMODA, UPTIN and an FRM77 input at 100k entities.

Every entity is an IMF taxpayer with entity transactions (TC 971 AC 505 / AC 123, one
pending), two letters, an entity control base, and one MFT 30 module with a posted return
(TC 150 with its document), TC 806, TC 846, a TC 971 AC 124 marker, a pending TC 290, a
control base with a history item; every tenth module has an open UP 126 RC 0 case.  The
data is inserted with plain sqlite3 executemany (the values SQLAlchemy would store).

Commands are typed at an in-process `Terminal` on an `IdrsSession`, the path every front
end takes: parse, definition, role check, handler, audit record, screen map, paging.
What is timed is the **Enter** key only (host round trip: merge, parse, handler in its
unit of work, audit record, commit, screen), for TINs drawn at random:

* ENMOD TIN; TXMODA TIN 30 202312; UPTIN TIN (on TINs that have a case);
* FRM77 input: REQ77 TIN 30 202312 (Enter: the FRM77 screen), then TC>971 and
  TC971/151>850 filled in and Enter (the pending TC 971 AC 850 is stored); the two
  Enters are reported apart and summed.

The Clear before each command is timed too (it writes an audit record).  Before timing,
every SELECT of one ENMOD, TXMODA, UPTIN and REQ77 + FRM77 goes through EXPLAIN QUERY
PLAN: a full scan of a big table is reported (there should be none).  Prints figures only.

    python -m bench.latency [--entities 100000] [--runs 300] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import time
from typing import Any

from bench.common import Result, say, summary_ms, timed

IDRS = "1485012345"
PASSWORD = "bench123"
TODAY = dt.date(2024, 6, 17)
BIG_TABLES = ("entity", "tax_module", "txn", "unpostable", "control_base", "history_item", "letter", "audit")
CHUNK = 20_000
TXN_COLS = ("id", "entity_id", "module_id", "tc", "ac", "amount", "trans_date", "secondary_date", "misc", "dln",
            "status", "input_cycle", "due_cycle", "posting_cycle", "post_delay", "refund_method", "document", "extra")
DOC = json.dumps({"tc": 150, "form": "1040", "tax_year": 2023, "filing_status": "single", "received": "2024-02-15",
                  "tax": "4200.00", "withholding": "5000.00", "refund": "800.00",
                  "income": [{"payer_ein": "99-1000001", "payer_name": "ACME CO", "wages": "50000.00",
                              "withholding": "5000.00"}], "direct_deposit": None})


def tin(i: int) -> str:
    """Fictitious: group 00 is never issued; 400-00-xxxx holds 10,000, so areas 400-409."""
    return f"{400 + i // 10000}-00-{i % 10000:04d}"


def _insert(con: Any, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


def _chunk(con: Any, lo: int, hi: int) -> None:
    today = TODAY.isoformat()
    ents: list[tuple[Any, ...]] = []
    mods: list[tuple[Any, ...]] = []
    txns: list[tuple[Any, ...]] = []
    letters: list[tuple[Any, ...]] = []
    cases: list[tuple[Any, ...]] = []
    controls: list[tuple[Any, ...]] = []
    hist: list[tuple[Any, ...]] = []
    tid = lo * 8
    for i in range(lo, hi):
        eid = mid = i + 1
        ents.append((eid, tin(i), "SSN", "IMF", 1, "TEST", json.dumps([f"TAXPAYER {i}"]),
                     '["1 MAIN ST", "AUSTIN TX 78701"]', '{"1040": "01"}', None, "[]", "[]", "{}"))
        mods.append((mid, eid, "30", "202312"))
        dln = f"2924704{i % 1000000:06d}4"[:14]

        def t(module: int | None, tc: int, ac: int | None = None, amount: float = 0, trans: str = today,
              secondary: str | None = None, misc: str | None = None, dln: str | None = None, status: str = "posted",
              due: str | None = None, posting: str | None = "202410", method: str | None = None,
              document: str | None = None) -> None:
            nonlocal tid
            tid += 1
            txns.append((tid, eid, module, tc, ac, amount, trans, secondary, misc, dln, status, None, due, posting, 0,
                         method, document, "{}"))

        t(None, 971, 505, trans="2024-03-01", secondary="2024-02-11", misc=f"IR2024{i % 100000000:08d}"[:13])
        t(None, 971, 123, misc="5071C SENT 202312", posting="202405")
        t(None, 971, 505, status="pending", posting=None, due="202427", misc=f"CR2024{i % 100000000:08d}"[:13])
        t(mid, 971, 124, misc=dln, dln="18277051101004", posting="202408")
        t(mid, 150, amount=4200, dln=dln, document=DOC, posting="202419")
        t(mid, 806, amount=-5000, dln=dln, posting="202419")
        t(mid, 846, amount=800, posting="202421", method="check")
        t(mid, 290, status="pending", posting=None, due="202427")
        letters.append((eid, "4883C", "202312", "2024-03-04", "1485000100", 1))
        letters.append((eid, "5216", "202312", "2024-04-04", "1485000100", 0))
        controls.append((2 * i + 1, eid, None, "MISC", "A", "ENTREVIEW", IDRS, today))
        controls.append((2 * i + 2, eid, mid, "FRPI", "A", "REQ_FRZRLS", "1486907202", today))
        hist.append((eid, mid, 2 * i + 2, today, "1486907202", "FRZREVIEW", "FREEZE RELEASE REQUESTED"))
        if i % 10 == 0:
            cases.append((f"{i:012d}", eid, mid, 126, 0, f"2924704{(i + 1) % 1000000:06d}5"[:14], "open",
                          "0912345678", "202409", today, DOC, 0))
    _insert(con, "entity", ("id", "tin", "tin_type", "file", "established", "name_control", "name_lines", "address",
                            "filing_requirements", "depositor", "poa", "information_returns", "extra"), ents)
    _insert(con, "tax_module", ("id", "entity_id", "mft", "period"), mods)
    _insert(con, "txn", TXN_COLS, txns)
    _insert(con, "letter", ("entity_id", "letter", "period", "date", "idrs", "on_idrs"), letters)
    _insert(con, "control_base", ("id", "entity_id", "module_id", "category", "status", "activity", "idrs",
                                  "opened_date"), controls)
    _insert(con, "history_item", ("entity_id", "module_id", "control_id", "date", "idrs", "activity", "text"), hist)
    _insert(con, "unpostable", ("seq", "entity_id", "module_id", "upc", "reason", "dln", "status", "assigned",
                                "original_cycle", "status_date", "document", "released"), cases)


def build(mf: Any, n: int) -> None:
    from idrs_sim.masterfile.models import Employee
    from idrs_sim.masterfile.security import hash_password

    raw = mf.engine.raw_connection()
    try:
        con = raw.driver_connection
        con.execute("BEGIN")
        for lo in range(0, n, CHUNK):
            _chunk(con, lo, min(n, lo + CHUNK))
        con.execute("COMMIT")
    finally:
        raw.close()
    with mf.unit_of_work() as s:
        s.add(Employee(idrs=IDRS, name="B BENCH", roles=["tpp-assistor"], password_hash=hash_password(PASSWORD)))


def plans(mf: Any, term: Any, command: str, fill: dict[str, str] | None = None) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT one command (and, with `fill`, the input screen it
    answers with, filled in and entered) issues; full scans of big tables."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(mf.engine, "before_cursor_execute", capture)
    try:
        term.clear()
        term.type_text(command)
        term.enter()
        if fill:
            for label, value in fill.items():
                term.fill(label, value)
            term.enter()
    finally:
        event.remove(mf.engine, "before_cursor_execute", capture)
    scans: list[str] = []
    with mf.engine.connect() as conn:
        for statement, parameters in seen:
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall():
                detail = str(row[-1])
                if detail.startswith("SCAN") and any(f" {t}" in detail or detail.endswith(t) for t in BIG_TABLES):
                    scans.append(f"{detail}  <-  {statement.split('FROM', 1)[-1][:70].strip()}")
    return [f"{len(seen)} SELECTs"] + scans


class GcPasses:
    """The cyclic collector's passes while the block runs: count and longest, per generation
    (a pass inside a timed key is part of that key's time)."""

    def __init__(self) -> None:
        self.passes: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.passes[info["generation"]].append(time.perf_counter() - self._start)

    def __enter__(self) -> "GcPasses":
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def figures(self) -> dict[str, Any]:
        return {f"gen{g}": {"n": len(d), "max_ms": round(max(d, default=0.0) * 1000, 2)} for g, d in self.passes.items()}


class Timer:
    """Per-key wall and CPU seconds."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def press(self, key: Any) -> None:
        w0, c0 = time.perf_counter(), time.process_time()
        key()
        self.wall.append(time.perf_counter() - w0)
        self.cpu.append(time.process_time() - c0)

    def figures(self) -> dict[str, Any]:
        w, c = summary_ms(self.wall), summary_ms(self.cpu)
        return {"n": w["n"], "wall_p50_ms": w["p50_ms"], "wall_p99_ms": w["p99_ms"], "wall_max_ms": w["max_ms"],
                "cpu_p50_ms": c["p50_ms"], "cpu_p99_ms": c["p99_ms"]}


def run_commands(term: Any, picks: list[str], uptin_picks: list[str]) -> dict[str, Timer]:
    timers = {k: Timer() for k in ("CLEAR", "ENMOD", "TXMODA", "UPTIN", "REQ77", "FRM77", "FRM77 input")}

    def command(name: str, text: str) -> None:
        timers["CLEAR"].press(term.clear)
        term.type_text(text)
        timers[name].press(term.enter)
        if term.screen.message.strip():
            raise SystemExit(f"{text}: {term.screen.message.strip()}")

    for t in picks:
        command("ENMOD", f"ENMOD {t}")
    for t in picks:
        command("TXMODA", f"TXMODA {t} 30 202312")
    for t in uptin_picks:
        command("UPTIN", f"UPTIN {t}")
    for t in picks:
        command("REQ77", f"REQ77 {t} 30 202312")
        if not term.screen.row_text(1).startswith("FRM77"):
            raise SystemExit(f"REQ77 {t}: no FRM77 screen")
        term.fill("TC", "971")
        term.fill("TC971/151", "850")
        timers["FRM77"].press(term.enter)
        if "REQUEST COMPLETED" not in term.screen.text():
            raise SystemExit(f"FRM77 {t}: {term.screen.message.strip()}")
        timers["FRM77 input"].wall.append(timers["REQ77"].wall[-1] + timers["FRM77"].wall[-1])
        timers["FRM77 input"].cpu.append(timers["REQ77"].cpu[-1] + timers["FRM77"].cpu[-1])
    return timers


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=300, help="timed runs per command (random TINs)")
    ap.add_argument("--db", default="sqlite://")
    ap.add_argument("--profile", metavar="HTML", help="write a pyinstrument profile of the timed runs")
    ap.add_argument("--no-freeze", action="store_true",
                    help="do not freeze the loaded heap before timing (idrs-sim serve and the TUI do)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from sqlalchemy import text

    from idrs_sim.clock import Clock
    from idrs_sim.gcpause import freeze_long_lived
    from idrs_sim.masterfile.db import MasterFile
    from idrs_sim.terminal.session import IdrsSession
    from idrs_sim.terminal.terminal import Terminal

    res = Result("latency")
    f = res.figures
    mf = MasterFile(args.db, clock=Clock(TODAY))
    with timed() as t_build:
        build(mf, args.entities)
    with mf.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM txn")).scalar()
    f.update(entities=args.entities, transactions=count, runs=args.runs, build_wall_s=round(t_build.wall, 1))
    say(f"latency  built {args.entities:,} entities, {count:,} transactions in {t_build.wall:.1f} s "
        f"({mf.engine.dialect.name})")
    session = IdrsSession(mf, "BENCH01", idle_timeout_minutes=None)
    term = Terminal(session)
    term.fill("EMPLOYEE NUMBER", IDRS)
    term.fill("PASSWORD", PASSWORD)
    term.enter()
    if "SIGN-ON COMPLETED" not in term.screen.message:
        raise SystemExit(term.screen.message)
    rng = random.Random(7)
    picks = [tin(rng.randrange(args.entities)) for _ in range(args.runs)]
    uptin_picks = [tin(rng.randrange(0, args.entities, 10)) for _ in range(args.runs)]
    scans: list[str] = []
    for name, command, fill in (("ENMOD", f"ENMOD {picks[0]}", None),
                                ("TXMODA", f"TXMODA {picks[0]} 30 202312", None),
                                ("UPTIN", f"UPTIN {uptin_picks[0]}", None),
                                ("FRM77", f"REQ77 {picks[0]} 30 202312", {"TC": "971", "TC971/151": "850"})):
        found = plans(mf, term, command, fill)
        say(f"  {name:<7} query plan: {found[0]}; " + ("no full scans" if len(found) == 1 else "FULL SCANS:"))
        for line in found[1:]:
            say(f"             {line}")
        scans += found[1:]
    f["full_scans"] = scans
    warm = 30
    run_commands(term, picks[:warm], uptin_picks[:warm])  # warm-up: maps, definitions, statement cache
    if args.no_freeze:
        gc.collect()
    else:
        freeze_long_lived()  # as `idrs-sim serve` and the TUI do once their master file is loaded
    passes = GcPasses()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    with passes:
        timers = run_commands(term, picks, uptin_picks)
    f["gc_passes"] = passes.figures()
    if profiler is not None:
        profiler.stop()
        with open(args.profile, "w") as fh:
            fh.write(profiler.output_html())
    say(f"  Enter key only, {args.runs} random TINs each (ms)      wall p50    p99     max   cpu p50    p99")
    for name, timer in timers.items():
        fig = timer.figures()
        f[name] = fig
        say(f"  {name:<12} n={fig['n']:>4}                          {fig['wall_p50_ms']:8.2f} {fig['wall_p99_ms']:7.2f} "
            f"{fig['wall_max_ms']:7.2f}  {fig['cpu_p50_ms']:8.2f} {fig['cpu_p99_ms']:7.2f}")
    f["frozen"] = not args.no_freeze
    say(f"  collector passes during the timed keys ({'loaded heap frozen first' if f['frozen'] else 'not frozen'}): "
        + ", ".join(f"{g} {d['n']} (longest {d['max_ms']:.2f} ms)" for g, d in f["gc_passes"].items()))
    mf.dispose()
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main()
