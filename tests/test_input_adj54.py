"""REQ54 / ADJ54: prerequisites, every validation, pending until posted, post-delay honoured."""

from __future__ import annotations

from decimal import Decimal

import pytest

from input_world import NEW_TIN, TIN, audit, signed_on, star_after, txns


def adj54(sim, **fields: str):
    """TXMODA on the module, REQ54, fill ADJ54 by label (RSN_CD -> RSN-CD), Enter."""
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("REQ54")
    assert sim.line(1).startswith("ADJ54 400-00-1001 30 202312 SMIT"), sim.rendered()
    for key, value in fields.items():
        sim.fill(key.replace("_", "-"), value)
    return sim.enter()


def test_req54_needs_a_prior_research_code_on_the_module():
    sim = signed_on()
    sim.command("REQ54 400-00-1001 30 202312")
    assert sim.message == "TXMOD MUST PRECEDE REQ54"
    sim.command("REQ54")
    assert sim.message == "TXMOD MUST PRECEDE REQ54"


def test_req54_returns_adj54_filled_from_txmod():
    sim = signed_on()
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("REQ54")
    assert sim.line(1).startswith("ADJ54 400-00-1001 30 202312 SMIT")
    for label in ("TC>", "AMOUNT>", "POST-DELAY>", "HOLD-CD>", "RSN-CD>", "SOURCE-CD>", "BLK-SRS>", "REMARKS>"):
        sim.expect(label)
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("REQ54 400-00-1001 30 202312")
    assert sim.line(1).startswith("ADJ54 400-00-1001 30 202312")


def test_imfol_cannot_precede_req54():
    sim = signed_on()
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("IMFOLT 400-00-1001 30 202312")
    sim.command("REQ54")
    assert sim.message == "IMFOL CANNOT PRECEDE REQ54"


def test_req54_on_another_module_than_the_researched_one():
    sim = signed_on()
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("REQ54 400-00-1002 30 202312")
    assert sim.message == "TXMOD MUST PRECEDE REQ54"


def test_tc290_zero_releases_the_rivo_hold_when_it_posts():
    sim = signed_on()
    adj54(sim, TC="290", AMOUNT=".00")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("POSTS IN CYCLE 202426")
    [t] = txns(sim, TIN, tc=290)
    assert t["status"] == "pending" and t["due_cycle"] == "202426" and t["amount"] == Decimal("0.00")
    assert t["dln"][3:5] == "54" and t["extra"]["hold_code"] == 0
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.expect("-R")
    assert any(line.startswith("PN     290") for line in sim.screen_lines() + _next_pages(sim))
    sim.cycle()
    [refund] = txns(sim, TIN, tc=846)
    assert refund["posting_cycle"] == "202426" and refund["refund_method"] == "direct_deposit"
    assert refund["amount"] == Decimal("3150.00")


def test_tc290_with_hold_code_4_keeps_the_refund_held():
    """IRM 25.25.6.5.5.2.3 box 1: xMend with hold code "4" -- income not verified, no refund."""
    sim = signed_on()
    adj54(sim, TC="290", AMOUNT=".00", HOLD_CD="4")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    [t] = txns(sim, TIN, tc=290)
    assert t["status"] == "posted" and t["extra"]["hold_code"] == 4
    assert txns(sim, TIN, tc=846) == []
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.expect("-R")
    sim.expect("-K")
    adj54(sim, TC="290", AMOUNT=".00", HOLD_CD="0")  # verified later: hold code "0" releases
    sim.cycle()
    [refund] = txns(sim, TIN, tc=846)
    assert refund["amount"] == Decimal("3150.00")


def _next_pages(sim) -> list[str]:
    out: list[str] = []
    for _ in range(5):
        sim.pf(8)
        if sim.message in ("LAST PAGE DISPLAYED", "NO MORE PAGES"):
            break
        out += sim.screen_lines()
    return out


def test_tc290_post_delayed_one_cycle_after_an_ac850_pays_by_check():
    """IRM 25.25.6.5.1.2.1: AC 850 and TC 290 .00 post-delayed 1 cycle -> paper check."""
    sim = signed_on()
    sim.command("FRM77 400-00-1001 30 202312 TC>971 TC971/151>850")
    assert sim.message == "REQUEST COMPLETED"
    adj54(sim, TC="290", AMOUNT=".00", POST_DELAY="1")
    assert sim.message == "REQUEST COMPLETED"
    assert txns(sim, TIN, tc=290)[0]["due_cycle"] == "202427"
    sim.cycle()
    assert txns(sim, TIN, tc=846) == []  # still held in 202426
    sim.cycle()
    [refund] = txns(sim, TIN, tc=846)
    assert (refund["posting_cycle"], refund["refund_method"]) == ("202427", "check")


