"""Issue 17: five places where doing exactly what the IRM says gave the wrong account.

1. TC 971 AC 111 with the DLN of a batch-closed (URC 0, not yet posted) identity-theft
   return keeps it off MFT 30: it goes to MFT 32, no TC 846 (IRM 25.25.6.5.4 (6) box 3).
2. TC 971 AC 111 on MFT 32 for TY 2021 and prior (processing year 2024) is refused on
   FRM77 and unposts at posting (IRM 25.25.6.5.5.3 (2) box 2; 25.25.6.2.2.1 (4) box 5).
3. TC 972 AC 505 reverses the breach indicator named by breach date / number, never the
   first one; none fits -> refused / unpostable (IRM 10.5.4.5.1.1 (6)-(7), Exh. 10.5.4-3).
4. One breach number, one indicator (IRM 10.5.4.5.1.1 (6)).
5. A return whose UP 126 was closed URC 0 posts although the AC 124 is still unreversed
   (IRM 25.25.6.5.4 (1) box 3) -- the fixture tpp/batch_valid_closed_urc0.
Pure rules: idrs_sim/rules/{mft32,breach,up126}.py, tested in tests/test_rules_irm.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import mf_builders as b
import pytest
from input_world import PGLD, TIN, TRAINEE, signed_on, txns
from mf_builders import DLN, DLN_DIGITS
from sqlalchemy import select

from idrs_sim.masterfile.models import (
    POSTED,
    UNPOSTABLE,
    TaxModule,
    Transaction,
    Unpostable,
)
from idrs_sim.posting import run_cycle
from idrs_sim.posting.codes import UPC_MFT32_WINDOW, UPC_REVERSAL_NO_MATCH

TIN_ = "400-00-1001"

# Only names that existed before the fix are imported, so that this file runs (and fails)
# on the code before it.  The codes and literals are decisions I17-2..4 (docs/decisions.md).
UPC_AC111_PRIOR_YEAR = UPC_MFT32_WINDOW  # UNP 1735, like the cycle 47-52 AC 111
NO_MATCHING_AC505 = "NO UNREVERSED TC 971 AC 505 WITH THIS BREACH DATE/NUMBER"
AC505_AMBIGUOUS = "MORE THAN ONE AC 505 - ENTER ITS BREACH DATE IN SECONDARY-DT"
DUPLICATE_BREACH = "BREACH NUMBER ALREADY ON THIS ENTITY - ONE TC 971 AC 505 PER BREACH"


@pytest.fixture
def mf():
    m = b.new_mf()
    yield m
    m.dispose()


def frm77(sim, line: str, **fields: str):
    sim.command(f"REQ77 {line}")
    assert sim.line(1).startswith("FRM77"), sim.rendered()
    for key, value in fields.items():
        sim.fill("TC971/151" if key == "AC" else key.replace("_", "-"), value)
    return sim.enter()


def _modules(s, tin_id: int) -> dict[str, TaxModule]:
    return {m.mft: m for m in s.scalars(select(TaxModule).where(TaxModule.entity_id == tin_id))}


# ---- 1. AC 111 diverts a batch-closed, not yet posted identity-theft return --------------


def _batch_closed_urc0(s, *, released: bool = True):
    """UP 126 closed URC 0 by the batch tool, the return pending (due 202426), AC 124 open."""
    ent = b.entity(s)
    mod = b.module(s, ent, "30")
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
    ret = b.pending_return(s, mod, dd=True)
    case = Unpostable(seq="000000101", entity_id=ent.id, module_id=mod.id, txn_id=None, upc=126, reason=0, dln=DLN,
                      status="closed", urc="0", released=released, assigned=b.EMPLOYEE, original_cycle="202409",
                      status_date=dt.date(2024, 6, 13), resolved_by="1483845470", resolved_date=dt.date(2024, 6, 13),
                      remarks="IAT UNP 126 Batch")
    s.add(case)
    s.flush()
    return ent, mod, ret


def test_ac111_with_the_dln_of_a_batch_closed_return_sends_it_to_mft32(mf) -> None:
    with mf.unit_of_work() as s:
        ent, mod, ret = _batch_closed_urc0(s)
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        ids = ent.id, ret.id
    report = run_cycle(mf, "202426")
    assert report.moved == [(TIN_, "202312", DLN, "30", "32")]
    assert report.refunds == []
    with mf.reading() as s:
        mods = _modules(s, ids[0])
        assert set(mods) == {"30", "32"}
        moved = s.get(Transaction, ids[1])
        assert (moved.tc, moved.status, moved.module_id) == (976, POSTED, mods["32"].id)
        assert [t.tc for t in b.txns_of(s, mods["30"].id) if t.status == POSTED] == [971, 971]
        assert b.txns_of(s, mods["30"].id, 846) == []


def test_ac111_input_with_the_batch_urc0_resolution_diverts_the_return(mf) -> None:
    """The engine's own path: the batch's URC 0 (input this week) and the trainee's AC 111
    act in the same run; before the fix the released return posted and refunded."""
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        mod = b.module(s, ent, "30")
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "0", by="1483845470")
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        rid = ret.id
    report = run_cycle(mf, "202426")
    assert report.moved == [(TIN_, "202312", DLN, "30", "32")]
    assert report.refunds == []
    with mf.reading() as s:
        moved = s.get(Transaction, rid)
        assert (moved.tc, moved.status, moved.module.mft) == (976, POSTED, "32")


def test_without_the_ac111_the_batch_closed_return_posts_and_refunds(mf) -> None:
    """The same account without the AC 111: the return posts on MFT 30 (fix 5)."""
    with mf.unit_of_work() as s:
        _batch_closed_urc0(s)
    report = run_cycle(mf, "202426")
    assert report.unposted == [] and report.moved == []
    assert report.refunds == [(TIN_, "30", "202312", Decimal("3150.00"), "direct_deposit")]


def test_a_posted_ac111_keeps_a_later_return_with_its_dln_off_mft30(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        mod = b.module(s, ent, "30")
        b.txn(s, mod, 971, ac=111, misc=DLN_DIGITS, cycle="202420")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.moved == [(TIN_, "202312", DLN, "30", "32")] and report.refunds == []


def test_a_return_moved_back_from_mft32_is_not_diverted_again(mf) -> None:
    """MFT 30 keeps the AC 111 that once moved the return (IRM 25.25.6.5.5.3 (1))."""
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        m30 = b.module(s, ent, "30")
        m32 = b.module(s, ent, "32")
        b.txn(s, m30, 971, ac=111, misc=DLN_DIGITS, cycle="202418")
        b.txn(s, m32, 976, cycle="202418", dln=DLN, document=b.return_doc())
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
    run_cycle(mf, "202426")
    report = run_cycle(mf, "202427")
    assert report.moved == []
    with mf.reading() as s:
        ret = s.scalar(select(Transaction).where(Transaction.dln == DLN))
        assert ret.tc == 150 and ret.status == POSTED and ret.module.mft == "30"


# ---- 2. TY 2021 and prior cannot be moved back from MFT 32 by AC 111 -----------------------


def _on_mft32(s, period: str = "202112"):
    ent = b.entity(s)
    b.module(s, ent, "30", period)
    m32 = b.module(s, ent, "32", period)
    b.txn(s, m32, 976, cycle="202418", dln=DLN, document=b.return_doc(tax_year=int(period[:4])))
    return ent, m32


def test_ac111_on_mft32_for_ty2021_unposts_to_the_input_employee(mf) -> None:
    with mf.unit_of_work() as s:
        _ent, m32 = _on_mft32(s)
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
    report = run_cycle(mf, "202426")
    assert report.moved == [] and report.refunds == []
    assert report.unposted == [(TIN_, "32", "202112", 971, *UPC_AC111_PRIOR_YEAR)]
    with mf.reading() as s:
        case = s.scalar(select(Unpostable))
        assert case.assigned == b.EMPLOYEE and "FORM 4442 TO RIVO" in (case.remarks or "")
        ret = s.scalar(select(Transaction).where(Transaction.dln == DLN))
        assert ret.module.mft == "32" and ret.tc == 976


def test_ac111_on_mft32_for_ty2022_still_moves_back(mf) -> None:
    with mf.unit_of_work() as s:
        _ent, m32 = _on_mft32(s, "202212")
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
    report = run_cycle(mf, "202426")
    assert report.moved == [(TIN_, "202212", DLN, "32", "30")]


def _ty2021_world(s):
    from idrs_sim.masterfile.models import Entity
    ent = s.scalar(select(Entity).where(Entity.tin == TIN))
    b.module(s, ent, "30", "202112")
    m32 = b.module(s, ent, "32", "202112")
    b.txn(s, m32, 976, cycle="202418", dln=DLN, document=b.return_doc(tax_year=2021))


def test_frm77_refuses_ac111_on_mft32_for_ty2021() -> None:
    sim = signed_on(TRAINEE, _ty2021_world)
    frm77(sim, f"{TIN} 32 202112", TC="971", AC="111", MISC=DLN_DIGITS)
    assert sim.message == "TY 2021 MUST BE REPROCESSED MANUALLY - FORM 4442 TO RIVO"
    assert txns(sim, TIN, tc=971, ac=111, status="pending") == []


# ---- 3. TC 972 AC 505 reverses the indicator named ----------------------------------------

GENUINE, MISTAKE = "IR24031500017", "IR24052000002"
GENUINE_DT, MISTAKE_DT = dt.date(2024, 2, 9), dt.date(2024, 5, 20)


def _two_breaches(s, ent=None):
    ent = ent or b.entity(s)
    g = b.txn(s, ent, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT, cycle="202412")
    m = b.txn(s, ent, 971, ac=505, misc=MISTAKE, secondary_date=MISTAKE_DT, cycle="202420")
    return ent, g, m


@pytest.mark.parametrize("named", ["date", "number", "input"])
def test_tc972_ac505_reverses_the_indicator_named(mf, named: str) -> None:
    with mf.unit_of_work() as s:
        ent, g, m = _two_breaches(s)
        kw: dict = {}
        if named == "date":
            kw["secondary_date"] = MISTAKE_DT
        elif named == "number":
            kw["extra"] = {"breach_number": MISTAKE}
        else:
            kw["extra"] = {"reverses": m.id}
        rev = b.pending(s, ent, 972, ac=505, misc="IRSERR", **kw)
        ids = g.id, m.id, rev.id
    report = run_cycle(mf, "202426")
    assert report.unposted == []
    with mf.reading() as s:
        assert s.get(Transaction, ids[0]).reversed_by_id is None  # the genuine (earlier) breach stays
        assert s.get(Transaction, ids[1]).reversed_by_id == ids[2]


def test_tc972_ac505_naming_no_indicator_goes_unpostable(mf) -> None:
    with mf.unit_of_work() as s:
        ent, g, m = _two_breaches(s)
        b.pending(s, ent, 972, ac=505, misc="IRSERR", secondary_date=dt.date(2025, 7, 7))
        ids = g.id, m.id
    report = run_cycle(mf, "202426")
    assert report.unposted == [(TIN_, None, None, 972, *UPC_REVERSAL_NO_MATCH)]
    with mf.reading() as s:
        assert [s.get(Transaction, i).reversed_by_id for i in ids] == [None, None]
        assert s.scalar(select(Unpostable)).remarks == NO_MATCHING_AC505


def test_tc972_ac505_naming_nothing_with_two_indicators_goes_unpostable(mf) -> None:
    with mf.unit_of_work() as s:
        ent, _g, _m = _two_breaches(s)
        b.pending(s, ent, 972, ac=505, misc="IRSERR")
    report = run_cycle(mf, "202426")
    assert report.unposted == [(TIN_, None, None, 972, *UPC_REVERSAL_NO_MATCH)]


def _two_breaches_world(s):
    from idrs_sim.masterfile.models import Entity
    _two_breaches(s, s.scalar(select(Entity).where(Entity.tin == TIN)))


def test_frm77_tc972_ac505_by_breach_number_in_remarks_and_posting_follows() -> None:
    sim = signed_on(PGLD, _two_breaches_world)
    frm77(sim, TIN, TC="972", AC="505", MISC="IRSERR")
    assert sim.message == AC505_AMBIGUOUS
    frm77(sim, TIN, TC="972", AC="505", MISC="IRSERR", REMARKS="IR99999999999 KEYED IN ERROR")
    assert sim.message == NO_MATCHING_AC505
    frm77(sim, TIN, TC="972", AC="505", MISC="IRSERR", REMARKS=f"{MISTAKE} KEYED IN ERROR")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    by_misc = {t["misc"]: t["reversed"] for t in txns(sim, TIN, tc=971, ac=505)}
    assert by_misc == {GENUINE: False, MISTAKE: True}


def test_frm77_tc972_ac505_by_breach_date_and_posting_follows() -> None:
    sim = signed_on(PGLD, _two_breaches_world)
    frm77(sim, TIN, TC="972", AC="505", MISC="IRSERR", SECONDARY_DT="05202024")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    by_misc = {t["misc"]: t["reversed"] for t in txns(sim, TIN, tc=971, ac=505)}
    assert by_misc == {GENUINE: False, MISTAKE: True}


# ---- 4. one breach number, one indicator ---------------------------------------------------


def test_frm77_refuses_a_second_ac505_with_the_same_breach_number() -> None:
    sim = signed_on(PGLD, _two_breaches_world)
    frm77(sim, TIN, TC="971", AC="505", MISC=GENUINE, SECONDARY_DT="02092024")
    assert sim.message == DUPLICATE_BREACH
    assert txns(sim, TIN, tc=971, ac=505, status="pending") == []
    frm77(sim, TIN, TC="971", AC="505", MISC="IR24061000021", SECONDARY_DT="06102024")
    assert sim.message == "REQUEST COMPLETED"


def test_a_second_ac505_with_the_same_breach_number_unposts(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        b.txn(s, ent, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT, cycle="202412")
        b.pending(s, ent, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT)
        b.pending(s, ent, 971, ac=505, misc="CR24061000021", secondary_date=dt.date(2024, 6, 10))
    report = run_cycle(mf, "202426")
    assert report.unposted == [(TIN_, None, None, 971, *UPC_REVERSAL_NO_MATCH)]
    assert (TIN_, None, None, 971, 505) in report.posted


def test_two_pending_ac505_with_one_breach_number_post_once(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        first = b.pending(s, ent, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT)
        second = b.pending(s, ent, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT)
        ids = first.id, second.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        assert [s.get(Transaction, i).status for i in ids] == [POSTED, UNPOSTABLE]


# ---- 5. a return released by URC 0 posts while the AC 124 is unreversed --------------------


def test_an_ac124_holds_a_return_whose_case_is_not_closed_urc0(mf) -> None:
    """The rule still holds everything else: a fresh return with the AC 124's DLN unposts."""
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        mod = b.module(s, ent, "30")
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        b.pending_return(s, mod)
    report = run_cycle(mf, "202426")
    assert report.unposted == [(TIN_, "30", "202312", 150, 126, 0)]


