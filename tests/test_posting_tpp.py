"""Posting-engine behaviour the TPP procedures (procedures/tpp) depend on.

* A return that moves between MFT 30 and MFT 32 carries the right amount: TC 976 is not a
  money transaction, the TC 150 it becomes again assesses the tax on the return
  (rules._move_return; IRM 25.25.6.5.5.3, tpp-rules §2.3).
* A TC 972 AC 129 does not release the refund its AC 129 was holding; the TC 290 .00 does
  (derive._rivo_marker_holds; IRM 25.25.6.5.1.2.2 (4), 25.25.6.5.1.2.3 (4) box 1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from idrs_sim.posting import run_cycle

import mf_builders as b
from mf_builders import DLN, DLN_DIGITS


@pytest.fixture
def mf():
    m = b.new_mf()
    yield m
    m.dispose()


def test_return_moved_back_from_mft32_assesses_the_tax_of_the_return(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        b.module(s, ent, "30")
        m32 = b.module(s, ent, "32")
        b.txn(s, m32, 976, amount="0.00", cycle="202418", dln=DLN, document=b.return_doc("9850.00", "13000.00"))
        b.pending(s, m32, 971, ac=111, misc=DLN_DIGITS)
    report = run_cycle(mf, "202426")
    assert report.moved == [("400-00-1001", "202312", DLN, "32", "30")]
    # TC 150 9,850.00 against 13,000.00 withholding: a 3,150.00 refund, not 13,000.00.
    assert report.refunds == [("400-00-1001", "30", "202312", Decimal("3150.00"), "direct_deposit")]


def test_return_moved_to_mft32_posts_as_a_non_money_tc976(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        mod = b.module(s, ent)
        b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202408")
        ret, _case = b.unposted_return(s, mod)
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        ret_id = ret.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        from idrs_sim.masterfile.models import Transaction

        moved = s.get(Transaction, ret_id)
        assert (moved.tc, moved.module.mft, moved.amount) == (976, "32", Decimal("0.00"))


def test_tc972_ac129_alone_does_not_release_the_held_refund(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.posted_return(s, mod)
        b.txn(s, mod, 971, ac=129, misc=DLN_DIGITS, cycle="202410")
        b.pending(s, mod, 972, ac=129, misc=DLN_DIGITS[-6:] + "_NONIDT")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert report.refunds == [] and report.held == [("400-00-1001", "30", "202312", "-R")]
    with mf.unit_of_work() as s:
        from idrs_sim.masterfile.models import TaxModule

        b.pending(s, s.get(TaxModule, mod_id), 290, input_cycle="202426")
    report = run_cycle(mf, "202427")
    assert report.refunds == [("400-00-1001", "30", "202312", Decimal("3150.00"), "direct_deposit")]
