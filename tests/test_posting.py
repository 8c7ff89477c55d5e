"""The posting run: one test per rule (IRM situation), plus idempotence and atomicity.

Time model: the clock stands in cycle C = 202425; input made now is due in C + 1 +
post-delay; `run_cycle(mf, X)` posts what is due in X.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from idrs_sim.masterfile import derive
from idrs_sim.masterfile.models import (
    DELETED,
    PENDING,
    POSTED,
    UNPOSTABLE,
    CycleRun,
    Entity,
    SimState,
    TaxModule,
    Transaction,
    Unpostable,
)
from idrs_sim.posting import CycleReport, advance_and_post, due_cycle_for, run_cycle
from idrs_sim.posting import context as posting_context
from idrs_sim.posting import refunds as posting_refunds
from idrs_sim.posting.calendar import cycle_start
from idrs_sim.posting.codes import UPC_MFT32_WINDOW, UPC_REVERSAL_NO_MATCH
from idrs_sim.posting.context import Rule, rules_in_order

import mf_builders as b
from mf_builders import AC052_DLN, DLN, DLN_DIGITS, EMPLOYEE


@pytest.fixture(autouse=True, params=["touched modules", "whole file"])
def refund_scope(request, monkeypatch) -> None:
    """Every test runs twice: issue_refunds sums only the modules touched in the run when
    there are few postings (every test here), and the whole file when there are many (as a
    bulk run does); both must give the same refunds and holds."""
    if request.param == "whole file":
        monkeypatch.setattr(posting_refunds, "_FEW_POSTINGS", 0)


@pytest.fixture
def mf(engine):
    m = b.new_mf()
    yield m
    m.dispose()


def _module(s, mod_id: int) -> TaxModule:
    return s.get(TaxModule, mod_id)


def _case(s, mod_id: int, upc: int | None = None) -> Unpostable:
    stmt = select(Unpostable).where(Unpostable.module_id == mod_id).order_by(Unpostable.id.desc())
    if upc is not None:
        stmt = stmt.where(Unpostable.upc == upc)
    return s.scalars(stmt).first()


def _refunds(s, mod_id: int) -> list[Transaction]:
    return b.txns_of(s, mod_id, 846)


# --- time model -------------------------------------------------------------------------------


def test_due_cycle_for_is_input_plus_one_plus_delay() -> None:
    assert due_cycle_for("202425") == "202426"
    assert due_cycle_for("202425", 1) == "202427"
    # Across the year end the count is of cycles that post (IMF 01-03, BMF 01-02 are dead):
    # a post-delay still puts the input a posting cycle after the rest (decision TPP-22).
    assert due_cycle_for("202452", 0) == "202504"
    assert due_cycle_for("202452", 1) == "202505"
    assert due_cycle_for("202452", 0, "BMF") == "202503"
    assert due_cycle_for("202451", 1) == "202504"


def test_advance_and_post_moves_clock_to_friday_and_runs(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret = b.pending_return(s, mod)
        ids = mod.id, ret.id
    reports = advance_and_post(mf, 2)
    assert [r.cycle for r in reports] == ["202426", "202427"]
    assert mf.clock.today() == cycle_start("202427") and mf.clock.today().weekday() == 4
    with mf.reading() as s:
        assert s.get(Transaction, ids[1]).posting_cycle == "202426"
        assert s.get(SimState, "clock").value.startswith("2024-06-28")


# --- returns and refunds ----------------------------------------------------------------------


def test_return_posts_with_withholding_and_refunds_by_direct_deposit(mf) -> None:
    """IRM 25.25.6.1.7 table: DD as filed when no AC 850."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.pending_return(s, mod, tax="9850.00", withholding="13000.00")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 150, None) in report.posted
    assert ("400-00-1001", "30", "202312", 806, None) in report.posted
    assert report.refunds == [("400-00-1001", "30", "202312", Decimal("3150.00"), "direct_deposit")]
    with mf.reading() as s:
        m = _module(s, mod_id)
        (refund,) = _refunds(s, mod_id)
        assert refund.amount == Decimal("3150.00") and refund.posting_cycle == "202426"
        assert derive.balance(m) == 0
        assert derive.module_status(m) == "12"


