"""docs/tpp-procedures.md is generated from the procedure scripts and their fixtures."""

from __future__ import annotations

from idrs_sim.tools import catalogue
from idrs_sim.tools.procedures import list_procedures


def test_catalogue_is_up_to_date() -> None:
    path = catalogue.default_output()
    assert path.read_text(encoding="utf-8") == catalogue.render(), \
        "docs/tpp-procedures.md is stale: run python -m idrs_sim.tools.catalogue"


def test_catalogue_lists_every_procedure_with_its_fixture_and_irm() -> None:
    text = catalogue.render()
    for p in list_procedures("tpp"):
        assert f"| `{p.fixture}` | `{p.name}` |" in text
        assert f"*IRM {p.irm}* - script `procedures/tpp/{p.name}.txt`" in text


def test_check_mode_reports_a_stale_file(tmp_path) -> None:
    stale = tmp_path / "tpp-procedures.md"
    stale.write_text("old\n", encoding="utf-8")
    assert catalogue.main(["--check", "--output", str(stale)]) == 1
    assert catalogue.main(["--output", str(stale)]) == 0
    assert catalogue.main(["--check", "--output", str(stale)]) == 0
