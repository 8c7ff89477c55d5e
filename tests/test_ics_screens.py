"""ICS screens for FTD Alerts (IRM 5.7.1.4-5.7.1.10): hold file and assignment, timers and the
60/75/90-day notification, contacts, pick lists, letters, requests, closing codes and their
guards, the analyst's concurrence, transfer option E, ICS-only modules, Insolvency, FRM49,
and a refused case for every role restriction."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import select

import mf_builders as b
from ftd_helpers import (
    ANALYST, EIN, EMPLOYEES, GM, GM35, INSOLV, INSTRUCTOR, IQA, RO, RO2, RO35, TPP, alert, case, desk, employer,
    form, history_text, last_audit, letters, txns, world,
)
from idrs_sim import commands
from idrs_sim.ics import cases as ics
from idrs_sim.ics import closing
from idrs_sim.masterfile.models import PENDING, Entity, IcsCase
from idrs_sim.resources import data_file

CMD = f"{EIN} 01 202406"


def _world(**kw):  # type: ignore[no-untyped-def]
    """One employer whose 202406 alert is assigned to RO on 06/14/2024 (clock 06/17/2024)."""
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00")
        alert(s, ent, **kw)
    return world(build)


def signed(idrs: str = RO, **kw):  # type: ignore[no-untyped-def]
    sim = _world(**kw)
    sim.sign_on(idrs)
    return sim


def worked(sim, *, compliant: str = "Y"):  # type: ignore[no-untyped-def]
    """Letter 5857, the initial phone contact and a Full Compliance Check (all Y unless told)."""
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT=compliant, PUB1="Y")
    full = "Y" if compliant == "Y" else "N"
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS=full, RETURNS=full, BALANCES=full)
    return sim


def secure_return(sim, zero: bool = False):  # type: ignore[no-untyped-def]
    sim.date("2024-07-01")  # the June quarter has ended: its return can be secured (TC 599)
    form(sim, f"FRM49 {CMD}", TC="599", CC="01", ZERO="Y" if zero else "N")
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    return sim


# --- inventory, hold file, assignment (IRM 5.7.1.4) -----------------------------------------------


def test_gm_sees_the_hold_file_and_assigns_within_7_days() -> None:
    sim = world(lambda s: alert(s, employer(s), assigned=None, opened=dt.date(2024, 6, 12)))
    sim.sign_on(GM)
    sim.command("ICSHF")
    sim.expect("GROUP> FC-GRP21").expect("ALERTS WAITING> 1").expect(f"{EIN}  01 202406 B 105 06/12/2024")
    sim.expect("06/19/2024")
    sim.command("ICS").expect("GROUP HOLD FILE: 1 ALERTS WAITING, 0 OVERDUE")
    form(sim, f"ICSAS {CMD}", RO=RO)
    assert sim.message == "REQUEST COMPLETED"
    sim.expect("ASSIGNED TO 2621000101 - INITIAL CONTACT DUE 07/12/2024")
    c = case(sim)
    assert (c.assigned, c.assigned_date, c.extra["assignment"]["timely"]) == (RO, dt.date(2024, 6, 17), True)
    assert "5 DAYS AFTER ARRIVAL - TIMELY" in history_text(c)


def test_assignment_after_7_days_is_recorded_late_and_flagged_overdue() -> None:
    sim = world(lambda s: alert(s, employer(s), assigned=None, opened=dt.date(2024, 6, 7)))
    sim.sign_on(GM)
    sim.command("ICSHF").expect("OVERDUE> 1").expect("06/14/2024 OVERDUE")
    sim.command(f"ICS {CMD}").expect("IN GROUP HOLD FILE - ASSIGNMENT OVERDUE")
    form(sim, f"ICSAS {CMD}", RO=RO2)
    sim.expect("LATE ASSIGNMENT")
    assert "10 DAYS AFTER ARRIVAL - LATE (MORE THAN 7 CALENDAR DAYS)" in history_text(case(sim))


def test_gm_assigns_only_to_an_ro_of_the_group() -> None:
    sim = world(lambda s: alert(s, employer(s), assigned=None))
    sim.sign_on(GM)
    form(sim, f"ICSAS {CMD}", RO=RO35)
    assert sim.message == "NOT A REVENUE OFFICER OF THIS GROUP"
    desk(sim, GM35)
    sim.command(f"ICSAS {CMD} RO>{RO35}")
    assert sim.message == "CASE NOT IN YOUR GROUP"


def test_ro_inventory_lists_assigned_cases_with_the_contact_due_date() -> None:
    sim = signed()
    sim.command("ICS").expect("EMPLOYEE> 2621000101").expect(f"{EIN}  01 202406 FTD-ALERT B 105 2621000101 06142024   3 07092024")
    sim.expect_not("There is an assigned FTD Alert")


@pytest.mark.parametrize("date, mark", [("2024-08-13", None), ("2024-08-14", 60), ("2024-08-27", 60),
                                        ("2024-08-28", 75), ("2024-09-11", 75), ("2024-09-12", 90)])
def test_notifications_at_60_75_and_90_days_driven_by_the_clock(date: str, mark: int | None) -> None:
    """IRM 5.7.1.9(9): assigned more than 60 days, again at 75 and 90 (assigned 06/14/2024)."""
    sim = signed()
    sim.date(date)
    for cmd in ("ICS", f"ICS {CMD}"):
        sim.command(cmd)
        if mark is None:
            sim.expect_not("There is an assigned FTD Alert")
            continue
        sim.expect("There is an assigned FTD Alert that has been open for more than 60 days,")
        sim.expect(f"please resolve using the appropriate closing code  ({mark}-DAY NOTIFICATION)")
    if mark:
        assert last_audit(sim).outcome.endswith(f"NOTIFICATION {mark}-DAY")


def test_closed_alert_has_no_notification() -> None:
    sim = signed()
    with sim.sim.mf.unit_of_work() as s:
        c = s.scalar(select(IcsCase))
        c.status = "closed"
    sim.date("2024-10-01")
    sim.command(f"ICS {CMD}").expect_not("There is an assigned FTD Alert")


def test_case_summary_shows_priority_sub_code_and_timers() -> None:
    sim = signed(priority="A")
    sim.command(f"ICS {EIN}")
    sim.expect("PRIORITY> A   POTENTIAL PYRAMIDER").expect("SUB CODE> 105   FTD ALERT").expect("STATUS> OPEN")
    sim.expect("RECEIVED> 06/14/2024   DAYS SINCE RECEIPT> 3").expect("CONTACT DUE> 07/09/2024   NOT MADE - 22 DAYS LEFT")


def test_sub_code_must_be_105_and_is_logged_with_who_changed_it() -> None:
    sim = signed(sub_code="000")
    sim.command(f"ICS {CMD}").expect("SUB CODE> 000   NOT 105 - UPDATE ICS")
    form(sim, f"ICSSC {CMD}", SUB="104")
    assert sim.message == "SUB CODE MUST BE 105 (FTD ALERT)"
    form(sim, f"ICSSC {CMD}", SUB="105")
    assert case(sim).sub_code == "105"
    assert "SUB CODE CHANGED FROM 000 TO 105 BY RO 2621000101" in history_text(case(sim))


# --- contacts, pick lists (IRM 5.7.1.6, 5.7.1.7) -------------------------------------------------------


def test_initial_contact_needs_letter_5857_and_pub_1() -> None:
    sim = signed()
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="Y")
    assert sim.message == "LETTER 5857 REQUIRED BEFORE INITIAL CONTACT"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="N")
    assert sim.message == "PUB 1 MUST BE REVIEWED AT INITIAL CONTACT"
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="Y")
    sim.expect("PHONE RECORDED - TIMELY INITIAL CONTACT")


def test_no_show_to_letter_5857_counts_as_timely_contact() -> None:
    sim = signed()
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    sim.date("2024-06-26")
    form(sim, f"ICSCT {CMD}", TYPE="NOSHOW")
    sim.expect("NOSHOW RECORDED - TIMELY INITIAL CONTACT")
    contact = ics.initial_contact(case(sim))
    assert contact["type"] == "NOSHOW" and contact["timely"] is True


def test_no_show_cannot_be_recorded_before_the_appointment() -> None:
    """IRM 5.7.1.6: a recorded failure to respond to the appointment letter is the timely
    contact -- and it cannot be known before the appointment comes (decision: its date and time)."""
    sim = signed()
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    form(sim, f"ICSCT {CMD}", TYPE="NOSHOW")  # 06/17, eight days early
    assert sim.message == "NOSHOW NOT ALLOWED BEFORE THE LETTER 5857 APPOINTMENT"
    assert ics.initial_contact(case(sim)) is None
    sim.sim.mf.set_date(dt.datetime(2024, 6, 25, 9, 59))  # the appointment day, before 10:00
    form(sim, f"ICSCT {CMD}", TYPE="NOSHOW")
    assert sim.message == "NOSHOW NOT ALLOWED BEFORE THE LETTER 5857 APPOINTMENT"
    sim.sim.mf.set_date(dt.datetime(2024, 6, 25, 10, 0))
    form(sim, f"ICSCT {CMD}", TYPE="NOSHOW")
    sim.expect("NOSHOW RECORDED - TIMELY INITIAL CONTACT")


def test_contact_after_25_days_needs_the_reason_for_the_delay() -> None:
    sim = signed()
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="07102024", APPT_TM="0900")
    sim.date("2024-07-10")  # assigned 06/14: due 07/09
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="N", PUB1="Y")
    assert sim.message == "CONTACT AFTER 25 DAYS - REASON FOR DELAY REQUIRED"
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="N", PUB1="Y", DELAY="TP RESCHEDULED")
    sim.expect("PHONE RECORDED - LATE INITIAL CONTACT")
    assert "LATE, DELAY: TP RESCHEDULED" in history_text(case(sim))


def test_attempts_and_field_visits_do_not_start_the_contact() -> None:
    sim = signed()
    form(sim, f"ICSCT {CMD}", TYPE="ATTEMPT", NOTE="NO ANSWER")
    form(sim, f"ICSCT {CMD}", TYPE="OBSERVE")
    assert ics.initial_contact(case(sim)) is None
    form(sim, f"ICSCT {CMD}", TYPE="LUNCH")
    assert sim.message == "INVALID CONTACT TYPE"


def test_cause_and_cure_after_the_initial_contact() -> None:
    sim = signed()
    form(sim, f"ICSCC {CMD}", CAUSE="1", CURE="1")
    assert sim.message == "INITIAL CONTACT NOT RECORDED"
    worked(sim, compliant="N")
    form(sim, f"ICSCC {CMD}", CAUSE="9", CURE="1")
    assert sim.message == "INVALID CAUSE"
    form(sim, f"ICSCC {CMD}", CAUSE="2", CURE="1")
    assert "CAUSE AND CURE: CAUSE REDUCED PAYROLL OR WAGES; CURE DEPOSIT RULES EXPLAINED" in history_text(case(sim))


def test_full_compliance_check_shows_idrs_and_records_the_answers() -> None:
    sim = signed()
    sim.command(f"ICSFC {CMD}").expect("DEPOSITOR ON MASTER FILE: SEMIWEEKLY").expect("ALERT QUARTER 202406 FORM 941: NOT SECURED")
    form(sim, f"ICSFC {CMD}", DEPOSITOR="X", DEPOSITS="Y", RETURNS="Y", BALANCES="Y")
    assert sim.message == "DEPOSITOR MUST BE S OR M"
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS="Y", RETURNS="N", BALANCES="Y")
    sim.expect("NOT IN FULL COMPLIANCE")
    assert ics.latest_fcc(case(sim))["returns"] == "N"


def test_ftd_verification_lists_deposits_of_the_alert_and_later_quarters() -> None:
    sim = signed()
    with sim.sim.mf.unit_of_work() as s:
        ent = s.scalar(select(Entity).where(Entity.tin == EIN))
        b.pending(s, b.module(s, ent, "01", "202409"), 650, amount="7000.00", trans_date=dt.date(2024, 6, 17))
    sim.command(f"ICSFV {CMD}").expect("202406 TC 650").expect("202409 TC 650 PN 06172024")
    form(sim, f"ICSFV {CMD}", RESULT="3")
    assert "FTD VERIFICATION: 2 DEPOSITS 16,000.00 SINCE 202406 - DEPOSITS INSUFFICIENT" in history_text(case(sim))


# --- letters (IRM 5.7.1.5, 5.7.1.6) -----------------------------------------------------------------


def _irm_example(s):  # type: ignore[no-untyped-def]
    """The IRM 5.7.1.5 Letter 5857 example: current 2,000; 202312 (same quarter PY) 75,000 /
    56,500.24 / 1,849.97; last quarter filed 202409 100,000 / 60,450.20 / 3,954.98."""
    ent = employer(s, history={}, current=None)
    same = b.module(s, ent, "01", "202312")
    b.txn(s, same, 150, amount="75000.00", cycle="202407")
    b.txn(s, same, 650, amount="56500.24", cycle="202352")
    b.txn(s, same, 186, amount="1849.97", cycle="202410")
    last = b.module(s, ent, "01", "202409")
    b.txn(s, last, 150, amount="100000.00", cycle="202446")
    b.txn(s, last, 650, amount="60450.20", cycle="202439")
    b.txn(s, last, 186, amount="3654.98", cycle="202447")
    b.txn(s, last, 166, amount="300.00", cycle="202447")
    cur = b.module(s, ent, "01", "202412")
    b.txn(s, cur, 650, amount="2000.00", cycle="202445")
    b.pending(s, cur, 650, amount="5000.00")  # not on IDRS yet: not in the table
    ent.poa = [{"name": "ALAN B BREWER CPA", "caf": "0312-45678R", "form": "2848", "tax_form": "941", "periods": ["202409"]},
               {"name": "CAROL D DIAZ", "caf": "0398-76543R", "form": "8821", "tax_form": "941", "periods": ["202412"]}]
    alert(s, ent, "202412", opened=dt.date(2024, 12, 20), assigned_date=dt.date(2024, 12, 23))


def test_letter_5857_table_from_idrs_matches_the_irm_example_and_copies_go_with_937() -> None:
    sim = world(_irm_example, date="2024-12-26")
    sim.sign_on(RO)
    form(sim, f"ICSLT {EIN} 01 202412", LETTER="5857", MEET="T", APPT_DT="01062025", APPT_TM="1030")
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    sim.expect("CURRENT QUARTER          12-31-2024               N/A     $2,000.00         N/A")
    sim.expect("SAME QUARTER, PRIOR YEAR 12-31-2023        $75,000.00    $56,500.24   $1,849.97")
    sim.expect("LAST QUARTER FILED       09-30-2024       $100,000.00    $60,450.20   $3,954.98")
    sim.expect("COPY OF LETTER 5857 WITH LETTER 937 MAILED TO CAROL D DIAZ (FORM 8821, CAF")
    sim.expect("ALAN B BREWER CPA (FORM 2848) NOT AUTHORIZED FOR 202412 - VALIDATE")
    sim.expect("FORM 8821 APPOINTEE MAY RECEIVE INFORMATION ONLY")
    assert letters(sim) == ["5857", "937"]
    [lt] = ics.items(case(sim, period="202412"), "letters")
    assert lt["table"][1] == {"row": "SAME QUARTER, PRIOR YEAR", "period": "202312", "tax": "75000.00",
                              "deposits": "56500.24", "penalties": "1849.97"}
    assert lt["copies"] == [{"name": "CAROL D DIAZ", "form": "8821", "caf": "0398-76543R"}]


def test_letter_5857_needs_a_telephone_appointment_for_the_initial_contact() -> None:
    sim = signed()
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="P", APPT_DT="06252024", APPT_TM="1000")
    assert sim.message == "INITIAL CONTACT MUST BE BY TELEPHONE - MEET>T"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_TM="1000")
    assert sim.message == "APPOINTMENT DATE REQUIRED"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06012024", APPT_TM="1000")
    assert sim.message == "APPOINTMENT DATE BEFORE TODAY"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252099", APPT_TM="1000")  # FTD-R11
    assert sim.message == "APPOINTMENT DATE MORE THAN ONE YEAR AHEAD"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="2500")
    assert sim.message == "APPOINTMENT TIME REQUIRED - HHMM"
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="P", APPT_DT="07012024", APPT_TM="1000")  # follow-up in person
    assert sim.message == "REQUEST COMPLETED" and letters(sim) == ["5857", "5857"]


def test_letter_725b_is_refused_as_a_substitute_for_5857() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00")
        ent.poa = [{"name": "ALAN B BREWER CPA", "caf": "0312-45678R", "form": "2848", "periods": ["202312"]}]
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    form(sim, f"ICSLT {CMD}", LETTER="725-B")
    assert sim.message == "LETTER 725-B CANNOT BE SENT IN PLACE OF LETTER 5857"
    form(sim, f"ICSLT {CMD}", LETTER="937")
    assert sim.message == "LETTER 937 GOES ONLY WITH A COPY OF LETTER 5857"
    form(sim, f"ICSLT {CMD}", LETTER="725-B", WITH="5427")
    assert sim.message == "REQUEST COMPLETED"
    assert letters(sim) == ["725-B", "5427"]
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="Y")
    assert sim.message == "LETTER 5857 REQUIRED BEFORE INITIAL CONTACT"  # 725-B did not replace it


def test_letter_5664_prior_and_current_quarter_table() -> None:
    sim = worked(signed())  # Letter 5664 prepares field follow-ups after the initial contact
    form(sim, f"ICSLT {CMD}", LETTER="5664", APPT_DT="07022024")
    sim.expect("PRIOR QUARTER            03-31-2024        $60,000.00    $60,000.00       $0.00")
    sim.expect("CURRENT QUARTER          06-30-2024               N/A     $9,000.00         N/A")
    sim.expect("SEALED ENVELOPE")
    assert letters(sim) == ["5857", "5664"]


# --- requests (IRM 5.7.1.5-5.7.1.9) -----------------------------------------------------------------


def test_tc136_request_is_pending_on_the_entity() -> None:
    sim = signed()
    form(sim, f"ICSRQ {CMD}", REQ="TC136")
    sim.expect("TC136 REQUESTED TC 136 PENDING, POSTS CYCLE 202426")
    [t] = txns(sim, tc=136)
    assert (t.status, t.module_id, t.due_cycle, t.input_idrs) == (PENDING, None, "202426", RO)
    form(sim, f"ICSRQ {CMD}", REQ="TC136")
    assert sim.message == "TC 136 ALREADY ON FILE"


def test_form_4844_requests_tc591_cc50_on_the_alert_module() -> None:
    sim = signed()
    form(sim, f"ICSRQ {CMD}", REQ="4844")
    [t] = txns(sim, period="202406", tc=591)
    assert (t.status, t.ac) == (PENDING, 50)


def test_assignment_request_and_status_22_to_the_acs_liaison() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00", statuses={"202312": "22", "202309": "03"})
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    form(sim, f"ICSRQ {CMD}", REQ="ASSIGN", MOD_MFT="01", MOD_PRD="202312")
    assert sim.message == "MODULE IN STATUS 22 (ACS) - REQ>ACSXFER TO THE ACS SUPPORT LIAISON"
    form(sim, f"ICSRQ {CMD}", REQ="ACSXFER", MOD_MFT="01", MOD_PRD="202312")
    assert sim.message == "REQUEST COMPLETED"
    form(sim, f"ICSRQ {CMD}", REQ="ASSIGN", MOD_MFT="01", MOD_PRD="202309")
    assert [r["req"] for r in ics.items(case(sim), "requests")] == ["ACSXFER", "ASSIGN"]


def test_bankruptcy_blocks_cis_and_enforcement_until_insolvency_clears() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00", statuses={"202403": "72"})
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    for req in ("CIS", "ENFORCE"):
        form(sim, f"ICSRQ {CMD}", REQ=req)
        assert sim.message == "AUTOMATIC STAY - INSOLVENCY CLEARANCE REQUIRED"
    desk(sim, INSOLV)
    form(sim, f"ICSIN {CMD}", ACT="CLEAR")
    desk(sim, RO)
    form(sim, f"ICSRQ {CMD}", REQ="CIS")
    assert sim.message == "REQUEST COMPLETED"


def test_insolvency_needs_a_bankruptcy_on_idrs() -> None:
    sim = signed(INSOLV)
    form(sim, f"ICSIN {CMD}", ACT="MONITOR")
    assert sim.message == "NO BANKRUPTCY ON IDRS FOR THIS TAXPAYER"


# --- closing codes and their guards (IRM 5.7.1.9) ------------------------------------------------------


def test_closing_needs_a_narrative_and_a_full_compliance_check() -> None:
    sim = signed()
    form(sim, f"ICSCL {CMD}", CC="1")
    assert sim.message == "CLOSING NARRATIVE REQUIRED"
    form(sim, f"ICSCL {CMD}", CC="1", NARR="TP CURRENT")
    assert sim.message == "FULL COMPLIANCE CHECK REQUIRED BEFORE CLOSING"
    form(sim, f"ICSCL {CMD}", CC="9", NARR="X")
    assert sim.message == "INVALID CLOSING CODE"


def test_tp_in_compliance_needs_the_alert_quarter_return_and_compliance_at_contact() -> None:
    sim = worked(signed(), compliant="N")
    form(sim, f"ICSCL {CMD}", CC="1", NARR="TP CURRENT")
    assert sim.message == closing.FCC_NOT_FULL
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS="Y", RETURNS="Y", BALANCES="Y")
    form(sim, f"ICSCL {CMD}", CC="1", NARR="TP CURRENT")
    assert sim.message == closing.RETURN_NOT_SECURED
    secure_return(sim)
    form(sim, f"ICSCL {CMD}", CC="TP is in Compliance", NARR="TP CURRENT")
    assert sim.message == "TP NOT IN COMPLIANCE AT INITIAL CONTACT - USE BROUGHT INTO COMPLIANCE"
    form(sim, f"ICSCL {CMD}", CC="BROUGHT INTO FULL COMPLIANCE", NARR="DEPOSITS AND 941 SECURED")
    assert sim.message == "REQUEST COMPLETED"
    c = case(sim)
    assert (c.status, c.closing_code, c.closed, c.sub_code) == ("closed", "Brought into Compliance", dt.date(2024, 7, 1), None)
    assert "CLOSING NARRATIVE: DEPOSITS AND 941 SECURED" in history_text(c)
    assert "FULL COMPLIANCE CHECK OF 06/17/2024 CONFIRMED AT CLOSING" in history_text(c)
    sim.command(f"ICSCL {CMD} CC>4 NARR>AGAIN")
    assert sim.message == "FTD ALERT ALREADY CLOSED"


def test_brought_into_compliance_needs_non_compliance_at_the_initial_contact() -> None:
    """IRM 5.7.1.9: Brought into Compliance "should be used when the taxpayer is not in full
    compliance at the time of the initial contact" -- so a recorded initial contact at which
    the taxpayer was not in compliance (the mirror of TP is in Compliance)."""
    sim = secure_return(worked(signed(), compliant="Y"))
    form(sim, f"ICSCL {CMD}", CC="4", NARR="BROUGHT INTO COMPLIANCE ALTHOUGH COMPLIANT AT CONTACT")
    assert sim.message == "TP IN COMPLIANCE AT INITIAL CONTACT - USE TP IS IN COMPLIANCE"
    assert case(sim).status == "open"
    form(sim, f"ICSCL {CMD}", CC="1", NARR="TP CURRENT AT CONTACT")
    assert sim.message == "REQUEST COMPLETED"


def test_brought_into_compliance_needs_the_initial_contact() -> None:
    sim = secure_return(signed())
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS="Y", RETURNS="Y", BALANCES="Y")
    form(sim, f"ICSCL {CMD}", CC="4", NARR="NO CONTACT EVER MADE")
    assert sim.message == "INITIAL CONTACT NOT RECORDED"
    assert case(sim).status == "open"


def test_sporadic_seasonal_needs_a_tc136_request() -> None:
    sim = secure_return(worked(signed()), zero=True)
    form(sim, f"ICSCL {CMD}", CC="3", NARR="SEASONAL")
    assert sim.message == "TC 136 REQUEST REQUIRED"
    form(sim, f"ICSRQ {CMD}", REQ="TC136")
    form(sim, f"ICSCL {CMD}", CC="3", NARR="SEASONAL POOL SERVICE, ZERO RETURN")
    assert case(sim).closing_code == "TP is Sporadic/Seasonal"


@pytest.mark.parametrize("evidence", ["tc590", "4844", "zero", "final"])
def test_not_required_to_deposit_needs_tc590_4844_final_or_zero_return(evidence: str) -> None:
    sim = worked(signed(), compliant="N")
    form(sim, f"ICSCL {CMD}", CC="2", NARR="NO EMPLOYEES")
    assert sim.message == "TC 590 CC 50, FORM 4844, FINAL OR ZERO RETURN REQUIRED"
    if evidence == "tc590":
        form(sim, f"FRM49 {CMD}", TC="590", CC="50")
    elif evidence == "4844":  # with deposits on the alert module its 941 is secured first (FTD-R12)
        form(sim, f"ICSRQ {CMD}", REQ="4844")
        secure_return(sim)
    elif evidence == "zero":
        secure_return(sim, zero=True)
    else:
        with sim.sim.mf.unit_of_work() as s:
            ent = s.scalar(select(Entity).where(Entity.tin == EIN))
            ret = [t for t in ent.module("01", "202403").transactions if t.tc == 150][0]
            ret.document = {**ret.document, "final": True}
    form(sim, f"ICSCL {CMD}", CC="2", NARR="NO EMPLOYEES")
    assert case(sim).closing_code == "Not Required to Deposit", sim.screen_text()


def test_bal_due_del_ret_received_needs_staup_or_an_assignment_request_first() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00")
        b.txn(s, ent.module("01", "202403"), 186, amount="500.00", cycle="202420")  # balance due in notice status
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    worked(sim, compliant="N")
    form(sim, f"ICSCL {CMD}", CC="5", NARR="BAL DUE 202403")
    assert sim.message == "STAUP OR ASSIGNMENT REQUEST REQUIRED FIRST"
    sim.command(f"STAUP {EIN} 01 202403 WEEKS>15")
    assert sim.message == "REQUEST COMPLETED"
    form(sim, f"ICSMD {CMD}", KIND="BD")
    assert sim.message == "FTD ALERT OPEN ON THIS MODULE - CLOSE THE ALERT FIRST"
    form(sim, f"ICSCL {CMD}", CC="5", NARR="BAL DUE 202403, STAUP INPUT")
    sim.expect("CREATE THE ICS ONLY BAL DUE/DEL RET (ICSMD)")
    assert "STAUP INPUT VERIFIED ON IDRS: MFT 01 202403 UNTIL CYCLE 202440" in history_text(case(sim))
    form(sim, f"ICSMD {CMD}", KIND="BD")  # the alert module holds a credit: no Bal Due to control
    assert sim.message == "NO BALANCE DUE ON IDRS FOR THIS MODULE - NOT AN ICS ONLY BAL DUE"
    form(sim, f"ICSMD {EIN} 01 202403", KIND="BD")
    assert sim.message == "REQUEST COMPLETED"
    bd = case(sim, period="202403", kind="BAL-DUE")
    assert (bd.assigned, bd.extra["ics_only"], bd.status) == (RO, True, "open")
    form(sim, f"ICSMD {EIN} 01 202403", KIND="BD")
    assert sim.message == "BAL-DUE ALREADY OPEN ON ICS FOR THIS MODULE"


def test_erroneously_created_is_hidden_from_ros_and_refused_as_a_violation() -> None:
    sim = signed()
    sim.command(f"ICSCL {CMD}").expect("5 Bal Due/Del Ret Received").expect_not("Alert Erroneously Created")
    form(sim, f"ICSCL {CMD}", CC="6", NARR="STATUS 26")
    assert sim.message == "CLOSING CODE NOT AUTHORIZED"
    audit = last_audit(sim)
    assert audit.violation and audit.command == "ICSCL" and audit.outcome.startswith("CLOSING CODE NOT AUTHORIZED")
    sim.command(f"ICSCL {CMD} CC>ALERT ERRONEOUSLY CREATED NARR>X")
    assert sim.message == "CLOSING CODE NOT AUTHORIZED" and last_audit(sim).violation


def test_gm_closes_erroneously_created_only_with_the_analysts_concurrence() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00", statuses={"202312": "26"})
        alert(s, ent)
    sim = world(build)
    sim.sign_on(GM)
    sim.command(f"ICSCL {CMD}").expect("6 Alert Erroneously Created")
    form(sim, f"ICSCL {CMD}", CC="6", NARR="TP IN STATUS 26 WITH RO")
    assert sim.message == "FTD ALERT PROGRAM ANALYST APPROVAL REQUIRED"
    sim.clear().string(f"ICSCL {CMD} CC>6").newline()
    sim.string("APPROVAL>This closure is authorized by Headquarters, per IRM 5.7.1.5").newline()
    sim.string("NARR>STATUS 26").enter()
    assert sim.message == "SYSTEMIC CLOSURE STATEMENT IS NOT ANALYST APPROVAL"
    form(sim, f"ICSCL {CMD}", CC="6", APPROVAL="FTDA0000101", NARR="STATUS 26")
    assert sim.message == "ANALYST APPROVAL NOT ON FILE FOR THIS ALERT"
    desk(sim, ANALYST)
    form(sim, f"ICSAP {CMD}", REASON="4")
    assert sim.message == "IDRS DOES NOT SHOW STATUS 72 FOR THIS TAXPAYER"
    form(sim, f"ICSAP {CMD}", REASON="6", NOTE="CONFIRMED STATUS 26 BAL DUE 202312")
    sim.expect("CONCURRENCE FTDA0000101 EMAILED TO THE GM")
    desk(sim, GM)
    sim.command(f"ICSCL {CMD}").expect("ANALYST CONCURRENCE ON FILE: FTDA0000101")
    form(sim, f"ICSCL {CMD}", CC="6", APPROVAL="FTDA0000101", NARR="")
    assert sim.message == "CLOSING NARRATIVE REQUIRED"
    form(sim, f"ICSCL {CMD}", CC="6", APPROVAL="ftda0000101", NARR="TP ASSIGNED TO RO IN STATUS 26")
    assert sim.message == "REQUEST COMPLETED"
    c = case(sim)
    assert (c.closing_code, c.extra["hq_tracked"]) == ("Alert Erroneously Created", True)
    assert ("FTD ALERT PROGRAM ANALYST APPROVAL EMAIL FTDA0000101 OF 06/17/2024 FROM 2621000950 COPIED INTO HISTORY: "
            "TAXPAYER IN STATUS 26") in history_text(c)


def test_iqa_sees_only_erroneously_created_and_needs_approval_too() -> None:
    sim = signed(IQA)
    sim.command(f"ICSCL {CMD}").expect("6 Alert Erroneously Created").expect_not("1 TP is in Compliance")
    form(sim, f"ICSCL {CMD}", CC="1", NARR="X")
    assert sim.message == "CLOSING CODE NOT AUTHORIZED" and last_audit(sim).violation
    form(sim, f"ICSCL {CMD}", CC="6", NARR="SYSTEMIC ERROR")
    assert sim.message == "FTD ALERT PROGRAM ANALYST APPROVAL REQUIRED"


def test_ro_works_only_their_own_cases() -> None:
    sim = signed(RO2)
    sim.command(f"ICSHI {CMD} HIST>LOOKING")
    assert sim.message == "CASE NOT IN YOUR INVENTORY"
    sim.command(f"ICS {CMD}").expect("PRIORITY> B")  # viewing is research, allowed


def test_history_entries_are_appended() -> None:
    sim = signed()
    form(sim, f"ICSHI {CMD}", HIST="pre-contact research: bmfolk semiweekly, cp 239 none")
    sim.command(f"ICS {CMD}").expect("PRE-CONTACT RESEARCH: BMFOLK SEMIWEEKLY, CP 239 NONE")


# --- transfer (IRM 5.7.1.10) ------------------------------------------------------------------------


def test_transfer_option_e_to_a_receiving_ro_then_gm_approval() -> None:
    sim = signed()
    tr = dict(OPT="E", ACK="Y", ASGN="35000201", BUS_ST="CA", F3210="500 CAPITOL MALL SACRAMENTO CA 95814")
    for change, literal in [
        ({"OPT": "A"}, "SELECT OPTION E - TRANSFER NON-BAL DUE/DEL RET INVENTORY"),
        ({"ACK": ""}, "CHECK ACKNOWLEDGE ALERTS (ACK>Y)"),
        ({"ASGN": ""}, "RECEIVING RO ASSIGNMENT NUMBER REQUIRED"),
        ({"ASGN": "35000200"}, "INVALID ASSIGNMENT NUMBER - NOT A REVENUE OFFICER"),
        ({"ASGN": "21000102"}, "RECEIVING RO IS IN THIS AREA - NOT A TRANSFER"),
        ({"BUS_ST": "TX"}, "BUSINESS NOT LOCATED IN THE RECEIVING AREA"),
        ({"F3210": ""}, "FORM 3210 MAILING ADDRESS REQUIRED"),
    ]:
        form(sim, f"ICSTR {CMD}", **{**tr, **change})
        assert sim.message == literal, change
    form(sim, f"ICSTR {CMD}", **tr)
    sim.expect("TRANSFER TO 35000201 PENDING GM APPROVAL")
    form(sim, f"ICSTR {CMD}", APPROVE="Y")
    assert sim.message == "TRANSFER APPROVAL NOT AUTHORIZED" and last_audit(sim).violation
    desk(sim, GM)
    form(sim, f"ICSTR {CMD}", APPROVE="Y")
    c = case(sim)
    assert (c.assigned, c.assigned_date, c.extra["group"], c.extra["transfer"]["status"]) == (
        RO35, dt.date(2024, 6, 17), "FC-GRP35", "approved")
    desk(sim, RO35)
    sim.command("ICS").expect(f"{EIN}  01 202406 FTD-ALERT B 105 2635000201")


# --- FRM49 (IDRS input of TC 590 / TC 599) -----------------------------------------------------------


def test_frm49_tc590_cc50_only_on_the_alert_module() -> None:
    sim = signed()
    form(sim, f"FRM49 {EIN} 01 202403", TC="590", CC="50")
    assert sim.message == "TC 590 CC 50 ONLY ON THE FTD ALERT MODULE"
    form(sim, f"FRM49 {CMD}", TC="590", CC="51")
    assert sim.message == "TC 590 CLOSING CODE MUST BE 50"
    form(sim, f"FRM49 {CMD}", TC="591", CC="50")
    assert sim.message == "TC 591 CC 50 IS REQUESTED ON FORM 4844 (ICSRQ REQ>4844)"
    form(sim, f"FRM49 {CMD}", TC="590", CC="50")
    sim.expect("TC 590 CC 50 INPUT - PENDING (PN), POSTS IN CYCLE 202426")
    sim.command(f"TXMODA {CMD}").expect("590")
    sim.sim.cycle()
    [t] = txns(sim, period="202406", tc=590)
    assert (t.status, t.ac, t.posting_cycle) == ("posted", 50, "202426")


# --- every role restriction has a refused case ---------------------------------------------------------

REFUSED = {  # code -> an employee whose roles do not include the code's
    "ICS": TPP, "ICSHF": RO, "ICSAS": RO, "ICSHI": ANALYST, "ICSCT": GM, "ICSCC": GM, "ICSFC": IQA,
    "ICSFV": IQA, "ICSLT": GM, "ICSRQ": GM, "ICSSC": IQA, "ICSCL": ANALYST, "ICSAP": GM, "ICSTR": IQA,
    "ICSMD": GM, "ICSIN": RO, "FRM49": IQA,
}


def test_every_ics_code_is_covered_by_the_role_refusal_table() -> None:
    data = yaml.safe_load(data_file("commands", "ics.yaml").read_text())["commands"]
    assert set(data) | {"FRM49"} == set(REFUSED)
    for code, idrs in REFUSED.items():
        assert not commands.definitions()[code].allows(EMPLOYEES[idrs][1]), code


@pytest.mark.parametrize("code", sorted(REFUSED))
def test_role_restriction_refused_and_audited_as_a_violation(code: str) -> None:
    sim = signed(REFUSED[code])
    sim.command(code if code in ("ICS", "ICSHF") else f"{code} {CMD}")
    assert sim.message == "UNAUTHORIZED COMMAND CODE"
    audit = last_audit(sim)
    assert audit.violation and audit.command == code and audit.outcome == "UNAUTHORIZED COMMAND CODE"


def test_instructor_may_use_every_option() -> None:
    sim = signed(INSTRUCTOR)
    sim.command(f"ICSCL {CMD}").expect("6 Alert Erroneously Created").expect("1 TP is in Compliance")


def test_inventory_for_iqa_and_analyst_lists_every_open_alert() -> None:
    sim = signed(IQA)
    sim.command("ICS").expect("ALL OPEN FTD ALERTS: 1").expect(f"{EIN}  01 202406 FTD-ALERT")
    desk(sim, ANALYST)
    sim.command("ICS").expect("ALL OPEN FTD ALERTS: 1")


def test_unknown_tin_and_module() -> None:
    sim = signed()
    sim.command("ICS 99-3999999")
    assert sim.message == "RECORD NOT FOUND"
    sim.command(f"ICS {EIN} 01 202403")
    assert sim.message == "NO FTD ALERT ON ICS FOR THIS MODULE"
