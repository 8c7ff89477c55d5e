"""Exercises outside TPP (FTD, incidents...): each worked script grades all met, also when
replayed as the trainee; the mutants grade their intended check as missed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from idrs_sim.grading.exercises import list_exercises, trainee_keys
from idrs_sim.grading.grade import grade_master_file
from idrs_sim.tools.procedures import run_procedure

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


@pytest.mark.parametrize("name", sorted(n for n in EXERCISES if n.startswith("appeals/")))
def test_the_untouched_case_grades_missed(name: str) -> None:
    """An answer key that an untouched fixture passes grades nothing: each names work to do."""
    exercise = EXERCISES[name]
    text = "\n".join(line for line in exercise.procedure.text.splitlines()
                     if line.startswith(("Load(", "Date(", "#")) or not line.strip()) + "\n"
    grade = _grade(name, text=text.split("SignOn(")[0])
    assert not grade.passed, "\n".join(grade.lines())


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
    # IRM 5.7.1.5 pre-contact research (answer-key review of 2026-12-08)
    Mutant("ftd/alert_in_compliance_at_contact", "no pre-contact research (no BMFOLK, no BMFOLI)",
           'String("BMFOLK 99-2000015")\nEnter\nExpect("SEMIWEEKLY")\nClear\nString("BMFOLI 99-2000015")\nEnter\n'
           'Expect("AC046")\n', "", "precontact-research-bmfol"),
    Mutant("ftd/alert_in_compliance_at_contact", "findings not documented in the ICS history",
           'Fill("HIST", "RESEARCH: BMFOLK SEMIWEEKLY; CP239 NONE; PLAN: PHONE CONTACT 06/28")',
           'Fill("HIST", "PLAN: PHONE CONTACT 06/28")', "precontact-findings-in-history"),
    # Appeals mediation (ACMS PAM): the trainee plays each role the script signs on as.
    Mutant("appeals/approval_ad_then_atm", "MI dated the day the request was keyed in, not received",
           "CODE>MI DATE>06172024", "CODE>MI DATE>06142024", "mi-on-day-received"),
    Mutant("appeals/approval_ad_then_atm", "Letter 5559 never sent",
           'String("ACMSLT 400-00-2501 APPEAL>OIC-2501 LETTER>5559 DATE>06172024")',
           'String("ACMS 400-00-2501 APPEAL>OIC-2501")', "letter-5559-issued"),
    Mutant("appeals/denial_with_concurrence", "denied without the executive's concurrence",
           'String("ACMSDOC 400-00-2502 APPEAL>TFRP-2502 DOC>EXEC-CONCUR")',
           'String("ACMS 400-00-2502 APPEAL>TFRP-2502")', "executive-concurrence-attached"),
    Mutant("appeals/withdrawal_after_mediator", "the ATM closes after the mediator was assigned",
           "SignOn(0810000400)", "SignOn(0810000100)", "closed-by-the-mediator"),
    Mutant("appeals/mediator_closing", "closing submitted with a second attachment (refused: not closed)",
           'ATTACH>MEDIATOR-REPORT")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\nExpectLine(24, "REQUEST',
           'ATTACH>MEDIATOR-REPORT,OTHER")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\n'
           'ExpectLine(24, "REQUEST', "closed-mediated-by-the-mediator"),
    Mutant("appeals/incomplete_request_not_perfected", "denied before the 14 days to perfect ran out",
           "Date(2024-06-18)\n", "", "denied-after-the-14-days"),
    Mutant("appeals/premature_request_held", "a premature request taken as complete",
           'Newline\nString("INTAKE>PREMATURE")\n', "", "request-marked-premature"),
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
