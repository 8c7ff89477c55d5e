"""REQ77 / FRM77: TC 971/972 input, every validation, PN at once, the effect after posting.

World: tests/input_world.py (clock Monday 2024-06-17, cycle 202425: input is due 202426).
"""

from __future__ import annotations

import datetime as dt

import pytest

import mf_builders as b
from input_world import (
    BMF_EIN,
    INSTRUCTOR,
    LEAD,
    NEW_TIN,
    PGLD,
    TIN,
    TRAINEE,
    UP_TIN,
    audit,
    signed_on,
    star_after,
    stars,
    txns,
)

LABELS = ("TC>", "TC971/151>", "TRANS-DT>", "SECONDARY-DT>", "MISC>", "POST-DELAY>")


def frm77(sim, line: str, **fields: str):
    """REQ77 on `line` (TIN [MFT PERIOD]), fill the FRM77 fields by label, Enter."""
    sim.command(f"REQ77 {line}")
    assert sim.line(1).startswith("FRM77"), sim.rendered()
    for key, value in fields.items():
        sim.fill("TC971/151" if key == "AC" else key.replace("_", "-"), value)
    return sim.enter()


def pending(sim, tin: str = TIN, **where):
    return txns(sim, tin, status="pending", **where)


# ---- REQ77 -------------------------------------------------------------------------


def test_req77_returns_frm77_with_the_module_filled_in():
    sim = signed_on()
    sim.command("REQ77 400-00-1001 30 202312")
    assert sim.line(1).startswith("FRM77 400-00-1001 30 202312 SMIT")
    for label in LABELS:
        sim.expect(label)
    assert sim.field("TRANS-DT") == "06172024"  # today, editable
    assert sim.field("TC").strip() == ""
    assert sim.message == ""


def test_req77_with_the_tin_alone_is_for_entity_level_action_codes():
    sim = signed_on(PGLD)
    sim.command("REQ77 400-00-1001")
    assert sim.line(1).startswith("FRM77 400-00-1001 SMIT")
    sim.expect("ENTITY (NO MODULE)")


def test_req77_on_an_unknown_tin_is_refused():
    sim = signed_on()
    sim.command("REQ77 400-00-9999 30 202312")
    assert sim.message == "RECORD NOT FOUND"
    assert not sim.line(1).startswith("FRM77")


def test_req77_on_a_first_time_filer_is_refused():
    """Trainee mistake: no TC 971/972 on a first-time filer (IRM 25.25.6.5.1.1) -- not even AC 850."""
    sim = signed_on()
    sim.command(f"REQ77 {NEW_TIN} 30 202312")
    assert sim.message == "ENTITY NOT ESTABLISHED"
    assert "*" in sim.line(1)  # right of the TIN
    sim.command(f"FRM77 {NEW_TIN} 30 202312 TC>971 TC971/151>850")
    assert sim.message == "ENTITY NOT ESTABLISHED"
    assert pending(sim, NEW_TIN) == []
    assert audit(sim, "REQ77")[-1].outcome.startswith("ENTITY NOT ESTABLISHED")
    sim.cycle(2)  # the direct deposit goes out as filed: nothing flips it
    assert txns(sim, NEW_TIN, tc=971) == []


def test_req77_on_a_module_not_on_file_is_refused():
    sim = signed_on()
    sim.command("REQ77 400-00-1001 30 202212")
    assert sim.message == "RECORD NOT FOUND"


# ---- a valid input: pending at once, posted by the run ---------------------------------


