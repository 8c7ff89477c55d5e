"""The classroom (issue 20, CONTRACT §6): sandboxes per trainee, the instructor's codes,
persistence across a SIGKILL, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from terminal_helpers import command as _command
from terminal_helpers import sign_on as _signon

from idrs_sim.classroom import Classroom, trainee_number
from idrs_sim.classroom.host import ClassroomHost
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.models import CycleRun, Employee
from idrs_sim.rules.signon_throttle import FREE_FAILURES, SignonThrottle, wait_after
from idrs_sim.terminal.terminal import Terminal

INSTRUCTOR = "1485099999"
TIN = "400-00-1001"
TRAINEES = 40
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def class_url(engine: str, request, tmp_path: Path) -> str:
    """A new, empty classroom database on each engine (the conftest `engine` parameter)."""
    if engine == "postgresql":
        return str(request.getfixturevalue("pg_database"))
    return f"sqlite:///{tmp_path / 'class.db'}"


def _pending_by(mf) -> list[dict]:  # type: ignore[no-untyped-def]
    data = dump(mf, tin=TIN)
    return [t for e in data["entities"] for m in e.get("modules", []) for t in m.get("transactions", [])
            if t.get("idrs", "").startswith("14851")]


def test_forty_trainees_isolated_and_cycle_all_posts_each_sandbox_once(class_url: str) -> None:
    with Classroom(class_url, "training", follow_clock=False) as room:
        terms = []
        for n in range(1, TRAINEES + 1):
            t = Terminal(ClassroomHost(room, f"T{n:02d}"))
            assert _signon(t, trainee_number(n)).startswith("SIGN-ON COMPLETED")
            assert _command(t, f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850") == "REQUEST COMPLETED"
            terms.append(t)
        # isolation: each sandbox holds its own trainee's input and nobody else's
        for n in range(1, TRAINEES + 1):
            handle = room.sandbox_of(trainee_number(n))
            assert handle is not None
            mine = _pending_by(handle.mf)
            assert [t["idrs"] for t in mine] == [trainee_number(n)], (n, mine)
            audit = dump(handle.mf, audit=True)["audit"]
            assert audit and {a.get("idrs") for a in audit} == {trainee_number(n)}
        assert len({room.sandbox_of(trainee_number(n)).location for n in range(1, TRAINEES + 1)}) == TRAINEES
        # the instructor posts a cycle in every sandbox, once
        ins = Terminal(ClassroomHost(room, "INSTR"))
        assert _signon(ins, INSTRUCTOR).startswith("SIGN-ON COMPLETED")
        assert _command(ins, "CYCLE ALL") == f"{TRAINEES} SANDBOXES POSTED - CYCLE 202426"
        for n in range(1, TRAINEES + 1):
            handle = room.sandbox_of(trainee_number(n))
            with handle.mf.reading() as db:
                assert db.scalars(select(CycleRun.cycle)).all() == ["202426"]
            assert {t["status"] for t in _pending_by(handle.mf)} == {"posted"}
        # the trainee's terminal follows its sandbox's clock at the next key
        _command(terms[0], "SINOF")
        assert "CYCLE 202426" in terms[0].screen.text() and "06/21/2024" in terms[0].screen.text()
        # the instructor's sandbox was not a trainee's: it stayed on its cycle
        own = room.sandbox_of(INSTRUCTOR)
        assert own is not None and own.mf.clock.cycle == "202425"
        assert f"{trainee_number(1)} CYCLE 202426" in ins.screen.text()


def test_sandbox_kept_across_sign_off_reconnect_and_reopen(class_url: str) -> None:
    me = trainee_number(7)
    with Classroom(class_url, "training", follow_clock=False) as room:
        t = Terminal(ClassroomHost(room, "A"))
        _signon(t, me)
        assert _command(t, f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850") == "REQUEST COMPLETED"
        _command(t, "SINOF")
        again = Terminal(ClassroomHost(room, "B"))  # a new connection
        _signon(again, me)
        assert len(_pending_by(room.sandbox_of(me).mf)) == 1
        location = room.sandbox_of(me).location
    with Classroom(class_url, "training", follow_clock=False) as room:  # a restart: continued, not reloaded
        assert room.note is None
        assert room.sandbox_of(me).location == location
        assert len(_pending_by(room.sandbox_of(me).mf)) == 1


def test_instructor_codes_class_reset_unlock_and_refusals(class_url: str) -> None:
    with Classroom(class_url, "training", follow_clock=False, trainees=3) as room:
        a, b = trainee_number(1), trainee_number(2)
        ta = Terminal(ClassroomHost(room, "A"))
        _signon(ta, a)
        _command(ta, f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850")
        ins = Terminal(ClassroomHost(room, "I"))
        _signon(ins, INSTRUCTOR)
        assert _command(ins, "CLASS") == "2 SANDBOXES"
        text = ins.screen.text()
        assert a in text and "FRM77" in text and "202425" in text
        line = next(row for row in ins.screen.lines() if row.startswith(a))
        assert line.split()[-1] == "-"  # grade column: none until grading exists
        # a trainee may not run the instructor's codes
        assert _command(ta, "CLASS") == "UNAUTHORIZED COMMAND CODE"
        # RESET: a fresh sandbox at the trainee's next key, the old one kept
        old = room.sandbox_of(a).location
        assert _command(ins, f"RESET {a}").startswith(f"SANDBOX OF {a} RESET")
        ta.clear()
        assert "SANDBOX RESET BY INSTRUCTOR" in ta.screen.message
        assert room.sandbox_of(a).location != old and _pending_by(room.sandbox_of(a).mf) == []
        assert _command(ins, f"RESET {b}") == "NO SANDBOX FOR THIS EMPLOYEE NUMBER"
        assert _command(ins, "RESET ABCDE") == "INVALID EMPLOYEE NUMBER"
        assert _command(ins, "CYCLE XYZ") == "INVALID EMPLOYEE NUMBER - OR ALL"
        # lockout as IDRS does it; the instructor unlocks
        tb = Terminal(ClassroomHost(room, "B", monotonic=lambda: 0.0))
        for _ in range(3):
            tb.host.throttle = SignonThrottle()  # three connections, one failure each
            _signon(tb, b, "wrong")
        assert tb.screen.message == "INVALID PASSWORD - EMPLOYEE NUMBER NOW LOCKED"
        assert _signon(tb, b).startswith("EMPLOYEE NUMBER LOCKED")
        assert _command(ins, "CLASS") == "2 SANDBOXES" and "LOCKED" in ins.screen.text()
        assert _command(ins, f"UNLOCK {b}") == f"EMPLOYEE NUMBER {b} UNLOCKED"
        assert _command(ins, "UNLOCK 1234567890") == "INVALID EMPLOYEE NUMBER"
        tb.host.throttle = SignonThrottle()
        assert _signon(tb, b).startswith("SIGN-ON COMPLETED")
        # CYCLE one trainee; CYCLE alone the instructor's own sandbox
        assert _command(ins, f"CYCLE {b}") == "1 SANDBOX POSTED - CYCLE 202426"
        assert room.sandbox_of(a).mf.clock.cycle == "202425"
        assert _command(ins, "CYCLE") == "1 SANDBOX POSTED - CYCLE 202426"
        assert room.sandbox_of(INSTRUCTOR).mf.clock.cycle == "202426"
        # LESSON: every trainee moves to a fresh sandbox of the new lesson
        assert _command(ins, "LESSON NOSUCHLESSON") == "NO SUCH LESSON"
        assert _command(ins, "LESSON TPP/VALID_RETURN_UP126").startswith("LESSON TPP/VALID_RETURN_UP126 STARTED")
        ta.clear()
        assert "NEW LESSON" in ta.screen.message
        assert room.current_lesson().no == 2


def test_a_connection_that_keeps_failing_is_slowed_down_and_cannot_lock_the_class(tmp_path: Path) -> None:
    now = [100.0]
    with Classroom(f"sqlite:///{tmp_path / 'c.db'}", "training", follow_clock=False, trainees=5) as room:
        t = Terminal(ClassroomHost(room, "X", monotonic=lambda: now[0]))
        messages = [_signon(t, trainee_number(k), "wrong") for k in (1, 2, 3, 4, 5)]
        assert messages[:FREE_FAILURES] == ["INVALID PASSWORD - 2 ATTEMPTS REMAINING"] * FREE_FAILURES
        assert all(m.startswith("SIGN-ON DELAYED") for m in messages[FREE_FAILURES:])
        with room.lobby.mf.reading() as db:
            failed = db.scalar(select(func.sum(Employee.failed_signons)))
            assert failed == FREE_FAILURES  # the delayed attempts never reached the employees
        now[0] += wait_after(FREE_FAILURES)
        assert _signon(t, trainee_number(3)).startswith("SIGN-ON COMPLETED")  # a right password still works
    assert [wait_after(n) for n in range(FREE_FAILURES, FREE_FAILURES + 8)] == [2, 4, 8, 16, 32, 60, 60, 60]


def test_a_database_holding_a_master_file_is_never_rewritten(tmp_path: Path) -> None:
    from idrs_sim.simulator import Simulator, SimulatorError

    url = f"sqlite:///{tmp_path / 'mf.db'}"
    Simulator(url, "training").close()
    before = (tmp_path / "mf.db").read_bytes()
    with pytest.raises(SimulatorError, match="never rewrites"):
        Classroom(url, "training")
    assert (tmp_path / "mf.db").read_bytes() == before


def test_postgres_has_the_partial_indexes(pg_database: str) -> None:
    from sqlalchemy import create_engine

    from idrs_sim.masterfile.db import MasterFile

    MasterFile(pg_database).dispose()
    engine = create_engine(pg_database)
    with engine.connect() as conn:
        defs = dict(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'txn'").all())
    engine.dispose()
    assert "WHERE" in defs["ix_txn_status_due"] and "pending" in defs["ix_txn_status_due"]
    assert "WHERE (dln IS NOT NULL)" in defs["ix_txn_dln"]
    assert "WHERE (input_date IS NOT NULL)" in defs["ix_txn_input_date"]


# ---- the real server, killed with SIGKILL mid-class ----------------------------------------
def _start_server(url: str) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "classroom", "--db", url, "--lesson", "training",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("listening on "), (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, int(line.rsplit(":", 1)[1])


def _signon_addresses() -> tuple[int, int]:
    from idrs_sim.terminal.screenmap import load_map

    scr = load_map("signon").render({"date": "", "cycle": "", "terminal": ""}, message="")
    emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
    assert emp is not None and pw is not None
    return emp.addr, pw.addr


def test_sigkill_mid_class_loses_no_completed_input(class_url: str) -> None:
    from bench.tn3270 import Client
    from idrs_sim.front.tn3270.codec import encode_read
    from idrs_sim.terminal.aid import Aid, AidEvent

    emp_addr, pw_addr = _signon_addresses()
    proc, port = _start_server(class_url)
    completed: list[str] = []
    try:
        clients = []
        for n in range(1, TRAINEES + 1):
            c = Client(port)
            _, answer = c.key(encode_read(AidEvent(Aid.ENTER, pw_addr + 1,
                                                   {emp_addr: trainee_number(n), pw_addr: "train123"})))
            assert "SIGN-ON COMPLETED".encode("cp037") in answer
            clients.append(c)
        line = f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850"
        for n, c in enumerate(clients, 1):
            c.key(encode_read(AidEvent(Aid.CLEAR, 0)))
            _, answer = c.key(encode_read(AidEvent(Aid.ENTER, 1 + len(line), {0: line})))  # the cleared screen's field
            assert "REQUEST COMPLETED".encode("cp037") in answer, (n, answer.decode("cp037"))
            completed.append(trainee_number(n))
            if n == TRAINEES - 5:  # mid-class: five trainees have not typed their input yet
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        for c in clients:
            c.close()
    assert len(completed) == TRAINEES - 5
    proc, port = _start_server(class_url)  # the same command again, on the same database
    try:
        # read as `grade` reads a class (a second classroom program on the file is refused)
        from idrs_sim.classroom.exercise import class_sandboxes
        from idrs_sim.simulator import Simulator

        sandboxes = {sb.idrs: sb for sb in class_sandboxes(class_url) or []}
        for n in range(1, TRAINEES + 1):
            sb = sandboxes.get(trainee_number(n))
            assert sb is not None, n
            with Simulator(sb.url, None) as sim:
                mine = _pending_by(sim.mf)
            assert len(mine) == (1 if trainee_number(n) in completed else 0), (n, mine)
        c = Client(port)  # and a trainee signs on again to the same sandbox
        _, answer = c.key(encode_read(AidEvent(Aid.ENTER, pw_addr + 1, {emp_addr: completed[0], pw_addr: "train123"})))
        assert "SIGN-ON COMPLETED".encode("cp037") in answer
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def test_two_classroom_processes_share_one_postgresql_class(pg_database: str) -> None:
    """Several classroom servers on one database: a trainee on one, the instructor on the
    other; the trainee's terminal follows the cycle the other process ran, at its next key."""
    me = trainee_number(4)
    with Classroom(pg_database, "training", follow_clock=False, trainees=5) as a, \
            Classroom(pg_database, "training", follow_clock=False, trainees=5) as b:
        assert b.note is None and b.current_lesson().no == 1  # the second found the class, did not reload it
        t = Terminal(ClassroomHost(a, "A1"))
        _signon(t, me)
        assert _command(t, f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850") == "REQUEST COMPLETED"
        ins = Terminal(ClassroomHost(b, "B1"))
        _signon(ins, INSTRUCTOR)
        assert _command(ins, "CYCLE ALL") == "1 SANDBOX POSTED - CYCLE 202426"
        assert a.sandbox_of(me).location == b.sandbox_of(me).location  # one sandbox, not two
        _command(t, "SINOF")
        assert "CYCLE 202426" in t.screen.text()
        # and the same trainee signing on at the other server works in the same sandbox
        t2 = Terminal(ClassroomHost(b, "B2"))
        _signon(t2, me)
        assert [x["status"] for x in _pending_by(b.sandbox_of(me).mf)] == ["posted"]
