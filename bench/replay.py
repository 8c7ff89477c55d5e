"""Replay: procedures per minute for the procedure suite, and `idrs-sim replay` start-up.

The procedure suite is every replay script in the repository: the examples
(``examples/*.txt``) and the IRM procedures (``procedures/**/*.txt``, the trainers'
decision-table scripts that the acceptance tests also run); tests write their other
scripts inline and ``fixtures/`` holds data only.  Each script runs as `idrs-sim replay`
runs it: on a fresh simulator loaded from its fixture, stopping at its first failed
expectation.  Figures:

* in process: the whole suite `--rounds` times through `idrs_sim.replay.run` (parsing,
  a fresh in-memory master file per script, every key, cycle and expectation);
  procedures per minute = scripts / wall minutes, per-script medians;
* as a user runs it: one `idrs-sim replay <every script>` subprocess (start-up
  included), procedures per minute of that;
* start-up: `idrs-sim replay` of a one-line script (``Expect("IDRS")``), the median of
  `--starts` subprocess runs after one warm-up run (which writes byte-code caches and the
  per-user caches), wall and CPU (user + system of the child); with the floor beside it:
  `python -c pass`, `python -c "import sqlalchemy.orm"` and the same plus an SQLite
  connection (the SQLite dialect), and that again imported the way `idrs-sim` imports
  (collector paused, then `gc.freeze`: idrs_sim/cli.py).  Beside the target figure, for
  reading it: the imports alone (the same way), a script that signs on (scrypt
  verification, the first audit record), and the one-line script with the per-user caches
  off (``IDRS_SIM_CACHE_DIR=off``: every parser built and every fixture file parsed and
  loaded).  Which of Textual, Lark and PyYAML the
  replay path imported is checked too (Textual must not be).

    python -m bench.replay [--rounds 1] [--starts 10] [--startup-only] [--json]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Result, python, say, subprocess_env, timed


def cli_command() -> tuple[list[str], str]:
    """How to start `idrs-sim`: the installed entry point beside this Python, else the module."""
    script = Path(sys.executable).with_name("idrs-sim")
    if script.exists():
        return [str(script)], "idrs-sim (entry point)"
    return [python(), "-c", "import sys; from idrs_sim.cli import main; sys.exit(main())"], \
        "python -c 'from idrs_sim.cli import main' (no idrs-sim entry point beside this Python)"


def run_child(argv: list[str], extra_env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """(wall s, child CPU s, exit code, output) of one subprocess."""
    env = subprocess_env()
    env.update(extra_env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode, proc.stdout + proc.stderr


def medians(argv: list[str], n: int, extra_env: dict[str, str] | None = None) -> dict[str, float]:
    run_child(argv, extra_env)  # warm-up: byte-code caches, grammar caches, page cache
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu, code, out = run_child(argv, extra_env)
        if code != 0:
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{out}")
        walls.append(wall)
        cpus.append(cpu)
    return {"wall_s": round(statistics.median(walls), 3), "cpu_s": round(statistics.median(cpus), 3),
            "wall_min_s": round(min(walls), 3), "n": n}


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1, help="in-process passes over the suite")
    ap.add_argument("--starts", type=int, default=10, help="subprocess start-ups for the median")
    ap.add_argument("--startup-only", action="store_true",
                    help="only the start-up figures (skip the procedure suite, about a minute)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    res = Result("replay")
    f = res.figures
    examples = sorted((ROOT / "examples").glob("*.txt"))
    procedures = sorted((ROOT / "procedures").glob("**/*.txt"))
    scripts = examples + procedures
    f["scripts"] = [str(p.relative_to(ROOT)) for p in scripts]
    f["examples"] = len(examples)
    f["procedures"] = len(procedures)

    if not args.startup_only:
        suite(args, res, examples, procedures)
    startup(args, res)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        res.notes.append("PYTHONDONTWRITEBYTECODE was set in the environment; start-up was measured without it "
                         "(byte-code caching on, as for a user).")
    res.emit(args.json)
    return res


def suite(args: argparse.Namespace, res: Result, examples: list[Path], procedures: list[Path]) -> None:
    f = res.figures
    scripts = examples + procedures

    # ---- in process ---------------------------------------------------------------------
    from idrs_sim.replay import Options, run

    names = {p: str(p.relative_to(ROOT)) for p in scripts}
    per_script: dict[str, list[float]] = {names[p]: [] for p in scripts}
    per_script_cpu: dict[str, list[float]] = {names[p]: [] for p in scripts}
    worst = 0
    with timed() as total:
        for _ in range(args.rounds):
            for p in scripts:
                out, err = io.StringIO(), io.StringIO()
                with timed() as t:
                    code = run([str(p)], Options(), out, err)
                worst = max(worst, code)
                per_script[names[p]].append(t.wall)
                per_script_cpu[names[p]].append(t.cpu)
    n_runs = args.rounds * len(scripts)
    f["in_process"] = {
        "rounds": args.rounds, "procedures": n_runs, "worst_exit": worst,
        "wall_s": round(total.wall, 3), "cpu_s": round(total.cpu, 3),
        "per_script_wall_ms": round(total.wall / n_runs * 1000, 1),
        "per_script_cpu_ms": round(total.cpu / n_runs * 1000, 1),
        "procedures_per_min_wall": round(n_runs / total.wall * 60),
        "procedures_per_min_cpu": round(n_runs / total.cpu * 60),
        "by_script_median_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in per_script.items()},
        "by_script_cpu_median_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in per_script_cpu.items()},
    }
    ip = f["in_process"]
    proc_ms = sorted((v, k) for k, v in ip["by_script_median_ms"].items() if k.startswith("procedures/"))
    if proc_ms:
        ip["procedures_median_ms"] = round(statistics.median(v for v, _ in proc_ms), 1)
        ip["procedures_slowest"] = [(k, v) for v, k in proc_ms[-3:][::-1]]
    say(f"replay   procedure suite: {len(examples)} examples (examples/*.txt) + {len(procedures)} procedures "
        "(procedures/**/*.txt)")
    say(f"  in process, {args.rounds} round(s): {n_runs} scripts in {total.wall:.2f} s wall / {total.cpu:.2f} s cpu"
        f"   -> {ip['procedures_per_min_wall']:,}/min wall, {ip['procedures_per_min_cpu']:,}/min cpu"
        f"   (worst exit {worst})")
    for name in per_script:
        if name.startswith("examples/"):
            say(f"    {name:<36} median {ip['by_script_median_ms'][name]:8.1f} ms wall"
                f"  {ip['by_script_cpu_median_ms'][name]:8.1f} ms cpu")
    if proc_ms:
        say(f"    procedures/: median {ip['procedures_median_ms']:.1f} ms wall per script; slowest "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in ip["procedures_slowest"]))

    # ---- as a user runs it --------------------------------------------------------------
    cli, how = cli_command()
    f["cli"] = how
    wall, cpu, code, _ = run_child(cli + ["replay", *map(str, scripts)])
    f["cli_suite"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "exit": code,
                      "procedures_per_min_wall": round(len(scripts) / wall * 60)}
    say(f"  idrs-sim replay <all {len(scripts)} scripts> (one process): {wall:.2f} s wall / {cpu:.2f} s cpu, exit {code}"
        f"   -> {f['cli_suite']['procedures_per_min_wall']:,} procedures/min")


def startup(args: argparse.Namespace, res: Result) -> None:
    f = res.figures
    cli, how = cli_command()
    f["cli"] = how
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text('Expect("IDRS")\n')
        signon = Path(tmp) / "signon.txt"
        signon.write_text('SignOn(1485012345)\nExpect("SIGN-ON COMPLETED")\n')
        f["startup"] = medians(cli + ["replay", str(one)], args.starts)
        probe = ("import sys; from idrs_sim.cli import main; code = main(['replay', %r]); "
                 "print('TEXTUAL', 'textual' in sys.modules); print('LARK', 'lark' in sys.modules); "
                 "print('YAML', 'yaml' in sys.modules)" % str(one))
        probe_out = run_child([python(), "-c", probe])[3]
        f["textual_imported"] = "TEXTUAL True" in probe_out
        f["lark_imported"] = "LARK True" in probe_out
        f["yaml_imported"] = "YAML True" in probe_out
        # The imports as `idrs-sim` makes them (idrs_sim.cli: the collector paused, then frozen).
        f["startup_imports"] = medians(
            [python(), "-c", "import idrs_sim.cli; idrs_sim.cli._import_engine(as_program=True); import idrs_sim.replay"],
            args.starts)
        f["startup_signon"] = medians(cli + ["replay", str(signon)], args.starts)
        f["startup_caches_off"] = medians(cli + ["replay", str(one)], max(3, args.starts // 2),
                                          {"IDRS_SIM_CACHE_DIR": "off"})
        f["startup_python_floor"] = medians([python(), "-c", "pass"], 5)
        f["startup_sqlalchemy_orm_floor"] = medians([python(), "-c", "import sqlalchemy.orm"], args.starts)
        f["startup_sqlalchemy_sqlite_floor"] = medians(
            [python(), "-c", "import sqlalchemy.orm; from sqlalchemy import create_engine; "
                             "create_engine('sqlite://').connect().close()"], args.starts)
        # The same as idrs-sim treats its imports: collector off while importing, objects
        # frozen after (no passes over them, none at exit either); the floor to compare with.
        f["startup_sqlalchemy_sqlite_frozen_floor"] = medians(
            [python(), "-c", "import gc; gc.disable(); import sqlalchemy.orm; from sqlalchemy import create_engine; "
                             "gc.freeze(); gc.enable(); create_engine('sqlite://').connect().close()"], args.starts)
    s = f["startup"]

    def fig(d: dict[str, float]) -> str:
        return f"{d['wall_s']:.3f} s wall / {d['cpu_s']:.3f} s cpu"

    say(f"  start-up, idrs-sim replay of a one-line script ({how}):")
    say(f"    median of {s['n']}: {s['wall_s']:.3f} s wall (min {s['wall_min_s']:.3f})  {s['cpu_s']:.3f} s cpu"
        f"   imported: textual {f['textual_imported']}, lark {f['lark_imported']}, yaml {f['yaml_imported']}")
    say(f"    imports alone (cli, simulator, replay; as idrs-sim makes them): {fig(f['startup_imports'])}")
    say(f"    a sign-on script: {fig(f['startup_signon'])};  one line, caches off: {fig(f['startup_caches_off'])}")
    say(f"    floor: python -c pass {fig(f['startup_python_floor'])};  import sqlalchemy.orm"
        f" {fig(f['startup_sqlalchemy_orm_floor'])};  + SQLite connection {fig(f['startup_sqlalchemy_sqlite_floor'])}")
    say(f"           the same, imported with the collector paused and frozen as idrs-sim does:"
        f" {fig(f['startup_sqlalchemy_sqlite_frozen_floor'])}")


if __name__ == "__main__":
    main()