def test_tc972_ac129_is_pending_at_once_and_reverses_the_marker_when_it_posts():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="129", MISC="200024_NONIDT")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("POSTS IN CYCLE 202426")
    [t] = pending(sim)
    assert (t["tc"], t["ac"], t["misc"], t["input_cycle"], t["due_cycle"]) == (972, 129, "200024_NONIDT", "202425", "202426")
    assert t["input_idrs"] == TRAINEE and t["input_date"] == dt.date(2024, 6, 17) and t["mft"] == "30"
    assert len(t["dln"]) == 14 and t["dln"][3:5] == "77"  # an FRM77 DLN: document code 77
    sim.command("TXMODA 400-00-1001 30 202312")
    assert any(line.startswith("PN     972") and "202426" in line for line in _all_pages(sim))
    sim.cycle()
    [marker] = txns(sim, TIN, tc=971, ac=129)
    assert marker["reversed"]
    [rev] = txns(sim, TIN, tc=972)
    assert rev["status"] == "posted" and rev["posting_cycle"] == "202426"


def _all_pages(sim) -> list[str]:
    lines = list(sim.screen_lines())
    for _ in range(10):
        if "CONTINUED BELOW" not in "".join(lines[-3:]):
            break
        sim.pf(8)
        lines += sim.screen_lines()
    return lines


def test_blank_misc_on_tc972_ac129_is_refused_and_nothing_changes():
    """Trainee mistake (IRM 25.25.6.5.1.2(3)): a blank MISC never reaches RIVO -- IDRS refuses it."""
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="129")
    assert sim.message == "MISC REQUIRED FOR TC 972 AC 129"
    assert star_after(sim, "MISC")
    assert pending(sim) == []
    sim.cycle()
    [marker] = txns(sim, TIN, tc=971, ac=129)
    assert not marker["reversed"]


@pytest.mark.parametrize("misc", [
    "200024_IDT", "200024_NONIDT", "200024_NONIDT052", "200024_NONIDTBKLD", "200024 NONIDT 1040X", "200024 IDT 1040X",
])
def test_the_six_tc972_ac129_misc_formats_are_well_formed(misc):
    """All six are formats FRM77 knows; on this world's plain marker (the return's DLN, no
    AC 052, no BKLD, not a 1040X marker) only rows 1-2 fit it (IRM 25.25.6.5.1.2 (4);
    tests/test_frm77_ac129_literal.py has every row)."""
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="129", MISC=misc)
    fits = misc in ("200024_IDT", "200024_NONIDT")
    assert sim.message == ("REQUEST COMPLETED" if fits else "MISC MUST BE 200024_NONIDT OR 200024_IDT FOR THIS MARKER")


@pytest.mark.parametrize("misc", ["200024_ IDT", "20024_IDT", "200024 NONIDT", "200024_NONIDT 1040X", "NONIDT"])
def test_other_tc972_ac129_misc_values_are_refused(misc):
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="129", MISC=misc)
    assert sim.message.startswith("MISC MUST BE NNNNNN_IDT")
    assert star_after(sim, "MISC")


# ---- element validations ---------------------------------------------------------


def test_tc_must_be_971_or_972():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="970", AC="850")
    assert sim.message == "INVALID TRANSACTION CODE"
    assert star_after(sim, "TC")


def test_the_action_code_must_be_valid_for_the_tc():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="999")
    assert sim.message == "INVALID ACTION CODE"
    assert star_after(sim, "TC971/151")
    frm77(sim, "400-00-1001 30 202312", TC="971")
    assert sim.message == "INVALID ACTION CODE"


def test_trans_dt_must_be_a_valid_date_not_in_the_future():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", TRANS_DT="06182024")
    assert sim.message == "TRANS-DT LATER THAN CURRENT DATE"
    assert star_after(sim, "TRANS-DT")
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", TRANS_DT="13012024")
    assert sim.message == "INVALID TRANS-DT - MMDDYYYY"
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", TRANS_DT="06142024")
    assert sim.message == "REQUEST COMPLETED"
    assert pending(sim)[0]["trans_date"] == dt.date(2024, 6, 14)


