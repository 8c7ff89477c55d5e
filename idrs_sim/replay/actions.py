"""The replay actions (CONTRACT §2) on one terminal: keys, simulator actions, expectations.

`Driver` holds one simulator and the terminal in use and has every action of a replay
script as a method; the pytest API (`idrs_sim.testing`) uses the same class, so a script
line and a test method behave identically.  What can go wrong is told apart here:
`Failure` (an expectation did not hold, a key met a locked keyboard: the system under
test failed) and `ScriptProblem` (the script or its set-up is wrong).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from ..simulator import Simulator, SimulatorError
from ..terminal.render import render_with_cursor
from ..terminal.screen import COLS, ROWS, position
from ..terminal.terminal import Terminal, typeable


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


__all__ = ["DatabaseBusy", "Driver", "Failure", "ScriptProblem"]
