"""Every TPP procedure script (procedures/tpp/*.txt) runs clean and leaves the master file
the IRM requires: the script checks the screens, its answer key (procedures/tpp/*.yaml,
read by idrs_sim.grading) checks the master file -- the same key `idrs-sim grade` uses."""

from __future__ import annotations

import pytest

from idrs_sim.grading.exercises import list_exercises, trainee_keys
from idrs_sim.grading.grade import grade_master_file
from idrs_sim.tools.procedures import list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("tpp")}
EXERCISES = {e.short_name: e for e in list_exercises("tpp")}


def test_there_are_at_least_thirty_procedures() -> None:
    assert len(PROCEDURES) >= 30


def test_every_procedure_is_an_exercise_with_an_answer_key() -> None:
    assert sorted(set(PROCEDURES) - set(EXERCISES)) == []
    assert sorted(set(EXERCISES) - set(PROCEDURES)) == []


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    """The worked script passes its screens, and its answer key grades all met."""
    driver = run_procedure(PROCEDURES[name])
    try:
        grade = grade_master_file(driver.sim.mf, EXERCISES[name], EXERCISES[name].employee)
    finally:
        driver.sim.close()
    assert grade.passed, "\n".join(grade.lines())
    assert grade.cycles_posted == 0  # the script itself reached the cycle the key is judged in


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_replayed_as_the_trainee_grades_all_met(name: str) -> None:
    """The same keys without the script's expectations, graded as `idrs-sim grade` grades."""
    exercise = EXERCISES[name]
    driver = run_procedure(exercise.procedure, edit=trainee_keys)
    try:
        grade = grade_master_file(driver.sim.mf, exercise, exercise.employee)
    finally:
        driver.sim.close()
    assert grade.passed, "\n".join(grade.lines())


def test_a_blank_misc_tc972_ac124_that_frm77_accepts_grades_met() -> None:
    """FRM77 accepts a TC 972 AC 124 with MISC blank when one return's markers are open
    (decision TPP-23); the answer key must not mark the same input as wrong (review
    2026-12-07: it asked for MISC = the DLN)."""
    exercise = EXERCISES["valid_return_up126_paper_check"]
    text = exercise.procedure.text
    typed = 'Fill("TC971/151", "124")\nFill("MISC", "76247045101014")\n'
    assert text.count(typed) == 1
    driver = run_procedure(exercise.procedure, text=trainee_keys(text.replace(typed, 'Fill("TC971/151", "124")\n')))
    try:
        grade = grade_master_file(driver.sim.mf, exercise, exercise.employee)
    finally:
        driver.sim.close()
    assert grade.passed, "\n".join(grade.lines())


def test_no_typed_line_runs_past_column_79() -> None:
    """A String longer than the line would wrap onto the next screen line (and be cut)."""
    import re

    long = [(name, m.group(1)) for name, p in PROCEDURES.items()
            for m in re.finditer(r'^String\("(.*)"\)', p.text, re.MULTILINE) if len(m.group(1)) > 79]
    assert long == []


def test_headers_name_their_fixture_and_irm_section() -> None:
    for p in PROCEDURES.values():
        assert p.irm_section.startswith("25.25.6"), p.name
        assert p.fixture.startswith("tpp/") and p.actions and p.result, p.name
