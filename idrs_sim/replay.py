"""Replay scripts: the keys of an s3270 script plus simulator actions and expectations.

``idrs-sim replay SCRIPT...`` runs each script headless on an in-process `Terminal`
(CONTRACT §2).  It never imports Textual, so scripts run on a server or in CI with
nothing but the core dependencies.

The actions live on `Driver`, which the pytest API (`idrs_sim.testing`) reuses, so a
script line and a test method behave identically.  Outcomes:

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

import datetime as dt
import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from .masterfile.db import is_busy
from .simulator import DEFAULT_FIXTURE, Simulator, SimulatorError, parse_date
from .terminal.render import render_with_cursor
from .terminal.screen import COLS, ROWS, position
from .terminal.terminal import Terminal, typeable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
log = logging.getLogger(__name__)


class ScriptProblem(Exception):
    """The script (or its set-up) is wrong: not a failure of the system under test."""


class DatabaseBusy(ScriptProblem):
    """The database was held by another process: the key was not processed (exit 2, so a
    script never passes with nothing stored -- issue #16 item 2)."""


class Failure(AssertionError):
    """An expectation did not hold or a key was refused; carries the screen at that moment."""

    def __init__(self, message: str, screen: str) -> None:
        super().__init__(f"{message}\n{screen}")
        self.message = message
        self.screen = screen


# ---- the actions ---------------------------------------------------------------
class Driver:
    """One simulator and the terminal in use, with every action of CONTRACT §2 as a method.

    Keys raise `Failure` when the keyboard is locked (or locks on them), expectations
    raise `Failure` when they do not hold, and misuse raises `ScriptProblem`.
    """

    def __init__(self, sim: Simulator, terminal_id: str = "REPLAY01", out: TextIO | None = None,
                 base_dir: Path | None = None) -> None:
        self.sim = sim
        self.terminal_id = terminal_id
        self._out = out
        self.base_dir = base_dir
        self.terminal: Terminal = sim.new_terminal(terminal_id)
        self.last_reports: list[Any] = []

    @property
    def out(self) -> TextIO:
        """Where Snap prints: the stream given, else sys.stdout as it is at that moment."""
        return self._out if self._out is not None else sys.stdout

    # ---- looking at the screen --------------------------------------------------
    def screen_lines(self) -> list[str]:
        return self.terminal.screen.lines()

    def screen_text(self) -> str:
        """The 24 lines of 80 characters as a person sees them."""
        return self.terminal.screen.text()

    @property
    def message(self) -> str:
        """Line 24, where IDRS says what happened."""
        return self.terminal.screen.message

    def rendered(self) -> str:
        """The screen framed with rulers, the cursor marked, and the keyboard state."""
        status = self.terminal.status()
        extra = f"  keyboard {status.keyboard}" if status.keyboard else ""
        return render_with_cursor(self.terminal.screen) + (f"\n{extra}" if extra else "")

    def fail(self, message: str) -> Failure:
        return Failure(message, self.rendered())

    # ---- keys ---------------------------------------------------------------------
    def _key(self, what: str, press: Callable[[], bool], refused: str | None = None) -> Driver:
        term = self.terminal
        if term.locked:
            raise self.fail(f"{what}: keyboard locked ({term.keyboard})")
        pressed = press()
        if getattr(term.host, "busy", None):
            raise DatabaseBusy(f"{what}: the database is busy (another process holds it): the key was not "
                               f"processed and nothing of it was stored; run the script again")
        if pressed:
            return self
        if term.locked:
            raise self.fail(f"{what}: keyboard locked ({term.keyboard})")
        if term.last_error is not None:
            raise self.fail(f"{what}: the host failed: {type(term.last_error).__name__}: {term.last_error}")
        raise self.fail(f"{what}: {refused or 'refused by the terminal'}")

    def string(self, text: str) -> Driver:
        """Type text at the cursor (s3270 String)."""
        bad = next((ch for ch in text if not typeable(ch)), None)
        refused = f"{bad!r} cannot be typed on a 3270 keyboard" if bad is not None else None
        return self._key(f"String({_q(text)})", lambda: self.terminal.type_text(text), refused)

    def enter(self) -> Driver:
        return self._key("Enter", self.terminal.enter)

    def clear(self) -> Driver:
        return self._key("Clear", self.terminal.clear)

    def tab(self) -> Driver:
        return self._key("Tab", self.terminal.tab)

    def backtab(self) -> Driver:
        return self._key("BackTab", self.terminal.backtab)

    def home(self) -> Driver:
        return self._key("Home", self.terminal.home)

    def newline(self) -> Driver:
        return self._key("Newline", self.terminal.newline)

    def erase_eof(self) -> Driver:
        return self._key("EraseEOF", self.terminal.erase_eof)

    def erase_input(self) -> Driver:
        return self._key("EraseInput", self.terminal.erase_input)

    def reset(self) -> Driver:
        """Unlock the keyboard (the only key accepted while it is locked)."""
        self.terminal.reset()
        return self

    def pf(self, n: int) -> Driver:
        if not 1 <= n <= 24:
            raise ScriptProblem(f"PF({n}): PF keys run from 1 to 24")
        return self._key(f"PF({n})", lambda: self.terminal.pf(n))

    def pa(self, n: int) -> Driver:
        if not 1 <= n <= 3:
            raise ScriptProblem(f"PA({n}): PA keys run from 1 to 3")
        return self._key(f"PA({n})", lambda: self.terminal.pa(n))

    def move_cursor(self, row: int, col: int) -> Driver:
        """Cursor to a 1-origin row and column (s3270 MoveCursor1)."""
        _check_position(row, col, "MoveCursor1")
        return self._key(f"MoveCursor1({row},{col})", lambda: self.terminal.move_cursor(row, col))

    # ---- simulator actions --------------------------------------------------------
    def date(self, when: str | dt.date) -> Driver:
        """Stand the simulated clock on a date."""
        try:
            self.sim.set_date(when)
        except SimulatorError as exc:
            raise ScriptProblem(f"Date: {exc}") from None
        return self

    set_date = date

    def load(self, fixture: str | Path) -> Driver:
        """A fresh master file from a fixture, and a fresh terminal on its sign-on screen."""
        target: str | Path = fixture
        if self.base_dir is not None and _looks_like_path(str(fixture)):
            near = self.base_dir / str(fixture)
            if near.is_file():
                target = near
        try:
            self.sim.load(target)
        except SimulatorError as exc:
            raise ScriptProblem(f"Load({fixture}): {exc}") from None
        self.terminal = self.sim.new_terminal(self.terminal_id)
        return self

    def sign_on(self, idrs: str, password: str | None = None) -> Driver:
        """Type employee number and password on the sign-on screen and press Enter.

        Without a password the fixture's password of that employee is used.
        """
        idrs = str(idrs)
        if password is None:
            password = self.sim.password_for(idrs)
            if password is None:
                raise ScriptProblem(
                    f"SignOn({idrs}): the fixture gives no password for employee {idrs}; "
                    f'write SignOn({idrs},"password")')
        scr = self.terminal.screen
        emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
        if emp is None or pw is None:
            raise ScriptProblem(f"SignOn({idrs}): the terminal is not on the sign-on screen (SINOF signs off)")
        for fld, value, label in ((emp, idrs, "employee number"), (pw, password, "password")):
            room = len(scr.data_addresses(fld))
            if len(value) > room:
                raise ScriptProblem(f"SignOn({idrs}): the {label} is longer than its field ({room} positions)")
            what = f"SignOn({idrs})"
            row, col = position(fld.addr + 1)
            self._key(what, partial(self.terminal.move_cursor, row, col))
            self._key(what, self.terminal.erase_eof)
            self._key(what, partial(self.terminal.type_text, value))
        return self.enter()

    def cycle(self, count: int = 1) -> Driver:
        """Advance to the next posting cycle and post, `count` times."""
        try:
            self.last_reports = self.sim.cycle(count)
        except SimulatorError as exc:
            raise ScriptProblem(f"Cycle: {exc}") from None
        return self

    def fill(self, label: str, value: str) -> Driver:
        """Erase the input field after the protected text ``LABEL>`` and type `value`."""
        what = f"Fill({_q(label)}, {_q(value)})"
        if self.terminal.locked:
            raise self.fail(f"{what}: keyboard locked ({self.terminal.keyboard})")
        try:
            ok = self.terminal.fill(label, value)
        except (LookupError, ValueError) as exc:
            raise ScriptProblem(f"{what}: {exc}") from None
        if not ok:
            self._key(what, lambda: False)
        return self

    def command(self, text: str) -> Driver:
        """Clear, type a command line, Enter: the way scripts run one command code."""
        return self.clear().string(text).enter()

    def snap(self) -> str:
        """Print the screen (with the cursor marked) and return it."""
        picture = self.rendered()
        print(picture, file=self.out, flush=True)
        return picture

    def dump(self, tin: str | None = None) -> dict[str, Any]:
        """The master file (or one TIN) as the data of ``idrs-sim dump``."""
        return self.sim.dump(tin)

    # ---- expectations -------------------------------------------------------------
    def expect(self, text: str) -> Driver:
        """`text` appears somewhere on the screen (within one line)."""
        if not any(text in line for line in self.screen_lines()):
            raise self.fail(f"Expect({_q(text)}): not on the screen")
        return self

    def expect_not(self, text: str) -> Driver:
        """`text` appears nowhere on the screen."""
        rows = [n for n, line in enumerate(self.screen_lines(), start=1) if text in line]
        if rows:
            raise self.fail(f"ExpectNot({_q(text)}): on the screen at line {rows[0]}")
        return self

    def expect_line(self, row: int, text: str) -> Driver:
        """Line `row` (1-24) contains `text`."""
        _check_position(row, 1, "ExpectLine")
        line = self.screen_lines()[row - 1]
        if text not in line:
            raise self.fail(f"ExpectLine({row}, {_q(text)}): line {row} reads {_q(line.rstrip())}")
        return self

    def expect_at(self, row: int, col: int, text: str) -> Driver:
        """`text` stands exactly at (row, col), 1-origin."""
        _check_position(row, col, "ExpectAt")
        if col - 1 + len(text) > COLS:
            raise ScriptProblem(f"ExpectAt({row}, {col}, {_q(text)}): the text runs past column {COLS}")
        found = self.screen_lines()[row - 1][col - 1: col - 1 + len(text)]
        if found != text:
            raise self.fail(f"ExpectAt({row}, {col}, {_q(text)}): the screen there reads {_q(found)}")
        return self

    def expect_match(self, row: int, pattern: str) -> Driver:
        """Line `row`, without its trailing blanks, matches the regular expression (re.search).

        Trailing blanks are dropped so that ``$`` means the end of the text, as people read it.
        """
        _check_position(row, 1, "ExpectMatch")
        _compile(pattern)
        line = self.screen_lines()[row - 1].rstrip()
        from .line_match import MatchTimeout, line_matches

        try:
            matched = line_matches(pattern, line)
        except MatchTimeout as exc:
            raise ScriptProblem(f"ExpectMatch({row}, {_q(pattern)}): {exc}") from None
        if not matched:
            raise self.fail(f"ExpectMatch({row}, {_q(pattern)}): line {row} reads {_q(line.rstrip())}")
        return self


# ---- the script language: names and argument kinds --------------------------------
@dataclass(frozen=True)
class Spec:
    """How a script action maps onto a Driver method; `forms` lists accepted argument kinds.

    Kinds: ``s`` text, ``i`` whole number, ``d`` date, ``n`` employee number, ``p`` fixture
    name or path.
    """

    name: str
    method: str
    forms: tuple[str, ...]


SPECS: dict[str, Spec] = {s.name.lower(): s for s in (
    Spec("String", "string", ("s",)),
    Spec("Enter", "enter", ("",)),
    Spec("Clear", "clear", ("",)),
    Spec("Tab", "tab", ("",)),
    Spec("BackTab", "backtab", ("",)),
    Spec("Home", "home", ("",)),
    Spec("Newline", "newline", ("",)),
    Spec("EraseEOF", "erase_eof", ("",)),
    Spec("EraseInput", "erase_input", ("",)),
    Spec("Reset", "reset", ("",)),
    Spec("PF", "pf", ("i",)),
    Spec("PA", "pa", ("i",)),
    Spec("MoveCursor1", "move_cursor", ("ii",)),
    Spec("Date", "date", ("d",)),
    Spec("Load", "load", ("p",)),
    Spec("SignOn", "sign_on", ("n", "ns")),
    Spec("Cycle", "cycle", ("", "i")),
    Spec("Fill", "fill", ("ss",)),
    Spec("Snap", "snap", ("",)),
    Spec("Expect", "expect", ("s",)),
    Spec("ExpectNot", "expect_not", ("s",)),
    Spec("ExpectLine", "expect_line", ("is",)),
    Spec("ExpectAt", "expect_at", ("iis",)),
    Spec("ExpectMatch", "expect_match", ("is",)),
)}


@dataclass(frozen=True)
class Step:
    """One checked script line, ready to run."""

    spec: Spec
    args: tuple[Any, ...]
    line: int
    source: str


def compile_script(text: str, filename: str) -> list[Step]:
    """Parse and check a whole script before anything runs; ScriptProblem on the first error."""
    from .replay_parse import ScriptError, parse_script_cached

    try:
        actions = parse_script_cached(text, filename)
    except ScriptError as exc:
        raise ScriptProblem(str(exc).strip() or f"{filename}: cannot parse the script") from None
    source_lines = text.splitlines()
    steps = []
    for action in actions:
        line = int(getattr(action, "line", 0) or 0)
        source = getattr(action, "source", "") or (
            source_lines[line - 1].strip() if 0 < line <= len(source_lines) else str(action.name))
        where = f"{filename}:{line}"
        spec = SPECS.get(str(action.name).lower())
        if spec is None:
            raise ScriptProblem(f"{where}: unknown action {action.name!r}")
        args = _check_args(spec, list(getattr(action, "args", ()) or ()), where)
        steps.append(Step(spec, args, line, source))
    return steps


def _check_args(spec: Spec, args: list[Any], where: str) -> tuple[Any, ...]:
    forms = [f for f in spec.forms if len(f) == len(args)]
    if not forms:
        counts = " or ".join(str(len(f)) for f in spec.forms)
        raise ScriptProblem(f"{where}: {spec.name} takes {counts} argument{'s' if counts != '1' else ''}, not {len(args)}")
    out = []
    for kind, value in zip(forms[0], args):
        out.append(_coerce(kind, value, spec.name, where))
    values = tuple(out)
    _check_values(spec, values, where)
    return values


def _coerce(kind: str, value: Any, name: str, where: str) -> Any:
    if kind == "i":
        if isinstance(value, bool):
            raise ScriptProblem(f"{where}: {name}: expected a number, got {value!r}")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise ScriptProblem(f"{where}: {name}: expected a number, got {_q(text)}")
    if kind == "d":
        try:
            return parse_date(value if isinstance(value, dt.date) else str(value))
        except SimulatorError as exc:
            raise ScriptProblem(f"{where}: {name}: {exc}") from None
    if kind == "n":
        text = str(value).strip()
        if not text:
            raise ScriptProblem(f"{where}: {name}: the employee number is empty")
        return text
    return str(value)


def _check_values(spec: Spec, args: tuple[Any, ...], where: str) -> None:
    """Range checks that need no screen, so a bad script stops before its first key."""
    try:
        if spec.name == "PF" and not 1 <= args[0] <= 24:
            raise ScriptProblem(f"PF({args[0]}): PF keys run from 1 to 24")
        if spec.name == "PA" and not 1 <= args[0] <= 3:
            raise ScriptProblem(f"PA({args[0]}): PA keys run from 1 to 3")
        if spec.name == "Cycle" and args and args[0] < 1:
            raise ScriptProblem(f"Cycle({args[0]}): the count must be 1 or more")
        if spec.name == "MoveCursor1":
            _check_position(args[0], args[1], spec.name)
        if spec.name in ("ExpectLine", "ExpectMatch"):
            _check_position(args[0], 1, spec.name)
        if spec.name == "ExpectAt":
            _check_position(args[0], args[1], spec.name)
            if args[1] - 1 + len(args[2]) > COLS:
                raise ScriptProblem(f"ExpectAt: {_q(args[2])} at column {args[1]} runs past column {COLS}")
        if spec.name == "ExpectMatch":
            _compile(args[1])
    except ScriptProblem as exc:
        raise ScriptProblem(f"{where}: {exc}") from None


# ---- running ------------------------------------------------------------------------
@dataclass
class Options:
    """What the command line says about the world each script starts in."""

    url: str = "sqlite://"
    fixture: str | None = None  # None: the training fixture (or what a --db already holds)
    date: str | None = None
    trace: bool = False


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
        driver = Driver(sim, out=out, base_dir=path.parent)
        for step in steps:
            where = f"{name}:{step.line}"
            try:
                result = getattr(driver, step.spec.method)(*step.args)
            except Failure as exc:
                print(f"{where}: {step.source}", file=out)
                print(f"  FAILED: {exc.message}", file=out)
                print(exc.screen, file=out)
                print(f"FAIL {name} (line {step.line})", file=out, flush=True)
                return EXIT_FAILED
            except ScriptProblem as exc:
                print(f"{where}: {exc}", file=err, flush=True)
                return EXIT_USAGE
            except Exception as exc:  # a simulator defect: the system under test failed, not the script
                if is_busy(exc):
                    print(f"{where}: {step.source}: the database is busy (another process holds it): "
                          f"nothing of this action was stored; run the script again", file=err, flush=True)
                    return EXIT_USAGE
                log.exception("%s: %s raised", where, step.source)
                print(f"{where}: {step.source}", file=out)
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
    print(f"{where}: {step.source}{lock}", file=out)
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
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            print(f"idrs-sim replay: cannot read {path}: {reason}", file=err, flush=True)
            return EXIT_USAGE
        try:
            compiled.append((path, compile_script(text, str(path))))
        except ScriptProblem as exc:
            print(str(exc), file=err, flush=True)
            return EXIT_USAGE
    worst = EXIT_OK
    for i, (path, steps) in enumerate(compiled):
        # With --db, --fixture fills the database once, before the first script; the
        # scripts then go on, in order, on the same master file (as a class would).
        worst = max(worst, run_script(path, steps, opts, out, err, replace=opts.fixture is not None and i == 0))
        if worst == EXIT_USAGE:
            break
    return worst


# ---- small helpers ---------------------------------------------------------------------
def _q(text: str) -> str:
    """A string as a script writes it: double quotes, with \\ and \" escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_position(row: int, col: int, what: str) -> None:
    if not (1 <= row <= ROWS and 1 <= col <= COLS):
        raise ScriptProblem(f"{what}: position {row},{col} is off the {ROWS}x{COLS} screen")


def _compile(pattern: str) -> None:
    from .line_match import check_pattern

    try:
        check_pattern(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ScriptProblem(f"bad regular expression {_q(pattern)}: {exc}") from None


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml", ".json"))


__all__ = ["Driver", "Failure", "Options", "SPECS", "ScriptProblem", "compile_script", "run", "run_script"]