def test_return_with_balance_due_gets_no_refund(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.pending_return(s, mod, tax="5000.00", withholding="4000.00")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert report.refunds == []
    with mf.reading() as s:
        assert derive.balance(_module(s, mod_id)) == Decimal("1000.00")
        assert derive.module_status(_module(s, mod_id)) == "21"


def test_ac850_posted_in_an_earlier_cycle_flips_refund_to_check(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=850, cycle="202420")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.refunds[0][4] == "check"


def test_ac850_posting_in_the_same_cycle_does_not_flip(mf) -> None:
    """Rules see only earlier cycles when choosing the refund method (tpp-rules §6.1)."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.pending(s, mod, 971, ac=850)
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 971, 850) in report.posted
    assert report.refunds[0][4] == "direct_deposit"


def test_paper_return_without_dd_gets_a_check(mf) -> None:
    with mf.unit_of_work() as s:
        b.pending_return(s, b.module(s, b.entity(s)), dd=False)
    assert run_cycle(mf, "202426").refunds[0][4] == "check"


# --- UP 126 RC 0 ------------------------------------------------------------------------------


def test_return_goes_up_126_rc0_when_ac124_carries_its_dln(mf) -> None:
    """IRM 25.25.6.1.7: TC 971 AC 124 with the return's DLN in MISC -> UP 126 RC 0."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        ret = b.pending_return(s, mod)
        mod_id, ret_id = mod.id, ret.id
    report = run_cycle(mf, "202426")
    assert report.unposted == [("400-00-1001", "30", "202312", 150, 126, 0)]
    assert report.refunds == [] and all(p[3] != 806 for p in report.posted)
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).status == UNPOSTABLE
        case = _case(s, mod_id)
        assert (case.upc, case.reason, case.status) == (126, 0, "open")
        assert len(case.seq) == 9 and case.seq.isdigit()
        assert case.original_cycle == "202426" and case.status_date == cycle_start("202426")
        assert case.assigned == posting_context.DEFAULT_UNPOSTABLE_ASSIGNEE
        assert case.document["tax"] == "9850.00" and case.dln == DLN
        assert [p.label for p in derive.pending_items(_module(s, mod_id))] == ["U126 0"]
        assert derive.open_tpp_issue(s.get(Entity, case.entity_id))[0].kind == "UP126"


def test_ac121_holds_the_return_too(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=121, misc=DLN, cycle="202408")
        b.pending_return(s, mod)
    assert run_cycle(mf, "202426").unposted[0][4:] == (126, 0)


@pytest.mark.parametrize(
    "misc, reversed_",
    [("29211045100099", False), (DLN_DIGITS + "TR", False), (DLN_DIGITS, True)],
    ids=["other-dln", "tr-marker", "reversed"],
)
def test_return_posts_when_no_unreversed_marker_carries_its_dln(mf, misc, reversed_) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        marker = b.txn(s, mod, 971, ac=124, misc=misc, cycle="202408")
        if reversed_:
            rev = b.txn(s, mod, 972, ac=124, misc=misc, cycle="202409")
            marker.reversed_by_id = rev.id
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.unposted == [] and len(report.refunds) == 1


