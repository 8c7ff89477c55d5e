"""Posting run on the TPP/FTD mix (`bench.mix`), beside the plain-SQLite insert of its input.

Two ways, reported side by side (docs/benchmarks.md "The TPP/FTD mix"):

* **in memory**: `run_cycle` of cycle 202426 in this process on an in-memory master file.
  The first run of the process is reported as *cold* (statement compilation, mappers);
  the timed runs start from the same master file again (restored) and each is paired
  with the floor timed right after it; the ratio is the median of the pairs.
* **file, separate process**: `idrs-sim cycle --db sqlite:///FILE` as a trainer runs it,
  start-up included; *start-up* is the same command on a master file with the same schema,
  one taxpayer and nothing due (median of 3; an empty file would get the training
  fixture), so *beyond start-up* = process CPU - start-up CPU.  The floor is the same
  input rows inserted into a file with the same schema, committed.

With ``--tc972`` the file of issue 19 is measured the same way: N taxpayers with a TC 971
AC 124 and a pending TC 972 AC 124 (`bench.tc972_file`).

    python -m bench.posting --mix [--taxpayers 10000] [--no-file] [--tc972 20000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import mix
from bench.common import (
    Result,
    Timing,
    hwm_mb,
    maxrss_mb,
    reset_peak,
    rss_mb,
    say,
    subprocess_env,
    timed,
)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("idrs-sim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from idrs_sim.cli import main; sys.exit(main())"]


#: Runs the command and reports its child's rusage: a child started straight from this
#: (large) process would report this process's peak RSS as its own (Linux records the
#: memory it had before exec in ru_maxrss), so the command is started from a small one.
_RUSAGE = ("import json, resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
           "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print('RUSAGE ' + json.dumps([u.ru_utime, u.ru_stime, u.ru_maxrss, r.returncode]), file=sys.stderr)")


def run_process(db: str) -> dict[str, Any]:
    """`idrs-sim cycle --db sqlite:///db` as a child: wall, CPU (user + system), peak RSS, output."""
    w0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _RUSAGE, *_cli(), "cycle", "--db", f"sqlite:///{db}"],
                          env=subprocess_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - w0
    line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("RUSAGE ")), None)
    if line is None:
        raise SystemExit(f"idrs-sim cycle did not run: {proc.stderr.strip()[-500:]}")
    utime, stime, maxrss, code = json.loads(line[len("RUSAGE "):])
    out = proc.stdout.strip()
    return {"wall_s": round(wall, 3), "cpu_s": round(utime + stime, 3), "maxrss_mb": round(maxrss / 1024, 1),
            "exit": code, "summary": out.splitlines()[0] if out else ""}


def startup(tmp: str) -> dict[str, Any]:
    """`idrs-sim cycle` on a master file with the schema, one taxpayer and nothing due: median
    of 3 (after one warm-up run that writes the byte-code caches)."""
    path = os.path.join(tmp, "empty.db")
    runs = []
    for k in range(4):
        mix.build_idle_file(path)
        r = run_process(path)
        if k:
            runs.append(r)
    return {"wall_s": statistics.median(r["wall_s"] for r in runs), "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "maxrss_mb": max(r["maxrss_mb"] for r in runs)}


def in_memory(n: int, runs: int, verify_floor: bool = False) -> dict[str, Any]:
    from sqlalchemy import func, select

    from idrs_sim.clock import Clock
    from idrs_sim.masterfile.db import MasterFile
    from idrs_sim.masterfile.models import Transaction
    from idrs_sim.posting import run_cycle

    f: dict[str, Any] = {}
    mf = MasterFile("sqlite://", clock=Clock(mix.DATE))
    raw = mf.engine.raw_connection()
    try:
        f["counts"] = mix.fill(raw.driver_connection, n)
    finally:
        raw.close()
    ddl = mix.schema_ddl(mf)
    before = mf.image()
    with timed() as cold:
        run_cycle(mf, mix.CYCLE)
    f["cold_cpu_s"] = round(cold.cpu, 3)
    each: list[Timing] = []
    pairs: list[float] = []
    floors: list[tuple[float, float]] = []
    report = None
    peak = None
    for k in range(runs):
        mf.restore(before)
        gc.collect()
        if k == 0:
            f["rss_before_run_mb"] = rss_mb()
            peak_reset = reset_peak()
        with timed() as t:
            report = run_cycle(mf, mix.CYCLE)
        if k == 0:
            peak = hwm_mb() if peak_reset else None
            after = mf.image()
        each.append(t)
        floor = mix.floor_copy(ddl, ":memory:", n)
        floors.append(floor)
        pairs.append(t.cpu / floor[1] if floor[1] else float("nan"))
    assert report is not None
    # The writes floor (`mix.write_floor`): what writing the run's rows costs at the least.
    with tempfile.TemporaryDirectory(prefix="idrs-bench-") as tmp:
        writes = [mix.write_floor(before, after, tmp, verify=verify_floor and k == 0) for k in range(3)]
    del after
    w = sorted(writes, key=lambda x: x["cpu_s"])[1]
    f["write_floor_cpu_s"] = round(w["cpu_s"], 4)
    f["write_floor_rows"] = {key: w[key] for key in ("inserted", "updated", "deleted")}
    f["ratio_cpu_to_write_floor"] = round(statistics.median(t.cpu for t in each) / w["cpu_s"], 2)
    with mf.reading() as s:
        f["reversed"] = s.scalar(select(func.count()).where(Transaction.reversed_by_id.is_not(None),
                                                            Transaction.tc == 971))
        f["tc976_posted"] = s.scalar(select(func.count()).where(Transaction.tc == 976, Transaction.status == "posted"))
    mf.dispose()
    f["run_cpu_s"] = round(statistics.median(t.cpu for t in each), 4)
    f["run_wall_s"] = round(statistics.median(t.wall for t in each), 4)
    f["run_cpu_each_s"] = [round(t.cpu, 3) for t in each]
    f["floor_cpu_s"] = round(statistics.median(c for _w, c in floors), 4)
    f["floor_wall_s"] = round(statistics.median(w for w, _c in floors), 4)
    f["ratio_cpu"] = round(statistics.median(pairs), 2)
    f["run_peak_rss_mb"] = peak
    f["maxrss_mb"] = round(maxrss_mb(), 1)
    f["posted"] = len(report.posted)
    f["unposted"] = len(report.unposted)
    f["refunds"] = len(report.refunds)
    f["held"] = len(report.held)
    f["released"] = len(report.released)
    f["moved"] = len(report.moved)
    f["alerts"] = len(report.alerts)
    f["ddl"] = ddl
    return f


def on_file(n: int, tmp: str, ddl: list[str], start: dict[str, Any]) -> dict[str, Any]:
    path = os.path.join(tmp, "mix.db")
    mix.build_file(path, n)
    r = run_process(path)
    floor_wall, floor_cpu = mix.floor_copy(ddl, os.path.join(tmp, "floor.db"), n)
    beyond = max(0.0, r["cpu_s"] - start["cpu_s"])
    for p in ("mix.db", "floor.db"):
        os.remove(os.path.join(tmp, p))
    return {**r, "beyond_startup_cpu_s": round(beyond, 3), "floor_cpu_s": round(floor_cpu, 4),
            "floor_wall_s": round(floor_wall, 4),
            "ratio_cpu_beyond_startup": round(beyond / floor_cpu, 2) if floor_cpu else None,
            "ratio_cpu_total": round(r["cpu_s"] / floor_cpu, 2) if floor_cpu else None}


def tc972(n: int, tmp: str, start: dict[str, Any]) -> dict[str, Any]:
    from bench import tc972_file

    path = os.path.join(tmp, "big.db")
    tc972_file.build(path, n)
    r = run_process(path)
    os.remove(path)
    return {**r, "taxpayers": n, "beyond_startup_cpu_s": round(max(0.0, r["cpu_s"] - start["cpu_s"]), 3)}


def _say_memory(mem: dict[str, Any]) -> None:
    c = mem["counts"]
    say(f"  master file: modules {c['modules']:,}   transactions {c['history'] + c['input']:,}   GUF cases "
        f"{c['cases']:,}")
    say(f"  outcome: posted {mem['posted']:,}  unpostable {mem['unposted']:,}  refunds {mem['refunds']:,}  "
        f"held {mem['held']:,}  released {mem['released']:,}  moved {mem['moved']:,}  alerts {mem['alerts']:,}  "
        f"TC 971 reversed {mem['reversed']:,}")
    say(f"  in memory   run cpu {mem['run_cpu_s']:.3f} s (wall {mem['run_wall_s']:.3f})   floor cpu "
        f"{mem['floor_cpu_s']:.3f} s   ratio {mem['ratio_cpu']}x   (runs: {' '.join(map(str, mem['run_cpu_each_s']))};"
        f" cold first run {mem['cold_cpu_s']:.3f} s)   peak during run {_mb(mem['run_peak_rss_mb'])}   ru_maxrss "
        f"{mem['maxrss_mb']:.0f} MB")
    rows = mem["write_floor_rows"]
    say(f"              writes floor cpu {mem['write_floor_cpu_s']:.3f} s ({rows['inserted']:,} rows inserted, "
        f"{rows['updated']:,} updated, {rows['deleted']:,} deleted: the run's own writes in plain SQLite) = "
        f"{mem['write_floor_cpu_s'] / mem['floor_cpu_s']:.2f}x the floor;   run / writes floor "
        f"{mem['ratio_cpu_to_write_floor']}x")


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taxpayers", "--modules", type=int, default=10_000, dest="n")
    ap.add_argument("--runs", type=int, default=None, help="timed in-memory runs (default 5 up to 10k, 3 up to 100k, else 1)")
    ap.add_argument("--no-file", action="store_true", help="in memory only")
    ap.add_argument("--file-only", action="store_true", help="through idrs-sim cycle on a file only")
    ap.add_argument("--tc972", type=int, default=0, metavar="N", help="also the TC 972 file of issue 19 with N taxpayers")
    ap.add_argument("--verify-floor", action="store_true",
                    help="check that the writes floor leaves the master file the run left (the smoke test)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    n = args.n
    runs = args.runs or (5 if n <= 10_000 else 3 if n <= 100_000 else 1)
    res = Result("posting_mix")
    f = res.figures
    f["taxpayers"] = n
    f["input_rows"] = mix.input_count(n)
    f["scenarios"] = mix.scenario_counts(n)
    if args.file_only:
        from idrs_sim.masterfile.db import MasterFile

        schema = MasterFile("sqlite://")
        ddl = mix.schema_ddl(schema)
        schema.dispose()
    else:
        mem = in_memory(n, runs, args.verify_floor)
        ddl = mem.pop("ddl")
        f["memory"] = mem
    with tempfile.TemporaryDirectory(prefix="idrs-bench-") as tmp:
        if not args.no_file or args.tc972:
            f["startup"] = startup(tmp)
        if not args.no_file:
            f["file"] = on_file(n, tmp, ddl, f["startup"])
        if args.tc972:
            f["tc972_file"] = tc972(args.tc972, tmp, f["startup"])
    say(f"posting mix  taxpayers {n:,}   input rows {f['input_rows']:,}")
    if "memory" in f:
        _say_memory(f["memory"])
    if "startup" in f:
        st = f["startup"]
        say(f"  start-up    idrs-sim cycle, nothing due: cpu {st['cpu_s']:.3f} s  wall {st['wall_s']:.3f} s")
    if "file" in f:
        fl = f["file"]
        say(f"  file        idrs-sim cycle: cpu {fl['cpu_s']:.3f} s (beyond start-up {fl['beyond_startup_cpu_s']:.3f})"
            f"  wall {fl['wall_s']:.3f} s  peak {fl['maxrss_mb']:.0f} MB  exit {fl['exit']}   floor cpu "
            f"{fl['floor_cpu_s']:.3f} s   ratio beyond start-up {fl['ratio_cpu_beyond_startup']}x"
            f" (total {fl['ratio_cpu_total']}x)")
        say(f"              {fl['summary']}")
    if "tc972_file" in f:
        t = f["tc972_file"]
        say(f"  TC 972 file {t['taxpayers']:,} taxpayers: idrs-sim cycle cpu {t['cpu_s']:.3f} s (beyond start-up "
            f"{t['beyond_startup_cpu_s']:.3f})  wall {t['wall_s']:.3f} s  peak {t['maxrss_mb']:.0f} MB  exit {t['exit']}")
        say(f"              {t['summary']}")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main()
