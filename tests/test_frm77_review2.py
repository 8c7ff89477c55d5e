"""FRM77 input checks of the second IRM 25.25.6 review (decisions TPP-32 .. TPP-34).

* TC 971 AC 111 on a return whose UP 126 the IAT batch tool owns: IRM 25.25.6.5.4 (6) box 3
  ("If the unpostable was closed more than 7 days ago or the return is posted, DO NOT input a
  TC 971 AC 111"; "If the UP 126 RC "0" is still open, do not take any action").
* TC 971 AC 506 WI AM OTHER / WI PRP OTHER1 follows the AC 527 on ENMOD (IRM 25.25.6.6.3.1 (4)).
* No assistor TC 972 AC 124 on the batch tool's return (IRM 25.25.6.5.4 (1): "Assistors should
  not input the reversal marker"; "a systemic reversal will be input").
"""

from __future__ import annotations

import datetime as dt

import mf_builders as b
import pytest
from input_world import txns
from sqlalchemy import select

from idrs_sim.masterfile.models import Entity
from idrs_sim.rules import tpp_inputs, up126
from idrs_sim.testing import IdrsTest

TRAINEE = "1485012345"  # tpp-assistor
RIVO = "1486000101"  # rivo-examiner: not on the assistors' path


def _frm77(sim: IdrsTest, account: str, tc: str, ac: str, misc: str) -> str:
    sim.command(f"REQ77 {account}")
    sim.fill("TC", tc)
    sim.fill("TC971/151", ac)
    sim.fill("MISC", misc)
    sim.enter()
    return sim.message


def _sim(fixture: str, idrs: str = TRAINEE) -> IdrsTest:
    sim = IdrsTest(fixture=fixture, date="2024-06-17")
    sim.sign_on(idrs)
    return sim


# ---- finding 1: AC 111 after the batch's URC 0 closure ----------------------------------


def test_ac111_refused_when_batch_closed_the_up126_more_than_7_days_ago() -> None:
    """Closed URC 0 by 1483845470 on 05/28/2024, call on 06/17: 20 days -> refused, and the
    return posts on MFT 30 as the batch decided (the refused input changed nothing)."""
    sim = _sim("tpp/batch_valid_closed_urc0")
    try:
        message = _frm77(sim, "400-00-1125 30 202312", "971", "111", "76247045325014")
        assert message == up126.AC111_CLOSED_OVER_7_DAYS == "UNPOSTABLE CLOSED MORE THAN 7 DAYS AGO - DO NOT INPUT AC 111"
        assert [t for t in txns(sim, "400-00-1125", tc=971) if t["ac"] == 111] == []
        sim.cycle()
        assert [t["mft"] for t in txns(sim, "400-00-1125", tc=150, status="posted")] == ["30"]
        assert txns(sim, "400-00-1125", tc=976) == []
    finally:
        sim.close()


def test_ac111_still_taken_within_7_days_of_the_batch_closure() -> None:
    """Closed URC 0 on 06/14/2024, three days ago, the return not posted: the AC 111 is the input."""
    sim = _sim("tpp/batch_closed_urc0_not_filed")
    try:
        assert _frm77(sim, "400-00-1126 30 202312", "971", "111", "76247045326014") == "REQUEST COMPLETED"
    finally:
        sim.close()


def test_ac111_refused_while_the_batch_tool_owns_the_open_up126() -> None:
    sim = _sim("tpp/batch_tool_up126")
    try:
        assert _frm77(sim, "400-00-1009 30 202312", "971", "111", "76247045109014") == \
            "UP 126 ASSIGNED TO 1483845470 - DO NOT INPUT AC 111"
    finally:
        sim.close()


def test_ac111_batch_rule_binds_assistors_only() -> None:
    sim = _sim("tpp/batch_valid_closed_urc0", RIVO)
    try:
        assert _frm77(sim, "400-00-1125 30 202312", "971", "111", "76247045325014") == "REQUEST COMPLETED"
    finally:
        sim.close()


@pytest.mark.parametrize(("status", "urc", "closed", "posted", "expected"), [
    ("open", None, None, False, up126.AC111_BATCH_OPEN),
    ("closed", "0", dt.date(2024, 6, 10), False, None),  # 7 days: "within the last 7 days"
    ("closed", "0", dt.date(2024, 6, 9), False, up126.AC111_CLOSED_OVER_7_DAYS),
    ("closed", "0", dt.date(2024, 6, 14), True, up126.AC111_RETURN_POSTED),
    ("closed", "6", dt.date(2024, 5, 1), False, None),  # resolved as IDT by the batch: not this box
])
def test_batch_ac111_rule(status: str, urc: str | None, closed: dt.date | None, posted: bool,
                          expected: str | None) -> None:
    assert up126.batch_ac111_refusal(status=status, urc=urc, closed_on=closed, today=dt.date(2024, 6, 17),
                                     return_posted=posted) == expected


# ---- finding 2: the AC 506 literal follows the AC 527 -----------------------------------


