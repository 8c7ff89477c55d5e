"""`python -m bench` (`make bench`): run the benchmark suite, print figures, write RESULTS.md.

Suites (each in its own subprocess, so one's memory and imports never colour another):

    posting   run_cycle at 10k, 100k and 1M modules beside plain SQLite inserts; memory
    mix       the TPP/FTD mix at 10k and 100k (1M with IDRS_BENCH_MIX_1M=1), in memory and
              through `idrs-sim cycle` on a file; the TC 972 file of issue 19 (20,000 taxpayers)
    latency   ENMOD, TXMODA, UPTIN, REQ77 + FRM77 in process at 100k entities
    replay    procedures per minute for examples/*.txt; `idrs-sim replay` start-up
    tn3270    round trips with 1, 10 and 50 clients on 127.0.0.1
    tui       start to the sign-on screen (Textual run_test; idrs-sim in tmux)
    web       `idrs-sim web` with 10 tabs at once: memory per session, first screen
    classroom sign-on to first screen for the 40th trainee; memory per sandbox

    python -m bench                     everything (about 10 minutes on a 2-core machine)
    python -m bench --quick             posting at 10k and 100k only, fewer runs
    python -m bench --only posting,tui  some suites

Figures only, never assertions: the targets are printed beside the figures and the
verdict is a word in RESULTS.md, not an exit status.  See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import RESULT_MARK, ROOT, machine, python, say, subprocess_env

SUITES = ("posting", "mix", "latency", "replay", "tn3270", "tui", "web", "classroom")

#: (suite, figure path, limit, unit, what): the targets of issue 10.
TARGETS = [
    ("posting", "ratio", 3.0, "x", "posting run at most 3x the plain-SQLite insert of the same rows (CPU time)"),
    ("posting", "peak_1m", 2048.0, "MB", "1M modules in at most 2 GB peak memory (RSS)"),
    ("mix", "ratio_memory", 2.0, "x", "TPP/FTD mix posting run at most 2x the plain-SQLite insert of its input, in memory (CPU)"),
    ("mix", "ratio_file", 2.0, "x", "the same through `idrs-sim cycle` on a SQLite file, beyond start-up (CPU)"),
    ("mix", "tc972", 0.5, "s", "`idrs-sim cycle` on the 20,000-taxpayer TC 972 file: CPU beyond start-up"),
    ("mix", "peak_1m", 1024.0, "MB", "TPP/FTD mix at 1M taxpayers in at most 1 GB peak memory (in memory, ru_maxrss)"),
    ("latency", "p99", 5.0, "ms", "command latency p99 at 100k entities (Enter, CPU time)"),
    ("latency", "p99", 2.0, "ms", "command latency p99 at 100k entities (Enter, CPU time), issue 19"),
    ("replay", "startup", 0.5, "s", "`idrs-sim replay` start-up on a one-line script (median)"),
    ("tn3270", "p99_50", 20.0, "ms", "TN3270 round trip p99 with 50 clients (think-time model)"),
]


def run_suite(module: str, args: list[str], log: list[str]) -> dict[str, Any] | None:
    """Run `python -m bench.<module> --json ARGS`, echo its figures, return its result."""
    argv = [python(), "-m", f"bench.{module}", "--json", *args]
    say(f"$ python -m bench.{module} {' '.join(args)}".rstrip())
    w0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    result = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        else:
            sys.stdout.write(line)
            sys.stdout.flush()
            log.append(line.rstrip("\n"))
    code = proc.wait()
    secs = time.perf_counter() - w0
    if code != 0 or result is None:
        say(f"  !! bench.{module} failed (exit {code})")
        return None
    result["seconds"] = round(secs, 1)
    result["argv"] = args
    return result


# ---- RESULTS.md ------------------------------------------------------------------------------
def _fmt(v: Any, nd: int = 2) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    posting = results.get("posting") or []
    big = max(posting, key=lambda r: r["figures"]["modules"], default=None) if posting else None
    for suite, key, limit, unit, what in TARGETS:
        value: float | None = None
        where = ""
        if suite == "posting" and posting and big is not None:
            if key == "ratio":
                timed_runs = [r["figures"] for r in posting if not r["figures"]["tracemalloc"]]
                value = max(f["ratio_cpu"] for f in timed_runs)
                where = "worst size; " + ", ".join(f"{f['modules']:,}: {f['ratio_cpu']}x CPU / {f['ratio_wall']}x wall"
                                                   for f in timed_runs)
            elif key == "peak_1m":
                one_m = [r for r in posting if r["figures"]["modules"] >= 1_000_000 and not r["figures"]["tracemalloc"]]
                if one_m:
                    value = one_m[0]["figures"]["maxrss_mb"]
                    where = "ru_maxrss, whole process"
        elif suite == "mix" and results.get("mix"):
            runs = [r["figures"] for r in results["mix"]]
            if key == "ratio_memory":
                mems = [f for f in runs if "memory" in f]
                if mems:
                    value = max(f["memory"]["ratio_cpu"] for f in mems)
                    where = "worst size; " + ", ".join(f"{f['taxpayers']:,}: {f['memory']['ratio_cpu']}x" for f in mems)
            elif key == "ratio_file":
                files = [f for f in runs if "file" in f]
                if files:
                    value = max(f["file"]["ratio_cpu_beyond_startup"] for f in files)
                    where = "worst size; " + ", ".join(
                        f"{f['taxpayers']:,}: {f['file']['ratio_cpu_beyond_startup']}x" for f in files)
            elif key == "tc972":
                found = [f["tc972_file"] for f in runs if "tc972_file" in f]
                if found:
                    value = found[0]["beyond_startup_cpu_s"]
                    where = f"process CPU {found[0]['cpu_s']} s, start-up {runs[0]['startup']['cpu_s']} s"
            elif key == "peak_1m":
                big_mix = [f for f in runs if f["taxpayers"] >= 1_000_000]
                if big_mix and "memory" in big_mix[0]:
                    value = big_mix[0]["memory"]["maxrss_mb"]
                    where = "ru_maxrss, whole process; in memory: the master file itself is in it"
                    if "file" in big_mix[0]:
                        where += f"; through idrs-sim cycle on a file: {big_mix[0]['file']['maxrss_mb']:,.0f} MB"
        elif suite == "latency" and results.get("latency"):
            f = results["latency"]["figures"]
            names = ("ENMOD", "TXMODA", "UPTIN", "REQ77", "FRM77")
            worst = max(names, key=lambda k: f[k]["cpu_p99_ms"])
            value = f[worst]["cpu_p99_ms"]
            where = (f"worst command {worst}, CPU time; its wall p99 {f[worst]['wall_p99_ms']} ms; "
                     + ", ".join(f"{k} {f[k]['cpu_p99_ms']}" for k in names))
        elif suite == "replay" and results.get("replay"):
            value = results["replay"]["figures"]["startup"]["cpu_s"]
            where = f"CPU; wall {results['replay']['figures']['startup']['wall_s']} s"
        elif suite == "tn3270" and results.get("tn3270"):
            r = results["tn3270"]["figures"].get("think_50")
            if r:
                value = r["enter"]["p99_ms"]
                where = "Enter, wall (client clock)"
        if value is None:
            rows.append((what, f"<= {limit:g} {unit}", "not measured", ""))
        else:
            rows.append((what, f"<= {limit:g} {unit}", f"{_fmt(value)} {unit} ({where})",
                         "met" if value <= limit else "MISSED"))
    return rows


def write_results(path: Path, results: dict[str, Any], info: dict[str, Any], started: str, total: float,
                  argv: list[str], load_end: Any) -> None:
    out: list[str] = []
    w = out.append
    w("# Benchmark results")
    w("")
    w("Written by `python -m bench` (`make bench`); figures only, see `docs/benchmarks.md` for what each means.")
    w("The date below is the real date of the run (a measurement log, not simulated time).")
    w("")
    w(f"* run: {started} (real time), `{' '.join(['python -m bench', *argv])}`, {total / 60:.1f} minutes")
    w(f"* machine: {info.get('cpu')}, {info.get('cores')} cores ({info.get('cores_usable', '?')} usable), "
      f"{info.get('memory_gb')} GB memory, {info.get('os')}")
    w(f"* software: Python {info.get('python')}, SQLAlchemy {info.get('sqlalchemy')}, SQLite {info.get('sqlite')}, "
      f"lark {info.get('lark')}, Textual {info.get('textual')}, PyYAML {info.get('yaml')}")
    w(f"* load average (1/5/15 min) at start {info.get('loadavg')}, at end {load_end}: the machine is shared, so "
      "wall times include waiting for a core; CPU times are this process's own")
    w(f"* suites: {', '.join(results) or 'none'}")
    w("")
    w("## Targets")
    w("")
    w("| target | limit | measured | verdict |")
    w("|---|---|---|---|")
    for what, limit, value, verdict in verdicts(results):
        w(f"| {what} | {limit} | {value} | {verdict} |")
    w("")
    if results.get("posting"):
        w("## Posting run")
        w("")
        w("One pending transaction per module; `run_cycle` of cycle 202426.  *insert* = plain sqlite3 `executemany` of")
        w("the same N transaction rows into the master file's `txn` table (its indexes and foreign keys), *bare* = into")
        w("a table without index or foreign key.  Peak memory: RSS high-water mark during the run (reset before it)")
        w("and of the whole process (ru_maxrss); the master file itself is in memory (SQLite `:memory:`).")
        w("")
        w("| modules | posted | run wall s | run CPU s | txn/s (wall) | txn/CPU-s | insert wall s | insert CPU s "
          "| ratio CPU | ratio wall | bare CPU s | RSS before MB | peak during run MB | ru_maxrss MB |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results["posting"]:
            f = r["figures"]
            if f["tracemalloc"]:
                continue
            w(f"| {_fmt(f['modules'])} | {_fmt(f['posted'])} | {_fmt(f['run_wall_s'])} | {_fmt(f['run_cpu_s'])} | "
              f"{_fmt(f['txn_per_s'])} | {_fmt(f['txn_per_cpu_s'])} | {_fmt(f['insert_wall_s'])} | "
              f"{_fmt(f['insert_cpu_s'])} | {_fmt(f['ratio_cpu'])} | {_fmt(f['ratio_wall'])} | "
              f"{_fmt(f['bare_insert_cpu_s'])} | {_fmt(f['rss_before_run_mb'], 0)} | {_fmt(f['run_peak_rss_mb'], 0)} | "
              f"{_fmt(f['maxrss_mb'], 0)} |")
        traced = [r for r in results["posting"] if r["figures"]["tracemalloc"]]
        if traced:
            w("")
            w("Python-heap peak of the run (tracemalloc, separate traced runs; SQLite's own memory is not traced): "
              + ", ".join(f"{_fmt(r['figures']['modules'])} modules {r['figures']['tracemalloc_peak_mb']} MB"
                          for r in traced) + ".")
        w("")
    if results.get("mix"):
        w("## Posting run: the TPP/FTD mix")
        w("")
        w("`python -m bench.posting --mix` (docs/benchmarks.md \"The TPP/FTD mix\"): per 100 taxpayers 30 paper and 20 direct-deposit")
        w("returns, 10 TC 971/972 AC 124 module pairs, 5 entity-level AC 527 pairs, 10 TC 290 .00 (post-delay 1) releasing a")
        w("RIVO hold, 8 UPRES releases (URC 0, 0, 6, 6, 8, 8, D, D), 4 TC 971 AC 111 moves to MFT 32, 4 returns going UP 126,")
        w("1 employer getting an FTD alert and 8 employers depositing.  *floor* = plain sqlite3 `executemany` of the same")
        w("input rows into the master file's `txn` table (in memory, or a file, committed).  *file* = `idrs-sim cycle --db")
        w("sqlite:///FILE` as a separate process; *start-up* = the same command on a file with nothing due.")
        w("")
        w("| taxpayers | input rows | posted | in-memory run CPU s | floor CPU s | ratio | peak during run MB | "
          "ru_maxrss MB | file: process CPU s | beyond start-up s | file floor CPU s | ratio beyond start-up | "
          "process peak MB |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results["mix"]:
            f = r["figures"]
            m, fl = f.get("memory") or {}, f.get("file") or {}
            w(f"| {_fmt(f['taxpayers'])} | {_fmt(f['input_rows'])} | {_fmt(m.get('posted'))} | "
              f"{_fmt(m.get('run_cpu_s'), 3)} | {_fmt(m.get('floor_cpu_s'), 3)} | {_fmt(m.get('ratio_cpu'))} | "
              f"{_fmt(m.get('run_peak_rss_mb'), 0)} | {_fmt(m.get('maxrss_mb'), 0)} | {_fmt(fl.get('cpu_s'), 3)} | {_fmt(fl.get('beyond_startup_cpu_s'), 3)} | "
              f"{_fmt(fl.get('floor_cpu_s'), 3)} | {_fmt(fl.get('ratio_cpu_beyond_startup'))} | {_fmt(fl.get('maxrss_mb'), 0)} |")
        for r in results["mix"]:
            f = r["figures"]
            if "startup" in f:
                w("")
                w(f"Start-up (`idrs-sim cycle`, nothing due, median of 3): CPU {f['startup']['cpu_s']:.3f} s, "
                  f"wall {f['startup']['wall_s']:.3f} s.")
            if "tc972_file" in f:
                t = f["tc972_file"]
                w(f"The TC 972 file of issue 19, {_fmt(t['taxpayers'])} taxpayers: `idrs-sim cycle` CPU {t['cpu_s']:.3f} s, "
                  f"beyond start-up {t['beyond_startup_cpu_s']:.3f} s, wall {t['wall_s']:.3f} s, peak {t['maxrss_mb']:.0f} MB "
                  f"(`{t['summary']}`).")
                break
        w("")
    if results.get("latency"):
        f = results["latency"]["figures"]
        w("## Command latency")
        w("")
        w(f"{_fmt(f['entities'])} entities, {_fmt(f['transactions'])} transactions; {f['runs']} random TINs per command;"
          " the Enter key only (in-process `Terminal` -> `IdrsSession`: parse, handler, audit record, commit, screen).")
        w("FRM77 input = REQ77 Enter + FRM77 Enter.  " + ("Full scans of big tables: none."
                                                             if not f["full_scans"] else
                                                             "FULL SCANS: " + "; ".join(f["full_scans"])))
        w("")
        w("| command | n | wall p50 ms | wall p99 ms | wall max ms | CPU p50 ms | CPU p99 ms |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for name in ("ENMOD", "TXMODA", "UPTIN", "REQ77", "FRM77", "FRM77 input", "CLEAR"):
            x = f[name]
            w(f"| {name} | {x['n']} | {x['wall_p50_ms']:.2f} | {x['wall_p99_ms']:.2f} | {x['wall_max_ms']:.2f} | "
              f"{x['cpu_p50_ms']:.2f} | {x['cpu_p99_ms']:.2f} |")
        w("")
    if results.get("replay"):
        f = results["replay"]["figures"]
        ip, st = f["in_process"], f["startup"]
        w("## Replay")
        w("")
        w(f"Procedure suite: every replay script in the repository, {f['examples']} examples (`examples/*.txt`) and "
          f"{f['procedures']} IRM procedures")
        w("(`procedures/**/*.txt`); tests write their other scripts inline.  Each script runs on a fresh simulator")
        w("loaded from its fixture, as `idrs-sim replay` runs it.")
        w("")
        w("| figure | wall | CPU |")
        w("|---|---:|---:|")
        w(f"| in process: {ip['procedures']} scripts ({ip['rounds']} round(s)) | {ip['wall_s']:.2f} s | {ip['cpu_s']:.2f} s |")
        w(f"| procedures per minute, in process | {_fmt(ip['procedures_per_min_wall'])} | "
          f"{_fmt(ip['procedures_per_min_cpu'])} |")
        w(f"| `idrs-sim replay` of every script, one process (exit {f['cli_suite']['exit']}) | "
          f"{f['cli_suite']['wall_s']:.2f} s | {f['cli_suite']['cpu_s']:.2f} s |")
        w(f"| procedures per minute, that process | {_fmt(f['cli_suite']['procedures_per_min_wall'])} | |")
        w(f"| **start-up**, one-line script, median of {st['n']} | {st['wall_s']:.3f} s | {st['cpu_s']:.3f} s |")
        w(f"| floor: `python -c pass` | {f['startup_python_floor']['wall_s']:.3f} s | "
          f"{f['startup_python_floor']['cpu_s']:.3f} s |")
        w(f"| floor: `python -c 'import sqlalchemy.orm'` | {f['startup_sqlalchemy_orm_floor']['wall_s']:.3f} s | "
          f"{f['startup_sqlalchemy_orm_floor']['cpu_s']:.3f} s |")
        w("")
        w(f"Started as: {f['cli']}.  Textual imported on the replay path: {f['textual_imported']}.")
        w("")
        w("| script | median wall ms | median CPU ms |")
        w("|---|---:|---:|")
        for name, ms in ip["by_script_median_ms"].items():
            if name.startswith("examples/"):
                w(f"| {name} | {ms:.1f} | {ip['by_script_cpu_median_ms'][name]:.1f} |")
        if ip.get("procedures_median_ms") is not None:
            w(f"| procedures/ (median of {f['procedures']}) | {ip['procedures_median_ms']:.1f} | |")
            for name, ms in ip["procedures_slowest"]:
                w(f"| slowest: {name} | {ms:.1f} | {ip['by_script_cpu_median_ms'][name]:.1f} |")
        w("")
    if results.get("tn3270"):
        f = results["tn3270"]["figures"]
        w("## TN3270")
        w("")
        w(f"Server `idrs_sim.front.tn3270.server` on 127.0.0.1 (its default: every connection's host calls in one FIFO queue, one worker thread), host: {f['host']}.")
        w("Clients: a separate process, one thread and raw socket each; Clear, then Enter with `ENMOD tin` or")
        w("`TXMODA tin 30 period`.  *think*: a random 0.2-1.0 s pause before each Clear + Enter pair; *closed*: no")
        w("pause (saturation).")
        e = f["echo_1_client"]["enter"]
        w(f"Protocol only (echo host, 1 client, {e['n']} keys): p50 {e['p50_ms']:.2f} ms, p99 {e['p99_ms']:.2f} ms"
          + (f"; through s3270 ({f['echo_s3270']['n']} Enter actions): p50 {f['echo_s3270']['p50_ms']:.2f} ms, "
             f"p99 {f['echo_s3270']['p99_ms']:.2f} ms." if "echo_s3270" in f else "."))
        w("")
        w("| model | clients | keys | keys/s | Enter p50 ms | Enter p99 ms | Enter max ms | Clear p50 ms | Clear p99 ms "
          "| server CPU ms/key | errors |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key in sorted((k for k in f if k.startswith(("think_", "closed_"))),
                          key=lambda k: (not k.startswith("think"), int(k.split("_")[1]))):
            r = f[key]
            en, cl = r["enter"], r["clear"]
            w(f"| {key.split('_')[0]} | {r['clients']} | {r['keys']} | {r['keys_per_s']} | {en['p50_ms']:.2f} | "
              f"{en['p99_ms']:.2f} | {en['max_ms']:.2f} | {cl['p50_ms']:.2f} | {cl['p99_ms']:.2f} | "
              f"{r['server_cpu_ms_per_key']} | {r['errors']} |")
        w("")
    if results.get("tui"):
        f = results["tui"]["figures"]
        r = f["run_test"]
        w("## TUI")
        w("")
        w("| figure | seconds |")
        w("|---|---:|")
        w(f"| run_test: sign-on screen drawn, from spawn (median of {r['n']}) | {r['rendered_s']:.3f} |")
        w(f"| run_test: imports done | {r['imports_s']:.3f} |")
        w(f"| run_test: simulator (training master file) ready | {r['simulator_s']:.3f} |")
        if "tmux" in f:
            w(f"| tmux: `idrs-sim` sign-on screen visible (median of {f['tmux']['n']}) | {f['tmux']['signon_visible_s']:.3f} |")
        w("")
    if results.get("web"):
        f = results["web"]["figures"]
        w("## Web terminal")
        w("")
        w(f"`idrs-sim web`, {f['sessions']} tabs open at once ({f['signed_on']} signed on, {f['ran_enmod']} ran ENMOD); "
          "each tab is its own process.")
        w("")
        w("| figure | median | max |")
        w("|---|---:|---:|")
        for key, what in (("tab_rss_mb", "memory per session: RSS (MB)"), ("tab_pss_mb", "memory per session: PSS (MB)"),
                          ("tab_uss_mb", "memory per session: USS (MB)"), ("first_screen_s", "first screen after opening (s)")):
            if key in f:
                w(f"| {what} | {f[key]['median']} | {f[key]['max']} |")
        if "server_rss_mb" in f:
            w(f"| server RSS (MB), idle / with the tabs | {f['server_rss_mb']['idle']} | {f['server_rss_mb']['with_tabs']} |")
    if results.get("classroom"):
        f = results["classroom"]["figures"]
        w("## Classroom")
        w("")
        w("| figure | value |")
        w("|---|---:|")
        w(f"| sign-on to first screen, trainee {f['trainees']} of {f['trainees']} ({f['engine']}) | "
          f"{f['signon_last_ms']} ms |")
        w(f"| sign-on to first screen, median / max over the class | {f['signon_median_ms']} / {f['signon_max_ms']} ms |")
        w(f"| memory per sandbox (RSS growth / trainees) | {f['rss_per_sandbox_mb']} MB |")
        w(f"| one sandbox on disk (SQLite file) | {f['sandbox_file_kb']} KB |")
        w(f"| class start (lesson loaded, {f['trainees']} trainee accounts) | {f['class_start_s']} s |")
        w("")
    notes = [n for suite in results.values() for r in (suite if isinstance(suite, list) else [suite]) for n in r["notes"]]
    if notes:
        w("## Notes")
        w("")
        for n in dict.fromkeys(notes):
            w(f"* {n}")
        w("")
    path.write_text("\n".join(out))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="posting at 10k and 100k only; fewer runs")
    ap.add_argument("--only", metavar="SUITES", help=f"comma-separated: {','.join(SUITES)}")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"), help="where to write the results")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args(argv)
    chosen = SUITES if not args.only else tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SUITES]
    if unknown:
        ap.error(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")  # the real date: this is a measurement log
    info = machine()
    say(f"idrs-sim benchmarks, {started}: {info.get('cpu')}, {info.get('cores')} cores, {info.get('memory_gb')} GB, "
        f"Python {info.get('python')}, SQLAlchemy {info.get('sqlalchemy')}, SQLite {info.get('sqlite')}, "
        f"load {info.get('loadavg')}")
    w0 = time.perf_counter()
    results: dict[str, Any] = {}
    log: list[str] = []
    for suite in SUITES:
        if suite not in chosen:
            continue
        say("")
        if suite == "posting":
            sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
            runs = [run_suite("posting", ["--modules", str(n)], log) for n in sizes]
            runs += [run_suite("posting", ["--modules", str(n), "--tracemalloc"], log) for n in (10_000, 100_000)]
            results["posting"] = [r for r in runs if r is not None]
        elif suite == "mix":
            sizes = [10_000] if args.quick else [10_000, 100_000]
            if os.environ.get("IDRS_BENCH_MIX_1M") == "1":
                sizes.append(1_000_000)
            runs = [run_suite("posting", ["--mix", "--taxpayers", str(n)] + (["--tc972", "20000"] if n == 10_000 else []),
                              log) for n in sizes]
            results["mix"] = [r for r in runs if r is not None]
        elif suite == "latency":
            r = run_suite("latency", ["--runs", "100" if args.quick else "300"], log)
            if r:
                results["latency"] = r
        elif suite == "replay":
            r = run_suite("replay", ["--starts", "5"] if args.quick else [], log)
            if r:
                results["replay"] = r
        elif suite == "tn3270":
            r = run_suite("tn3270", ["--requests", "20", "--closed-requests", "10"] if args.quick else [], log)
            if r:
                results["tn3270"] = r
        elif suite == "tui":
            r = run_suite("tui", ["--runs", "3"] if args.quick else [], log)
            if r:
                results["tui"] = r
        elif suite == "web":
            r = run_suite("web", ["--sessions", "3"] if args.quick else ["--sessions", "10"], log)
            if r:
                results["web"] = r
        elif suite == "classroom":
            r = run_suite("classroom", [], log)
            if r:
                results["classroom"] = r
    total = time.perf_counter() - w0
    try:
        load_end = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load_end = None
    say("")
    say(f"targets ({total / 60:.1f} minutes):")
    for what, limit, value, verdict in verdicts(results):
        say(f"  {verdict or '-':<13} {what}: {value} (target {limit})")
    if not args.no_write:
        out = Path(args.out)
        write_results(out, results, info, started, total, argv, load_end)
        say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
