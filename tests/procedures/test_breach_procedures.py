"""Every data-breach-indicator procedure (procedures/breach/*.txt) runs clean and leaves the
master file IRM 10.5.4.5.1.1 requires: the script checks the screens, `breach_outcomes`
checks `idrs-sim dump` (issue 17, fixes 3 and 4)."""

from __future__ import annotations

import pytest
from breach_outcomes import OUTCOMES

from idrs_sim.procedures import list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("breach")}


def test_every_procedure_has_a_dump_check_and_every_check_a_procedure() -> None:
    assert PROCEDURES and sorted(PROCEDURES) == sorted(OUTCOMES)


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    driver = run_procedure(PROCEDURES[name])
    try:
        OUTCOMES[name](driver.dump())
    finally:
        driver.sim.close()


def test_headers_name_their_fixture_and_irm_section() -> None:
    for p in PROCEDURES.values():
        assert p.irm_section.startswith("10.5.4.5"), p.name
        assert p.fixture == "tpp/ac505_data_breach" and p.actions and p.result, p.name
