"""UPRES, UPASG, UPCASZ, UPREV/UPREVE on the GUF -- validations and what posting does after.

World (tests/input_world.py): case 000000101 = UP 126 RC 0 of 400-00-1002 with the team
(0912345678); 000000102 = first-time filer 400-00-1003; 000000103 = owned by the IAT batch
tool 1483845470.  Monday 2024-06-17, cycle 202425; the unpostable cycle is Wed 06-12 to
Tue 06-18; posting of 202426 runs on Friday 06-21.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

import mf_builders as b
from input_world import (
    BATCH,
    BATCH_TIN,
    CLERK,
    LEAD,
    MANAGER,
    NEW_TIN,
    RIVO,
    TIN,
    TRAINEE,
    UP_TIN,
    audit,
    case,
    cycle,
    second_desk,
    signed_on,
    star_after,
    txns,
)


def take(sim, seq: str = "000000101"):
    """UPDIS then UPASGR: the case is this employee's and the UPRES screen is up."""
    sim.command(f"UPDIS {seq}")
    sim.command(f"UPASGR {seq}")
    assert sim.message == "REQUEST COMPLETED", sim.rendered()
    assert sim.line(1).startswith(f"UPRES {seq}")
    return sim


def resolve(sim, seq: str = "000000101", **fields: str):
    take(sim, seq)
    for key, value in fields.items():
        sim.fill(key.replace("_", "-"), value)
    return sim.enter()


# ---- sequencing and ownership --------------------------------------------------------


def test_updis_must_precede_upres():
    sim = signed_on()
    sim.command("UPRES 000000101")
    assert sim.message == "UPDIS MUST PRECEDE UPRES"
    assert "*" in sim.line(1)
    sim.command("UPDIS 000000102")  # another case displayed: still not this one
    sim.command("UPRES 000000101")
    assert sim.message == "UPDIS MUST PRECEDE UPRES"


def test_a_case_with_the_unpostable_team_must_be_reassigned_first():
    sim = signed_on()
    sim.command("UPDIS 000000101")
    sim.command("UPRES 000000101")
    assert sim.message == f"CASE ASSIGNED TO {CLERK}"
    sim.command("UPASGR 000000101")
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000101")["assigned"] == TRAINEE
    assert case(sim, "000000101")["history"][-1] == f"UPASG REASSIGNED FROM {CLERK} TO {TRAINEE}"
    sim.command("UPRES 000000101")
    assert sim.message == ""
    for label in ("URC>", "CCC>", "REL-CYC>", "CORR-TIN>", "REMARKS>"):
        sim.expect(label)
    assert "CORR-TIN>" in sim.line(5)  # the IRM's field 29 is on line 5


def test_upres_by_tin_mft_period_and_the_list_when_ambiguous():
    def build(s):
        ent = s.scalar(select(b.Entity).where(b.Entity.tin == UP_TIN))
        b.unposted_return(s, ent.modules[0], dln="29211-045-10009-4", seq="000000104", assigned=CLERK)

    sim = signed_on(build=build)
    sim.command(f"UPDIS {UP_TIN} 30 202312")
    assert sim.message == "MORE THAN ONE CASE - ENTER THE SEQUENCE NUMBER"
    sim.expect("000000101").expect("000000104")
    sim.command("UPDIS 000000104")
    sim.command("UPASGR 000000104")
    sim.command(f"UPRES {UP_TIN} 30 202312")
    assert sim.message == "MORE THAN ONE CASE - ENTER THE SEQUENCE NUMBER"

    sim = signed_on()
    sim.command(f"UPDIS {UP_TIN} 30 202312")
    sim.command(f"UPASGR {UP_TIN} 30 202312")
    sim.command(f"UPRES {UP_TIN} 30 202312 URC>0")
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000101")["urc"] == "0"


def test_upres_on_a_batch_tool_case_is_refused():
    """Trainee mistake (IRM 25.25.6.5.4): hands off a UP 126 assigned to 1483845470."""
    sim = signed_on()
    sim.command("UPDIS 000000103")
    sim.command("UPRES 000000103 URC>0")
    assert sim.message == f"CASE ASSIGNED TO {BATCH}"
    rec = audit(sim, "UPRES")[-1]
    assert "RIVO/BATCH" in rec.outcome
    sim.command("UPASGR 000000103")
    assert sim.message == "CASE COULD NOT BE REASSIGNED"
    assert case(sim, "000000103")["assigned"] == BATCH
    cycle(sim, 2)
    assert case(sim, "000000103")["status"] == "open"  # nothing was released
    assert txns(sim, BATCH_TIN, tc=150)[0]["status"] == "unpostable"


