"""The classroom review of 2026-12-07: who may be the instructor, who signs on inside an
exercise sandbox, and what a restart says about the trainee accounts (decision CLASS-R1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from terminal_helpers import command as _command
from terminal_helpers import sign_on as _signon

from idrs_sim.classroom import Classroom, trainee_number
from idrs_sim.classroom.host import EXERCISE_SIGNON_ONLY, ClassroomHost
from idrs_sim.terminal.terminal import Terminal

INSTRUCTOR = "1485099999"
OWN = "Teach-42x"


def _terminal(room: Classroom, name: str) -> Terminal:
    return Terminal(ClassroomHost(room, name))


def test_with_an_instructor_password_the_handout_password_is_not_the_instructors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Classroom(url, "training", follow_clock=False, trainees=2, instructor_password=OWN) as room:
        t = _terminal(room, "T1")
        assert not _signon(t, INSTRUCTOR).startswith("SIGN-ON COMPLETED")  # train123 no longer
        assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")
        i = _terminal(room, "I")
        assert _signon(i, INSTRUCTOR, OWN).startswith("SIGN-ON COMPLETED")
        assert _command(i, "CLASS") != "UNAUTHORIZED COMMAND CODE"
        for n in range(3):  # the instructor locks the account out ...
            _signon(_terminal(room, f"X{n}"), INSTRUCTOR, "wrong-pw")
        assert "LOCKED" in _signon(_terminal(room, "X9"), INSTRUCTOR, OWN)
    # ... and a restart with the password unlocks it
    with Classroom(url, None, follow_clock=False, trainees=2, instructor_password=OWN) as room:
        assert _signon(_terminal(room, "I"), INSTRUCTOR, OWN).startswith("SIGN-ON COMPLETED")


def test_inside_an_exercise_only_the_trainee_or_its_employee_signs_on(tmp_path: Path) -> None:
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=2) as room:
        host = ClassroomHost(room, "T1")
        t = Terminal(host)
        assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")
        _command(t, "EXER VALID_RETURN_UP126_PAPER_CHECK")
        _command(t, "SINOF")
        assert _signon(t, INSTRUCTOR) == EXERCISE_SIGNON_ONLY
        assert host.employee_idrs is None  # signed off again: no instructor code can run
        assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")


def test_a_restart_says_how_many_trainee_accounts_the_class_has(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Classroom(url, "training", follow_clock=False, trainees=3):
        pass
    with Classroom(url, None, follow_clock=False, trainees=5) as room:
        assert room.trainees == 3
        assert room.note is not None and "the class has 3 trainee accounts" in room.note
        assert "INVALID" in _signon(_terminal(room, "T4"), trainee_number(4)) or \
            not _signon(_terminal(room, "T5"), trainee_number(4)).startswith("SIGN-ON COMPLETED")


def test_cycle_and_reset_refuse_a_classroom_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """They would act on the lobby only: `cycle` posted nothing of the trainees', `reset
    --discard` took their accounts away (review 2026-12-07)."""
    from idrs_sim.cli import main

    db = tmp_path / "class.db"
    url = f"sqlite:///{db}"
    with Classroom(url, "training", follow_clock=False, trainees=2):
        pass
    before = db.read_bytes()
    for argv in (["cycle", "--db", url], ["reset", "--db", url, "--discard"]):
        capsys.readouterr()
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is a classroom database" in err[0], err
    assert db.read_bytes() == before


def test_the_instructors_sandbox_is_not_graded_as_a_trainees(tmp_path: Path) -> None:
    from idrs_sim.classroom.exercise import class_sandboxes

    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Classroom(url, "training", follow_clock=False, trainees=2) as room:
        assert _signon(_terminal(room, "I"), INSTRUCTOR).startswith("SIGN-ON COMPLETED")
        assert _signon(_terminal(room, "T1"), trainee_number(1)).startswith("SIGN-ON COMPLETED")
        assert room.sandbox_of(INSTRUCTOR) is not None  # the instructor works in a sandbox too
    sandboxes = class_sandboxes(url)
    assert sandboxes is not None
    assert [(s.idrs, s.instructor) for s in sandboxes] == [(INSTRUCTOR, True), (trainee_number(1), False)]


def test_unlock_reaches_the_lockout_inside_an_exercise_sandbox(tmp_path: Path) -> None:
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=2) as room:
        i = _terminal(room, "I")
        assert _signon(i, INSTRUCTOR).startswith("SIGN-ON COMPLETED")
        t = _terminal(room, "T1")
        assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")
        _command(t, "EXER VALID_RETURN_UP126_PAPER_CHECK")
        _command(t, "SINOF")
        for _ in range(3):
            _signon(t, trainee_number(1), "wrong-pw")
        assert "LOCKED" in _signon(t, trainee_number(1))
        assert _command(i, f"UNLOCK {trainee_number(1)}") == f"EMPLOYEE NUMBER {trainee_number(1)} UNLOCKED"
        assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")


def test_a_second_program_on_one_sqlite_class_database_is_refused(tmp_path: Path) -> None:

    from idrs_sim.classroom import ClassroomError

    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Classroom(url, "training", follow_clock=False, trainees=2):
        with pytest.raises(ClassroomError, match="another classroom program is serving"):
            Classroom(url, None, follow_clock=False, trainees=2)
    with Classroom(url, None, follow_clock=False, trainees=2):  # once the first stopped, it starts
        pass


def test_a_restart_keeps_the_time_a_sandbox_reached(tmp_path: Path) -> None:
    """With the server's clock following real time, a restart set a sandbox back to its last
    saved time, before input it already held (review 2026-12-07)."""
    import datetime as dt

    from freezegun import freeze_time

    url = f"sqlite:///{tmp_path / 'class.db'}"
    with freeze_time("2026-12-07 09:00:00") as frozen:
        with Classroom(url, "training", follow_clock=True, trainees=1) as room:
            t = _terminal(room, "T1")
            assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")
            handle = room.sandbox_of(trainee_number(1))
            assert handle is not None
            start = handle.mf.clock.now()
            frozen.tick(dt.timedelta(hours=26))
            reached = handle.mf.clock.now()
            assert reached - start >= dt.timedelta(hours=26)
        with Classroom(url, None, follow_clock=True, trainees=1) as room:
            again = room.sandbox_of(trainee_number(1))
            assert again is not None and again.mf.clock.now() >= reached


def test_a_reset_trainee_stays_in_class_and_cycle_all(tmp_path: Path) -> None:
    """RESET made the fresh sandbox at the trainee's next key: until then CLASS left them out
    and CYCLE ALL skipped them (review 2026-12-07)."""
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=2) as room:
        i = _terminal(room, "I")
        assert _signon(i, INSTRUCTOR).startswith("SIGN-ON COMPLETED")
        for n in (1, 2):
            assert _signon(_terminal(room, f"T{n}"), trainee_number(n)).startswith("SIGN-ON COMPLETED")
        before = room.sandbox_of(trainee_number(2))
        _command(i, f"RESET {trainee_number(2)}")
        after = room.sandbox_of(trainee_number(2))
        assert before is not None and after is not None and after.location != before.location
        _command(i, "CLASS")
        assert trainee_number(2) in "\n".join(i.screen.lines())
        assert _command(i, f"CYCLE {trainee_number(2)}") != "NO SANDBOX FOR THIS EMPLOYEE NUMBER"


def test_after_a_crash_a_sandbox_starts_from_its_last_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash lost the time since the clock was last saved: the sandbox came back before the
    keys it held.  It now starts no earlier than its audit trail's last key."""
    import datetime as dt

    from freezegun import freeze_time

    from idrs_sim.classroom.classroom import Classroom as Room

    url = f"sqlite:///{tmp_path / 'class.db'}"
    with freeze_time("2026-12-07 09:00:00") as frozen:
        with Classroom(url, "training", follow_clock=True, trainees=1) as room:
            t = _terminal(room, "T1")
            assert _signon(t, trainee_number(1)).startswith("SIGN-ON COMPLETED")
            frozen.tick(dt.timedelta(hours=26))
            _command(t, "ENMOD 400-00-1001")
            handle = room.sandbox_of(trainee_number(1))
            assert handle is not None
            keyed = handle.mf.clock.now()
            monkeypatch.setattr(Room, "_keep_clock", staticmethod(lambda handle: None))  # the crash: no save
        monkeypatch.undo()
        with Classroom(url, None, follow_clock=True, trainees=1) as room:
            again = room.sandbox_of(trainee_number(1))
            assert again is not None and again.mf.clock.now() >= keyed - dt.timedelta(seconds=1)
