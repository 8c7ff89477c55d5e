"""Derived account state: balance, freezes, module status, open TPP issue, pending items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import mf_builders as b
from idrs_sim.masterfile import derive
from idrs_sim.masterfile.models import PENDING, Entity, TaxModule
from mf_builders import AC052_DLN, DLN, DLN_DIGITS


@pytest.fixture
def s():
    mf = b.new_mf()
    with mf.unit_of_work() as session:
        yield session
        session.rollback()
    mf.dispose()


@pytest.fixture
def mod(s) -> TaxModule:
    return b.module(s, b.entity(s))


def _fresh(s, mod: TaxModule) -> TaxModule:
    s.flush()
    s.expire_all()
    return s.get(TaxModule, mod.id)


# --- balance ----------------------------------------------------------------------------------


def test_sign_table_debits_plus_credits_minus(s, mod) -> None:
    for tc, amount in [(150, "1000.00"), (290, "50.00"), (291, "20.00"), (806, "300.00"), (610, "100.00"),
                       (650, "10.00"), (670, "5.00"), (846, "7.00"), (840, "3.00"), (971, "999.00")]:
        b.txn(s, mod, tc, amount=amount, cycle="202410")
    assert derive.balance(_fresh(s, mod)) == Decimal("1000") + 50 - 20 - 300 - 100 - 10 - 5 + 7 + 3


def test_credit_stored_with_a_minus_sign_is_still_a_credit(s, mod) -> None:
    b.txn(s, mod, 806, amount="-300.00", cycle="202410")
    assert derive.balance(_fresh(s, mod)) == Decimal("-300.00")


def test_pending_transactions_do_not_count(s, mod) -> None:
    b.txn(s, mod, 670, amount="100.00", status=PENDING, cycle="202426")
    assert derive.balance(_fresh(s, mod)) == 0


# --- freezes --------------------------------------------------------------------------------


def test_ac129_sets_rivo_minus_r_released_by_later_tc290(s, mod) -> None:
    b.posted_return(s, mod)
    b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-R"] and derive.is_rivo_freeze(m, "-R")
    assert derive.refund_hold(m) == "-R"
    b.txn(s, mod, 290, cycle="202412")
    m = _fresh(s, mod)
    assert derive.freezes(m) == [] and derive.refund_hold(m) is None


@pytest.mark.parametrize("hold_code", [2, 3, 4])
def test_tc290_with_an_overpayment_hold_code_keeps_the_rivo_hold_and_sets_minus_k(s, mod, hold_code) -> None:
    """xMend with hold code "4" (IRM 25.25.6.5.5.2.3, income not verified): refund stays held."""
    b.posted_return(s, mod)
    b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
    b.txn(s, mod, 290, cycle="202412", extra={"hold_code": hold_code})
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-R", "-K"] and derive.refund_hold(m) == "-R"
    b.txn(s, mod, 290, cycle="202414", extra={"hold_code": 0})  # xMend hold code "0": released
    m = _fresh(s, mod)
    assert derive.freezes(m) == [] and derive.refund_hold(m) is None


def test_tc290_with_hold_code_0_or_1_releases_the_rivo_hold(s, mod) -> None:
    b.posted_return(s, mod)
    b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
    b.txn(s, mod, 290, cycle="202412", extra={"hold_code": 1})
    assert derive.refund_hold(_fresh(s, mod)) is None


def test_money_adjustment_with_hold_code_holds_the_overpayment_as_minus_k(s, mod) -> None:
    b.posted_return(s, mod)
    b.txn(s, mod, 291, amount="-100.00", cycle="202412", extra={"hold_code": 3, "reason_codes": ["001"]})
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-K"] and derive.refund_hold(m) == "-K"


def test_tc290_before_the_marker_releases_nothing(s, mod) -> None:
    b.txn(s, mod, 290, cycle="202408")
    b.txn(s, mod, 971, ac=134, cycle="202410")
    assert derive.freezes(_fresh(s, mod)) == ["-R"]


def test_ac129_can_carry_p_minus(s, mod) -> None:
    b.txn(s, mod, 971, ac=129, cycle="202410", extra={"freeze": "P-"})
    assert derive.freezes(_fresh(s, mod)) == ["P-"]


def test_reversed_ac129_still_holds_until_tc290(s, mod) -> None:
    """IRM 25.25.6.5.1.2.2(4), .2.3(4) box 1: TC 972 AC 129 is input and the refund is
    NOT released -- only the TC 290 .00 releases the RIVO -R."""
    b.posted_return(s, mod)
    marker = b.txn(s, mod, 971, ac=129, cycle="202410")
    marker.reversed_by_id = b.txn(s, mod, 972, ac=129, misc="100014_NONIDT", cycle="202411").id
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-R"] and derive.is_rivo_freeze(m, "-R")
    b.txn(s, mod, 290, cycle="202412")
    assert derive.freezes(_fresh(s, mod)) == []


def test_reversed_ac129_does_not_hold_a_return_that_posts_after_the_reversal(s, mod) -> None:
    """IRM 25.25.6.5.1.2.5: the AC 129 of a UP 147 return is reversed before Submission
    Processing releases the return; once it posts, its refund is not held."""
    marker = b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202408")
    marker.reversed_by_id = b.txn(s, mod, 972, ac=129, misc=DLN_DIGITS[-6:] + "_NONIDT", cycle="202426").id
    b.posted_return(s, mod, cycle="202428")
    m = _fresh(s, mod)
    assert derive.freezes(m) == [] and derive.refund_hold(m) is None


def test_returned_refund_stays_rivo_p_minus_after_the_ac129_reversal(s, mod) -> None:
    """External Leads (IRM 25.25.6.5.1.2.3): the TC 972 AC 129 ..._NONIDTBKLD does not turn
    the P- of the returned refund into a non-RIVO freeze: the TC 290 .00 still releases it."""
    b.posted_return(s, mod)
    b.txn(s, mod, 841, amount="100.00", cycle="202410")
    marker = b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS + "BKLD", cycle="202411")
    marker.reversed_by_id = b.txn(s, mod, 972, ac=129, misc=DLN_DIGITS[-6:] + "_NONIDTBKLD", cycle="202412").id
    assert derive.is_rivo_freeze(_fresh(s, mod), "P-")
    b.txn(s, mod, 290, cycle="202413")
    assert derive.freezes(_fresh(s, mod)) == []


def test_returned_refund_is_p_minus_rivo_only_with_ac129(s, mod) -> None:
    b.txn(s, mod, 841, amount="100.00", cycle="202410")
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["P-"] and not derive.is_rivo_freeze(m, "P-")
    b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS + "BKLD", cycle="202411")
    assert derive.is_rivo_freeze(_fresh(s, mod), "P-")


def test_tc810_rc4_is_minus_e_and_tc290_does_not_release_it(s, mod) -> None:
    b.txn(s, mod, 810, cycle="202410", extra={"rc": "4"})
    b.txn(s, mod, 290, cycle="202412")
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-E"] and not derive.is_rivo_freeze(m, "-E")


def test_tc570_is_non_rivo_minus_r_until_tc571(s, mod) -> None:
    t570 = b.txn(s, mod, 570, cycle="202410")
    assert [(f.code, f.rivo) for f in derive.freeze_details(_fresh(s, mod))] == [("-R", False)]
    t570.reversed_by_id = b.txn(s, mod, 571, cycle="202411").id
    assert derive.freezes(_fresh(s, mod)) == []


def test_duplicate_return_freezes(s) -> None:
    ent = b.entity(s)
    with_150 = b.module(s, ent, "30", "202312")
    b.txn(s, with_150, 150, amount="10.00", cycle="202410")
    b.txn(s, with_150, 976, cycle="202411")
    without_150 = b.module(s, ent, "30", "202212")
    b.txn(s, without_150, 976, cycle="202411")
    mft32 = b.module(s, ent, "32", "202312")
    b.txn(s, mft32, 976, cycle="202411")
    s.flush()
    s.expire_all()
    assert derive.freezes(s.get(TaxModule, with_150.id)) == ["-A"]
    assert derive.freezes(s.get(TaxModule, without_150.id)) == ["E-"]
    assert derive.freezes(s.get(TaxModule, mft32.id)) == []


def test_exam_and_bankruptcy_freezes(s, mod) -> None:
    b.txn(s, mod, 420, cycle="202410")
    b.txn(s, mod, 520, ac=62, cycle="202411")
    m = _fresh(s, mod)
    assert derive.freezes(m) == ["-L", "-V"]
    assert derive.module_status(m) == "72"


def test_entity_bankruptcy_holds_module_refunds_and_disaster_does_not(s, mod) -> None:
    """AC 688 sets -S, AC 087 -O (IRM 25.25.6.1.7.2.3; docs/decisions.md, rules layer): neither holds a refund."""
    ent = s.get(Entity, mod.entity_id)
    b.txn(s, ent, 971, ac=688, cycle="202410", secondary_date=dt.date(2024, 12, 31))
    m = _fresh(s, mod)
    assert derive.entity_freezes(m.entity, b.TODAY) == ["-S"] and derive.refund_hold(m) is None
    assert derive.entity_freezes(m.entity, dt.date(2025, 1, 2)) == []
    b.txn(s, ent, 520, ac=60, cycle="202411")
    m = _fresh(s, mod)
    assert derive.refund_hold(m) == "-V"


def test_ccc1_return_is_frozen_until_a_money_adjustment(s, mod) -> None:
    b.txn(s, mod, 150, amount="100.00", cycle="202410", extra={"ccc": "1"})
    b.txn(s, mod, 290, cycle="202411")  # .00 does not release it
    assert derive.freezes(_fresh(s, mod)) == ["-R"]
    b.txn(s, mod, 291, amount="40.00", cycle="202412")
    assert derive.freezes(_fresh(s, mod)) == []


# --- module status --------------------------------------------------------------------------


def test_module_status(s) -> None:
    ent = b.entity(s)
    stored = b.module(s, ent, "30", "202112", status="26")
    none = b.module(s, ent, "30", "202212")
    due = b.module(s, ent, "30", "202312")
    b.txn(s, due, 150, amount="100.00", cycle="202410")
    settled = b.module(s, ent, "30", "202012")
    b.posted_return(s, settled, tax="100.00", withholding="300.00")
    b.txn(s, settled, 846, amount="200.00", cycle="202411")
    credit = b.module(s, ent, "30", "201912")
    b.posted_return(s, credit, tax="100.00", withholding="300.00")
    s.flush()
    s.expire_all()
    assert [derive.module_status(s.get(TaxModule, m.id)) for m in (stored, none, due, settled, credit)] == [
        "26", "02", "21", "12", "10"
    ]


# --- open TPP issue ---------------------------------------------------------------------------


def _ent(s, mod) -> Entity:
    s.flush()
    s.expire_all()
    return s.get(Entity, mod.entity_id)


def test_open_up126_with_matching_ac124_is_an_open_issue(s, mod) -> None:
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
    b.unposted_return(s, mod)
    (issue,) = derive.open_tpp_issue(_ent(s, mod))
    assert (issue.kind, issue.mft, issue.period, issue.dln) == ("UP126", "30", "202312", DLN)
    assert "AC 124" in issue.detail


def test_unreversed_ac124_on_a_posted_return_is_not_an_issue(s, mod) -> None:
    """R01: the marker alone is not an open TPP issue."""
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
    b.posted_return(s, mod)
    b.txn(s, mod, 846, amount="3150.00", cycle="202411")
    assert derive.open_tpp_issue(_ent(s, mod)) == []


def test_ac129_with_held_refund_is_an_issue_but_filter_x_is_not(s) -> None:
    ent = b.entity(s)
    held = b.module(s, ent, "30", "202312")
    b.posted_return(s, held)
    b.txn(s, held, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
    filtered = b.module(s, ent, "30", "202212")
    b.posted_return(s, filtered, dln="29211045100099")
    b.txn(s, filtered, 971, ac=129, misc="FILTER X", cycle="202410")
    s.flush()
    s.expire_all()
    issues = derive.open_tpp_issue(s.get(Entity, ent.id))
    assert [(i.kind, i.period) for i in issues] == [("AC129-HELD", "202312")]


def test_ac129_1040x_marker_is_an_issue(s, mod) -> None:
    b.txn(s, mod, 971, ac=129, misc="29211045100014 1040X", cycle="202410")
    assert [i.kind for i in derive.open_tpp_issue(_ent(s, mod))] == ["AC129-1040X"]


# --- pending items and helpers ----------------------------------------------------------------


def test_pending_items_show_pn_rs_and_up(s, mod) -> None:
    b.txn(s, mod, 971, ac=850, status=PENDING, cycle="202426")
    b.txn(s, mod, 150, status=PENDING, cycle="202428", extra={"resequenced_052": "202426"})
    b.unposted_return(s, mod, dln="29211045100099")
    items = derive.pending_items(_fresh(s, mod))
    assert [(i.code, i.tc, i.cycle) for i in items] == [("PN", 971, "202426"), ("RS", 150, "202428"),
                                                         ("UP", 150, "202410")]
    assert items[2].label == "U126 0" and (items[2].upc, items[2].reason) == (126, 0)


def test_entity_pending_items(s, mod) -> None:
    ent = s.get(Entity, mod.entity_id)
    b.txn(s, ent, 971, ac=505, status=PENDING, cycle="202426")
    s.flush()
    s.expire_all()
    assert [i.label for i in derive.pending_items(s.get(Entity, ent.id))] == ["PN"]


def test_ac052_matching(s, mod) -> None:
    m = b.txn(s, mod, 971, ac=52, dln=AC052_DLN, cycle="202410")
    assert derive.ac052_matches(m, DLN)
    assert not derive.ac052_matches(m, "29211045100099")
    m.misc = "RRPIDT"
    assert not derive.ac052_matches(m, DLN)
    blank = b.txn(s, mod, 971, ac=52, cycle="202410")
    assert derive.ac052_matches(blank, DLN)


def test_misc_dln_and_tr() -> None:
    assert derive.misc_dln("29211-045-10001-4") == DLN_DIGITS
    assert derive.misc_dln(DLN_DIGITS + "BKLD") == DLN_DIGITS
    assert derive.misc_dln("IVO EL IDT") is None
    assert derive.marker_has_tr(DLN_DIGITS + "TR") and derive.marker_has_tr("DDB ARAP RULE TR")
    assert not derive.marker_has_tr(DLN_DIGITS)


def test_tc136_in_effect_until_tc137(s) -> None:
    ent = b.entity(s, "99-2000001", file="BMF")
    t136 = b.txn(s, ent, 136, cycle="202410")
    s.flush()
    assert derive.tc136_in_effect(ent)
    t136.reversed_by_id = b.txn(s, ent, 137, cycle="202411").id
    s.flush()
    s.expire_all()
    assert not derive.tc136_in_effect(s.get(Entity, ent.id))
