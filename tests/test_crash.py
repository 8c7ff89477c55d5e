"""Crash suite (issue #16): SIGKILL `idrs-sim cycle --count N` and a replay at random
(seeded) points on a file database, and run two processes on one database.

After each kill the database must be exactly what the committed work made:

* the saved clock stands on the last committed cycle (never behind it);
* nothing is half-posted: the master file equals a reference run of the same number of
  cycles without a kill (dump compared whole: modules, transactions, statuses, balances);
* balances match their transactions (the dump's balances are derived from them, and the
  dump passes the fixture validator);
* the audit trail matches the inputs that committed: one `ADJ54 TC 290` record per TC 290
  stored, and no more.

Two processes on one database: each ends with exit 0 or a clear one-line message (exit
2), and nothing is lost or done twice.

Bounded: IDRS_SIM_CRASH_TRIALS kills of each kind (default 5; the closing note of issue
#16 gives a long run), IDRS_SIM_CRASH_SEED the seed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from idrs_sim.masterfile.fixtures import validate
from idrs_sim.masterfile.models import AuditRecord, CycleRun, SimState, Transaction
from idrs_sim.posting import calendar as cal
from idrs_sim.simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
TRIALS = int(os.environ.get("IDRS_SIM_CRASH_TRIALS", "5"))
SEED = int(os.environ.get("IDRS_SIM_CRASH_SEED", "16"))
CYCLES = 5
TRAINEE = "1485012345"
INPUT = '''Clear
String("TXMODA 400-00-1001 30 202312")
Enter
Clear
String("REQ54 400-00-1001 30 202312")
Enter
Fill("TC", "290")
Fill("AMOUNT", "0.00")
Enter
Expect("REQUEST COMPLETED")
Cycle
'''
SCRIPT = f"SignOn({TRAINEE})\n" + INPUT * 4


def env(**extra: str) -> dict[str, str]:
    out = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "IDRS_SIM_CACHE_DIR": os.environ.get("IDRS_SIM_CACHE_DIR", "off")}
    out.update(extra)
    return out


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "idrs_sim.cli", *args]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file database filled from the training fixture, copied for every trial."""
    path = tmp_path_factory.mktemp("crash") / "template.db"
    Simulator(f"sqlite:///{path}").close()
    return path


def fresh(template: Path, where: Path, name: str) -> str:
    path = where / f"{name}.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def state(url: str) -> dict[str, Any]:
    """What the invariants look at, read in one session."""
    with Simulator(url, None) as sim, sim.mf.reading() as db:
        saved = db.scalar(select(SimState.value).where(SimState.key == "clock"))
        return {
            "clock_cycle": cal.cycle_of(dt.datetime.fromisoformat(saved).date()),
            "last_run": db.scalar(select(func.max(CycleRun.cycle))),
            "runs": db.scalar(select(func.count()).select_from(CycleRun)),
            "tc290": db.scalar(select(func.count()).select_from(Transaction).where(Transaction.tc == 290)),
            "tc290_audit": db.scalar(select(func.count()).select_from(AuditRecord)
                                     .where(AuditRecord.outcome.like("ADJ54 TC 290 %"))),
            "dump": sim.dump(),
        }


@cache
def _reference(template: str, cycles: int, inputs_before: tuple[int, ...]) -> dict[str, Any]:
    """The master file after `cycles` cycles with no kill, `inputs_before[i]` TC 290 inputs
    keyed before cycle i+1 (a replay) -- what a killed run that got that far must equal."""
    where = Path(template).parent / f"ref-{cycles}-{'-'.join(map(str, inputs_before))}.db"
    if where.exists():
        where.unlink()
    shutil.copyfile(template, where)
    url = f"sqlite:///{where}"
    from idrs_sim.replay import Driver

    with Simulator(url, None) as sim:
        d = Driver(sim)
        d.sign_on(TRAINEE)
        for i in range(cycles + 1):
            for _ in range(inputs_before[i] if i < len(inputs_before) else 0):
                d.command("TXMODA 400-00-1001 30 202312").command("REQ54 400-00-1001 30 202312")
                d.fill("TC", "290").fill("AMOUNT", "0.00").enter()
                assert d.message == "REQUEST COMPLETED", d.message
            if i < cycles:
                sim.cycle(1)
    return state(url)


def comparable(dump: dict[str, Any]) -> dict[str, Any]:
    """A dump without what differs between runs that did the same work (run times)."""
    out = dict(dump)
    out.pop("cycle_runs", None)
    return out


def check_invariants(url: str, template: Path, start_cycle: str, inputs_before: tuple[int, ...] | None = None) -> dict[str, Any]:
    s = state(url)
    ran = s["runs"] - state_of_template(template)["runs"]
    # the clock equals the last committed cycle (or stands where it was when none ran)
    expected = cal.add_cycles(start_cycle, ran)
    assert s["clock_cycle"] == expected, f"clock on {s['clock_cycle']} but {ran} cycles committed (expected {expected})"
    if ran:
        assert s["last_run"] == expected
    # the audit trail matches the inputs that committed
    base = state_of_template(template)
    assert s["tc290"] - base["tc290"] == s["tc290_audit"] - base["tc290_audit"], s
    # nothing half-posted, balances from their transactions: equal to a reference run
    inputs = s["tc290_audit"] - base["tc290_audit"]
    if inputs_before is None:
        pattern: tuple[int, ...] = ()
    else:  # one input before each cycle, as the script types them
        pattern = tuple(1 if i < inputs else 0 for i in range(ran + 1))
    ref = _reference(str(template), ran, pattern)
    assert comparable(s["dump"]) == comparable(ref["dump"])
    _, problems = validate(s["dump"], linting=False)
    assert [p for p in problems if not p.lint] == []
    return s