def test_post_delay_is_0_to_6_cycles_and_is_honoured_by_posting():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", POST_DELAY="7")
    assert sim.message == "POST-DELAY MUST BE 0-6 CYCLES"
    assert star_after(sim, "POST-DELAY")
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", POST_DELAY="2")
    assert sim.message == "REQUEST COMPLETED"
    assert pending(sim)[0]["due_cycle"] == "202428"
    sim.cycle(2)
    assert pending(sim)[0]["due_cycle"] == "202428"  # still pending after 202426, 202427
    sim.cycle()
    [t] = txns(sim, TIN, tc=971, ac=850)
    assert t["status"] == "posted" and t["posting_cycle"] == "202428"


def test_several_bad_fields_one_literal_and_a_star_at_each():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="129", TRANS_DT="99999999", POST_DELAY="9")
    assert sim.message == "MISC REQUIRED FOR TC 972 AC 129"
    assert star_after(sim, "MISC") and star_after(sim, "TRANS-DT") and star_after(sim, "POST-DELAY")
    assert not star_after(sim, "TC")
    assert len(stars(sim)) == 3
    # the cursor sits on the first bad field
    fld = sim.terminal.find_labelled_field("TRANS-DT")
    assert sim.screen.cursor in (fld.addr + 1, sim.terminal.find_labelled_field("MISC").addr + 1)


def test_a_changed_name_control_on_line_1_is_refused():
    sim = signed_on()
    sim.command("FRM77 400-00-1001 30 202312 JONE TC>971 TC971/151>850")
    assert sim.message == "NAME CONTROL MISMATCH"


def test_the_one_line_form_works_without_req77():
    sim = signed_on()
    sim.command("FRM77 400-00-1001 30 202312 TC>971 TC971/151>850")
    assert sim.message == "REQUEST COMPLETED"
    assert pending(sim)[0]["trans_date"] == dt.date(2024, 6, 17)


def test_a_module_level_action_code_needs_a_module():
    sim = signed_on()
    frm77(sim, "400-00-1001", TC="971", AC="850")
    assert sim.message == "TAX MODULE REQUIRED FOR THIS ACTION CODE"
    assert star_after(sim, "TC971/151")


# ---- action-code rules -----------------------------------------------------------


def test_ac850_takes_no_misc():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850", MISC="CHECK")
    assert sim.message == "MISC NOT ALLOWED FOR TC 971 AC 850"
    assert star_after(sim, "MISC")


def test_ac505_is_pgld_only_and_posts_to_the_entity():
    sim = signed_on()
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR20100211034", SECONDARY_DT="01152024")
    assert sim.message == "ACTION CODE NOT AUTHORIZED FOR THIS EMPLOYEE"
    assert star_after(sim, "TC971/151")
    rec = audit(sim, "FRM77")[-1]
    assert rec.violation and "AC 505" in rec.outcome
    assert pending(sim) == []

    sim = signed_on(PGLD)
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR20100211034", SECONDARY_DT="01152024")
    assert sim.message == "REQUEST COMPLETED"
    [t] = pending(sim)
    assert t["mft"] is None and t["secondary_date"] == dt.date(2024, 1, 15)
    sim.command("ENMOD 400-00-1001")
    text = "\n".join(_all_pages(sim))
    assert "IR20100211034" in text and "PN" in text and "202426" in text


@pytest.mark.parametrize("misc,sdt,literal", [
    ("XX20100211034", "01152024", "MISC MUST BE IR, CR OR PR AND 11 DIGITS"),
    ("IR2010021103", "01152024", "MISC MUST BE IR, CR OR PR AND 11 DIGITS"),
    ("", "01152024", "MISC REQUIRED FOR TC 971 AC 505"),
    ("CR20100211034", "", "SECONDARY-DT REQUIRED"),
])
def test_ac505_breach_number_and_breach_date(misc, sdt, literal):
    sim = signed_on(PGLD)
    fields = {"TC": "971", "AC": "505"}
    if misc:
        fields["MISC"] = misc
    if sdt:
        fields["SECONDARY_DT"] = sdt
    frm77(sim, "400-00-1001", **fields)
    assert sim.message == literal


