"""TERUP, STAUP, ACTON, LETER, ENREQ/INCHG and AMS: valid paths, validations, effects."""

from __future__ import annotations

import datetime as dt

import mf_builders as b
import pytest
from sqlalchemy import select

from idrs_sim.masterfile.models import ControlBase, Entity, HistoryItem, Letter, Note, TaxModule
from input_world import (
    BMF_EIN,
    NEW_TIN,
    PGLD,
    RIVO,
    TIN,
    TRAINEE,
    TRAINEE2,
    audit,
    cycle,
    read,
    second_desk,
    signed_on,
    star_after,
    txns,
)


def all_pages(sim) -> str:
    lines = list(sim.screen_lines())
    for _ in range(10):
        if "CONTINUED BELOW" not in "".join(lines[-3:]):
            break
        sim.pf(8)
        lines += sim.screen_lines()
    return "\n".join(lines)


def next_day(sim, idrs: str = TRAINEE, day: str = "2024-06-18"):
    """The clock passes midnight (End-of-Day): today's input is final.  Sign on again."""
    sim.date(day)
    sim.clear()
    if sim.screen.field_named("EMPLOYEE-NO") is not None:
        sim.sign_on(idrs)
    return sim


# ---- TERUP ---------------------------------------------------------------------------


def _idt_inputs(sim):
    """IRM 25.25.6.5.5.1: the TC 971 AC 111 and AC 506 of a wrong IDT determination."""
    sim.command("FRM77 400-00-1002 30 202312 TC>971 TC971/151>111 MISC>29211045100014")
    assert sim.message == "REQUEST COMPLETED"
    sim.command("FRM77 400-00-1002 30 202312 TC>971 TC971/151>506 MISC>WI PRP OTHER1")
    assert sim.message == "REQUEST COMPLETED"


def test_terup_lists_todays_input_and_deletes_the_selected_item():
    sim = signed_on()
    _idt_inputs(sim)
    sim.command("TERUP 400-00-1002 30 202312")
    assert sim.message == ""
    sim.expect("SEL>")
    assert sim.line(6).startswith("1   971 111") and sim.line(7).startswith("2   971 506")
    assert "202426" in sim.line(6) and "FRM77" in sim.line(6)
    sim.fill("SEL", "1").enter()
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("DELETED: TC 971 AC 111 29211045100014")
    assert sim.line(6).startswith("1   971 506")
    sim.fill("SEL", "1").enter()
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("NO MORE INPUT OF TODAY")
    assert {t["status"] for t in txns(sim, "400-00-1002", tc=971) if t["ac"] in (111, 506)} == {"deleted"}
    assert audit(sim, "TERUP")[-1].outcome == "TERUP 400-00-1002 DELETED TC 971 AC 506 WI PRP OTHER1"
    sim.command("TXMODA 400-00-1002 30 202312")
    assert "PN     971" not in all_pages(sim)
    cycle(sim)
    assert [t for t in txns(sim, "400-00-1002", status="posted") if t["ac"] in (111, 506)] == []


def test_terup_one_line_form_and_bad_selection():
    sim = signed_on()
    _idt_inputs(sim)
    sim.command("TERUP 400-00-1002 SEL>5")
    assert sim.message == "INVALID SELECTION"
    sim.command("TERUP 400-00-1002")
    sim.fill("SEL", "9").enter()
    assert sim.message == "INVALID SELECTION"
    assert star_after(sim, "SEL")
    sim.command("TERUP 400-00-1002 SEL>2")
    assert sim.message == "REQUEST COMPLETED"
    assert [t["ac"] for t in txns(sim, "400-00-1002", status="deleted")] == [506]


def test_terup_only_lists_your_own_input():
    sim = signed_on()
    _idt_inputs(sim)
    second_desk(sim, TRAINEE2)
    sim.command("TERUP 400-00-1002")
    assert sim.message == "NO INPUT OF TODAY TO DELETE"


def test_terup_after_end_of_day_is_refused():
    """IRM 25.25.6.5.5.1: same day only; afterwards only quality review can reject it."""
    sim = signed_on()
    _idt_inputs(sim)
    next_day(sim)
    sim.command("TERUP 400-00-1002 30 202312")
    assert sim.message == "INPUT IS FINAL - TERUP ONLY ON THE DAY OF INPUT"
    assert len(txns(sim, "400-00-1002", status="pending")) == 2