def test_rivo_may_take_a_batch_case():
    sim = signed_on(RIVO)
    sim.command("UPDIS 000000103")
    sim.command("UPASGR 000000103")
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000103")["assigned"] == RIVO


def test_upasg_to_someone_else_is_for_leads_and_the_unpostable_unit():
    sim = signed_on()
    sim.command("UPASG 000000101 ASSIGN-TO>1485012346")
    assert sim.message.startswith("UPASG WITHOUT DEFINER R")
    assert audit(sim, "UPASG")[-1].violation
    sim = signed_on(LEAD)
    sim.command("UPASG 000000101")
    sim.expect("ASSIGN-TO>")
    sim.fill("ASSIGN-TO", "148501234").enter()
    assert sim.message == "INVALID ASSIGN-TO IDRS NUMBER"
    assert star_after(sim, "ASSIGN-TO")
    sim.fill("ASSIGN-TO", "1485012346").enter()
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000101")["assigned"] == "1485012346"
    sim.command("UPASGX 000000101")
    assert sim.message == "INVALID DEFINER"


# ---- the resolution and its effect --------------------------------------------------


def test_urc0_is_recorded_and_posting_releases_the_return():
    sim = signed_on()
    resolve(sim, URC="0", REMARKS="TP AUTHENTICATED")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("RELEASED TO POSTING IN CYCLE 202426")
    c = case(sim, "000000101")
    assert (c["urc"], c["status"], c["resolved_by"], c["remarks"], c["released"]) == (
        "0", "open", TRAINEE, "TP AUTHENTICATED", False)
    assert str(c["status_date"]) == "2024-06-17"  # the UPRES status date (9-week clock)
    sim.command(f"UPTIN {UP_TIN}")
    sim.expect("000000101")
    assert audit(sim, "UPRES")[-1].outcome.startswith("UPRES 000000101 400-00-1002 URC 0 RELEASE 202426")
    sim.cycle()
    c = case(sim, "000000101")
    assert c["status"] == "closed" and c["released"]
    [ret] = txns(sim, UP_TIN, tc=150)
    assert ret["status"] == "posted" and ret["posting_cycle"] == "202426"


def test_ac850_with_urc0_and_no_release_cycle_lets_the_direct_deposit_go():
    """Trainee mistake (IRM 25.25.6.5.1.1): AC 850 without REL-CYC current + 2."""
    sim = signed_on()
    resolve(sim, URC="0")
    sim.command(f"FRM77 {UP_TIN} 30 202312 TC>971 TC971/151>850")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle(2)
    [refund] = txns(sim, UP_TIN, tc=846)
    assert refund["refund_method"] == "direct_deposit"


def test_ac850_with_urc0_and_rel_cyc_plus_two_pays_by_check():
    sim = signed_on()
    resolve(sim, URC="0", REL_CYC="202427")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("RELEASED TO POSTING IN CYCLE 202427")
    sim.command(f"FRM77 {UP_TIN} 30 202312 TC>971 TC971/151>850")
    sim.cycle()
    assert case(sim, "000000101")["status"] == "open"  # held to its release cycle
    sim.cycle()
    [refund] = txns(sim, UP_TIN, tc=846)
    assert (refund["posting_cycle"], refund["refund_method"]) == ("202427", "check")


