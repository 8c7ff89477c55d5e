"""Every Appeals procedure (procedures/appeals/*.txt) runs clean and leaves the ACMS records the
memo requires (AP-08-1125-0028): the script checks the screens, its answer key (the exercise's
checks, procedures/appeals/<name>.yaml) checks the dump.

The mutants leave out or change one required action; each must make its procedure fail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from idrs_sim.grading.exercises import list_exercises
from idrs_sim.grading.grade import Grade, grade_master_file
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import load_data
from idrs_sim.tools.procedures import ProcedureFailure, list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("appeals")}
#: The expected outcomes are the answer keys beside the scripts (procedures/appeals/*.yaml).
EXERCISES = {e.short_name: e for e in list_exercises("appeals") if not e.name.startswith("appeals/tdc/")}


def graded(name: str, driver: Any) -> Grade:
    exercise = EXERCISES[name]
    return grade_master_file(driver.sim.mf, exercise, exercise.employee)


def test_at_least_eight_procedures_cover_the_issue() -> None:
    assert len(PROCEDURES) >= 8
    for needed in ("approval_ad_then_atm", "denial_with_concurrence", "denial_without_concurrence",
                   "withdrawal_before_mediator", "withdrawal_after_mediator", "mediator_closing",
                   "cdp_eh_oic_no_mi", "premature_request_held", "incomplete_request_not_perfected"):
        assert needed in PROCEDURES


def test_every_procedure_has_an_answer_key() -> None:
    assert sorted(PROCEDURES) == sorted(EXERCISES)


def test_headers_name_their_fixture_and_irm() -> None:
    for p in PROCEDURES.values():
        assert p.fixture.startswith("appeals/") and p.actions and p.result, p.name
        assert p.irm_section.startswith("8.26.9") or "Exhibit 8.26.9-1" in p.irm, p.name


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    driver = run_procedure(PROCEDURES[name])
    try:
        data = driver.dump()
        grade = graded(name, driver)
        assert grade.passed, "\n".join(grade.lines())
        again = MasterFile()  # the end state round-trips through dump and load
        load_data(again, json.loads(json.dumps(data)))
        assert dump(again) == data
    finally:
        driver.sim.close()


# ---- mutants: one required action left out or done wrong -------------------------------------

MUTANTS: list[tuple[str, str, str, str]] = [
    # (procedure, what, exact text, replacement)
    ("approval_ad_then_atm", "AD approval left out", 'String("ACMSDOC 400-00-2501 APPEAL>OIC-2501 DOC>AD-APPROVAL")',
     'String("ACMS 400-00-2501 APPEAL>OIC-2501")'),
    ("approval_ad_then_atm", "MI dated the day before", "CODE>MI DATE>06172024", "CODE>MI DATE>06142024"),
    ("approval_ad_then_atm", "Letter 5559 left out", 'String("ACMSLT 400-00-2501 APPEAL>OIC-2501 LETTER>5559 DATE>06172024")',
     'String("ACMS 400-00-2501 APPEAL>OIC-2501")'),
    ("denial_with_concurrence", "executive concurrence left out",
     'String("ACMSDOC 400-00-2502 APPEAL>TFRP-2502 DOC>EXEC-CONCUR")', 'String("ACMS 400-00-2502 APPEAL>TFRP-2502")'),
    ("denial_with_concurrence", "closed on another day than the mail date",
     'String("ACMSPAM 400-00-2502 APPEAL>TFRP-2502 ACT>DENY DATE>06172024")',
     'String("ACMSPAM 400-00-2502 APPEAL>TFRP-2502 ACT>DENY DATE>06142024")'),
    ("withdrawal_after_mediator", "closed by the ATM after the mediator was assigned",
     'SignOn(0810000400)', 'SignOn(0810000100)'),
    ("mediator_closing", "a second attachment with the Mediator's Report",
     'String("ACMSPAM 400-00-2505 APPEAL>TFRP-2505 ACT>SUBMIT ATTACH>MEDIATOR-REPORT")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\nExpectLine(24, "REQUEST',
     'String("ACMSPAM 400-00-2505 APPEAL>TFRP-2505 ACT>SUBMIT ATTACH>MEDIATOR-REPORT,OTHER")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\nExpectLine(24, "REQUEST'),
    ("incomplete_request_not_perfected", "denied before the 14 days ran out", "Date(2024-06-18)\n", ""),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m[0]}: {m[1]}" for m in MUTANTS])
def test_mutant_fails(mutant: tuple[str, str, str, str]) -> None:
    name, _what, old, new = mutant
    proc = PROCEDURES[name]

    assert proc.text.count(old) >= 1, f"mutation target not found: {old!r}"

    def edit(text: str) -> str:
        return text.replace(old, new, 1)

    with pytest.raises((ProcedureFailure, AssertionError)):
        driver = run_procedure(proc, edit=edit)
        try:
            grade = graded(name, driver)
            assert grade.passed, "\n".join(grade.lines())
        finally:
            driver.sim.close()