def test_terup_tears_up_adj54_and_address_changes_too():
    sim = signed_on()
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("REQ54")
    sim.fill("TC", "290").fill("AMOUNT", ".00").enter()
    sim.command("ENMOD 400-00-1001")
    sim.command("ENREQ 400-00-1001")
    sim.fill("STREET", "99 OAK AVE").fill("CITY", "DALLAS").fill("STATE", "TX").fill("ZIP", "75201").enter()
    sim.command("TERUP 400-00-1001")
    assert sim.line(6).startswith("1   290") and "ADJ54" in sim.line(6)
    assert sim.line(7).startswith("2   14") and "ENTITY" in sim.line(7) and "INCHG" in sim.line(7)


# ---- STAUP ---------------------------------------------------------------------------


def _stop(sim):
    def go(s):
        ent = s.scalar(select(Entity).where(Entity.tin == TIN))
        mod = ent.module("30", "202312")
        return mod.stop_notice_weeks, mod.stop_notice_until

    return read(sim, go)


def test_staup_delays_notices_at_once():
    sim = signed_on()
    sim.command("STAUP 400-00-1001 30 202312")
    sim.expect("WEEKS>")
    sim.fill("WEEKS", "15").enter()
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("NOTICES DELAYED 15 WEEKS - UNTIL CYCLE 202440")
    assert _stop(sim) == (15, "202440")
    module = next(m for m in sim.dump(TIN)["entities"][0]["modules"] if m["period"] == "202312")
    assert module["stop_notice_weeks"] == 15 and module["stop_notice_until"] == "202440"
    sim.command("STAUP 400-00-1001 30 202312 WEEKS>4")
    assert _stop(sim) == (4, "202429")
    sim.command("STAUP 400-00-1001 30 202312 WEEKS>0")
    assert sim.message == "REQUEST COMPLETED"
    assert _stop(sim) == (None, None)


def test_staup_validations():
    sim = signed_on()
    sim.command("STAUP 400-00-1001 30 202312")
    sim.fill("WEEKS", "16").enter()
    assert sim.message == "WEEKS MUST BE 0-15"
    assert star_after(sim, "WEEKS")
    sim.command("STAUP 400-00-1001 30 202312 WEEKS>99")
    assert sim.message == "WEEKS MUST BE 0-15"
    sim.command("STAUP 400-00-1001 30 202212 WEEKS>4")
    assert sim.message == "RECORD NOT FOUND"
    sim.command("STAUP 400-00-1001 WEEKS>4")
    assert sim.message == "INVALID MFT"


def test_staup_shows_on_txmod():
    sim = signed_on()
    sim.command("STAUP 400-00-1001 30 202312 WEEKS>15")
    sim.command("TXMODA 400-00-1001 30 202312")
    assert "202440" in all_pages(sim)


# ---- ACTON ---------------------------------------------------------------------------


def acton(sim, line1: str, *more: str):
    sim.clear().string(line1)
    for line in more:
        sim.newline().string(line)
    return sim.enter()


def _controls(sim, tin: str = TIN):
    def go(s):
        ent = s.scalar(select(Entity).where(Entity.tin == tin))
        return [(c.module.period if c.module else None, c.category, c.status, c.activity, c.idrs,
                 c.closed_date is not None) for c in s.scalars(select(ControlBase).where(ControlBase.entity_id == ent.id))]

    return read(sim, go)


def test_acton_opens_a_control_in_irm_notation_and_txmod_shows_it():
    sim = signed_on()
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,CRTTY,A,MISC", "1483145470,*")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("OPENED MISC CRTTY A 1483145470")
    assert _controls(sim) == [("202312", "MISC", "A", "CRTTY", "1483145470", False)]
    sim.command("TXMODC 400-00-1001 30 202312")
    text = all_pages(sim)
    assert "OPEN A  MISC 1483145470 CRTTY" in text
    assert audit(sim, "ACTON")[-1].outcome.startswith("ACTON 400-00-1001 30 202312 OPENED MISC CRTTY")


def test_acton_updates_and_closes_the_open_control_of_the_category():
    sim = signed_on()
    acton(sim, "ACTON 400-00-1001 30 202312", "CXX,RTP-0617,M,32RV", "*,1487355555")
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,HOLD432RV,M,32RV", "1487355555,*")
    sim.expect("UPDATED 32RV HOLD432RV M")
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,RTN2PROC,C,32RV", "1487355555,*")
    sim.expect("CLOSED 32RV RTN2PROC C")
    assert _controls(sim) == [("202312", "32RV", "C", "RTN2PROC", "1487355555", True)]
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,RTP-0618,M,32RV", "1487355555,*")
    assert len(_controls(sim)) == 2  # the closed one stays; a new one opens


