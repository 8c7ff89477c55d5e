"""Issue #16: no command loses, forges or strands the master file (items 1-6 and 8).

The command line runs in-process (`cli.main`), so these tests are fast; each asserts the
rule the issue found broken, and fails on the code before the fix.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from idrs_sim import cli
from idrs_sim.masterfile.models import (
    AuditRecord,
    CycleRun,
    SimState,
    TaxModule,
    Transaction,
)
from idrs_sim.posting import calendar as cal
from idrs_sim.replay import Driver
from idrs_sim.simulator import Simulator
from idrs_sim.terminal.session import DATABASE_BUSY, IdrsSession

TRAINEE = "1485012345"
KEYED = 'SignOn({t})\nClear\nString("REQ77 400-00-1001")\nEnter\n'


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def count(url: str, model: type, *where: Any) -> int:
    with Simulator(url, None) as sim, sim.mf.reading() as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def busy_error() -> OperationalError:
    return OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture()
def used_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A file database with a master file, a pending input (a TC 290 keyed with ADJ54) and an audit trail."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with Simulator(url) as sim:
        d = Driver(sim)
        d.sign_on(TRAINEE).command("TXMODA 400-00-1001 30 202312").command("REQ54 400-00-1001 30 202312")
        d.fill("TC", "290").fill("AMOUNT", "0.00").enter()
        assert d.message == "REQUEST COMPLETED", d.message
    assert count(url, Transaction, Transaction.status == "pending") >= 1
    return url


# ---- item 1: --fixture never replaces a database that holds something ---------------------------------
@pytest.mark.parametrize("command", [["dump"], ["audit"], ["cycle"], ["serve", "--port", "0"], []])
def test_fixture_on_a_used_database_is_refused_on_every_command(
        used_db: str, capsys: pytest.CaptureFixture[str], command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from idrs_sim.subcommands import terminals

    monkeypatch.setattr(terminals, "_has_terminal", lambda: True)  # the TUI ([]) would need one
    pending = count(used_db, Transaction, Transaction.status == "pending")
    audit = count(used_db, AuditRecord)
    code, _out, err = main(capsys, *command, "--db", used_db, "--fixture", "training")
    line = one_line(code, err)
    assert "refused" in line and "pending input" in line and "reset" in line, line
    assert count(used_db, Transaction, Transaction.status == "pending") == pending
    assert count(used_db, AuditRecord) == audit


def test_replay_with_fixture_on_a_used_database_is_refused(used_db: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text('Expect("EMPLOYEE")\n')
    pending = count(used_db, Transaction, Transaction.status == "pending")
    code, _out, err = main(capsys, "replay", str(script), "--db", used_db, "--fixture", "training")
    assert "refused" in one_line(code, err)
    assert count(used_db, Transaction, Transaction.status == "pending") == pending


def test_contract_forms_still_fill_an_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, err = main(capsys, "dump", "--db", url, "--fixture", "training", "--tin", "400-00-1001")
    assert code == 0, err
    assert '"400-00-1001"' in out
    script = tmp_path / "s.txt"
    script.write_text(f'SignOn({TRAINEE})\nExpect("SIGN-ON COMPLETED")\n')
    url2 = f"sqlite:///{tmp_path / 'new2.db'}"
    assert main(capsys, "replay", str(script), "--db", url2, "--fixture", "training")[0] == 0


def test_reset_says_what_it_discards_and_needs_discard(used_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    pending = count(used_db, Transaction, Transaction.status == "pending")
    code, _out, err = main(capsys, "reset", "--db", used_db, "--fixture", "training")
    line = one_line(code, err)
    assert f"{pending} pending input" in line and "--discard" in line and "nothing changed" in line
    assert count(used_db, Transaction, Transaction.status == "pending") == pending
    audit = count(used_db, AuditRecord)
    code, _out, err = main(capsys, "reset", "--db", used_db, "--fixture", "training", "--discard")
    assert code == 0, err
    assert "discarded" in err and f"{pending} pending input" in err and f"{audit} audit records" in err
    assert count(used_db, Transaction, Transaction.status == "pending") == pending - 1  # the fixture's own
    # the trail is kept, and says that the master file was reset
    assert count(used_db, AuditRecord) == audit + 1
    assert count(used_db, AuditRecord, AuditRecord.command == "RESET", AuditRecord.terminal == "SYSTEM") == 1


# ---- item 2: a database error during sign-on strands nothing ---------------------------------------------
def test_busy_database_at_sign_on_leaves_the_terminal_signed_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.orm import Session

    sim = Simulator()
    session = IdrsSession(sim.mf, "T1", idle_timeout_minutes=None)
    d = Driver(sim)
    d.terminal = __import__("idrs_sim.terminal.terminal", fromlist=["Terminal"]).Terminal(session)
    real_commit = Session.commit
    monkeypatch.setattr(Session, "commit", lambda self: (_ for _ in ()).throw(busy_error()))
    term = d.terminal
    term.fill("EMPLOYEE NUMBER", TRAINEE)
    term.fill("PASSWORD", sim.password_for(TRAINEE))
    term.enter()
    assert not session.signed_on
    assert term.screen.message == DATABASE_BUSY
    assert "EMPLOYEE NUMBER>" in term.screen.text()
    monkeypatch.setattr(Session, "commit", real_commit)
    term.enter()  # the same key again, the database free: signed on, and the commands work
    assert session.signed_on and "SIGN-ON COMPLETED" in term.screen.message
    d.command("ENMOD 400-00-1001")
    assert "SYSTEM ERROR" not in d.message
    d.command("SINOF")
    assert not session.signed_on and "SIGN-OFF" in d.message
    with sim.mf.reading() as db:
        outcomes = list(db.scalars(select(AuditRecord.command)))
    assert "ENMOD" in outcomes and "SINOF" in outcomes


def test_replay_on_a_locked_database_fails_instead_of_passing(
        used_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDRS_SIM_BUSY_TIMEOUT", "0.05")
    script = tmp_path / "s.txt"
    script.write_text(KEYED.format(t=TRAINEE))
    path = used_db.removeprefix("sqlite:///")
    audit = count(used_db, AuditRecord)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing, e.g. a long cycle
        code, out, err = main(capsys, "replay", str(script), "--db", used_db)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2, (out, err)
    assert "PASS" not in out
    assert "busy" in err or "locked" in err, err
    assert count(used_db, AuditRecord) == audit  # nothing stored, and the script says so


# ---- item 3: the clock commits with its cycle ------------------------------------------------------------
def test_clock_and_cycle_commit_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Simulator(url) as sim:
        start = sim.clock.cycle
        sim.cycle(1)
    from idrs_sim.masterfile.db import MasterFile

    def dies(self: MasterFile, session: Any = None) -> None:
        raise KeyboardInterrupt  # the process stopped between the posting and the clock

    monkeypatch.setattr(MasterFile, "save_clock", dies)
    with Simulator(url) as sim, pytest.raises(KeyboardInterrupt):
        sim.cycle(1)
    monkeypatch.undo()
    with Simulator(url, None) as sim, sim.mf.reading() as db:
        last = db.scalar(select(func.max(CycleRun.cycle)))
        saved = db.scalar(select(SimState.value).where(SimState.key == "clock"))
    assert last == cal.add_cycles(start, 1)
    assert cal.cycle_of(__import__("datetime").datetime.fromisoformat(saved).date()) == last


# ---- item 4: cycle --count N reports each committed cycle and where it stopped -----------------------------
def test_cycle_count_reports_committed_cycles_and_where_it_stopped(
        used_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from idrs_sim.posting import run as posting_run

    real = posting_run.run_cycle_in
    calls = {"n": 0}

    def second_is_locked(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise busy_error()
        return real(*args, **kwargs)

    monkeypatch.setattr(posting_run, "run_cycle_in", second_is_locked)
    with Simulator(used_db, None) as sim:
        first = cal.add_cycles(sim.clock.cycle, 1)
    code, out, err = main(capsys, "cycle", "--db", used_db, "--count", "3")
    line = one_line(code, err)
    assert f"cycle {first}" in out.splitlines()[0].lower() or first in out.splitlines()[0]
    assert f"1 of 3 cycles committed (the last {first})" in line and "--count 2" in line and "locked" in line
    assert count(used_db, CycleRun) == 1


# ---- item 5: every front end sees a cycle run by another process -------------------------------------------
def test_a_running_terminal_sees_a_cycle_run_by_another_process(used_db: str) -> None:
    serving = Simulator(used_db, None, follow_clock=True)
    try:
        d = Driver(serving)
        d.sign_on(TRAINEE)
        before = serving.clock.cycle
        with Simulator(used_db, None) as other:  # `idrs-sim cycle --count 2` beside the server
            other.cycle(2)
            moved = other.clock.cycle
        assert moved == cal.add_cycles(before, 2)
        d.command("TXMODA 400-00-1001 30 202312")  # the next key reads the clock
        assert serving.clock.cycle == moved
        d.command("REQ54 400-00-1001 30 202312")
        d.fill("TC", "290").fill("AMOUNT", "0.00").enter()
        assert d.message == "REQUEST COMPLETED"
        with serving.mf.reading() as db:
            due = db.scalar(select(func.max(Transaction.due_cycle)).where(Transaction.status == "pending"))
        assert due is not None and due > moved  # never due in a cycle that already ran
    finally:
        serving.close()


# ---- item 6: a refused command changes nothing -----------------------------------------------------------
def test_refused_acton_commits_no_module() -> None:
    sim = Simulator()
    d = Driver(sim)
    d.sign_on(TRAINEE)

    def modules() -> int:
        with sim.mf.reading() as db:
            return int(db.scalar(select(func.count()).select_from(TaxModule)) or 0)

    n = modules()
    d.clear().string("ACTON 99-2000010 01 202406").newline().string("ASSIGN-TO>/").enter()
    assert "REQUIRED" in d.message
    assert modules() == n
    with sim.mf.reading() as db:  # the refusal itself is on the trail
        assert db.scalar(select(AuditRecord.command).order_by(AuditRecord.id.desc()).limit(1)) == "ACTON"


# ---- item 8: an out-of-range date is refused before it is saved ----------------------------------------------
def test_out_of_range_date_is_refused_before_it_is_saved(used_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Simulator(used_db, None) as sim:
        today = sim.clock.today()
    code, _out, err = main(capsys, "--db", used_db, "--date", "2300-01-01", "dump")
    assert "outside the simulated posting calendar" in one_line(code, err)
    with Simulator(used_db, None) as sim:
        assert sim.clock.today() == today
    assert main(capsys, "dump", "--db", used_db)[0] == 0


def test_replay_running_off_the_calendar_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("Date(2199-12-12)\nCycle(3)\n")
    code, out, err = main(capsys, "replay", str(script))
    line = one_line(code, err)
    assert "posting calendar ends in 2199" in line and "ValueError" not in line + out
    script.write_text("Date(2199-12-20)\n")
    code, out, err = main(capsys, "replay", str(script))
    assert "outside the simulated posting calendar" in one_line(code, err)
    script.write_text("Date(2300-01-01)\n")
    code, out, err = main(capsys, "replay", str(script))
    assert "outside the simulated posting calendar" in one_line(code, err)
