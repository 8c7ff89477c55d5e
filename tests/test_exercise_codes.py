"""EXER and GRADE at the terminal: a trainee lists the exercises, starts one, works it, asks
for the grade (docs/grading.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from idrs_sim.cli import main
from idrs_sim.grading.exercises import find_exercise, list_exercises, trainee_keys
from idrs_sim.testing import IdrsTest

NAME = "tpp/valid_return_up126_paper_check"


@pytest.fixture
def sim():  # type: ignore[no-untyped-def]
    s = IdrsTest(fixture="tpp/valid_return_up126", out=open("/dev/null", "w"))  # noqa: SIM115
    s.sign_on("1485012345")
    yield s
    s.close()


def test_exer_lists_every_exercise(sim: IdrsTest) -> None:
    sim.command("EXER")
    assert sim.message == f"{len(list_exercises())} EXERCISES"
    sim.expect("APPEALS/APPROVAL_AD_THEN_ATM").expect("APPEALS/TDC/INVITE_LETTER_5157_FEATURE_CODE_DC")
    sim.pf(8)  # the list pages on
    sim.expect("FTD/ALERT_IN_COMPLIANCE_AT_CONTACT").expect("TPP/AC129_1040X_FILED")


def test_exer_name_shows_the_situation_and_starts_it(sim: IdrsTest) -> None:
    sim.command("EXER VALID_RETURN_UP126_PAPER_CHECK")
    assert sim.message == "EXERCISE VALID_RETURN_UP126_PAPER_CHECK STARTED"
    sim.expect("SITUATION:").expect("JOHN SMITH (400-00-1001)").expect("THEN KEY GRADE")
    sim.expect("WORK IT AS EMPLOYEE 1485012345")


def test_grade_before_any_work_lists_the_missed_checks(sim: IdrsTest) -> None:
    sim.command("EXER VALID_RETURN_UP126_PAPER_CHECK")
    sim.command("GRADE")
    assert sim.message == "1/7 CHECKS MET - SEE MISSED"
    sim.expect("GRADED AFTER POSTING 1 CYCLE(S) ON A COPY")
    sim.expect("MISSED IRM 25.25.6.5.1.1 (5) BOX 1: CLOSE THE UP 126 RC 0 WITH URC 0")
    # the copy was posted, not the trainee's master file
    sim.command("UPTIN 400-00-1001").expect("000000101")
    assert sim.sim.clock.cycle == "202425"


def test_grade_after_the_worked_procedure_is_all_met() -> None:
    """The trainee starts the exercise, works it (the procedure's keys and cycle), keys GRADE."""
    from idrs_sim.tools.procedures import run_procedure

    exercise = find_exercise(NAME)
    script = trainee_keys(exercise.procedure.text).replace(
        "SignOn(1485012345)\n", 'SignOn(1485012345)\nString("EXER VALID_RETURN_UP126_PAPER_CHECK")\nEnter\nClear\n', 1)
    script += 'Clear\nString("GRADE")\nEnter\nExpectLine(24, "ALL CHECKS MET")\nExpect("7/7 CHECKS MET")\n'
    run_procedure(exercise.procedure, text=script).sim.close()


@pytest.mark.parametrize(("typed", "message"), [
    ("GRADE", "NO EXERCISE STARTED - KEY EXER TO LIST THEM"),
    ("EXER NOPE", "NO SUCH EXERCISE - KEY EXER TO LIST THEM"),
    ("GRADE NOPE", "NO SUCH EXERCISE - KEY EXER TO LIST THEM"),
])
def test_refusals_say_what_to_do(sim: IdrsTest, typed: str, message: str) -> None:
    sim.command(typed)
    assert sim.message == message


def test_cli_grade_finds_the_exercise_the_trainee_started(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work.txt"
    work.write_text('SignOn(1485012345)\nString("EXER VALID_RETURN_UP126_PAPER_CHECK")\nEnter\n')
    url = f"sqlite:///{tmp_path / 'class.db'}"
    assert main(["replay", str(work), "--db", url, "--fixture", "tpp/valid_return_up126"]) == 0
    capsys.readouterr()
    assert main(["grade", "--db", url, "--trainee", "1485012345"]) == 1
    assert f"EXERCISE {NAME}" in capsys.readouterr().out
    # another trainee on the same database has not started one
    assert main(["grade", "--db", url, "--trainee", "1485012346"]) == 2
