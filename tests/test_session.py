"""The host session: sign-on, lockout, idle sign-off, unknown codes, error marking."""

from __future__ import annotations

import datetime as dt

import pytest

from idrs_sim.simulator import Simulator
from idrs_sim.session import IdrsSession
from idrs_sim.terminal.terminal import Terminal

TRAINEE = "1485012345"


@pytest.fixture()
def sim() -> Simulator:
    return Simulator(fixture="training")


def _signed_on(sim: Simulator, session: IdrsSession) -> Terminal:
    term = Terminal(session)
    term.fill("EMPLOYEE NUMBER", TRAINEE)
    term.fill("PASSWORD", sim.password_for(TRAINEE))
    term.enter()
    assert "SIGN-ON COMPLETED" in term.screen.message
    return term


def test_idle_terminal_is_signed_off_after_the_timeout(sim: Simulator) -> None:
    session = IdrsSession(sim.mf, "T1", idle_timeout_minutes=15)
    term = _signed_on(sim, session)
    sim.mf.clock.advance(minutes=14)
    term.clear()
    assert session.signed_on
    sim.mf.clock.advance(minutes=16)
    term.type_text("HELP")
    term.enter()
    assert not session.signed_on
    assert "SIGNED OFF AFTER IDLE TIME" in term.screen.message
    assert "EMPLOYEE NUMBER>" in term.screen.text()


def test_no_idle_timeout_when_none(sim: Simulator) -> None:
    session = IdrsSession(sim.mf, "T2", idle_timeout_minutes=None)
    term = _signed_on(sim, session)
    sim.mf.clock.advance(days=7)
    term.clear()
    assert session.signed_on


def test_unknown_command_code_is_marked_on_line_one(sim: Simulator) -> None:
    term = _signed_on(sim, IdrsSession(sim.mf, "T3", idle_timeout_minutes=None))
    term.clear()
    term.type_text("XYZZY 400-00-1001")
    term.enter()
    assert term.screen.message == "INVALID COMMAND CODE"
    assert term.screen.row_text(1).startswith("XYZZY*400-00-1001")
    assert term.status().row == 1 and term.status().col == 1


def test_sign_off_returns_to_sign_on(sim: Simulator) -> None:
    session = IdrsSession(sim.mf, "T4", idle_timeout_minutes=None)
    term = _signed_on(sim, session)
    term.clear()
    term.type_text("SINOF")
    term.enter()
    assert not session.signed_on
    assert "SIGN-OFF COMPLETED" in term.screen.message


def test_error_asterisk_is_not_read_back_as_input(sim: Simulator) -> None:
    """The `*` the host writes right of a bad TIN must not become a file-source character."""
    term = _signed_on(sim, IdrsSession(sim.mf, "T5", idle_timeout_minutes=None))
    term.clear()
    term.type_text("ENMOD 400-00-100")
    term.enter()
    assert term.screen.message == "INVALID TIN"
    term.move_cursor(1, 1)
    term.erase_eof()
    term.type_text("ENMOD 400-00-1001")
    term.enter()
    assert term.screen.message != "INVALID TIN"