@pytest.mark.parametrize(("fixture", "tin", "misc", "message"), [
    ("tpp/ac527_on_enmod", "400-00-1019", "WI PRP OTHER1", "MISC MUST BE WI AM OTHER - UNREVERSED TC 971 AC 527 ON ENMOD"),
    ("tpp/ac527_on_enmod", "400-00-1019", "WI AM OTHER", "REQUEST COMPLETED"),
    ("tpp/idt_return_up126_ty2023", "400-00-1017", "WI AM OTHER", "MISC MUST BE WI PRP OTHER1 - NO TC 971 AC 527 ON ENMOD"),
    ("tpp/idt_return_up126_ty2023", "400-00-1017", "WI PRP OTHER1", "REQUEST COMPLETED"),
    # WI PRP DDB (the other, unrelated MFJ taxpayer; the batch) is not this table's choice
    ("tpp/ac527_on_enmod", "400-00-1019", "WI PRP DDB", "REQUEST COMPLETED"),
    ("tpp/idt_return_up126_ty2023", "400-00-1017", "WI PRP DDB", "REQUEST COMPLETED"),
])
def test_ac506_literal_follows_the_ac527(fixture: str, tin: str, misc: str, message: str) -> None:
    sim = _sim(fixture)
    try:
        assert _frm77(sim, f"{tin} 30 202312", "971", "506", misc) == message
    finally:
        sim.close()


def test_ac506_literal_choice_binds_assistors_only() -> None:
    sim = _sim("tpp/ac527_on_enmod", RIVO)
    try:
        assert _frm77(sim, "400-00-1019 30 202312", "971", "506", "WI PRP OTHER1") == "REQUEST COMPLETED"
    finally:
        sim.close()


def _spouse_ac506(sim: IdrsTest, misc: str) -> str:
    """TC 971 AC 506 on the spouse's entity (no module of her own): SECONDARY-DT = the tax year."""
    sim.command("REQ77 400-00-1107")
    sim.fill("TC", "971")
    sim.fill("TC971/151", "506")
    sim.fill("MISC", misc)
    sim.fill("SECONDARY-DT", "12312023")
    sim.enter()
    return sim.message


def test_mfj_spouse_takes_the_callers_literal_on_both_accounts() -> None:
    """IRM 25.25.6.6.3.1 (4) box 1 MFJ bullet: the caller has an AC 527 -> WI AM OTHER "on both
    accounts", although the spouse's own ENMOD has none; without it on either: WI PRP OTHER1."""
    sim = _sim("tpp/idt_joint_return_related")
    try:
        assert _spouse_ac506(sim, "WI AM OTHER") == "MISC MUST BE WI PRP OTHER1 - NO TC 971 AC 527 ON ENMOD"
        with sim.sim.mf.unit_of_work() as s:
            alan = s.scalar(select(Entity).where(Entity.tin == "400-00-1106"))
            b.txn(s, alan, 971, ac=527, cycle="202334", dln="18277226106003")
        assert _spouse_ac506(sim, "WI AM OTHER") == "REQUEST COMPLETED"
        assert [t["misc"] for t in txns(sim, "400-00-1107", tc=971, ac=506)] == ["WI AM OTHER"]
    finally:
        sim.close()


def test_ac506_rule() -> None:
    assert tpp_inputs.ac506_literal_refusal("WI AM OTHER", False, (True,)) is None
    assert tpp_inputs.ac506_literal_refusal("WI AM OTHER", False, (False,)) == \
        "MISC MUST BE WI PRP OTHER1 - NO TC 971 AC 527 ON ENMOD"
    assert tpp_inputs.ac506_literal_refusal("WI SP OTHER", True) is None


# ---- finding 3: no assistor TC 972 AC 124 on the batch tool's return --------------------


@pytest.mark.parametrize(("fixture", "tin", "dln"), [
    ("tpp/batch_valid_closed_urc0", "400-00-1125", "76247045325014"),  # closed URC 0 by the batch
    ("tpp/batch_tool_up126", "400-00-1009", "76247045109014"),  # open, assigned to the batch
])
def test_tc972_ac124_refused_on_the_batch_tools_return(fixture: str, tin: str, dln: str) -> None:
    sim = _sim(fixture)
    try:
        assert _frm77(sim, f"{tin} 30 202312", "972", "124", dln) == up126.BATCH_REVERSES_AC124 == \
            "BATCH CASE - A SYSTEMIC TC 972 AC 124 WILL BE INPUT"
        assert txns(sim, tin, tc=972) == []
        assert _frm77(sim, f"{tin} 30 202312", "972", "124", "") == up126.BATCH_REVERSES_AC124  # blank MISC too
    finally:
        sim.close()


def test_tc972_ac124_still_taken_on_an_assistors_up126() -> None:
    """A UP 126 with the unpostable team (not the batch tool): the assistor reverses the AC 124."""
    sim = _sim("tpp/valid_return_up126")
    try:
        assert _frm77(sim, "400-00-1001 30 202312", "972", "124", "76247045101014") == "REQUEST COMPLETED"
    finally:
        sim.close()


def test_batch_owned_is_the_batch_tool_number_only() -> None:
    assert up126.batch_owned("1483845470", None) and up126.batch_owned(None, "1483845470")
    assert not up126.batch_owned("1485012345", "1485012345")  # a TPP assistor's own 148 number
