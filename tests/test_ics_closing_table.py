"""The ICS closing codes are stated once, in tables/ics_lists.yaml: each code's roles and the
evidence it needs (issue 18).  idrs_sim/ics/closing.py names the checks; these tests keep the
table and the checks in step (the behaviour of each code is in tests/test_ics_screens.py)."""

from __future__ import annotations

import pytest

from idrs_sim.ics import closing, config


def test_every_closing_code_names_known_evidence_or_the_analyst() -> None:
    codes = config.closing_codes()
    assert [c.n for c in codes] == [1, 2, 3, 4, 5, 6]
    for c in codes:
        assert c.analyst_approval or c.evidence, f"closing code {c.n} needs nothing"
        assert set(c.evidence) <= set(closing.EVIDENCE), c.n


def test_every_evidence_check_is_used_by_a_closing_code() -> None:
    used = {e for c in config.closing_codes() for e in c.evidence}
    assert used == set(closing.EVIDENCE)


def test_compliance_codes_need_full_compliance_and_the_return_first() -> None:
    """IRM 5.7.1.9 / catalogue A.14 #4: the compliance codes check the Full Compliance Check
    and the alert-quarter 941 before their own evidence (the order of the literals)."""
    for name in ("TP is in Compliance", "TP is Sporadic/Seasonal", "Brought into Compliance"):
        code = config.closing_code(name)
        assert code is not None and code.evidence[:2] == ("full_compliance", "return_secured"), name


def test_unknown_evidence_in_the_table_is_a_clear_error() -> None:
    class Case:
        status, mft, period = "open", "01", "202403"
        extra = {"fcc": [{"deposits": "Y", "returns": "Y", "balances": "Y"}]}

    class Entity:
        def module(self, mft: str, period: str) -> None:
            return None

    code = config.ClosingCode(9, "Made Up", (), ("ro",), False, ("crystal_ball",))
    with pytest.raises(ValueError, match="unknown evidence 'crystal_ball'"):
        closing.closing_problem(Case(), Entity(), code, "NARRATIVE")  # type: ignore[arg-type]