@pytest.mark.parametrize("fields,label,literal", [
    ({}, "URC", "URC REQUIRED"),
    ({"URC": "Z"}, "URC", "INVALID URC"),
    ({"URC": "0", "CCC": "1"}, "CCC", "CCC NOT VALID WITH THIS URC"),
    ({"URC": "6", "CCC": "2"}, "CCC", "INVALID CCC"),
    ({"URC": "6"}, "CCC", "URC 6 REQUIRES CCC OR CORR-TIN"),
    ({"URC": "6B"}, "CORR-TIN", "URC 6B REQUIRES CORR-TIN"),
    ({"URC": "0", "CORR_TIN": "400-00-1001"}, "CORR-TIN", "CORR-TIN NOT VALID WITH THIS URC"),
    ({"URC": "6", "CORR_TIN": "400-00-1002"}, "CORR-TIN", "CORR-TIN SAME AS UNPOSTABLE TIN"),
    ({"URC": "6", "CORR_TIN": "123"}, "CORR-TIN", "INVALID TIN"),
    ({"URC": "6", "CORR_TIN": "400-00-5555"}, "CORR-TIN", "CORR-TIN NOT ESTABLISHED - USE URC 6B"),
    ({"URC": "6", "CORR_TIN": NEW_TIN}, "CORR-TIN", "CORR-TIN NOT ESTABLISHED - USE URC 6B"),
    ({"URC": "6B", "CORR_TIN": "400-00-1001"}, "CORR-TIN", "CORR-TIN IS ESTABLISHED - USE URC 6"),
    ({"URC": "0", "REL_CYC": "202425"}, "REL-CYC", "REL-CYC MUST BE LATER THAN CURRENT CYCLE"),
    ({"URC": "0", "REL_CYC": "202460"}, "REL-CYC", "INVALID CYCLE - YYYYCC"),
    ({"URC": "D", "REL_CYC": "202427"}, "REL-CYC", "REL-CYC NOT VALID WITH THIS URC"),
    # UP 126 RC 0 takes only the URCs IRM 25.25.6 names (review 2026-12-07: URC 8 closed the
    # case and the taxpayer's return was on neither MFT 30 nor MFT 32).
    ({"URC": "8"}, "URC", "URC 8 NOT VALID FOR UPC 126 - USE URC 0, 6, 6B OR D"),
    ({"URC": "2"}, "URC", "URC 2 NOT VALID FOR UPC 126 - USE URC 0, 6, 6B OR D"),
    ({"URC": "1"}, "URC", "URC 1 NOT VALID FOR UPC 126 - USE URC 0, 6, 6B OR D"),
    ({"URC": "A"}, "URC", "URC A NOT VALID FOR UPC 126 - USE URC 0, 6, 6B OR D"),
])
def test_upres_validations(fields, label, literal):
    sim = signed_on()
    resolve(sim, **fields)
    assert sim.message == literal
    assert star_after(sim, label)
    assert case(sim, "000000101")["urc"] is None


def test_existing_ccc3_then_urc0_with_the_remark():
    """IRM 25.25.6.2.2.1.1: IDRS answers "Existing CCC 3"; post with URC 0, remarks EXISTING CCC 3."""
    def build(s):
        ent = b.entity(s, "400-00-1005", name_control="CCCT")
        mod = b.module(s, ent)
        b.unposted_return(s, mod, dln="29211-045-50005-4", seq="000000105", assigned=None, ccc="3")

    sim = signed_on(build=build)
    sim.command("UPDIS 000000105")
    sim.command("UPRES 000000105")
    sim.fill("URC", "6").fill("CCC", "1").fill("REMARKS", "TPFILEDF1040X").enter()
    assert sim.message == "Existing CCC 3"
    assert star_after(sim, "CCC")
    sim.fill("URC", "0").fill("CCC", "").fill("REMARKS", "EXISTING CCC 3").enter()
    assert sim.message == "REQUEST COMPLETED"
    c = case(sim, "000000105")
    assert (c["urc"], c["remarks"], c["assigned"]) == ("0", "EXISTING CCC 3", TRAINEE)


def test_urc6_ccc1_posts_with_the_refund_frozen():
    sim = signed_on()
    resolve(sim, URC="6", CCC="1", REMARKS="TPFILEDF1040X")
    assert sim.message == "REQUEST COMPLETED"
    cycle(sim)
    assert txns(sim, UP_TIN, tc=150)[0]["status"] == "posted"
    assert txns(sim, UP_TIN, tc=846) == []  # -R (CCC 1) holds it
    sim.command("TXMODA 400-00-1002 30 202312")
    sim.expect("-R")


def test_urc6_with_a_corrected_tin_posts_to_that_tin():
    """400-00-1001 already has its 2023 return posted: the return moved there is a second
    return on the module and posts as TC 976 with -A (Document 6209), not a second TC 150."""
    sim = signed_on()
    resolve(sim, URC="6", CORR_TIN="400-00-1001")
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000101")["corrected_tin"] == TIN
    before = [t["dln"] for t in txns(sim, TIN, tc=150, status="posted")]
    assert before and b.DLN not in before
    sim.cycle()
    assert txns(sim, UP_TIN, tc=150) == []
    assert [t["dln"] for t in txns(sim, TIN, tc=150, status="posted")] == before
    [dup] = [t for t in txns(sim, TIN, tc=976, status="posted") if t["dln"] == b.DLN]
    assert dup["amount"] == 0
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.expect("-A")


def test_urc6b_with_a_tin_that_has_no_entity_yet():
    sim = signed_on()
    resolve(sim, URC="6B", CORR_TIN="400-00-6666")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    [ret] = txns(sim, "400-00-6666", tc=150)
    assert ret["status"] == "posted"