def test_unpostable_sequence_continues_from_the_highest_on_file(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.unposted_return(s, mod, seq="000000107", dln="29211045100077")
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        b.pending_return(s, mod)
        s.add(SimState(key="unpostable_assignee.126", value="0912999999"))
        mod_id = mod.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        case = _case(s, mod_id)
        assert case.seq == "000000108" and case.assigned == "0912999999"


def test_return_names_its_unpostable_up_147(mf) -> None:
    """IRM 25.25.6.5.1.2.5: UP 147 for a non-TPP reason, modelled from the document."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202408")
        b.pending_return(s, mod, unpostable={"code": 147, "reason": 0})
        ent_id = mod.entity_id
    assert run_cycle(mf, "202426").unposted[0][4:] == (147, 0)
    with mf.reading() as s:
        assert [i.kind for i in derive.open_tpp_issue(s.get(Entity, ent_id))] == ["AC129-UP147"]


# --- TC 972 reversals -----------------------------------------------------------------------


def test_tc972_reverses_the_ac124_with_the_matching_dln(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        first = b.txn(s, mod, 971, ac=124, misc="29211045100099", cycle="202408")
        second = b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        rev = b.pending(s, mod, 972, ac=124, misc=DLN_DIGITS)
        ids = first.id, second.id, rev.id
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 972, 124) in report.posted
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).reversed_by_id is None
        assert s.get(Transaction, ids[1]).reversed_by_id == ids[2]


def test_tc972_ac129_matches_on_the_last_six_dln_digits(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        other = b.txn(s, mod, 971, ac=129, misc="29211045100099", cycle="202408")
        mine = b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202409")
        rev = b.pending(s, mod, 972, ac=129, misc=DLN_DIGITS[-6:] + "_NONIDT")
        ids = other.id, mine.id, rev.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).reversed_by_id is None
        assert s.get(Transaction, ids[1]).reversed_by_id == ids[2]


def test_entity_level_tc972_reverses_entity_level_tc971(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        orig = b.txn(s, ent, 971, ac=505, cycle="202401")
        rev = b.pending(s, ent, 972, ac=505)
        ids = orig.id, rev.id
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", None, None, 972, 505) in report.posted
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).reversed_by_id == ids[1]


def test_tc972_with_nothing_to_reverse_goes_unpostable(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        b.pending(s, mod, 972, ac=129, misc="100014_NONIDT")
    report = run_cycle(mf, "202426")
    assert report.unposted == [("400-00-1001", "30", "202312", 972, *UPC_REVERSAL_NO_MATCH)]


# --- UPRES resolutions ------------------------------------------------------------------------


def _up126_with_ac850(s, *, release_cycle: str | None):
    """UP 126 RC 0 open; the assistor inputs TC 971 AC 850 and UPRES URC 0 in 202425."""
    mod = b.module(s, b.entity(s))
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
    ret, case = b.unposted_return(s, mod)
    b.pending(s, mod, 971, ac=850)
    b.resolve(s, case, "0", release_cycle=release_cycle)
    return mod.id, ret.id, case.id


def test_upres_rel_cyc_plus_two_lets_ac850_flip_the_refund(mf) -> None:
    """tpp-rules §6.1: REL CYC = current + 2 (202425 -> 202427) when AC 850 is input."""
    with mf.unit_of_work() as s:
        mod_id, ret_id, case_id = _up126_with_ac850(s, release_cycle="202427")
    first = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 971, 850) in first.posted and first.released == []
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).status == UNPOSTABLE
        assert s.get(Unpostable, case_id).status == "open"
    second = run_cycle(mf, "202427")
    assert second.released == [("000000101", "0")]
    assert second.refunds == [("400-00-1001", "30", "202312", Decimal("3150.00"), "check")]
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).status == POSTED
        assert s.get(Unpostable, case_id).status == "closed"


@pytest.mark.parametrize("release_cycle", ["202426", None], ids=["rel-cyc-plus-one", "rel-cyc-blank"])
def test_upres_rel_cyc_too_early_lets_the_direct_deposit_out(mf, release_cycle) -> None:
    with mf.unit_of_work() as s:
        _up126_with_ac850(s, release_cycle=release_cycle)
    report = run_cycle(mf, "202426")
    assert report.released == [("000000101", "0")]
    assert report.refunds[0][4] == "direct_deposit"


def test_urc_0_released_return_bypasses_the_still_unreversed_ac124(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        _, case = b.unposted_return(s, mod)
        b.pending(s, mod, 972, ac=124, misc=DLN_DIGITS)
        b.resolve(s, case, "0")
        ent_id = mod.entity_id
    report = run_cycle(mf, "202426")
    assert report.unposted == [] and len(report.refunds) == 1
    with mf.reading() as s:
        assert derive.open_tpp_issue(s.get(Entity, ent_id)) == []


def test_urc_6_with_corrected_tin_posts_on_that_tin(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        other = b.entity(s, "400-00-2002", name_control="JONE")
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", corrected_tin="400-00-2002")
        ids = ret.id, other.id
    report = run_cycle(mf, "202426")
    assert ("400-00-2002", "30", "202312", 150, None) in report.posted
    assert report.refunds[0][0] == "400-00-2002"
    with mf.reading() as s:
        moved = s.get(Transaction, ids[0])
        assert moved.entity_id == ids[1] and moved.module.mft == "30" and moved.status == POSTED


def test_urc_6b_creates_the_established_entity(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        _, case = b.unposted_return(s, mod, name_control="NEWF")
        b.resolve(s, case, "6B", corrected_tin="400-00-3003")
    report = run_cycle(mf, "202426")
    assert ("400-00-3003", "30", "202312", 150, None) in report.posted
    with mf.reading() as s:
        ent = s.scalar(select(Entity).where(Entity.tin == "400-00-3003"))
        assert ent.established and ent.file == "IMF" and ent.name_control == "NEWF"


def test_urc_6_to_a_tin_not_on_file_is_not_posted(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", corrected_tin="400-00-3003")
        ids = ret.id, case.id
    report = run_cycle(mf, "202426")
    assert report.posted == [] and report.released == []
    with mf.reading() as s:
        case = s.get(Unpostable, ids[1])
        assert case.status == "open" and case.urc is None
        assert "USE URC 6B" in case.history[-1].text


def test_urc_6_ccc_1_posts_with_the_refund_frozen(mf) -> None:
    """IRM 25.25.6.2.2.1.1: TP sent a 1040X -> URC 6 CCC 1, refund frozen."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        _, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", ccc="1")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert report.refunds == [] and report.held == [("400-00-1001", "30", "202312", "-R")]
    with mf.reading() as s:
        m = _module(s, mod_id)
        assert derive.freezes(m) == ["-R"] and not derive.is_rivo_freeze(m, "-R")