def test_tc290_without_post_delay_after_an_ac850_lets_the_direct_deposit_go():
    sim = signed_on()
    sim.command("FRM77 400-00-1001 30 202312 TC>971 TC971/151>850")
    adj54(sim, TC="290", AMOUNT=".00")
    sim.cycle()
    [refund] = txns(sim, TIN, tc=846)
    assert refund["refund_method"] == "direct_deposit"


@pytest.mark.parametrize("fields,label,literal", [
    ({"TC": "150", "AMOUNT": ".00"}, "TC", "INVALID TRANSACTION CODE FOR ADJ54"),
    ({"TC": "290"}, "AMOUNT", "AMOUNT REQUIRED"),
    ({"TC": "290", "AMOUNT": "12.3"}, "AMOUNT", "INVALID AMOUNT"),
    ({"TC": "290", "AMOUNT": "-5.00"}, "AMOUNT", "INVALID AMOUNT"),
    ({"TC": "290", "AMOUNT": "1,00.00"}, "AMOUNT", "INVALID AMOUNT"),
    ({"TC": "290", "AMOUNT": ".00", "HOLD_CD": "5"}, "HOLD-CD", "HOLD-CD MUST BE 0-4"),
    ({"TC": "290", "AMOUNT": ".00", "POST_DELAY": "7"}, "POST-DELAY", "POST-DELAY MUST BE 0-6 CYCLES"),
    ({"TC": "291", "AMOUNT": "500.00", "SOURCE_CD": "1"}, "RSN-CD", "RSN-CD REQUIRED WITH AN AMOUNT"),
    ({"TC": "291", "AMOUNT": "500.00", "RSN_CD": "051"}, "SOURCE-CD", "SOURCE-CD REQUIRED WITH AN AMOUNT"),
    ({"TC": "291", "AMOUNT": "500.00", "RSN_CD": "51", "SOURCE_CD": "1"}, "RSN-CD", "INVALID RSN-CD"),
    ({"TC": "290", "AMOUNT": ".00", "BLK_SRS": "1"}, "BLK-SRS", "INVALID BLK-SRS"),
    ({"TC": "290", "AMOUNT": ".00", "IRS_RCVD_DT": "07012024"}, "IRS-RCVD-DT", "IRS-RCVD-DT LATER THAN CURRENT DATE"),
])
def test_adj54_validations(fields, label, literal):
    sim = signed_on()
    adj54(sim, **fields)
    assert sim.message == literal
    assert star_after(sim, label)
    assert txns(sim, TIN, status="pending") == []


def test_an_abatement_with_codes_and_hold_code():
    sim = signed_on()
    adj54(sim, TC="291", AMOUNT="1,500.00", RSN_CD="051 052", SOURCE_CD="1", HOLD_CD="4", BLK_SRS="15",
          REMARKS="ABATE PER CLAIM")
    assert sim.message == "REQUEST COMPLETED"
    [t] = txns(sim, TIN, tc=291)
    assert t["amount"] == Decimal("1500.00")
    assert t["extra"]["reason_codes"] == ["051", "052"] and t["extra"]["source_code"] == "1"
    assert t["extra"]["hold_code"] == 4 and t["extra"]["remarks"] == "ABATE PER CLAIM"
    assert t["dln"][8:10] == "15"
    assert audit(sim, "ADJ54")[-1].outcome.startswith("ADJ54 TC 291 1500.00 400-00-1001 30 202312 PN 202426")
    # ADJ54 may precede the next REQ54 on the same account
    sim.clear().string("REQ54").enter()
    assert sim.line(1).startswith("ADJ54 400-00-1001 30 202312")


def test_acton_on_the_module_may_precede_req54():
    sim = signed_on()
    sim.clear().string("ACTON 400-00-1001 30 202312").newline().string("C#,REQ_FRZRLS,A,FRPI").newline()
    sim.string("1486907202,*").enter()
    assert sim.message == "REQUEST COMPLETED"
    sim.command("REQ54")
    assert sim.line(1).startswith("ADJ54 400-00-1001 30 202312")


def test_adj54_on_a_first_time_filer_is_refused():
    sim = signed_on()
    sim.command(f"ADJ54 {NEW_TIN} 30 202312 TC>290 AMOUNT>.00")
    assert sim.message == "ENTITY NOT ESTABLISHED"
