"""docs/command-reference.md is generated from commands/*.yaml and must be up to date."""

from __future__ import annotations

from idrs_sim import commands
from idrs_sim.tools import docgen


def test_command_reference_is_up_to_date() -> None:
    path = docgen.default_output()
    assert path.is_file(), "docs/command-reference.md is missing: run `python -m idrs_sim.tools.docgen`"
    assert path.read_text(encoding="utf-8") == docgen.render(), (
        "docs/command-reference.md is out of date: run `python -m idrs_sim.tools.docgen` (make docs)"
    )


def test_reference_lists_every_code_with_its_parts() -> None:
    text = docgen.render()
    for d in commands.definitions().values():
        assert f"### {d.code} — {d.title}" in text
        for syntax in d.syntax:
            assert f"`{syntax}`" in text
        for definer in d.definers:
            assert f"`{definer}` " in text
    assert "| definers (required) |" in text  # TXMOD, IMFOL, BMFOL


def test_check_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ref.md"
    assert docgen.main(["--output", str(out), "--check"]) == 1
    assert docgen.main(["--output", str(out)]) == 0
    assert docgen.main(["--output", str(out), "--check"]) == 0