def test_urc_d_deletes_the_return(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "D")
        ids = ret.id, case.id, mod.id
    report = run_cycle(mf, "202426")
    assert report.released == [("000000101", "D")] and report.posted == []
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).status == DELETED
        assert s.get(Unpostable, ids[1]).status == "closed"
        assert derive.pending_items(_module(s, ids[2])) == []


def test_resolution_before_its_cycle_waits(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        _, case = b.unposted_return(s, mod)
        b.resolve(s, case, "0", on=dt.date(2024, 6, 17))  # cycle 202425
    assert run_cycle(mf, "202425").released == []  # too early: acts in the cycle after
    assert run_cycle(mf, "202426").released == [("000000101", "0")]


def test_historical_closed_case_is_never_reposted(mf) -> None:
    """A fixture's closed UP 126 (URC 0 long ago, return posted) needs no action."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret = b.posted_return(s, mod, cycle="202412")
        b.txn(s, mod, 846, amount="3150.00", cycle="202413")
        s.add(Unpostable(seq="000000055", entity_id=mod.entity_id, module_id=mod.id, txn_id=ret.id, upc=126,
                         reason=0, dln=DLN, status="closed", urc="0", resolved_date=dt.date(2024, 3, 1),
                         assigned="1483845470"))
        ids = ret.id, mod.id
    report = run_cycle(mf, "202426")
    assert report.posted == [] and report.released == []
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).posting_cycle == "202412"
        assert len(_refunds(s, ids[1])) == 1


def test_first_time_filer_return_establishes_the_entity(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s, established=False)
        mod = b.module(s, ent)
        _, case = b.unposted_return(s, mod)
        b.resolve(s, case, "0")
        ent_id = ent.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        assert s.get(Entity, ent_id).established


# --- TC 290 .00 release -----------------------------------------------------------------------


def _held_by_ac129(s):
    """Return posted in 202410 with a 3,150 credit, refund held by RIVO -R (AC 129)."""
    mod = b.module(s, b.entity(s))
    b.posted_return(s, mod)
    b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
    return mod


def test_tc290_zero_post_delayed_one_cycle_releases_with_ac850_as_check(mf) -> None:
    """R54: AC 850 + TC 290 .00 with post-delay 1 -> refund released as a paper check."""
    with mf.unit_of_work() as s:
        mod = _held_by_ac129(s)
        b.pending(s, mod, 971, ac=850)
        b.pending(s, mod, 290, post_delay=1)
        mod_id = mod.id
    first = run_cycle(mf, "202426")
    assert first.refunds == [] and first.held == [("400-00-1001", "30", "202312", "-R")]
    second = run_cycle(mf, "202427")
    assert ("400-00-1001", "30", "202312", 290, None) in second.posted
    assert second.refunds == [("400-00-1001", "30", "202312", Decimal("3150.00"), "check")]
    with mf.reading() as s:
        assert derive.freezes(_module(s, mod_id)) == []


def test_tc290_zero_without_post_delay_releases_as_direct_deposit(mf) -> None:
    with mf.unit_of_work() as s:
        mod = _held_by_ac129(s)
        b.pending(s, mod, 971, ac=850)
        b.pending(s, mod, 290)
    report = run_cycle(mf, "202426")
    assert report.refunds[0][3:] == (Decimal("3150.00"), "direct_deposit")


def test_tc290_zero_does_not_release_a_non_rivo_freeze(mf) -> None:
    """tpp-rules §9.11: -E (TC 810 RC 4) stays after TC 290 .00."""
    with mf.unit_of_work() as s:
        mod = _held_by_ac129(s)
        b.txn(s, mod, 810, cycle="202410", extra={"rc": "4"})
        b.pending(s, mod, 290)
    report = run_cycle(mf, "202426")
    assert report.refunds == [] and report.held == [("400-00-1001", "30", "202312", "-E")]


def test_new_return_with_posted_ac129_is_held(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202420")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.refunds == [] and report.held[0][3] == "-R"


# --- AC 052 resequence ---------------------------------------------------------------------


def test_ac052_resequences_the_released_return_two_cycles(mf) -> None:
    """IRM 25.25.6.1.7: after the UP 126 is resolved the 14-day resequence applies."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        b.txn(s, mod, 971, ac=52, dln=AC052_DLN, cycle="202408")
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "0")
        mod_id, ret_id = mod.id, ret.id
    first = run_cycle(mf, "202426")
    assert first.released == [("000000101", "0")]
    assert first.resequenced == [("400-00-1001", "30", "202312", 150, "202428")]
    with mf.reading() as s:
        assert [p.label for p in derive.pending_items(_module(s, mod_id))] == ["RS"]
    assert run_cycle(mf, "202427").posted == []
    third = run_cycle(mf, "202428")
    assert ("400-00-1001", "30", "202312", 150, None) in third.posted
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).posting_cycle == "202428"