def test_acton_entity_control_and_history_items():
    sim = signed_on()
    acton(sim, "ACTON 400-00-1001", "C#,TPPFAX0617,A,4883", "1486000101,*")
    assert sim.message == "REQUEST COMPLETED"
    assert _controls(sim) == [(None, "4883", "A", "TPPFAX0617", "1486000101", False)]
    acton(sim, "ACTON 400-00-1001 30 202312 HIST>TPPAUTH PASSED HRA")
    assert sim.message == "REQUEST COMPLETED"
    acton(sim, "ACTON 400-00-1001 30 202312", "H,CALLBACK SCHEDULED")
    items = read(sim, lambda s: [(h.activity, h.text, h.module_id is not None) for h in s.scalars(select(HistoryItem))])
    assert items == [("TPPAUTH", "TPPAUTH PASSED HRA", True), ("CALLBACK", "CALLBACK SCHEDULED", True)]
    sim.command("TXMODC 400-00-1001 30 202312")
    text = all_pages(sim)
    assert "TPPAUTH PASSED HRA" in text and "CALLBACK SCHEDULED" in text
    sim.command("ENMOD 400-00-1001")
    assert "4883 1486000101 TPPFAX0617" in all_pages(sim)


def test_acton_on_a_module_not_on_idrs_creates_a_dummy_module():
    sim = signed_on()
    acton(sim, "ACTON 400-00-1001 30 202212", "C#,CRTTY,A,MISC", "1483145470,*")
    assert sim.message == "REQUEST COMPLETED"
    assert read(sim, lambda s: s.scalar(select(TaxModule).where(TaxModule.period == "202212")) is not None)


def test_acton_validations():
    sim = signed_on()
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,CRTTY,X,MISC", "1483145470,*")
    assert sim.message == "INVALID STATUS - A, B, C, M OR S"
    assert sim.line(2)[10] == "*"  # right of the status on line 2
    acton(sim, "ACTON 400-00-1001 30 202312", "C#,CRTTY,A,MIS", "1483145470,*")
    assert sim.message in ("INVALID CATEGORY CODE", "INVALID DATA")
    sim.command("ACTON 400-00-1001 30 202312")
    sim.expect("CATEGORY>")
    sim.fill("CATEGORY", "MISC").fill("ACTIVITY", "CRTTY").enter()
    assert sim.message == "CATEGORY, ACTIVITY, STATUS AND IDRS NUMBER REQUIRED"
    assert star_after(sim, "STATUS") and star_after(sim, "ASSIGN-TO")
    sim.fill("STATUS", "A").fill("ASSIGN-TO", "1483145470").fill("RCVD-DT", "06302024").enter()
    assert sim.message == "RCVD-DT LATER THAN CURRENT DATE"
    sim.fill("RCVD-DT", "06102024").enter()
    assert sim.message == "REQUEST COMPLETED"
    assert read(sim, lambda s: s.scalar(select(ControlBase.received_date))) == dt.date(2024, 6, 10)
    sim.command("ACTON 400-00-1001 30 202312")
    sim.enter()
    assert sim.message == "CONTROL BASE OR HISTORY ITEM REQUIRED"


# ---- LETER ---------------------------------------------------------------------------


def leter(sim, line: str = "400-00-1001 30 202312", **fields: str):
    sim.command(f"LETER {line}")
    sim.expect("LETTER>")
    for key, value in fields.items():
        sim.fill(key.replace("_", "-"), value)
    return sim.enter()


def test_4674c_is_recorded_and_shows_in_the_enmod_history():
    sim = signed_on()
    leter(sim, LETTER="4674C", PARAS="C7acwy&", RTN_ADDR_CD="TP", SIG_CD="KA")
    assert sim.message == "REQUEST COMPLETED"
    [row] = read(sim, lambda s: [(x.letter, x.period, x.idrs, x.paragraphs, x.return_address_code,
                                  x.signature_code, x.on_idrs) for x in s.scalars(select(Letter))])
    assert row == ("4674C", "202312", TRAINEE, "C7acwy&", "TP", "KA", True)
    sim.command("ENMOD 400-00-1001")
    text = all_pages(sim)
    assert f"{TRAINEE} 4674CLTR" in text and f"{TRAINEE} 202312" in text