def test_urc_d_deletes_the_return():
    sim = signed_on()
    resolve(sim, URC="D", REMARKS="DUP RETURN NON IDT")
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    assert txns(sim, UP_TIN, tc=150)[0]["status"] == "deleted"
    assert case(sim, "000000101")["status"] == "closed"


def test_a_first_time_filer_case_is_closed_with_upres_only():
    sim = signed_on()
    resolve(sim, "000000102", URC="0")
    assert sim.message == "REQUEST COMPLETED"
    cycle(sim)
    sim.command(f"REQ77 {NEW_TIN} 30 202312")  # established by the posted return
    assert sim.line(1).startswith("FRM77")


def test_a_resolved_or_closed_case_cannot_be_resolved_again():
    sim = signed_on()
    resolve(sim, URC="0")
    sim.command("UPRES 000000101 URC>D")
    assert sim.message == "CASE ALREADY RESOLVED - UPREVE TO CHANGE"
    cycle(sim)
    sim.command("UPDIS 000000101")
    sim.command("UPRES 000000101 URC>D")
    assert sim.message == "UNPOSTABLE CASE CLOSED"
    sim.command("UPASGR 000000101")
    assert sim.message == "UNPOSTABLE CASE CLOSED"


# ---- UPCASZ ----------------------------------------------------------------------------


def test_upcasz_history_item_by_rivo():
    sim = signed_on(RIVO)
    sim.command("UPCASZ 000000101 REMARKS>126 DELETE")
    assert sim.message == "UPDIS MUST PRECEDE UPCAS"
    sim.command("UPDIS 000000101")
    sim.command("UPCASZ 000000101")
    sim.expect("REMARKS>")
    sim.enter()
    assert sim.message == "REMARKS REQUIRED"
    sim.fill("REMARKS", "126 GOOD TAXPAYER").enter()
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000101")["history"][-1] == "126 GOOD TAXPAYER"
    sim.command("UPCASZ 000000101 REMARKS>126 DELETE")
    assert case(sim, "000000101")["history"][-1] == "126 DELETE"
    sim.command("UPCASD 000000101")
    assert sim.message == "INVALID DEFINER"


def test_upcas_is_not_for_phone_assistors():
    sim = signed_on()
    sim.command("UPDIS 000000101")
    sim.command("UPCASZ 000000101 REMARKS>126 DELETE")
    assert sim.message == "UNAUTHORIZED COMMAND CODE"


# ---- UPREV / UPREVE -----------------------------------------------------------------


def test_lead_reverses_a_resolution_in_the_same_unpostable_cycle():
    """IRM 25.25.6.5.5.1: the lead rejects the UPRES with UPREVE; the case is open again."""
    sim = signed_on()
    resolve(sim, URC="D")
    sim.command("UPDIS 000000101")
    sim.command("UPREVE 000000101")
    assert sim.message == "UNAUTHORIZED COMMAND CODE"
    second_desk(sim, LEAD)
    sim.command("UPREVE 000000101")
    assert sim.message == "UPDIS MUST PRECEDE UPREV"
    sim.command("UPDIS 000000101")
    sim.command("UPREVE 000000101")
    assert sim.message == "REQUEST COMPLETED"
    c = case(sim, "000000101")
    assert c["urc"] is None and c["resolved_by"] is None and c["status"] == "open"
    assert "UPREVE RESOLUTION URC D BY 1485012345 REVERSED" in c["history"][-1]
    sim.command("UPREVE 000000101")
    assert sim.message == "NO RESOLUTION TO REVERSE"
    sim.cycle()
    assert case(sim, "000000101")["status"] == "open"
    assert txns(sim, UP_TIN, tc=150)[0]["status"] == "unpostable"  # not deleted


def test_upreve_after_the_unpostable_cycle_or_after_release_is_refused():
    sim = signed_on()
    resolve(sim, URC="0", REL_CYC="202427")
    sim.date("2024-06-19")  # Wednesday: a new unpostable cycle
    second_desk(sim, MANAGER)
    sim.command("UPDIS 000000101")
    sim.command("UPREV 000000101")
    assert sim.message == "UNPOSTABLE CYCLE ENDED - RESOLUTION CANNOT BE REVERSED"

    sim = signed_on()
    resolve(sim, URC="0")
    cycle(sim)  # released and closed on Friday 06-21
    second_desk(sim, MANAGER)
    sim.command("UPDIS 000000101")
    sim.command("UPREVE 000000101")
    assert sim.message == "CASE RELEASED - RESOLUTION CANNOT BE REVERSED"