def test_ac052_resequences_a_return_without_tpp_hold(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=52, dln=AC052_DLN, cycle="202420")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.resequenced and report.posted == []


def test_ac052_rrpidt_or_other_dln_does_not_resequence(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=52, misc="RRPIDT", cycle="202420")
        b.txn(s, mod, 971, ac=52, dln="29277045100994", cycle="202420")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.resequenced == [] and len(report.refunds) == 1


# --- MFT 32 moves ---------------------------------------------------------------------------


def _idt_return_up126(s, *, input_cycle: str, post_delay: int = 0):
    mod = b.module(s, b.entity(s))
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202440")
    ret, case = b.unposted_return(s, mod, cycle="202440")
    ac111 = b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS, input_cycle=input_cycle, post_delay=post_delay)
    return mod.id, ret.id, case.id, ac111.id


def test_ac111_input_in_cycle_45_moves_the_return_to_mft32(mf) -> None:
    """IRM 25.25.6.5.4: AC 111 posts -> TC 976 on MFT 32, UP 126 closed URC 6 CCC 3."""
    with mf.unit_of_work() as s:
        mod_id, ret_id, case_id, _ = _idt_return_up126(s, input_cycle="202445")
    report = run_cycle(mf, "202446")
    assert ("400-00-1001", "30", "202312", 971, 111) in report.posted
    assert ("400-00-1001", "32", "202312", 976, None) in report.posted
    assert report.moved == [("400-00-1001", "202312", DLN, "30", "32")]
    with mf.reading() as s:
        ret = s.get(Transaction, ret_id)
        assert (ret.tc, ret.status, ret.module.mft) == (976, POSTED, "32")
        case = s.get(Unpostable, case_id)
        assert (case.status, case.urc, case.ccc) == ("closed", "6", "3")
        assert derive.freezes(ret.module) == []  # MFT 32 holds nothing