@pytest.mark.parametrize("fields,label,literal", [
    ({"LETTER": "4674C", "PARAS": "C7acwy", "RTN_ADDR_CD": "TP", "SIG_CD": "KA"}, "PARAS", "INVALID PARAGRAPHS FOR THIS LETTER"),
    ({"LETTER": "4674C", "RTN_ADDR_CD": "TP", "SIG_CD": "KA"}, "PARAS", "PARAGRAPHS REQUIRED"),
    ({"LETTER": "4674C", "PARAS": "C7acwy&", "RTN_ADDR_CD": "XX", "SIG_CD": "KA"}, "RTN-ADDR-CD", "INVALID RETURN ADDRESS CODE"),
    ({"LETTER": "4674C", "PARAS": "C7acwy&", "SIG_CD": "KA"}, "RTN-ADDR-CD", "RETURN ADDRESS CODE REQUIRED"),
    ({"LETTER": "4674C", "PARAS": "C7acwy&", "RTN_ADDR_CD": "TP"}, "SIG-CD", "SIGNATURE CODE REQUIRED"),
    ({"LETTER": "4674C", "PARAS": "C7acwy&", "RTN_ADDR_CD": "TP", "SIG_CD": "AB"}, "SIG-CD", "INVALID SIGNATURE CODE"),
    ({"LETTER": "6167C", "PARAS": "D*", "RTN_ADDR_CD": "TP"}, "OPEN-PARA", "OPEN PARAGRAPH TEXT REQUIRED"),
    ({"LETTER": "6167C", "PARAS": "D", "RTN_ADDR_CD": "TP"}, "PARAS", "INVALID PARAGRAPHS FOR THIS LETTER"),
    ({"LETTER": "6167C", "PARAS": "B*", "RTN_ADDR_CD": "TP", "OPEN_PARA": "X"}, "PARAS", "INVALID PARAGRAPHS FOR THIS LETTER"),
    ({"LETTER": "135C", "PARAS": "A"}, "PARAS", "INVALID PARAGRAPHS FOR THIS LETTER"),
    ({"LETTER": "5747C", "RTN_ADDR_CD": "CP"}, "RTN-ADDR-CD", "INVALID RETURN ADDRESS CODE"),
    ({"LETTER": "9999C"}, "LETTER", "INVALID LETTER NUMBER"),
    ({"LETTER": "6330C"}, "LETTER", "LETTER CANNOT BE REISSUED"),
    ({"PARAS": "A"}, "LETTER", "LETTER NUMBER REQUIRED"),
])
def test_leter_validations(fields, label, literal):
    sim = signed_on()
    leter(sim, **fields)
    assert sim.message == literal
    assert star_after(sim, label)
    assert read(sim, lambda s: s.scalar(select(Letter.id))) is None


@pytest.mark.parametrize("fields", [
    {"LETTER": "4674C", "PARAS": "C7acwy:", "RTN_ADDR_CD": "CP", "SIG_CD": "KA"},
    {"LETTER": "6167C", "PARAS": "D*", "RTN_ADDR_CD": "TP", "OPEN_PARA": "A COPY OF YOUR PASSPORT"},
    {"LETTER": "6167C", "PARAS": "A*", "RTN_ADDR_CD": "TP", "OPEN_PARA": "FORM 56 AND YOUR ID"},
    {"LETTER": "135C", "PARAS": "P", "OPEN_PARA": "FORM 56 REQUIRED"},
    {"LETTER": "5747C", "RTN_ADDR_CD": "TP"},
    {"LETTER": "0418C"},
])
def test_leter_accepts_the_letters_as_the_irm_prescribes(fields):
    # A TPP letter (5747C) goes only as IRM 25.25.6.6.2 lets the toll-free assistor reissue
    # one (tests/test_leter_reissue.py); RIVO reissues the 5747C of its written-response steps,
    # on an account with the TC 971 AC 123 TAC AUTH ONLY marker it needs (TPP-40).
    if fields["LETTER"] == "5747C":
        sim = signed_on(RIVO, _tac_auth_only)
    else:
        sim = signed_on(TRAINEE)
    leter(sim, **fields)
    assert sim.message == "REQUEST COMPLETED"