def test_fixture_batch_valid_closed_urc0_posts_in_202426() -> None:
    from idrs_sim.simulator import Simulator

    sim = Simulator("sqlite://", "tpp/batch_valid_closed_urc0", None, replace=True)
    try:
        [report] = sim.cycle(1)
        assert report.cycle == "202426" and report.unposted == []
        assert report.refunds == [("400-00-1125", "30", "202312", Decimal("1256.00"), "check")]
    finally:
        sim.close()




def test_tc971_ac505_on_a_bmf_entity_goes_unpostable(mf) -> None:
    """IRM 10.5.4.5.1.1 (3): the indicator is on "the entity portion of an individual's
    account".  FRM77 refuses it on a BMF entity; one that got past the screen (a fixture,
    a dump) unposts at posting with the screen's literal (decision FX-2), and an IMF one
    in the same cycle posts."""
    with mf.unit_of_work() as s:
        biz = b.entity(s, "99-0000505", file="BMF", name_control="BIZZ")
        b.pending(s, biz, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT)
        ind = b.entity(s)
        b.pending(s, ind, 971, ac=505, misc=GENUINE, secondary_date=GENUINE_DT)
    report = run_cycle(mf, "202426")
    assert report.unposted == [("99-0000505", None, None, 971, 168, 0)]
    with mf.reading() as s:
        assert s.scalar(select(Unpostable)).remarks == "TC 971 AC 505 NOT VALID ON A BMF ENTITY"
        assert [t.status for t in s.scalars(select(Transaction).order_by(Transaction.id))] == [UNPOSTABLE, POSTED]