def test_tc972_ac505_reversal_misc_and_its_original():
    sim = signed_on(PGLD)
    frm77(sim, "400-00-1001", TC="972", AC="505", MISC="IRSERR")
    assert sim.message == "NO UNREVERSED TC 971 AC 505 ON THIS ENTITY"
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="PR20100211034", SECONDARY_DT="01152024")
    assert sim.message == "REQUEST COMPLETED"
    frm77(sim, "400-00-1001", TC="972", AC="505", MISC="MISTAKE")
    assert sim.message == "MISC MUST BE IRSERR, IRSADM OR OTHER"
    for misc in ("IRSADM",):
        frm77(sim, "400-00-1001", TC="972", AC="505", MISC=misc)
        assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    [orig] = txns(sim, TIN, tc=971, ac=505)
    assert orig["reversed"]


def test_ac506_literals_tax_year_and_entity_level():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="506", MISC="WI SOMETHING")
    assert sim.message == "MISC MUST BE WI AM OTHER, WI PRP OTHER1 OR WI PRP DDB"
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="506", MISC="WI PRP Other1")
    assert sim.message == "REQUEST COMPLETED"
    [t] = pending(sim)
    assert t["misc"] == "WI PRP OTHER1" and t["mft"] is None  # an entity marker (ENMOD/IMFOLE)
    assert t["secondary_date"] == dt.date(2023, 12, 31)  # the tax year of the module
    assert t["extra"]["input_period"] == "202312"
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="506", MISC="WI AM OTHER")
    assert sim.message == "MISC MUST BE WI IVO IRSERR"
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="506", MISC="WI IVO IRSERR")
    assert sim.message == "REQUEST COMPLETED"


def test_ac522_reversal_misc():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="522", MISC="WI IVO IRSERR")
    assert sim.message == "MISC MUST BE WI RICS NOIDT"
    frm77(sim, "400-00-1001 30 202312", TC="972", AC="522", MISC="WI RICS NOIDT")
    assert sim.message == "REQUEST COMPLETED"


@pytest.mark.parametrize("misc,ok", [
    ("4883C SENT", True), ("5071C SENT 202312", True), ("STEP-UP AUTH", True), ("TAC AUTH ONLY", True),
    ("HIGH RISK AUTH", True), ("TPP RECOVERY", True), ("TPP RP", True), ("LETTER SENT", False), ("", False),
])
def test_ac123_letter_markers(misc, ok):
    sim = signed_on()
    fields = {"TC": "971", "AC": "123"}
    if misc:
        fields["MISC"] = misc
    frm77(sim, "400-00-1001 30 202312", **fields)
    assert (sim.message == "REQUEST COMPLETED") is ok, sim.message


def test_ac111_needs_the_dln_of_a_return_on_the_account_once_per_dln_on_mft32():
    def build(s):
        ent = s.get(b.Entity, 1)
        m32 = b.module(s, ent, "32", "202312")
        b.txn(s, m32, 976, dln="29211-045-20002-4", cycle="202415")

    sim = signed_on(build=build)
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="111", MISC="2921104520002")
    assert sim.message == "MISC MUST BE THE 14-DIGIT DLN OF THE RETURN"
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="111", MISC="29211045999994")
    assert sim.message == "DLN NOT ON THIS ACCOUNT"
    assert star_after(sim, "MISC")
    frm77(sim, "400-00-1001 32 202312", TC="971", AC="111", MISC="29211045200024")
    assert sim.message == "REQUEST COMPLETED"
    frm77(sim, "400-00-1001 32 202312", TC="971", AC="111", MISC="29211045200024")
    assert sim.message == "TC 971 AC 111 ALREADY INPUT FOR THIS DLN"


