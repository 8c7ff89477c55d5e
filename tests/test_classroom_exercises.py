"""Exercises in a classroom (issue 21): EXER NAME starts one on a fresh sandbox of its fixture,
the trainee works it (as the exercise's employees), GRADE, the instructor's CLASS column,
`idrs-sim grade --db CLASSROOM --trainee` (the sandbox, not the lesson) and `grade --class`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from terminal_helpers import command as _command
from terminal_helpers import sign_on as _signon

from idrs_sim.classroom import Classroom, trainee_number
from idrs_sim.classroom.host import ClassroomHost
from idrs_sim.cli import main
from idrs_sim.grading.exercises import find_exercise, trainee_keys
from idrs_sim.masterfile.dump import dump
from idrs_sim.replay import Driver, compile_script
from idrs_sim.terminal.terminal import Terminal

INSTRUCTOR = "1485099999"
TPP = "tpp/valid_return_up126_paper_check"  # one employee, a posting cycle
APPEALS = "appeals/premature_request_held"  # the ATE and the ATM sign on in turn
ROOT = Path(__file__).resolve().parents[1]


def _work(t: Terminal, name: str, instructor: Terminal, trainee: str, edit=None) -> None:  # type: ignore[no-untyped-def]
    """Key the exercise's worked script at a classroom terminal, as a trainee would: its keys
    (no expectations), its sign-ons on the sandbox's sign-on screen, its cycles run by the
    instructor's CYCLE; the fixture is already the sandbox's."""
    exercise = find_exercise(name)
    text = trainee_keys(exercise.procedure.text)
    driver = Driver.__new__(Driver)  # the actions of a replay script, on this terminal
    driver.terminal, driver.terminal_id, driver._out, driver.base_dir = t, "CLASS", None, None
    first = True
    for step in compile_script(edit(text) if edit else text, name):
        method = step.spec.method
        if method in ("load", "date"):
            continue
        if method == "sign_on":
            if not (first and step.args[0] == exercise.employee):  # the sandbox starts signed on as it
                driver.sign_on(step.args[0], "train123")
            first = False
        elif method == "cycle":
            for _ in range(step.args[0] if step.args else 1):
                assert _command(instructor, f"CYCLE {trainee}").endswith(("POSTED - CYCLE 202426",
                                                                           "POSTED - CYCLE 202427"))
        else:
            getattr(driver, method)(*step.args)


@pytest.fixture
def room(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=3) as r:
        yield r


def test_exer_in_a_sandbox_starts_the_exercise_on_a_fresh_sandbox_of_its_fixture(room: Classroom) -> None:
    me = trainee_number(1)
    t = Terminal(ClassroomHost(room, "A"))
    assert _signon(t, me).startswith("SIGN-ON COMPLETED")
    lesson_box = room.sandbox_of(me)
    assert lesson_box is not None
    assert _command(t, "EXER NOSUCHEXERCISE") == "NO SUCH EXERCISE - KEY EXER TO LIST THEM"
    assert room.sandbox_of(me).location == lesson_box.location  # a refusal starts nothing
    assert _command(t, "EXER VALID_RETURN_UP126_PAPER_CHECK") == "EXERCISE VALID_RETURN_UP126_PAPER_CHECK STARTED - NEW SANDBOX"
    text = t.screen.text()
    exercise = find_exercise(TPP)
    assert "SITUATION:" in text and exercise.situation.upper()[:60] in " ".join(text.split())
    assert "SIGNED ON AS EMPLOYEE 1485012345" in text
    fresh = room.sandbox_of(me)
    assert fresh is not None and fresh.location != lesson_box.location
    # the fresh sandbox holds the exercise's fixture, not the lesson's; the old one is kept, retired
    tins = {e["tin"] for e in dump(fresh.mf)["entities"]}
    assert tins == {e["tin"] for e in dump(_fixture_copy(exercise.fixture))["entities"]}
    assert room.lobby.mf is not fresh.mf and lesson_box.mf is not fresh.mf
    from idrs_sim.classroom.classroom import saved_state

    assert saved_state(lesson_box.mf).get("classroom_retired", "").startswith("EXERCISE VALID_RETURN")
    # the next key works in it, signed on as the exercise's employee
    assert _command(t, "GRADE").endswith("CHECKS MET - SEE MISSED")
    assert t.host.session.employee_idrs == "1485012345" and t.host.sandbox is fresh
    other = Terminal(ClassroomHost(room, "B"))  # another trainee is untouched
    assert _signon(other, trainee_number(2)).startswith("SIGN-ON COMPLETED")
    assert room.sandbox_of(trainee_number(2)).location not in (fresh.location, lesson_box.location)


def _fixture_copy(name: str):  # type: ignore[no-untyped-def]
    from idrs_sim.simulator import Simulator

    return Simulator("sqlite://", name, follow_clock=False).mf


def test_exer_on_a_plain_database_still_only_names_the_exercise(tmp_path: Path) -> None:
    from idrs_sim.masterfile.db import get_state
    from idrs_sim.simulator import Simulator

    with Simulator(f"sqlite:///{tmp_path / 'm.db'}", "tpp/valid_return_up126", follow_clock=False) as sim:
        t = sim.new_terminal("T1")
        _signon(t, "1485012345")
        assert _command(t, "EXER VALID_RETURN_UP126_PAPER_CHECK") == "EXERCISE VALID_RETURN_UP126_PAPER_CHECK STARTED"
        assert "WORK IT AS EMPLOYEE 1485012345" in t.screen.text()
        with sim.mf.reading() as db:
            assert get_state(db, "exercise:1485012345") == TPP


@pytest.mark.parametrize("name", [TPP, APPEALS])
def test_worked_in_a_classroom_it_grades_all_met_on_the_terminal_class_and_cli(
        room: Classroom, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me, slow = trainee_number(1), trainee_number(2)
    ins = Terminal(ClassroomHost(room, "I"))
    assert _signon(ins, INSTRUCTOR).startswith("SIGN-ON COMPLETED")
    t = Terminal(ClassroomHost(room, "A"))
    _signon(t, me)
    short = find_exercise(name).short_name.upper()
    assert _command(t, f"EXER {short}").endswith("STARTED - NEW SANDBOX")
    _work(t, name, ins, me)
    assert _command(t, "GRADE") == "ALL CHECKS MET"
    # a second trainee starts the same exercise and stops half-way
    u = Terminal(ClassroomHost(room, "B"))
    _signon(u, slow)
    _command(u, f"EXER {short}")
    # CLASS: each trainee's exercise and grade
    assert _command(ins, "CLASS") == "3 SANDBOXES"
    lines = ins.screen.lines()
    mine = next(i for i, row in enumerate(lines) if row.startswith(me))
    n = len(find_exercise(name).checks)
    assert lines[mine].split()[-1] == f"{n}/{n}"
    assert lines[mine + 1].strip() == f"EXERCISE {name.upper()}"
    theirs = next(row for row in lines if row.startswith(slow))
    assert theirs.split()[-1] != f"{n}/{n}" and "/" in theirs.split()[-1]
    row_ins = next(row for row in lines if row.startswith(INSTRUCTOR))
    assert row_ins.split()[-1] == "-"  # no exercise started
    # idrs-sim grade on the classroom database grades the sandbox, not the lesson
    url = room.url
    ok = _grade_cli(capsys, "--db", url, "--trainee", me)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"EXERCISE {name}" in ok.stdout and f"{n}/{n} CHECKS MET" in ok.stdout
    missed = _grade_cli(capsys, "--db", url, "--trainee", slow)
    assert missed.returncode == 1 and "MISSED" in missed.stdout
    none = _grade_cli(capsys, "--db", url, "--trainee", trainee_number(3))
    assert none.returncode == 2 and "no sandbox" in none.stderr
    # the class report
    page = tmp_path / "class.html"
    report = _grade_cli(capsys, "--class", "--db", url, "--html", str(page))
    assert report.returncode == 1, report.stderr  # the second trainee missed checks
    assert f"{me} TRAINEE 01" in report.stdout and f"{n}/{n} ALL MET" in report.stdout
    assert f"{INSTRUCTOR} I INSTRUCTOR" in report.stdout and "instructor, not graded" in report.stdout
    html = page.read_text()
    assert html.count(f"<h2>{name}") == 1 and f"{me} TRAINEE 01" in html and f"{slow} TRAINEE 02" in html


def _grade_cli(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    code = main(["grade", *args])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def test_a_mistake_in_a_classroom_is_graded_as_that_mistake(room: Classroom) -> None:
    me = trainee_number(1)
    ins = Terminal(ClassroomHost(room, "I"))
    _signon(ins, INSTRUCTOR)
    t = Terminal(ClassroomHost(room, "A"))
    _signon(t, me)
    _command(t, "EXER PREMATURE_REQUEST_HELD")
    _work(t, APPEALS, ins, me, edit=lambda s: s.replace('Newline\nString("INTAKE>PREMATURE")\n', ""))
    assert _command(t, "GRADE").endswith("CHECKS MET - SEE MISSED")
    assert "MISSED IRM 8.26.9.2.3 (6)(A)" in t.screen.text()


def test_every_key_in_the_sandbox_is_graded_whoever_signed_on(room: Classroom) -> None:
    """docs/grading.md: the sandbox is the trainee's, so everything keyed in it is their work.
    A review found a forbidden REQ77 keyed after signing on again as the trainee's own number
    graded as never run (only the exercise employee's keys were read)."""
    me = trainee_number(1)
    t = Terminal(ClassroomHost(room, "A"))
    _signon(t, me)
    assert _command(t, "EXER ADVICE_REFUND_NOT_RECEIVED_REFUND_ISSUED").endswith("STARTED - NEW SANDBOX")
    _command(t, "SINOF")
    assert _signon(t, me).startswith("SIGN-ON COMPLETED")
    assert t.host.session.employee_idrs == me
    assert _command(t, "REQ77 400-00-1015 30 202312") == ""
    t.fill("TC", "971")
    t.fill("TC971/151", "850")
    t.enter()
    assert "REQUEST COMPLETED" in t.screen.text()
    assert _command(t, "GRADE").endswith("CHECKS MET - SEE MISSED")
    no_input = [line for line in t.screen.text().splitlines() if "NO TPP INPUT - NO REQ77" in line]
    assert len(no_input) == 1 and no_input[0].startswith("MISSED"), no_input


def test_grade_without_db_grades_the_classroom_of_this_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRACT §6: `idrs-sim grade [--db URL] --trainee IDRS`; without --db, the database
    `idrs-sim classroom` uses without one (sqlite:///classroom.db)."""
    me = trainee_number(1)
    monkeypatch.chdir(tmp_path)
    assert "no classroom database here" in _grade_cli(capsys, "--trainee", me).stderr
    with Classroom("sqlite:///classroom.db", "training", follow_clock=False, trainees=2) as room:
        t = Terminal(ClassroomHost(room, "A"))
        _signon(t, me)
        _command(t, "EXER ADVICE_REFUND_NOT_RECEIVED_REFUND_ISSUED")
        _command(t, "REQ77 400-00-1015 30 202312")
    out = _grade_cli(capsys, "--trainee", me)
    assert out.returncode == 1 and "EXERCISE tpp/advice_refund_not_received_refund_issued" in out.stdout, out
    assert "MISSED no-input" in out.stdout


def test_grade_class_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.db"
    from idrs_sim.simulator import Simulator

    Simulator(f"sqlite:///{plain}", "tpp/valid_return_up126", follow_clock=False).close()
    out = _grade_cli(capsys, "--class", "--db", f"sqlite:///{plain}")
    assert out.returncode == 2 and "not a classroom database" in out.stderr
    out = _grade_cli(capsys, "--class", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert out.returncode == 2 and "no database" in out.stderr


@pytest.fixture
def class_url(engine: str, request, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """A new, empty classroom database on each engine (the conftest `engine` parameter)."""
    if engine == "postgresql":
        return str(request.getfixturevalue("pg_database"))
    return f"sqlite:///{tmp_path / 'class.db'}"


def test_exercise_sandbox_and_its_grade_on_each_engine(class_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """On PostgreSQL an exercise's sandbox is a schema like any sandbox; `grade` finds it."""
    me = trainee_number(1)
    with Classroom(class_url, "training", follow_clock=False, trainees=2) as room:
        ins = Terminal(ClassroomHost(room, "I"))
        _signon(ins, INSTRUCTOR)
        t = Terminal(ClassroomHost(room, "A"))
        _signon(t, me)
        assert _command(t, "EXER INVITE_LETTER_5157_FEATURE_CODE_DC").endswith("STARTED - NEW SANDBOX")
        _work(t, "appeals/tdc/invite_letter_5157_feature_code_dc", ins, me)
        assert _command(t, "GRADE") == "ALL CHECKS MET"
    ok = _grade_cli(capsys, "--db", class_url, "--trainee", me)
    assert ok.returncode == 0 and "3/3 CHECKS MET" in ok.stdout, ok.stdout + ok.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_class_report_renders_in_headless_chromium(room: Classroom, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`grade --class --html`: trainees by exercise, opened in a real browser; its screenshot
    is docs/img/class-report.png (IDRS_SIM_UPDATE_SCREENSHOTS=1 refreshes it)."""
    ins = Terminal(ClassroomHost(room, "I"))
    _signon(ins, INSTRUCTOR)
    wrong_urc = ('Fill("URC", "0")', 'Fill("URC", "D")')
    for n, name, edit in ((1, TPP, None), (2, TPP, lambda s: s.replace(*wrong_urc, 1)), (3, APPEALS, None)):
        t = Terminal(ClassroomHost(room, f"T{n}"))
        _signon(t, trainee_number(n))
        _command(t, f"EXER {find_exercise(name).short_name.upper()}")
        _work(t, name, ins, trainee_number(n), edit=edit)
    page = tmp_path / "class.html"
    assert _grade_cli(capsys, "--class", "--db", room.url, "--html", str(page)).returncode == 1
    profile = tmp_path / "profile"
    dom = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "Class grade report" in dom and dom.count("<h2>") == 2
    assert f"{trainee_number(2)} TRAINEE 02" in dom and "no exercise started" in dom
    shot = tmp_path / "class.png"
    subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1500",
                    "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=60, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if (ROOT / "docs" / "img").is_dir() and os.environ.get("IDRS_SIM_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "img" / "class-report.png")


def test_exer_and_grade_run_beside_other_keys(room: Classroom) -> None:
    """A fixture load or a graded copy takes seconds: the server must not hold the class for it."""
    from idrs_sim.terminal.aid import Aid, AidEvent

    host = ClassroomHost(room, "A")
    t = Terminal(host)
    assert host.slow_key(AidEvent(Aid.ENTER, 0))  # the sign-on
    _signon(t, trainee_number(1))
    assert host.slow_key(AidEvent(Aid.ENTER, 0, unformatted="EXER VALID_RETURN_UP126_PAPER_CHECK"))
    assert host.slow_key(AidEvent(Aid.ENTER, 0, modified={1: "GRADE"}))
    assert host.slow_key(AidEvent(Aid.ENTER, 0, unformatted="CLASS"))
    assert not host.slow_key(AidEvent(Aid.ENTER, 0, unformatted="EXER"))  # the list is quick
    assert not host.slow_key(AidEvent(Aid.ENTER, 0, unformatted="TXMOD 400-00-1001 30 202312"))
    assert not host.slow_key(AidEvent(Aid.CLEAR, 0))


def test_grade_lesson_grades_work_that_reset_retired(room: Classroom, capsys: pytest.CaptureFixture[str]) -> None:
    """Review of 2026-12-07: after RESET (or LESSON) the retired sandbox's work dropped out of
    `grade --class`; `--lesson N` grades each trainee's newest sandbox of lesson N with an
    exercise started in it, retired or not."""
    me = trainee_number(1)
    ins = Terminal(ClassroomHost(room, "I"))
    _signon(ins, INSTRUCTOR)
    t = Terminal(ClassroomHost(room, "A"))
    _signon(t, me)
    assert _command(t, f"EXER {find_exercise(TPP).short_name.upper()}").endswith("STARTED - NEW SANDBOX")
    _work(t, TPP, ins, me)
    assert _command(t, "GRADE") == "ALL CHECKS MET"
    assert _command(ins, f"RESET {me}").startswith(f"SANDBOX OF {me} RESET")
    now = _grade_cli(capsys, "--class", "--db", room.url)
    assert f"{me} TRAINEE 01" in now.stdout and "no exercise started" in now.stdout.split(me)[1].splitlines()[0]
    kept = _grade_cli(capsys, "--class", "--db", room.url, "--lesson", "1")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "ALL MET" in kept.stdout.split(me)[1].splitlines()[0]
    one = _grade_cli(capsys, "--db", room.url, "--trainee", me, "--lesson", "1")
    assert one.returncode == 0 and "CHECKS MET" in one.stdout
    bad = _grade_cli(capsys, "--class", "--db", room.url, "--lesson", "7")
    assert bad.returncode == 2 and "no lesson 7 in this class (lesson 1)" in bad.stderr
