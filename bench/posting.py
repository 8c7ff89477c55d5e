"""Posting run: one weekly `run_cycle` over a synthetic master file, beside plain SQLite.

The master file has N modules (N entities, one module each) and one pending transaction
per module: half are IMF MFT 30 modules with a pending return (TC 150 with its document;
its withholding posts as TC 806 and two thirds of them refund as TC 846), half BMF MFT 01
modules with a pending deposit (TC 670); the TINs are fictitious (SSNs of group 00, never
issued, in areas 400-449 because 400-00-xxxx holds only 10,000; EINs 99-xxxxxxx).  It is
built with plain `sqlite3` executemany on the master file's own connection (tables, indexes
and foreign keys as the models create them).  The executemany of the N transaction rows is
timed: that is the **plain-SQLite cost of inserting the same rows** the run then posts (row
tuples are built outside the timing, 50,000 per call, all in one transaction).  The same
rows are also inserted into a bare table (no index, no foreign key) in a separate in-memory
database, the floor.

Then `run_cycle` is timed (wall and CPU) and its memory measured: the kernel's peak-RSS
mark is reset just before the run (Linux /proc/self/clear_refs), so `run_peak_rss_mb` is
the peak resident size of the process *during the run*, with the master file itself in
memory (in-memory SQLite); `maxrss_mb` is the peak of the whole process (ru_maxrss).
With ``--tracemalloc`` the run is traced and the Python-heap peak reported instead (the
tracing slows the run: its timing is not comparable).  With ``--by-rule`` the CPU time of
each posting rule is reported as well (the same run, the same rules in the same order; each
is called through a wrapper that reads the process clock).  Each run is followed by an
insert into a fresh copy of the schema, and the ratio is the median of these pairs; up to
100k modules the run is repeated from the same master file.  Prints figures only.

    python -m bench.posting [--modules 100000] [--db sqlite://] [--tracemalloc] [--by-rule] [--json]

With ``--mix`` the workload is the TPP/FTD mix instead (`bench.mix`, run by
`bench.posting_mix`: in memory and through `idrs-sim cycle` on a file):

    python -m bench.posting --mix [--taxpayers 10000] [--no-file] [--tc972 20000] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from bench.common import Result, Timing, hwm_mb, maxrss_mb, reset_peak, rss_mb, say, timed

CYCLE = "202426"
WARM_UP_CYCLE = "202425"  # the week before: nothing in the synthetic file is due in it
CHUNK = 50_000

TXN_COLS = ("entity_id", "module_id", "tc", "ac", "amount", "trans_date", "dln", "status", "input_cycle",
            "due_cycle", "post_delay", "document", "extra")


def entity_rows(lo: int, hi: int, half: int) -> Iterator[tuple[Any, ...]]:
    for i in range(lo, hi):
        if i < half:
            yield (i + 1, f"{400 + i // 10000}-00-{i % 10000:04d}", "SSN", "IMF", 1, "TEST", "[]", "[]", "{}", None,
                   "[]", "[]", "{}")
        else:
            yield (i + 1, f"99-{i:07d}", "EIN", "BMF", 1, "TEST", "[]", "[]",
                   "{}", "semiweekly", "[]", "[]", "{}")


def module_rows(lo: int, hi: int, half: int) -> Iterator[tuple[Any, ...]]:
    for i in range(lo, hi):
        yield (i + 1, i + 1, "30" if i < half else "01", "202312" if i < half else "202406")


def txn_rows(lo: int, hi: int, half: int) -> list[tuple[Any, ...]]:
    """The pending transactions of modules lo..hi-1, as SQLAlchemy would store them."""
    rows: list[tuple[Any, ...]] = []
    for i in range(lo, hi):
        if i < half:
            withholding = 4000 + (i % 3) * 1500  # tax 5000: a third owe, two thirds refund
            dd = '{"routing": "111000025", "account": "1"}' if i % 2 else "null"
            doc = f'{{"tc": 150, "tax": "5000.00", "withholding": "{withholding}.00", "direct_deposit": {dd}}}'
            rows.append((i + 1, i + 1, 150, None, 5000, "2024-04-15", f"292110451{i % 100000:05d}", "pending",
                         "202425", CYCLE, 0, doc, "{}"))
        else:
            rows.append((i + 1, i + 1, 670, None, 1200, "2024-04-15", None, "pending", "202425", CYCLE, 0, None, "{}"))
    return rows


def _insert_txns(con: sqlite3.Connection, table: str, n: int) -> tuple[float, float]:
    """executemany of the N transaction rows into `table`, one transaction; (wall, cpu) of
    the executemany calls and the commit only."""
    half = n // 2
    sql = f"INSERT INTO {table} ({', '.join(TXN_COLS)}) VALUES ({', '.join('?' * len(TXN_COLS))})"
    wall = cpu = 0.0
    con.execute("BEGIN")
    for lo in range(0, n, CHUNK):
        rows = txn_rows(lo, min(n, lo + CHUNK), half)
        w0, c0 = time.perf_counter(), time.process_time()
        con.executemany(sql, rows)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        del rows
    w0, c0 = time.perf_counter(), time.process_time()
    con.execute("COMMIT")
    return wall + time.perf_counter() - w0, cpu + time.process_time() - c0


def _fill_entities_modules(con: sqlite3.Connection, n: int) -> None:
    half = n // 2
    con.execute("BEGIN")
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        con.executemany("INSERT INTO entity (id, tin, tin_type, file, established, name_control, name_lines, "
                        "address, filing_requirements, depositor, poa, information_returns, extra) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", entity_rows(lo, hi, half))
        con.executemany("INSERT INTO tax_module (id, entity_id, mft, period) VALUES (?,?,?,?)",
                        module_rows(lo, hi, half))
    con.execute("COMMIT")


def _insert_into_copy(mf: Any, n: int) -> tuple[float, float]:
    """The timed transaction insert again, into a new in-memory database with the master
    file's schema (tables, indexes, triggers), entities and modules (foreign keys on)."""
    raw = mf.engine.raw_connection()
    try:
        ddl = [sql for (sql,) in raw.driver_connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'table' DESC, rowid")]
    finally:
        raw.close()
    con = sqlite3.connect(":memory:", isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys=ON")
        for sql in ddl:
            con.execute(sql)
        _fill_entities_modules(con, n)
        return _insert_txns(con, "txn", n)
    finally:
        con.close()


def build(mf: Any, n: int, insert_repeats: int = 1) -> dict[str, Any]:
    """Fill the master file with plain sqlite3; returns the timings (the transaction
    insert timed `insert_repeats` times, the first into the master file itself)."""
    raw = mf.engine.raw_connection()
    try:
        con = raw.driver_connection
        with timed() as t_base:
            _fill_entities_modules(con, n)
        insert_wall, insert_cpu = _insert_txns(con, "txn", n)
    finally:
        raw.close()
    # The same insert again, into fresh copies of the master file's schema: one executemany
    # of 10,000 rows varies by a quarter between runs on a shared machine, so the ratio is
    # taken against the median of several (the first one above included).
    inserts = [(insert_wall, insert_cpu)] + [_insert_into_copy(mf, n) for _ in range(insert_repeats - 1)]
    # The floor: the same rows into a bare table of another in-memory database.
    bare = sqlite3.connect(":memory:", isolation_level=None)
    bare.execute("CREATE TABLE txn_bare (id INTEGER PRIMARY KEY, entity_id INTEGER, module_id INTEGER, tc INTEGER, "
                 "ac INTEGER, amount NUMERIC, trans_date DATE, dln VARCHAR(14), status VARCHAR(10), "
                 "input_cycle VARCHAR(6), due_cycle VARCHAR(6), post_delay INTEGER, document JSON, extra JSON)")
    bare_wall, bare_cpu = _insert_txns(bare, "txn_bare", n)
    bare.close()
    return {
        "build_entities_modules_wall_s": round(t_base.wall, 3),
        "inserts": inserts,  # (wall, cpu) of each timing; main() adds those after the runs
        "bare_insert_wall_s": round(bare_wall, 3),
        "bare_insert_cpu_s": round(bare_cpu, 3),
    }


def main(argv: list[str] | None = None) -> Result:
    if "--mix" in (sys.argv[1:] if argv is None else argv):
        from bench import posting_mix

        return posting_mix.main([a for a in (sys.argv[1:] if argv is None else argv) if a != "--mix"])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite://", help="SQLAlchemy URL (default: SQLite in memory)")
    ap.add_argument("--tracemalloc", action="store_true", help="trace the run's Python-heap peak (slower)")
    ap.add_argument("--by-rule", action="store_true", help="also report the CPU time of each posting rule")
    ap.add_argument("--insert-repeats", type=int, default=None,
                    help="times the plain insert is timed while building, median taken "
                         "(default 7 up to 10k modules, 5 up to 100k, else 1)")
    ap.add_argument("--cold", action="store_true",
                    help="no warm-up: time the first run_cycle of the process (statement compilation included)")
    ap.add_argument("--runs", type=int, default=None,
                    help="timed runs from the same master file, median taken "
                         "(default 7 up to 10k modules, 3 up to 100k, else 1)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    # Small files are timed more often: a 10k run takes a tenth of a second and one
    # executemany of its rows varied by half between calls of the same process.
    repeats = args.insert_repeats or (7 if args.modules <= 10_000 else 5 if args.modules <= 100_000 else 1)

    from sqlalchemy import func, select

    from idrs_sim.clock import Clock
    from idrs_sim.masterfile.db import MasterFile
    from idrs_sim.masterfile.models import POSTED, Transaction
    from idrs_sim.posting import run_cycle
    from idrs_sim.posting.context import rules_in_order
    from idrs_sim.posting.run import load_rule_modules

    n = args.modules
    res = Result("posting")
    f = res.figures
    f["modules"] = n
    f["pending_txns"] = n
    f["db"] = args.db
    mf = MasterFile(args.db, clock=Clock(dt.date(2024, 6, 17)))
    if mf.engine.dialect.name != "sqlite":
        raise SystemExit("bench.posting builds its master file with sqlite3: use a sqlite:// URL")
    f.update(build(mf, n, repeats))
    load_rule_modules()
    f["warm_up_cpu_s"] = None
    if not args.cold:
        # The first run of a process compiles every statement of the rules and sets up the
        # mappers (about 0.1 s, whatever the size): a cycle with nothing due does that on
        # this master file's engine (its statement cache), so the timed run is the work of
        # the rows.  --cold times the first run instead; both are in docs/benchmarks.md.
        with timed() as t_warm:
            warm = run_cycle(mf, WARM_UP_CYCLE)
        assert not warm.posted, "the warm-up cycle must post nothing"
        f["warm_up_cpu_s"] = round(t_warm.cpu, 3)
    rule_cpu: dict[str, float] = {}
    rules = [_clocked(r, rule_cpu) for r in rules_in_order()] if args.by_rule else None
    runs = 1 if args.tracemalloc or args.by_rule else (args.runs or (7 if n <= 10_000 else 3 if n <= 100_000 else 1))
    before = mf.image() if runs > 1 else None
    gc.collect()
    f["rss_before_run_mb"] = rss_mb()
    peak_reset = reset_peak()
    if args.tracemalloc:
        tracemalloc.start()
    with timed() as t:
        report = run_cycle(mf, CYCLE, rules=rules)
    if args.tracemalloc:
        f["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    f["run_peak_rss_mb"] = hwm_mb() if peak_reset else None
    f["maxrss_mb"] = round(maxrss_mb(), 1)
    with mf.reading() as s:
        f["db_posted"] = s.scalar(select(func.count()).select_from(Transaction).where(
            Transaction.status == POSTED, Transaction.posting_cycle == CYCLE))
    each = [t]
    # Each timed run is paired with an insert timed right after it (into a fresh copy of the
    # schema), and the ratio is the median of the pairs' ratios: both halves of a pair see
    # the same phase of a shared machine, whose speed drifts by a third within a minute.
    # (Not for a traced or per-rule run, whose time is not comparable.)
    pairs: list[tuple[Timing, tuple[float, float]]] = []
    if not (args.tracemalloc or args.by_rule):
        pairs.append((t, _insert_into_copy(mf, n)))
    for _ in range(runs - 1):  # the same run again, from the same master file (restored)
        assert before is not None
        mf.restore(before)
        gc.collect()
        with timed() as again:
            run_cycle(mf, CYCLE, rules=rules)
        each.append(again)
        pairs.append((again, _insert_into_copy(mf, n)))
    t = Timing(statistics.median(x.wall for x in each), statistics.median(x.cpu for x in each))
    inserts = f.pop("inserts") + [ins for _, ins in pairs]
    f["insert_wall_s"] = round(statistics.median(w for w, _ in inserts), 3)
    f["insert_cpu_s"] = round(statistics.median(c for _, c in inserts), 3)
    f["insert_cpu_each_s"] = [round(c, 3) for _, c in inserts]
    if pairs:
        f["pair_ratios_cpu"] = [round(r.cpu / c, 2) for r, (_w, c) in pairs]
    f["run_cpu_each_s"] = [round(x.cpu, 3) for x in each]
    f.update(t.as_dict("run"))
    f["posted"] = len(report.posted)
    f["refunds"] = len(report.refunds)
    f["txn_per_s"] = round(n / t.wall) if t.wall else None
    f["txn_per_cpu_s"] = round(n / t.cpu) if t.cpu else None
    f["postings_per_s"] = round(len(report.posted) / t.wall) if t.wall else None
    if pairs:  # paired: see above
        f["ratio_cpu"] = round(statistics.median(r.cpu / c for r, (_w, c) in pairs), 2)
        f["ratio_wall"] = round(statistics.median(r.wall / w for r, (w, _c) in pairs), 2)
    else:  # a traced or per-rule run: against the inserts timed while building
        f["ratio_cpu"] = round(t.cpu / f["insert_cpu_s"], 2) if f["insert_cpu_s"] else None
        f["ratio_wall"] = round(t.wall / f["insert_wall_s"], 2) if f["insert_wall_s"] else None
    f["ratio_cpu_vs_bare"] = round(t.cpu / f["bare_insert_cpu_s"], 2) if f["bare_insert_cpu_s"] else None
    f["tracemalloc"] = args.tracemalloc
    if args.by_rule:
        f["rule_cpu_s"] = {name: round(cpu, 4) for name, cpu in rule_cpu.items()}
    mf.dispose()

    say(f"posting  modules {n:>9,}   pending {n:>9,}   posted {f['posted']:>9,} (db {f['db_posted']:,})"
        f"   refunds {f['refunds']:,}")
    if len(each) > 1:
        say(f"  run_cycle, median of {len(each)} runs from the same master file (restored between): cpu "
            + " ".join(f"{x.cpu:.3f}" for x in each))
    say(f"  run_cycle          wall {t.wall:8.2f} s   cpu {t.cpu:8.2f} s"
        f"   {f['txn_per_s']:>8,} txn/s wall   {f['txn_per_cpu_s']:>8,} txn/cpu-s"
        + ("   (traced: not comparable)" if args.tracemalloc else "")
        + ("   (first run of the process: cold)" if args.cold else
           f"   (after a warm-up cycle with nothing due: cpu {f['warm_up_cpu_s']:.2f} s)"))
    say(f"  plain sqlite3 insert of the same {n:,} rows (master-file table)"
        f"   wall {f['insert_wall_s']:.2f} s   cpu {f['insert_cpu_s']:.2f} s"
        + (f"   (median of {len(f['insert_cpu_each_s'])}: cpu "
           + " ".join(f"{c:.3f}" for c in f["insert_cpu_each_s"]) + ")" if len(f["insert_cpu_each_s"]) > 1 else ""))
    say(f"  plain sqlite3 insert, bare table (no index, no FK)"
        f"   wall {f['bare_insert_wall_s']:.2f} s   cpu {f['bare_insert_cpu_s']:.2f} s")
    say(f"  ratio run/insert   cpu {f['ratio_cpu']}x   wall {f['ratio_wall']}x   (cpu vs bare table "
        f"{f['ratio_cpu_vs_bare']}x)"
        + (("   run/insert pair: " if len(pairs) == 1 else f"   median of {len(pairs)} run/insert pairs: ")
           + " ".join(f"{r:.2f}" for r in f["pair_ratios_cpu"]) if pairs else ""))
    peak = f["run_peak_rss_mb"]
    say(f"  memory             rss before run {f['rss_before_run_mb']:.0f} MB   peak during run "
        f"{'n/a' if peak is None else f'{peak:.0f} MB'}   process peak (ru_maxrss) {f['maxrss_mb']:.0f} MB"
        + (f"   tracemalloc peak {f['tracemalloc_peak_mb']} MB" if args.tracemalloc else ""))
    if args.by_rule:
        say("  CPU by rule (s)    " + "   ".join(f"{name} {cpu:.3f}" for name, cpu in rule_cpu.items())
            + f"   (outside the rules {t.cpu - sum(rule_cpu.values()):.3f})")
    res.emit(args.json)
    return res


def _clocked(rule: Any, into: dict[str, float]) -> Any:
    """`rule` (a registered posting rule) with its process CPU time added to into[rule.name]."""

    def call(ctx: Any) -> None:
        c0 = time.process_time()
        try:
            rule(ctx)
        finally:
            into[rule.name] = into.get(rule.name, 0.0) + time.process_time() - c0

    return call


if __name__ == "__main__":
    main()
