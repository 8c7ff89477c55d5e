"""Every data-breach-indicator procedure (procedures/breach/*.txt) names its fixture and IRM
paragraph; its outcome is its answer key (procedures/breach/*.yaml), graded with the other
exercises in test_exercises.py (issue 17, fixes 3 and 4)."""

from __future__ import annotations

from idrs_sim.grading.exercises import list_exercises
from idrs_sim.tools.procedures import list_procedures

PROCEDURES = {p.name: p for p in list_procedures("breach")}


def test_every_procedure_is_an_exercise() -> None:
    assert PROCEDURES and sorted(PROCEDURES) == sorted(e.short_name for e in list_exercises("breach"))


def test_headers_name_their_fixture_and_irm_section() -> None:
    for p in PROCEDURES.values():
        assert p.irm_section.startswith("10.5.4.5"), p.name
        assert p.fixture == "tpp/ac505_data_breach" and p.actions and p.result, p.name