def _tac_auth_only(s) -> None:  # type: ignore[no-untyped-def]
    mod = s.scalar(select(TaxModule).join(Entity).where(Entity.tin == TIN))
    s.add(Note(entity=mod.entity, issue="TPP-AUTHENTICATION FAILED", text="FAILED HRA", idrs=TRAINEE,
               date=dt.date(2024, 4, 2)))
    b.txn(s, mod, 971, ac=123, misc="TAC AUTH ONLY", cycle="202409")


def test_letter_5216_once_per_taxpayer_and_never_on_idrs():
    # 5216: the TAC's and RIVO's, after a failed authentication on record (TPP-41)
    sim = signed_on(RIVO, _tac_auth_only)
    sim.command("LETER 400-00-1001 30 202312 LETTER>5216 RTN-ADDR-CD>TP")
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("NOT SHOWN ON IDRS")
    assert read(sim, lambda s: s.scalar(select(Letter.on_idrs))) is False
    sim.command("ENMOD 400-00-1001")
    assert "5216" not in all_pages(sim)
    sim.command("LETER 400-00-1001 LETTER>5216 RTN-ADDR-CD>TP")
    assert sim.message == "LETTER 5216 PREVIOUSLY ISSUED - ONCE PER TAXPAYER"


def test_restricted_letters_and_first_time_filers():
    sim = signed_on()
    sim.command("LETER 400-00-1001 LETTER>4281C")
    assert sim.message == "LETTER NOT AUTHORIZED FOR THIS EMPLOYEE"
    assert audit(sim, "LETER")[-1].violation
    sim.command(f"LETER {NEW_TIN} 30 202312 LETTER>4883C")  # first-time filer with UNP 1260
    assert sim.message == "REQUEST COMPLETED"
    sim = signed_on(PGLD)
    sim.command("LETER 400-00-1001 LETTER>4281C")
    assert sim.message == "REQUEST COMPLETED"


# ---- ENREQ / INCHG -------------------------------------------------------------------


def test_enreq_needs_enmod_first_and_gives_inchg():
    sim = signed_on()
    sim.command("ENREQ 400-00-1001")
    assert sim.message == "ENMOD MUST PRECEDE ENREQ"
    sim.command("ENMOD 400-00-1001")
    sim.command("ENREQ 400-00-1001")
    assert sim.line(1).startswith("INCHG 400-00-1001 SMIT")
    for label in ("STREET>", "CITY>", "STATE>", "ZIP>", "IN-CARE-OF>", "POST-DELAY>"):
        sim.expect(label)
    sim.command(f"ENMOD {BMF_EIN}")
    sim.command(f"ENREQ {BMF_EIN}")
    assert sim.message == "INCHG IS FOR IMF TINS - BNCHG NOT AVAILABLE"


def _inchg(sim, **fields: str):
    sim.command("ENMOD 400-00-1001")
    sim.command("ENREQ 400-00-1001")
    for key, value in fields.items():
        sim.fill(key.replace("_", "-"), value)
    return sim.enter()


def test_the_address_change_is_a_pending_tc014_that_posts():
    sim = signed_on()
    _inchg(sim, IN_CARE_OF="JANE SMITH", STREET="99 Oak Ave", CITY="Dallas", STATE="tx", ZIP="752011234")
    assert sim.message == "REQUEST COMPLETED"
    [t] = txns(sim, TIN, tc=14)
    assert t["status"] == "pending" and t["due_cycle"] == "202426" and t["mft"] is None
    assert t["extra"]["address"] == ["C/O JANE SMITH", "99 OAK AVE", "DALLAS TX 75201-1234"]
    assert t["extra"]["old_address"] == ["12 ELM ST", "AUSTIN TX 78701"]
    sim.command("ENMOD 400-00-1001")
    assert any(line.startswith("014") and "202426 PN" in line and "99 OAK AVE DALLAS" in line
               for line in all_pages(sim).split("\n"))
    cycle(sim)
    [t] = txns(sim, TIN, tc=14)
    assert t["status"] == "posted" and t["posting_cycle"] == "202426"


def test_the_posted_address_change_replaces_the_address():
    sim = signed_on()
    _inchg(sim, STREET="99 OAK AVE", CITY="DALLAS", STATE="TX", ZIP="75201")
    cycle(sim)
    assert sim.dump(TIN)["entities"][0]["address"] == ["99 OAK AVE", "DALLAS TX 75201"]


