"""The host session: sign-on, lockout, idle sign-off, unknown codes, error marking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.simulator import Simulator
from idrs_sim.terminal.session import IdrsSession
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
    assert term.screen.row_text(1).startswith(" XYZZY*400-00-1001")  # column 1 is the attribute
    assert term.status().row == 1 and term.status().col == 2  # the cursor on the bad code


@pytest.mark.parametrize("line", ["ENMODZ 400-00-1001", "TRDBVX 400-00-1001 30 202312", "CYCLEZ ALL", "GRADEX",
                                  "UPDISX 000000101"])
def test_a_definer_the_code_does_not_take_is_refused_for_every_code(sim: Simulator, line: str) -> None:
    """Found by reviews: a code without definers ran with any letter glued on (CYCLEZ ALL
    posted a cycle in every sandbox), and most research codes ignored an unknown definer."""
    term = _signed_on(sim, IdrsSession(sim.mf, "T9", idle_timeout_minutes=None))
    term.clear()
    term.type_text(line)
    term.enter()
    assert term.screen.message == "INVALID DEFINER"
    head = line.split()[0]
    assert term.screen.row_text(1).startswith(f" {head}*")  # the `*` right after code + definer
    with sim.mf.reading() as s:
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
    assert last is not None and last.outcome == "INVALID DEFINER" and not last.violation


def test_irptr_reads_an_unknown_definer_as_its_default(sim: Simulator) -> None:
    term = _signed_on(sim, IdrsSession(sim.mf, "T10", idle_timeout_minutes=None))
    term.clear()
    term.type_text("IRPTRX 400-00-1001")
    term.enter()
    assert term.screen.message != "INVALID DEFINER"


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
    term.home()
    term.erase_eof()
    term.type_text("ENMOD 400-00-1001")
    term.enter()
    assert term.screen.message != "INVALID TIN"


def test_a_failing_handler_is_undone_but_audited(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A defect in a handler: what it wrote is rolled back, the terminal shows SYSTEM ERROR
    on line 24, the audit record of the key is still written, and the next key works."""
    from sqlalchemy import func, select

    from idrs_sim import commands
    from idrs_sim.masterfile.models import AuditRecord, Entity, Note

    real = commands.handler_for

    def broken(ctx):  # type: ignore[no-untyped-def]
        ent = ctx.db.scalar(select(Entity).where(Entity.tin == "400-00-1001"))
        ctx.db.add(Note(entity=ent, text="WRITTEN BY A HANDLER THAT THEN FAILS", idrs=ctx.idrs, date=ctx.today))
        ctx.db.flush()
        raise RuntimeError("defect")

    monkeypatch.setattr(commands, "handler_for", lambda code: broken if code == "ENMOD" else real(code))
    session = IdrsSession(sim.mf, "T1", idle_timeout_minutes=None)
    term = _signed_on(sim, session)
    term.type_text("ENMOD 400-00-1001")
    term.enter()
    assert term.screen.message.strip() == "SYSTEM ERROR - REQUEST NOT PROCESSED"
    with sim.mf.reading() as db:
        assert db.scalar(select(func.count(Note.id)).where(Note.text.like("WRITTEN BY%"))) == 0
        last = db.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert last is not None and last.command == "ENMOD" and last.outcome == "SYSTEM ERROR - REQUEST NOT PROCESSED"
    monkeypatch.setattr(commands, "handler_for", real)
    term.clear()
    term.type_text("ENMOD 400-00-1001")
    term.enter()
    assert "JOHN A SMITH" in term.screen.text()


def test_password_is_checked_outside_the_master_file_lock(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt takes tens of milliseconds by design: other terminals must not wait for it."""
    import threading

    from idrs_sim.terminal import session as session_module

    real = session_module.verify_password
    other_terminal_got_in: list[bool] = []

    def verify(password: str, stored: str) -> bool:
        def other() -> None:
            got = sim.mf.lock.acquire(timeout=2)
            other_terminal_got_in.append(got)
            if got:
                sim.mf.lock.release()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        return real(password, stored)

    monkeypatch.setattr(session_module, "verify_password", verify)
    _signed_on(sim, IdrsSession(sim.mf, "T1", idle_timeout_minutes=None))
    assert other_terminal_got_in == [True]