@cache
def _template_state(path: str) -> dict[str, Any]:
    return state(f"sqlite:///{path}")


def state_of_template(template: Path) -> dict[str, Any]:
    return _template_state(str(template))


def kill_at(cmd: list[str], delay: float, **extra: str) -> int:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(**extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert "Traceback" not in err and "internal error" not in err, err
    return proc.returncode


def _timing(template: Path, tmp_path: Path, cmd_of: Any) -> float:
    """How long the command takes unkilled here (the kill points spread over it)."""
    url = fresh(template, tmp_path, "timing")
    started = time.monotonic()
    done = subprocess.run(cmd_of(url), cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return time.monotonic() - started


def kill_after_lines(cmd: list[str], lines: int, delay: float) -> None:
    """Start `cmd`, wait until it has printed `lines` cycle reports, then `delay` more
    seconds, and SIGKILL it (the kill lands in a later cycle, or between two)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    seen = 0
    while seen < lines:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line.startswith("CYCLE ")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


def test_sigkill_during_cycle_count(template: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    start = Simulator(f"sqlite:///{template}", None).clock.cycle
    seen = []
    for trial in range(TRIALS):
        url = fresh(template, tmp_path, f"cycle{trial}")
        kill_after_lines(cli("cycle", "--db", url, "--count", str(CYCLES)), rng.randrange(CYCLES), rng.uniform(0, 0.15))
        seen.append(check_invariants(url, template, start)["runs"] - state_of_template(template)["runs"])
    print(f"cycle kills: {TRIALS}, cycles committed at the kill: {seen}")


def test_sigkill_during_replay(template: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    start = Simulator(f"sqlite:///{template}", None).clock.cycle
    script = tmp_path / "inputs.txt"
    script.write_text(SCRIPT)
    full = _timing(template, tmp_path, lambda url: cli("replay", str(script), "--db", url))
    seen = []
    for trial in range(TRIALS):
        url = fresh(template, tmp_path, f"replay{trial}")
        kill_at(cli("replay", str(script), "--db", url), rng.uniform(0.2, full))
        s = check_invariants(url, template, start, inputs_before=())
        seen.append(s["tc290_audit"] - state_of_template(template)["tc290_audit"])
    print(f"replay kills: {TRIALS}, inputs committed at the kill: {seen}")


def _one_line_or_ok(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    assert "Traceback" not in err and "internal error" not in err, err
    if proc.returncode != 0:
        assert proc.returncode == 2, (proc.returncode, out, err)
        assert ("busy" in err or "locked" in err), err
    return proc.returncode, out, err


def test_two_processes_on_one_database(template: Path, tmp_path: Path) -> None:
    """A cycle run and a replay, then two cycle runs, at once on one file, with a short
    busy timeout so that they do collide: the loser says so in one line, nothing is lost."""
    start = Simulator(f"sqlite:///{template}", None).clock.cycle
    script = tmp_path / "inputs.txt"
    script.write_text(f"SignOn({TRAINEE})\n" + INPUT.replace("Cycle\n", "") * 3)
    for trial, timeout in enumerate(("0", "0.05", "5")):
        url = fresh(template, tmp_path, f"two{trial}")
        cycle = subprocess.Popen(cli("cycle", "--db", url, "--count", "3"), cwd=ROOT, text=True,
                                 env=env(IDRS_SIM_BUSY_TIMEOUT=timeout), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        replay = subprocess.Popen(cli("replay", str(script), "--db", url), cwd=ROOT, text=True,
                                  env=env(IDRS_SIM_BUSY_TIMEOUT=timeout), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        c_code, c_out, _ = _one_line_or_ok(cycle)
        r_code, r_out, _ = _one_line_or_ok(replay)
        s = state(url)
        base = state_of_template(template)
        reported = sum(1 for line in c_out.splitlines() if line.startswith("CYCLE"))
        assert s["runs"] - base["runs"] == reported  # every committed cycle was reported
        assert s["clock_cycle"] == cal.add_cycles(start, reported)
        assert s["tc290"] - base["tc290"] == s["tc290_audit"] - base["tc290_audit"]
        if r_code == 0:
            assert "PASS" in r_out and s["tc290_audit"] - base["tc290_audit"] == 3  # nothing lost
        if timeout == "5":
            assert c_code == 0 and r_code == 0  # with time to wait, both finish
    # two cycle runs at once: no cycle runs twice, every committed one is reported
    url = fresh(template, tmp_path, "twocycles")
    procs = [subprocess.Popen(cli("cycle", "--db", url, "--count", "2"), cwd=ROOT, text=True, env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [_one_line_or_ok(p)[1] for p in procs]
    reported = [line.split()[1] for out in outs for line in out.splitlines() if line.startswith("CYCLE")]
    assert len(reported) == len(set(reported)) == state(url)["runs"] - state_of_template(template)["runs"]
    assert state(url)["clock_cycle"] == cal.add_cycles(start, len(reported))
