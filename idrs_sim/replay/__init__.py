"""Replay scripts: the keys of an s3270 script plus simulator actions and expectations.

``idrs-sim replay SCRIPT...`` runs each script headless on an in-process `Terminal`
(CONTRACT §2).  It never imports Textual, so scripts run on a server or in CI with
nothing but the core dependencies.

The actions live on `Driver` (`replay.actions`), which the pytest API (`idrs_sim.testing`)
reuses, so a script line and a test method behave identically; `replay.compile` checks a
whole script before it runs (the Lark grammar itself is `replay.parse`); this module runs
the checked scripts and reports.  Outcomes:

* every expectation held -> exit 0;
* an expectation failed, or a key met a locked keyboard (as s3270 refuses keys while
  the keyboard is inhibited) -> the script stops, the report names file, line and
  action and shows the 24x80 screen with the cursor marked -> exit 1;
* the script itself is wrong (does not parse, unknown fixture, ``Fill`` of a label
  that is not on the screen, a bad argument) -> one line ``FILE:LINE: message`` on
  stderr -> exit 2;
* the simulator itself raised (a defect) -> reported like a failure -> exit 1.

Several scripts run one after another, each on a fresh simulator and terminal, each
stopping at its first failure; the exit code is the worst of them.  In memory (the
default) every script starts from the fixture.  With ``--db`` the scripts share that
database in order: ``--fixture`` fills it before the first script, without ``--fixture``
they go on with what it holds (filled from the training fixture when empty).  A usage
error stops the run.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..masterfile.db import is_busy
from ..simulator import DEFAULT_FIXTURE, Simulator, SimulatorError, parse_date
from .actions import DatabaseBusy, Driver, Failure, ScriptProblem
from .compile import SPECS, Spec, Step, compile_script

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
log = logging.getLogger(__name__)


# ---- running ------------------------------------------------------------------------
@dataclass
class Options:
    """What the command line says about the world each script starts in."""

    url: str = "sqlite://"
    fixture: str | None = None  # None: the training fixture (or what a --db already holds)
    date: str | None = None
    trace: bool = False


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str, limit: int = 300) -> str:
    """A script's text as a report line shows it: control characters as \\xNN (an escape
    sequence in a script must not reach the user's terminal) and at most `limit` characters."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


MAX_SCRIPT_BYTES = 4 * 1024 * 1024  # a script is typed by people; /dev/zero is not one


def _script_text(given: str, path: Path) -> str:
    """The text of a script file: an empty name, a device or a file past MAX_SCRIPT_BYTES is
    refused (ValueError) before it is read, so nothing reads without end."""
    if not given.strip():
        raise ValueError("an empty file name")
    if path.is_dir():
        raise ValueError("a directory")
    if path.is_char_device() or path.is_block_device():  # a pipe (/dev/stdin) is read, up to the limit
        raise ValueError("a device, not a file")
    with path.open("rb") as fh:
        data = fh.read(MAX_SCRIPT_BYTES + 1)
    if len(data) > MAX_SCRIPT_BYTES:
        raise ValueError(f"longer than {MAX_SCRIPT_BYTES // (1024 * 1024)} MB: not a replay script")
    return data.decode("utf-8")


def run_script(path: Path, steps: Sequence[Step], opts: Options, out: TextIO, err: TextIO,
               replace: bool | None = None) -> int:
    """Run one checked script on a fresh simulator; the exit code of this script.

    `replace` (default: whether --fixture was given) refills a --db database from the
    fixture before the script; in memory every script starts from the fixture anyway.
    """
    name = str(path)
    if replace is None:
        replace = opts.fixture is not None
    try:
        sim = Simulator(opts.url, opts.fixture or DEFAULT_FIXTURE, opts.date, replace=replace)
    except SimulatorError as exc:
        print(f"idrs-sim replay: {name}: {exc}", file=err, flush=True)
        return EXIT_USAGE
    try:
        sim.require_writable()  # every key writes an audit record: refused before the first
    except SimulatorError as exc:
        sim.close()
        print(f"idrs-sim replay: {name}: {exc}", file=err, flush=True)
        return EXIT_USAGE
    try:
        driver = Driver(sim, out=out, base_dir=path.parent)
        for step in steps:
            where = f"{name}:{step.line}"
            try:
                result = getattr(driver, step.spec.method)(*step.args)
            except Failure as exc:
                print(f"{where}: {shown(step.source)}", file=out)
                print(f"  FAILED: {shown(exc.message)}", file=out)
                print(exc.screen, file=out)
                print(f"FAIL {name} (line {step.line})", file=out, flush=True)
                return EXIT_FAILED
            except ScriptProblem as exc:
                print(f"{where}: {shown(str(exc))}", file=err, flush=True)
                return EXIT_USAGE
            except Exception as exc:  # a simulator defect: the system under test failed, not the script
                if is_busy(exc):
                    print(f"{where}: {shown(step.source)}: the database is busy (another process holds it): "
                          f"nothing of this action was stored; run the script again", file=err, flush=True)
                    return EXIT_USAGE
                log.exception("%s: %s raised", where, step.source)
                print(f"{where}: {shown(step.source)}", file=out)
                print(f"  FAILED: internal error in the simulator: {type(exc).__name__}: {exc}", file=out)
                print(driver.rendered(), file=out)
                print(f"FAIL {name} (line {step.line})", file=out, flush=True)
                return EXIT_FAILED
            if opts.trace:
                _trace(out, where, step, driver, result)
        print(f"PASS {name} ({len(steps)} action{'s' if len(steps) != 1 else ''})", file=out, flush=True)
        return EXIT_OK
    finally:
        sim.close()


def _trace(out: TextIO, where: str, step: Step, driver: Driver, result: Any) -> None:
    status = driver.terminal.status()
    lock = f" [{status.keyboard}]" if status.keyboard else ""
    print(f"{where}: {shown(step.source)}{lock}", file=out)
    if step.spec.name == "Cycle":
        for report in driver.last_reports:
            summary = getattr(report, "summary", None)
            print(f"    {summary() if callable(summary) else report}", file=out)
    print(f"    24|{driver.message}", file=out, flush=True)


def run(paths: Sequence[str | Path], opts: Options | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Check every script, then run them in order; the worst exit code (0, 1 or 2)."""
    opts = opts or Options()
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    if opts.date is not None:
        try:
            parse_date(opts.date)
        except SimulatorError as exc:
            print(f"idrs-sim replay: {exc}", file=err, flush=True)
            return EXIT_USAGE
    compiled: list[tuple[Path, list[Step]]] = []
    for p in paths:
        path = Path(p)
        try:
            text = _script_text(str(p), path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            print(f"idrs-sim replay: cannot read {p or repr(p)}: {reason}", file=err, flush=True)
            return EXIT_USAGE
        try:
            compiled.append((path, compile_script(text, str(path))))
        except ScriptProblem as exc:
            print(shown(str(exc)), file=err, flush=True)
            return EXIT_USAGE
    worst = EXIT_OK
    for i, (path, steps) in enumerate(compiled):
        # With --db, --fixture fills the database once, before the first script; the
        # scripts then go on, in order, on the same master file (as a class would).
        worst = max(worst, run_script(path, steps, opts, out, err, replace=opts.fixture is not None and i == 0))
        if worst == EXIT_USAGE:
            break
    return worst


__all__ = ["SPECS", "DatabaseBusy", "Driver", "Failure", "Options", "ScriptProblem", "Spec", "Step", "compile_script",
           "run", "run_script"]
