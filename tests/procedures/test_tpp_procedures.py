"""Every TPP procedure script (procedures/tpp/*.txt) runs clean and leaves the master file
the IRM requires: the script checks the screens, `tpp_outcomes` checks `idrs-sim dump`."""

from __future__ import annotations

import pytest

from idrs_sim.procedures import list_procedures, run_procedure
from tpp_outcomes import OUTCOMES

PROCEDURES = {p.name: p for p in list_procedures("tpp")}


def test_there_are_at_least_thirty_procedures() -> None:
    assert len(PROCEDURES) >= 30


def test_every_procedure_has_a_dump_check_and_every_check_a_procedure() -> None:
    assert sorted(set(PROCEDURES) - set(OUTCOMES)) == []
    assert sorted(set(OUTCOMES) - set(PROCEDURES)) == []


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    driver = run_procedure(PROCEDURES[name])
    try:
        OUTCOMES[name](driver.dump())
    finally:
        driver.sim.close()


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