def test_ac111_input_in_cycle_47_unposts_back_to_the_employee(mf) -> None:
    """tpp-rules §6.1: cycles 47-52 no move to/from MFT 32; reassigned to the initiator."""
    with mf.unit_of_work() as s:
        mod_id, ret_id, case_id, ac111_id = _idt_return_up126(s, input_cycle="202447")
    report = run_cycle(mf, "202448")
    assert report.unposted == [("400-00-1001", "30", "202312", 971, *UPC_MFT32_WINDOW)]
    with mf.reading() as s:
        assert s.get(Transaction, ac111_id).status == UNPOSTABLE
        new_case = s.scalar(select(Unpostable).where(Unpostable.txn_id == ac111_id))
        assert new_case.assigned == EMPLOYEE
        assert s.get(Unpostable, case_id).status == "open"
        assert s.get(Transaction, ret_id).module.mft == "30"


@pytest.mark.parametrize(("input_cycle", "post_delay", "posts_in"), [("202446", 0, "202447"), ("202446", 2, "202449")])
def test_ac111_input_before_47_that_posts_in_47_to_52_unposts(mf, input_cycle, post_delay, posts_in) -> None:
    """IRM 25.25.6.2.1.1 (1) Caution: "During Cycles 202447 - 202452, NO CURRENT OR PRIOR
    YEAR tax returns can be moved to or from the MFT 32 module": the move would post in
    `posts_in`, so the AC 111 unposts there whatever cycle it was input in (repro e5)."""
    with mf.unit_of_work() as s:
        mod_id, ret_id, case_id, ac111_id = _idt_return_up126(s, input_cycle=input_cycle, post_delay=post_delay)
    report = run_cycle(mf, posts_in)
    assert report.unposted == [("400-00-1001", "30", "202312", 971, *UPC_MFT32_WINDOW)]
    assert report.moved == []
    with mf.reading() as s:
        assert s.get(Transaction, ac111_id).status == UNPOSTABLE
        assert s.scalar(select(Unpostable).where(Unpostable.txn_id == ac111_id)).assigned == EMPLOYEE
        assert s.get(Unpostable, case_id).status == "open"
        assert s.get(Transaction, ret_id).module.mft == "30"


def test_ac111_input_in_cycle_52_that_posts_after_the_window_moves(mf) -> None:
    """Input in 202452 posts in 202504 (IMF 01-03 are dead): outside the window, it moves."""
    with mf.unit_of_work() as s:
        _idt_return_up126(s, input_cycle="202452")
    report = run_cycle(mf, "202504")
    assert report.unposted == []
    assert report.moved == [("400-00-1001", "202312", DLN, "30", "32")]


def test_ac111_after_a_merge_goes_up_168(mf) -> None:
    with mf.unit_of_work() as s:
        mod_id, *_ = _idt_return_up126(s, input_cycle="202425")
        b.txn(s, s.get(TaxModule, mod_id).entity, 6, cycle="202405")
    report = run_cycle(mf, "202426")
    assert report.unposted == [("400-00-1001", "30", "202312", 971, 168, 0)]


def test_upres_urc_6_ccc_3_moves_to_mft32(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", ccc="3")
        ret_id = ret.id
    report = run_cycle(mf, "202426")
    assert report.moved and report.refunds == []
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).module.mft == "32"


