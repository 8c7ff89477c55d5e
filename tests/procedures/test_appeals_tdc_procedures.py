"""Every Appeals TDC procedure (procedures/appeals/tdc/*.txt) runs clean and leaves ACDS as
memo AP-08-0622-0008 requires -- the answer key beside the script (procedures/appeals/tdc/
<name>.yaml) checks the dump; a script with one required action left out grades that check
missed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from idrs_sim.grading.exercises import list_exercises
from idrs_sim.grading.grade import Grade, grade_master_file
from idrs_sim.tools.procedures import ProcedureFailure, list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("appeals/tdc")}
EXERCISES = {e.short_name: e for e in list_exercises("appeals/tdc")}


def graded(name: str, driver: Any) -> Grade:
    exercise = EXERCISES[name]
    return grade_master_file(driver.sim.mf, exercise, exercise.employee)


def test_there_are_at_least_six_procedures() -> None:
    assert len(PROCEDURES) >= 6


def test_every_procedure_has_an_answer_key() -> None:
    assert sorted(set(PROCEDURES) ^ set(EXERCISES)) == []


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    driver = run_procedure(PROCEDURES[name])
    try:
        grade = graded(name, driver)
        assert grade.passed, "\n".join(grade.lines())
    finally:
        driver.sim.close()


def test_headers_name_their_fixture_and_the_memo() -> None:
    for p in PROCEDURES.values():
        assert p.irm.startswith("AP-08-0622-0008"), p.name
        assert p.fixture.startswith("appeals/tdc/") and p.actions and p.result, p.name


def test_no_typed_line_runs_past_column_79() -> None:
    long = [(name, m.group(1)) for name, p in PROCEDURES.items()
            for m in re.finditer(r'^String\("(.*)"\)', p.text, re.MULTILINE) if len(m.group(1)) > 79]
    assert long == []


def _without(text: str, typed: str) -> str:
    """The script with the step that types `typed` (its String up to the next Clear) left out."""
    start = text.rindex(f'String("{typed}")')  # the last time it is typed: the one that holds
    end = text.find("\nClear\n", start)
    return text[:start] + (text[end + len("\nClear\n"):] if end >= 0 else "")


# (procedure, the action left out, the answer-key check the grade must name as missed).
MUTANTS = [
    ("invite_letter_5157_feature_code_dc", "ACDSLT 400-00-2601 CASE>AP-2024-0101 LETTER>5157 PARA>7 ID>4471026",
     "invitation-in-letter-5157"),
    ("ate_without_bears_manager_invites", "ACDSFC 400-00-2605 CASE>AP-2024-0105 FC>DC", "feature-code-dc"),
    ("first_call_resolves_not_offered", "REASON>CDP ISSUE SETTLED ON THE FIRST CALL, NO FURTHER CONTACT NEEDED",
     "not-offered-with-reason"),
    ("messages_co_tdc_and_co_as", "CARATS 400-00-2604 CASE>AP-2024-0104 ACT>CO SUB>AS DATE>06122024",
     "co-as-for-the-agreement"),
    ("messages_co_tdc_and_co_as", "CARATS 400-00-2604 CASE>AP-2024-0104 ACT>CO SUB>TDC DATE>06122024",
     "co-tdc-per-message"),
    ("withdraw_from_tdc_co_tdw", "CARATS 400-00-2606 CASE>AP-2024-0106 ACT>CO SUB>TDW DATE>06142024", "co-tdw"),
    ("case_file_by_tdc_stars_6271", "CARATS 400-00-2606 CASE>AP-2024-0106 ACT>FA SUB>TFA DATE>06132024",
     "fa-req-and-fa-tfa"),
    ("case_file_by_tdc_stars_6271", "STARS 400-00-2606 CASE>AP-2024-0106 DELIVERY>TDC", "stars-delivery-by-tdc"),
]


@pytest.mark.parametrize(("name", "typed", "missed"), MUTANTS,
                         ids=[f"{n}-{t.split()[0]}-{i}" for i, (n, t, _) in enumerate(MUTANTS)])
def test_leaving_out_a_required_action_fails(name: str, typed: str, missed: str) -> None:
    proc = PROCEDURES[name]
    mutated = _without(proc.text, typed)
    assert mutated != proc.text
    # Only the dump check decides: the screen expectations after the step are dropped too.
    mutated = re.sub(r"^(Expect|ExpectNot|ExpectLine)\(.*\)\n", "", mutated, flags=re.MULTILINE)
    try:
        driver = run_procedure(proc, text=mutated)
    except ProcedureFailure:
        raise AssertionError("a refused key: the mutant should run and leave the wrong master file") from None
    try:
        grade = graded(name, driver)
    finally:
        driver.sim.close()
    assert missed in {r.check.id for r in grade.results if not r.met}, "\n".join(grade.lines())


def test_docs_list_every_procedure_with_its_fixture() -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "appeals-tdc.md"
    if not path.is_file():
        pytest.skip("not a source checkout: docs/ is not here")
    doc = path.read_text(encoding="utf-8")
    for p in PROCEDURES.values():
        assert f"| `{p.name}` | `{p.fixture}` |" in doc, p.name
