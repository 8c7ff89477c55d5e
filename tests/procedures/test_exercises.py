"""Exercises outside TPP (FTD, incidents...): each worked script grades all met, also when
replayed as the trainee; the mutants grade their intended check as missed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from idrs_sim.grading.exercises import list_exercises, trainee_keys
from idrs_sim.grading.grade import grade_master_file
from idrs_sim.procedures import run_procedure

EXERCISES = {e.name: e for e in list_exercises() if not e.name.startswith("tpp/")}


def _grade(name: str, text: str | None = None, edit=None):  # type: ignore[no-untyped-def]
    exercise = EXERCISES[name]
    driver = run_procedure(exercise.procedure, text=text, edit=edit)
    try:
        return grade_master_file(driver.sim.mf, exercise, exercise.employee)
    finally:
        driver.sim.close()


def test_there_are_ftd_and_incident_exercises() -> None:
    areas = {name.split("/")[0] for name in EXERCISES}
    assert {"ftd", "breach"} <= areas


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_worked_script_grades_all_met(name: str) -> None:
    grade = _grade(name)
    assert grade.passed, "\n".join(grade.lines())


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_replayed_as_the_trainee_grades_all_met(name: str) -> None:
    grade = _grade(name, edit=trainee_keys)
    assert grade.passed, "\n".join(grade.lines())


@dataclass(frozen=True)
class Mutant:
    exercise: str
    what: str
    old: str
    new: str
    missed: str


MUTANTS = [
    Mutant("breach/breach_indicator_ac505", "AC 505 keyed by a TPP assistor instead of PGLD",
           "SignOn(0720001000)", "SignOn(1485012345)", "ac505-with-breach-number"),
    Mutant("breach/breach_indicator_ac505", "SECONDARY-DT given the notification date, not the breach date",
           'Fill("SECONDARY-DT", "02092024")', 'Fill("SECONDARY-DT", "03082024")', "secondary-date-is-breach-date"),
    Mutant("ftd/alert_no_employees_tc590", "TC 590 CC 50 input on the wrong quarter",
           'String("FRM49 99-2000017 01 202406")', 'String("FRM49 99-2000017 01 202403")',
           "tc590-cc50-on-alert-module"),
    Mutant("ftd/alert_seasonal_employer_tc136", "no TC 136 requested for the seasonal employer",
           'Fill("REQ", "TC136")\n', 'Fill("REQ", "")\n', "tc136-requested"),
    Mutant("ftd/alert_in_compliance_at_contact", "closed before the return was secured (no TC 599)",
           'Fill("TC", "599")\nFill("CC", "01")\n', 'Fill("TC", "")\n', "return-secured-tc599"),
]


@pytest.mark.parametrize("m", MUTANTS, ids=[f"{m.exercise}:{m.what}" for m in MUTANTS])
def test_mutant_grades_its_check_missed(m: Mutant) -> None:
    text = EXERCISES[m.exercise].procedure.text
    assert text.count(m.old) == 1, m.old
    grade = _grade(m.exercise, text=trainee_keys(text.replace(m.old, m.new)))
    missed = {r.check.id for r in grade.results if not r.met}
    assert m.missed in missed, "\n".join(grade.lines())


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_worked_master_file_loads_back_from_its_dump(name: str) -> None:
    """CONTRACT §4: Load(dump output) reproduces the master file -- also after ICS work."""
    from idrs_sim.masterfile.db import MasterFile
    from idrs_sim.masterfile.dump import dump
    from idrs_sim.masterfile.fixtures import load_data

    driver = run_procedure(EXERCISES[name].procedure)
    try:
        before = dump(driver.sim.mf)
    finally:
        driver.sim.close()
    copy = MasterFile("sqlite://")
    try:
        load_data(copy, before, replace=True)
        after = dump(copy)
    finally:
        copy.dispose()
    assert after["ics_cases"] == before["ics_cases"]
    assert after["entities"] == before["entities"]