@pytest.mark.parametrize("fields,label,literal", [
    ({"CITY": "DALLAS", "STATE": "TX", "ZIP": "75201"}, "STREET", "STREET ADDRESS REQUIRED"),
    ({"STREET": "99 OAK AVE", "STATE": "TX", "ZIP": "75201"}, "CITY", "CITY REQUIRED"),
    ({"STREET": "99 OAK AVE", "CITY": "DALLAS", "STATE": "XX", "ZIP": "75201"}, "STATE", "INVALID STATE CODE"),
    ({"STREET": "99 OAK AVE", "CITY": "DALLAS", "STATE": "TX", "ZIP": "7520"}, "ZIP", "INVALID ZIP CODE"),
    ({"STREET": "99 OAK AVE", "CITY": "DALLAS", "STATE": "TX", "ZIP": "75201", "POST_DELAY": "8"}, "POST-DELAY",
     "POST-DELAY MUST BE 0-6 CYCLES"),
    ({"STREET": "99 OAK AVE {}", "CITY": "DALLAS", "STATE": "TX", "ZIP": "75201"}, "STREET", "INVALID CHARACTERS IN ADDRESS"),
])
def test_inchg_validations(fields, label, literal):
    sim = signed_on()
    _inchg(sim, **fields)
    assert sim.message == literal
    assert star_after(sim, label)
    assert txns(sim, TIN, tc=14) == []


def test_inchg_on_a_first_time_filer_is_refused():
    sim = signed_on()
    sim.command(f"INCHG {NEW_TIN} STREET>1 MAIN ST CITY>AUSTIN STATE>TX ZIP>78701")
    assert sim.message == "ENTITY NOT ESTABLISHED"


# ---- AMS -----------------------------------------------------------------------------


def test_ams_lists_and_adds_notes_by_date_with_the_employee():
    sim = signed_on()
    sim.command("AMS 400-00-1001")
    sim.expect("NO AMS NOTES ON THIS TIN").expect("ISSUE>").expect("NOTE>")
    sim.fill("ISSUE", "TPP-HIGH RISK PASSED").fill("NOTE", "Passed HRA; return verified, DLN 29211-045-20002-4.").enter()
    assert sim.message == "REQUEST COMPLETED"
    sim.command("AMS 400-00-1001 30 202312 ISSUE>OTHER ENTITY NOTE>CALL DROPPED DURING HRA")
    assert sim.message == "REQUEST COMPLETED"
    assert sim.line(8).startswith(f"06172024 {TRAINEE} OTHER ENTITY") and "MFT 30 202312" in sim.line(8)
    assert "CALL DROPPED DURING HRA" in sim.line(9)
    assert sim.line(10).startswith(f"06172024 {TRAINEE} TPP-HIGH RISK PASSED")
    notes = read(sim, lambda s: [(n.system, n.issue, n.idrs, n.date) for n in s.scalars(select(Note).order_by(Note.id))])
    assert notes == [("AMS", "TPP-HIGH RISK PASSED", TRAINEE, dt.date(2024, 6, 17)),
                     ("AMS", "Other Entity", TRAINEE, dt.date(2024, 6, 17))]
    sim.command("ENMOD 400-00-1001")
    assert "CALL DROPPED" not in all_pages(sim)  # AMS is not IDRS
    assert audit(sim, "AMS")[-1].outcome == "AMS NOTE ADDED 400-00-1001 Other Entity"


def test_ams_validations_and_first_time_filers():
    sim = signed_on()
    sim.command("AMS 400-00-1001")
    sim.fill("ISSUE", "WHATEVER").fill("NOTE", "X").enter()
    assert sim.message == "INVALID ISSUE CATEGORY"
    assert star_after(sim, "ISSUE")
    sim.fill("ISSUE", "Other Entity").fill("NOTE", "").enter()
    assert sim.message == "NOTE TEXT REQUIRED"
    assert star_after(sim, "NOTE")
    sim.command("AMS 400-00-1001 NOTE>NO ISSUE")
    assert sim.message == "ISSUE CATEGORY REQUIRED"
    sim.command(f"AMS {NEW_TIN} ISSUE>OTHER ENTITY NOTE>LETTER 5216 ISSUED")
    assert sim.message == "REQUEST COMPLETED"
    sim.command("AMS 400-00-9999")
    assert sim.message == "RECORD NOT FOUND"