def test_upres_urc_6_ccc_3_in_cycle_47_unposts_to_the_resolver(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", ccc="3", on=cycle_start("202447"), by="1485099999")
        ret_id = ret.id
    report = run_cycle(mf, "202448")
    assert report.unposted[0][4:] == UPC_MFT32_WINDOW
    with mf.reading() as s:
        case = s.scalar(select(Unpostable).where(Unpostable.txn_id == ret_id, Unpostable.status == "open"))
        assert case.assigned == "1485099999"


@pytest.mark.parametrize("release_cycle", ["202447", None])
def test_upres_urc_6_ccc_3_resolved_in_46_acted_on_in_47_unposts(mf, release_cycle) -> None:
    """The move posts when the run acts on the resolution (REL CYC 47, or blank: the cycle
    after the resolution): in the window it unposts to the resolver (repro e6, IRM
    25.25.6.2.1.1 (1) Caution), though the UPRES was made in cycle 46."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", ccc="3", release_cycle=release_cycle, on=cycle_start("202446"), by="1485099999")
        ret_id = ret.id
    report = run_cycle(mf, "202447")
    assert report.moved == []
    assert report.unposted[0][4:] == UPC_MFT32_WINDOW
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).module.mft == "30"
        case = s.scalar(select(Unpostable).where(Unpostable.txn_id == ret_id, Unpostable.status == "open"))
        assert case.assigned == "1485099999"


def test_upres_urc_6_ccc_3_resolved_in_45_acted_on_in_46_moves(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "6", ccc="3", on=cycle_start("202445"))
    report = run_cycle(mf, "202446")
    assert report.unposted == [] and report.moved


def test_ac111_on_mft32_moves_the_valid_return_back_and_refunds(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        b.module(s, ent, "30")
        m32 = b.module(s, ent, "32")
        ret = b.txn(s, m32, 976, amount="9850.00", cycle="202420", dln=DLN, document=b.return_doc())
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
        ret_id = ret.id
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 150, None) in report.posted
    assert report.refunds[0][3:] == (Decimal("3150.00"), "direct_deposit")
    with mf.reading() as s:
        assert s.get(Transaction, ret_id).module.mft == "30"


def test_return_moved_back_beside_a_posted_idt_return_gets_minus_a(mf) -> None:
    """IRM 25.25.6.5.2.4: -A freeze when the return reaches MFT 30 with an IDT return there."""
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        m30 = b.module(s, ent, "30")
        b.posted_return(s, m30, dln="29211045100099", tax="1000.00", withholding="6000.00")
        b.txn(s, m30, 846, amount="5000.00", cycle="202411")
        m32 = b.module(s, ent, "32")
        b.txn(s, m32, 976, amount="9850.00", cycle="202420", dln=DLN, document=b.return_doc())
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
        m30_id = m30.id
    report = run_cycle(mf, "202426")
    assert ("400-00-1001", "30", "202312", 976, None) in report.posted
    with mf.reading() as s:
        assert "-A" in derive.freezes(_module(s, m30_id))


# --- dead cycles and BMF ---------------------------------------------------------------------


def test_dead_cycles_post_nothing_until_the_first_live_cycle() -> None:
    """IRM 3.30.123.4.7: IMF 01-03 and BMF 01-02 are dead; due items wait."""
    mf = b.new_mf(dt.date(2024, 12, 20))  # cycle 202452
    with mf.unit_of_work() as s:
        imf = b.module(s, b.entity(s))
        b.pending(s, imf, 971, ac=850, input_cycle="202452")
        bmf = b.module(s, b.entity(s, "99-2000001", file="BMF"), "01", "202412")
        b.pending(s, bmf, 670, amount="500.00", input_cycle="202452")
    reports = advance_and_post(mf, 4)
    assert [r.cycle for r in reports] == ["202501", "202502", "202503", "202504"]
    assert [len(r.posted) for r in reports] == [0, 0, 1, 1]
    assert reports[0].dead_files == ("IMF", "BMF") and reports[2].dead_files == ("IMF",)
    assert reports[2].posted[0][0] == "99-2000001" and reports[3].posted[0][0] == "400-00-1001"
    mf.dispose()


def test_bmf_deposits_and_ftd_codes_post(mf) -> None:
    """BMF from the start: MFT 01 quarterly module; TC 650/670 credits; TC 136/137,
    590/591/599 and TC 971 AC 046/804 post (FTD Alerts, IRM 5.7.1)."""
    with mf.unit_of_work() as s:
        ent = b.entity(s, "99-2000001", file="BMF")
        q2 = b.module(s, ent, "01", "202406")
        b.pending(s, q2, 650, amount="12000.00")
        b.pending(s, q2, 670, amount="300.00")
        b.pending(s, q2, 971, ac=46)
        b.pending(s, q2, 971, ac=804, misc="CP239")
        b.pending(s, q2, 590, ac=50)
        t136 = b.txn(s, ent, 136, cycle="202410")
        b.pending(s, ent, 137)
        b.pending(s, ent, 591, ac=50)
        b.pending(s, ent, 599, ac=1)
        ids = q2.id, t136.id, ent.id
    report = run_cycle(mf, "202426")
    assert len(report.posted) == 8 and report.unposted == [] and report.refunds == []
    with mf.reading() as s:
        q2 = _module(s, ids[0])
        assert derive.balance(q2) == Decimal("-12300.00")
        assert derive.module_status(q2) == "02"  # no return posted yet
        assert s.get(Transaction, ids[1]).reversed_by_id is not None
        assert not derive.tc136_in_effect(s.get(Entity, ids[2]))


def test_rules_are_a_named_ordered_list_with_room_for_ftd_alerts() -> None:
    names = [r.name for r in rules_in_order()]
    assert names[0] == "release_resolutions" and "issue_refunds" in names
    orders = [r.order for r in rules_in_order()]
    assert orders == sorted(orders)
    # 900 is reserved for ftd_alerts (idrs_sim/posting/ftd_alerts.py, registered once it is loaded)
    assert all(r.name == "ftd_alerts" for r in rules_in_order() if r.order == 900)


# --- idempotence and atomicity ---------------------------------------------------------------


def test_running_a_cycle_twice_posts_nothing_twice(mf) -> None:
    with mf.unit_of_work() as s:
        b.pending_return(s, b.module(s, b.entity(s)))
    first = run_cycle(mf, "202426")
    with mf.reading() as s:
        count = s.scalar(select(func.count()).select_from(Transaction))
    second = run_cycle(mf, "202426")
    assert len(first.posted) == 3 and second.already_ran and second.posted == []
    with mf.reading() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == count
        assert s.get(CycleRun, "202426").posted == 3


def _boom(ctx) -> None:
    raise RuntimeError("rule failed")


def test_a_failing_rule_leaves_the_master_file_unchanged(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 971, ac=124, misc="29211045100099", cycle="202408")
        ret = b.pending_return(s, mod)
        _, case = b.unposted_return(s, mod, dln="29211045100099")
        b.resolve(s, case, "0")
        ids = ret.id, case.id
    with mf.reading() as s:
        before = s.scalar(select(func.count()).select_from(Transaction))
    failing = [*rules_in_order(), Rule("boom", 150, _boom)]
    failing.sort(key=lambda r: r.order)
    with pytest.raises(RuntimeError):
        run_cycle(mf, "202426", rules=failing)
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).status == PENDING
        assert s.get(Unpostable, ids[1]).status == "open" and not s.get(Unpostable, ids[1]).released
        assert s.scalar(select(func.count()).select_from(Transaction)) == before  # no TC 806 left
        assert s.get(CycleRun, "202426") is None
    # the clean run still does everything: the first return with its TC 806, the second a TC
    # 976 (a second return on the module: returns.duplicate_returns), and -A holds the refund
    clean = run_cycle(mf, "202426")
    assert sorted(p[3] for p in clean.posted) == [150, 806, 976] and clean.refunds == []


def test_advance_and_post_keeps_the_clock_when_the_run_fails(mf, monkeypatch) -> None:
    monkeypatch.setitem(posting_context.RULES, "boom", Rule("boom", 150, _boom))
    before = mf.clock.now()
    with pytest.raises(RuntimeError):
        advance_and_post(mf)
    assert mf.clock.now() == before


def test_report_summary_is_one_line(mf) -> None:
    report = CycleReport(cycle="202426")
    assert report.summary().startswith("CYCLE 202426: 0 POSTED")
