"""TUI: time from start to the sign-on screen.

Two measurements, each the median of `--runs` fresh processes (after one warm-up run
that writes byte-code caches):

* ``run_test``: a Python process that imports the TUI, builds the simulator (training
  master file) and runs `IdrsApp` headless under Textual's `App.run_test` until the
  terminal widget has drawn its lines and they show the sign-on screen; the time is
  taken from just before the process is spawned, so interpreter start-up and imports
  count.  The child also reports when its imports and its simulator were done.
* ``tmux``: `idrs-sim` itself in a real terminal (a detached tmux session, 100x30, on a
  private tmux server socket); the pane is polled every 10 ms until the sign-on
  screen's ``EMPLOYEE NUMBER>`` is on it.  Skipped when tmux is not installed.

Prints figures only.

    python -m bench.tui [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, Result, python, say, subprocess_env

CHILD = r"""
import asyncio, json, sys, time
from idrs_sim.front.tui import IdrsApp
from idrs_sim.simulator import Simulator
t_import = time.time()
sim = Simulator(follow_clock=True)
t_sim = time.time()
app = IdrsApp(sim)
out = {}
async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.view
        while view._strips is None:
            await pilot.pause()
        out["t_rendered"] = time.time()
        out["signon"] = "EMPLOYEE NUMBER>" in app.screen_text()
asyncio.run(main())
sim.close()
out.update(t_import=t_import, t_sim=t_sim)
print(json.dumps(out))
"""


def run_test_once() -> dict[str, float]:
    t0 = time.time()
    proc = subprocess.run([python(), "-c", CHILD], cwd=ROOT, env=subprocess_env(), capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"TUI child failed:\n{proc.stderr[-2000:]}")
    d = json.loads(proc.stdout.strip().splitlines()[-1])
    if not d.get("signon"):
        raise SystemExit("the TUI did not show the sign-on screen")
    return {"imports_s": d["t_import"] - t0, "simulator_s": d["t_sim"] - t0, "rendered_s": d["t_rendered"] - t0}


def tmux_once(n: int) -> float | None:
    sock = f"idrs-bench-{os.getpid()}-{n}"  # a private tmux server per run
    name = f"tui{n}"
    cmd = f"{shlex.quote(python())} -c 'import sys; from idrs_sim.cli import main; sys.exit(main([]))'"
    env = subprocess_env()
    env_args = [f"PYTHONPATH={env['PYTHONPATH']}"]
    t0 = time.perf_counter()
    started = subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", "-c",
                              str(ROOT), "env", "-u", "PYTHONDONTWRITEBYTECODE", *env_args, "sh", "-c", cmd],
                             env=env, capture_output=True, text=True)
    if started.returncode != 0:
        say(f"  tmux new-session failed: {started.stderr.strip()}")
        return None
    found = None
    try:
        while time.perf_counter() - t0 < 60:
            pane = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", name], capture_output=True,
                                  text=True).stdout
            if "EMPLOYEE NUMBER>" in pane:
                found = time.perf_counter() - t0
                break
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
    return found


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = Result("tui")
    f = res.figures
    run_test_once()  # warm-up
    runs = [run_test_once() for _ in range(args.runs)]
    f["run_test"] = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    f["run_test"]["n"] = args.runs
    r = f["run_test"]
    say(f"tui      run_test (headless), median of {args.runs}: sign-on screen drawn {r['rendered_s']:.3f} s after spawn"
        f"   (imports done {r['imports_s']:.3f} s, simulator {r['simulator_s']:.3f} s)")
    if shutil.which("tmux"):
        tmux_once(0)
        times = [t for t in (tmux_once(i + 1) for i in range(args.runs)) if t is not None]
        if times:
            f["tmux"] = {"signon_visible_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
                         "n": len(times)}
            say(f"  tmux (idrs-sim in a 100x30 pane), median of {len(times)}: sign-on visible after "
                f"{f['tmux']['signon_visible_s']:.3f} s (min {f['tmux']['min_s']:.3f})")
        else:
            res.notes.append("tmux: the sign-on screen never appeared within 60 s")
    else:
        res.notes.append("tmux not installed: only the run_test figure")
        say("  tmux not installed: skipped")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
