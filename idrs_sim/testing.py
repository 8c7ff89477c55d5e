"""The pytest API: replay-script actions and expectations as Python methods.

::

    from idrs_sim.testing import IdrsTest

    def test_enmod():
        sim = IdrsTest(fixture="training")
        sim.sign_on("1485012345")
        sim.command("ENMOD 400-00-1001")
        sim.expect("JOHN A SMITH")
        sim.expect_line(24, "REQUEST COMPLETED")

A failed expectation raises `AssertionError` whose message carries the 24x80 screen
with the cursor marked, so the pytest report shows what the trainee would have seen.

The ``idrs`` fixture gives a fresh `IdrsTest` on the training master file per test.
It is registered as a pytest plugin (entry point ``pytest11: idrs_sim``) when idrs-sim
is installed, and can also be imported: ``from idrs_sim.testing import idrs``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from .replay.actions import Driver, Failure, ScriptProblem
from .simulator import DEFAULT_FIXTURE, Simulator
from .terminal.terminal import Status

__all__ = ["Failure", "IdrsTest", "ScriptProblem", "idrs"]


class IdrsTest(Driver):
    """A simulator with one terminal, driven like a replay script.

    `fixture` is a shipped fixture name or a path (None: an empty master file); `url`
    a database URL (in-memory SQLite by default, fresh for every `IdrsTest`; a given
    database is refilled from the fixture); `date`
    the simulated date (``YYYY-MM-DD`` or a date) after the fixture has set its own.
    Methods return the object itself, so calls chain:
    ``sim.command("ENMOD 400-00-1001").expect("REQUEST COMPLETED")``.
    """

    def __init__(
        self,
        fixture: str | Path | None = DEFAULT_FIXTURE,
        url: str = "sqlite://",
        date: str | dt.date | None = None,
        terminal_id: str = "PYTEST01",
        out: TextIO | None = None,
    ) -> None:
        sim = Simulator(url, fixture, date, replace=True)
        super().__init__(sim, terminal_id=terminal_id, out=out)

    # ---- in a test, a missing field is a failed assertion: show the screen -----------
    def fill(self, label: str, value: str) -> IdrsTest:
        try:
            super().fill(label, value)
        except ScriptProblem as exc:
            raise self.fail(str(exc)) from None
        return self

    def sign_on(self, idrs: str, password: str | None = None) -> IdrsTest:
        """Sign on (the fixture's password by default); AssertionError off the sign-on screen."""
        try:
            super().sign_on(idrs, password)
        except ScriptProblem as exc:
            raise self.fail(str(exc)) from None
        return self

    # ---- extra views for Python callers ----------------------------------------------
    @property
    def screen(self):  # type: ignore[no-untyped-def]
        """The terminal's current `Screen` (fields, cursor, characters)."""
        return self.terminal.screen

    def status(self) -> Status:
        """Keyboard lock, insert mode and cursor position (the operator line)."""
        return self.terminal.status()

    def line(self, row: int) -> str:
        """Line `row` (1-24) of the screen, 80 characters."""
        return self.screen_lines()[row - 1]

    def field(self, label: str) -> str:
        """The text of the input field after the protected text ``LABEL>``."""
        return self.terminal.field_value(label)

    def new_terminal(self, terminal_id: str | None = None) -> IdrsTest:
        """Switch to a fresh terminal on the same master file (another employee's desk)."""
        self.terminal = self.sim.new_terminal(terminal_id)
        return self

    def close(self) -> None:
        self.sim.close()

    def __enter__(self) -> IdrsTest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def idrs() -> Iterator[IdrsTest]:
    """A fresh terminal on the built-in training master file (in-memory), per test."""
    sim = IdrsTest(fixture=DEFAULT_FIXTURE)
    try:
        yield sim
    finally:
        sim.close()

