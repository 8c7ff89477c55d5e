"""Control bases IRM 25.25.6 prints to the letter (`rules.control_bases`, decision TPP-39):
opened with another status, category or assignee they were REQUEST COMPLETED and went to a
unit that does not work them (review of 2026-12-08)."""

from __future__ import annotations

import pytest

from idrs_sim.rules.control_bases import prescribed_control_problem
from idrs_sim.testing import IdrsTest

HOLD = "HOLD432RV CONTROL IS STATUS M, CATEGORY 32RV, TO 1487355555"


@pytest.mark.parametrize(("control", "assignee", "message"), [
    ("C#,HOLD432RV,A,32RV", "1487355555,*", HOLD),
    ("C#,HOLD432RV,M,HOLD", "1487355555,*", HOLD),
    ("C#,HOLD432RV,M,32RV", "1485012345,*", HOLD),
    ("C#,HOLD432RV,M,32RV", "1487355555,*", "REQUEST COMPLETED"),
])
def test_hold432rv_as_the_irm_prints_it(control: str, assignee: str, message: str) -> None:
    sim = IdrsTest(fixture="tpp/batch_tool_up126")
    try:
        sim.sign_on("1485012345")
        before = sim.dump()["entities"]
        sim.clear()
        sim.string("ACTON 400-00-1009 30 202312").newline().string(control).newline().string(assignee)
        sim.enter()
        assert sim.message == message
        if message != "REQUEST COMPLETED":
            assert sim.dump()["entities"] == before
    finally:
        sim.close()


def test_every_prescribed_control_and_its_closing() -> None:
    assert prescribed_control_problem("REQ_FRZRLS", "A", "FRPI", "1486907202") is None
    assert prescribed_control_problem("CRTTY", "A", "MISC", "1483145470") is None
    assert prescribed_control_problem("CRTTY", "A", "MISC", "1485012345") == (
        "CRTTY CONTROL IS STATUS A, CATEGORY MISC, TO 1483145470", ["ASSIGN-TO"])
    # closed by the unit that worked it, under its own number: only the category counts
    assert prescribed_control_problem("HOLD432RV", "C", "32RV", "1486000101") is None
    assert prescribed_control_problem("HOLD432RV", "C", "MISC", "1486000101") is not None
    assert prescribed_control_problem("IDTRTN", "C", "MISC", "1486000101") is None