def test_ac111_on_an_unposted_return_dln():
    sim = signed_on()
    frm77(sim, f"{UP_TIN} 30 202312", TC="971", AC="111", MISC="29211045100014")
    assert sim.message == "REQUEST COMPLETED"


def test_tc972_ac124_reverses_only_the_marker_with_that_dln():
    sim = signed_on()
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124", MISC="29211045999994")
    assert sim.message == "NO UNREVERSED TC 971 AC 124 WITH THIS DLN"
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124", MISC="29211045100014")
    assert sim.message == "REQUEST COMPLETED"


def test_frm77_input_is_in_the_audit_record():
    sim = signed_on()
    frm77(sim, "400-00-1001 30 202312", TC="971", AC="850")
    rec = audit(sim, "FRM77")[-1]
    assert rec.idrs == TRAINEE and rec.tin == TIN and rec.mft == "30" and rec.period == "202312"
    assert rec.outcome.startswith("FRM77 TC 971 AC 850 400-00-1001 30 202312 PN 202426")


def test_instructors_and_leads_input_too_and_bmf_modules_work():
    sim = signed_on(INSTRUCTOR)
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR20100211034", SECONDARY_DT="01152024")
    assert sim.message == "REQUEST COMPLETED"  # instructors may do everything

    def build(s):
        from sqlalchemy import select

        ent = s.scalar(select(b.Entity).where(b.Entity.tin == BMF_EIN))
        b.module(s, ent, "01", "202406")

    sim = signed_on(LEAD, build=build)
    sim.command(f"REQ77 {BMF_EIN} 01 202406")
    assert sim.line(1).startswith(f"FRM77 {BMF_EIN} 01 202406 ACME")
    sim.fill("TC", "971").fill("TC971/151", "46").enter()
    assert sim.message == "REQUEST COMPLETED"
    [t] = pending(sim, BMF_EIN)
    assert t["dln"][2] == "1"  # tax class 1 (Form 941)


# ---- AC 505: an individual's entity, TRANS-DT = the input date (IRM 10.5.4.5.1.1 (3), Exhibit 10.5.4-2)


def test_ac505_is_refused_on_a_bmf_entity():
    """"PGLD/IM inputs a TC 971 AC 505 on the entity portion of an individual's account"
    (IRM 10.5.4.5.1.1 (3)); reference B.17 #8: no AC 505 on BMF entities."""
    sim = signed_on(PGLD)
    frm77(sim, BMF_EIN, TC="971", AC="505", MISC="IR24031500017", SECONDARY_DT="02092024")
    assert sim.message == "TC 971 AC 505 NOT VALID ON A BMF ENTITY"
    assert star_after(sim, "TC971/151")
    assert txns(sim, BMF_EIN, tc=971, ac=505) == []


def test_ac505_trans_dt_is_the_input_date():
    """Exhibit 10.5.4-2: TRANS-DT is the "TC 971 AC 505 input date", so a back-dated
    TRANS-DT (which would also put the breach date after it, reference B.16 #2) is refused."""
    sim = signed_on(PGLD)
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR24031500017", TRANS_DT="01012024",
          SECONDARY_DT="02092024")
    assert sim.message == "TRANS-DT MUST BE THE INPUT DATE FOR TC 971 AC 505"
    assert star_after(sim, "TRANS-DT")
    assert pending(sim) == []
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR24031500017", TRANS_DT="06172024",
          SECONDARY_DT="02092024")
    assert sim.message == "REQUEST COMPLETED"
    [t] = pending(sim)
    assert t["trans_date"] == dt.date(2024, 6, 17) and t["secondary_date"] == dt.date(2024, 2, 9)


def test_ac505_breach_date_not_after_the_input_date():
    sim = signed_on(PGLD)
    frm77(sim, "400-00-1001", TC="971", AC="505", MISC="IR24031500017", SECONDARY_DT="06182024")
    assert sim.message == "SECONDARY-DT LATER THAN CURRENT DATE"
    assert pending(sim) == []
