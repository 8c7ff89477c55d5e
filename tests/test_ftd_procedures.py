"""FTD Alert procedures end to end on the shipped fixtures (fixtures/ftd/, IRM 5.7.1.2-5.7.1.10).

Each test loads one scenario, runs the posting cycles the procedure needs and works the alert
at the terminal the way a group manager, revenue officer, analyst or Insolvency would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from ftd_helpers import case, cases, desk, form, history_text, last_audit, letters, read, txns
from idrs_sim.ics import cases as ics
from idrs_sim.masterfile.models import Entity
from idrs_sim.testing import IdrsTest

RO, GM, IQA, ANALYST, INSOLV, RO35 = "2621000101", "2621000100", "2621000900", "2621000950", "2621000700", "2635000201"


@pytest.fixture
def load() -> Iterator:  # type: ignore[type-arg]
    opened: list[IdrsTest] = []

    def go(name: str) -> IdrsTest:
        sim = IdrsTest(fixture=f"ftd/{name}", out=open("/dev/null", "w"))  # noqa: SIM115
        opened.append(sim)
        return sim
    yield go
    for sim in opened:
        sim.close()


def issue_and_assign(sim: IdrsTest, tin: str, to: str = RO) -> str:
    """The 13th-week cycle issues the 202406 alert; the GM assigns it from the hold file."""
    sim.cycle()
    desk(sim, GM)
    sim.command("ICSHF").expect(tin)
    form(sim, f"ICSAS {tin} 01 202406", RO=to)
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    desk(sim, to)
    return f"{tin} 01 202406"


def letter_and_contact(sim: IdrsTest, cmd: str, compliant: str) -> None:
    form(sim, f"ICSLT {cmd}", LETTER="5857", MEET="T", APPT_DT="06282024", APPT_TM="1000")
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    sim.date("2024-06-28")
    form(sim, f"ICSCT {cmd}", TYPE="PHONE", COMPLIANT=compliant, PUB1="Y")
    sim.expect("TIMELY INITIAL CONTACT")


def fcc(sim: IdrsTest, cmd: str, answer: str = "Y") -> None:
    form(sim, f"ICSFC {cmd}", DEPOSITOR="S", DEPOSITS=answer, RETURNS=answer, BALANCES=answer)


def close(sim: IdrsTest, cmd: str, cc: str, narr: str, approval: str = "") -> None:
    form(sim, f"ICSCL {cmd}", CC=cc, APPROVAL=approval, NARR=narr)


# 1 -----------------------------------------------------------------------------------------------------
def test_issuance_and_routing_by_priority(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("issuance_routing")
    report = sim.sim.cycle()[0]
    assert report.cycle == "202426"
    assert report.alerts == [("99-2000011", "01", "202406", "A", "ICS"), ("99-2000012", "01", "202406", "B", "ICS"),
                             ("99-2000013", "01", "202406", "C", "CP239")]
    assert cases(sim, "99-2000013") == [] and cases(sim, "99-2000014") == []
    marks = [(t.ac, t.misc, t.posting_cycle) for t in txns(sim, "99-2000013", "202406", 971)]
    assert marks == [(46, None, "202426"), (804, "CP239", "202426")]
    sim.sign_on(RO)
    sim.command("TXMODA 99-2000013 01 202406").expect("CP239")
    desk(sim, GM)
    sim.command("ICSHF").expect("ALERTS WAITING> 2").expect("99-2000011  01 202406 A 105 06/21/2024")
    sim.command("ICS 99-2000011 01 202406").expect("PRIORITY> A   POTENTIAL PYRAMIDER")
    sim.date("2024-06-27")  # six days in the hold file
    form(sim, "ICSAS 99-2000011 01 202406", RO=RO)
    form(sim, "ICSAS 99-2000012 01 202406", RO=RO)
    assert all(c.extra["assignment"]["timely"] for c in (case(sim, "99-2000011"), case(sim, "99-2000012")))
    desk(sim, RO)
    sim.command("ICS").expect("99-2000011  01 202406 FTD-ALERT A 105").expect("99-2000012  01 202406 FTD-ALERT B 105")


# 2 -----------------------------------------------------------------------------------------------------
def test_in_compliance_at_contact(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("in_compliance")
    tin = "99-2000015"
    cmd = issue_and_assign(sim, tin)
    sim.command(f"BMFOLK {tin}").expect("SEMIWEEKLY")
    sim.command(f"BMFOLI {tin}").expect("AC046")
    form(sim, f"ICSHI {cmd}", HIST="RESEARCH: BMFOLK SEMIWEEKLY; CP239 NONE; PLAN: PHONE CONTACT 06/28")
    letter_and_contact(sim, cmd, "Y")
    form(sim, f"ICSCC {cmd}", CAUSE="6", CURE="4")
    sim.date("2024-07-29")  # the June quarter 941 arrives: keep the alert open until it is secured
    form(sim, f"FRM49 {cmd}", TC="599", CC="01")
    fcc(sim, cmd)
    close(sim, cmd, "1", "PSP DEPOSITED LATE, CAUGHT UP 06/17; 941 FILED; TP CURRENT AT CONTACT")
    c = case(sim, tin)
    assert (c.status, c.closing_code, c.closed) == ("closed", "TP is in Compliance", dt.date(2024, 7, 29))


# 3 -----------------------------------------------------------------------------------------------------
def test_seasonal_employer_tc136_suppresses_the_next_alert(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("seasonal_employer")
    tin = "99-2000016"
    cmd = issue_and_assign(sim, tin)
    letter_and_contact(sim, cmd, "Y")
    sim.date("2024-07-01")  # the zero return for the June quarter, once the quarter has ended
    form(sim, f"FRM49 {cmd}", TC="599", CC="01", ZERO="Y")
    assert sim.message == "REQUEST COMPLETED"
    fcc(sim, cmd)
    close(sim, cmd, "3", "SKI RENTAL, PAYROLL NOV-MAR")
    assert sim.message == "TC 136 REQUEST REQUIRED"
    form(sim, f"ICSRQ {cmd}", REQ="TC136")
    close(sim, cmd, "3", "SKI RENTAL, PAYROLL NOV-MAR; ZERO RETURN SECURED; TC 136 REQUESTED")
    assert case(sim, tin).closing_code == "TP is Sporadic/Seasonal"
    reports = sim.sim.cycle(12)  # TC 136 posts, then on to the September issuance week
    assert reports[-1].cycle == "202439" and reports[-1].alerts == []
    assert [t.status for t in txns(sim, tin, tc=136)] == ["posted"]
    sim.command(f"BMFOLK {tin}").expect("TC136> YES")


# 4 -----------------------------------------------------------------------------------------------------
def test_not_required_to_deposit_with_tc590_cc50(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("no_employees_tc590")
    tin = "99-2000017"
    cmd = issue_and_assign(sim, tin)
    letter_and_contact(sim, cmd, "Y")
    form(sim, f"FRM49 {tin} 01 202403", TC="590", CC="50")
    assert sim.message == "TC 590 CC 50 ONLY ON THE FTD ALERT MODULE"
    form(sim, f"FRM49 {cmd}", TC="590", CC="50")
    assert sim.message == "REQUEST COMPLETED"
    fcc(sim, cmd)
    close(sim, cmd, "2", "NO EMPLOYEES APR-JUN 2024, RETURN IN JULY; TC 590 CC 50 ON 202406")
    assert case(sim, tin).closing_code == "Not Required to Deposit"
    sim.cycle()
    assert [(t.status, t.ac) for t in txns(sim, tin, "202406", 590)] == [("posted", 50)]
    fr = read(sim, lambda s: s.scalar(select(Entity).where(Entity.tin == tin)).filing_requirements)
    assert fr == {"941": "01"}  # later quarters stay liable


# 5 -----------------------------------------------------------------------------------------------------
def test_not_in_compliance_staup_and_bal_due_del_ret_received(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("not_in_compliance_staup")
    tin = "99-2000018"
    cmd = issue_and_assign(sim, tin)
    assert case(sim, tin).priority == "A"
    letter_and_contact(sim, cmd, "N")
    form(sim, f"ICSCC {cmd}", CAUSE="1", CURE="3")
    fcc(sim, cmd, "N")
    close(sim, cmd, "5", "CANNOT PAY 202312, 202403")
    assert sim.message == "STAUP OR ASSIGNMENT REQUEST REQUIRED FIRST"
    for period in ("202312", "202403"):
        sim.command(f"STAUP {tin} 01 {period} WEEKS>15")
        assert sim.message == "REQUEST COMPLETED"
        form(sim, f"ICSRQ {cmd}", REQ="ASSIGN", MOD_MFT="01", MOD_PRD=period)
    form(sim, f"ICSHI {cmd}", HIST="STAUP INPUT ON 202312 AND 202403, ASSIGNMENT REQUESTED")
    sim.date("2024-07-01")  # the June quarter has ended: the 941 secured unpaid
    form(sim, f"FRM49 {cmd}", TC="599", CC="01")
    assert sim.message == "REQUEST COMPLETED"
    form(sim, f"ICSMD {cmd}", KIND="BD")
    assert sim.message == "FTD ALERT OPEN ON THIS MODULE - CLOSE THE ALERT FIRST"
    close(sim, cmd, "5", "NOT COMPLIANT; STAUP + ASSIGNMENT REQUESTED; 941 SECURED UNPAID")
    assert case(sim, tin).closing_code == "Bal Due/Del Ret Received"
    form(sim, f"ICSMD {cmd}", KIND="PA")
    assert sim.message == "REQUEST COMPLETED"
    bd = case(sim, tin, kind="BAL-DUE")
    assert (bd.assigned, bd.extra["prompt_assess"]) == (RO, True)


# 6 -----------------------------------------------------------------------------------------------------
def test_out_of_business_form_4844_tc591_cc50(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("out_of_business_tc591")
    tin = "99-2000019"
    cmd = issue_and_assign(sim, tin)
    form(sim, f"ICSLT {cmd}", LETTER="5857", MEET="T", APPT_DT="07012024", APPT_TM="0900")
    sim.date("2024-07-02")
    form(sim, f"ICSCT {cmd}", TYPE="NOSHOW")
    sim.expect("TIMELY INITIAL CONTACT")
    form(sim, f"ICSCT {cmd}", TYPE="FIELD", NOTE="PREMISES VACANT, CLOSED 05/15/2024")
    form(sim, f"ICSRQ {cmd}", REQ="4844", NOTE="OOB 05/15/2024, FINAL BOX NOT CHECKED")
    fcc(sim, cmd)
    close(sim, cmd, "2", "OUT OF BUSINESS 05/15/2024; FORM 4844 TC 591 CC 50; NO OTHER MODULES")
    assert case(sim, tin).closing_code == "Not Required to Deposit"
    reports = sim.sim.cycle(12)  # TC 591 posts (941 filing requirement closes), then to September
    fr = read(sim, lambda s: s.scalar(select(Entity).where(Entity.tin == tin)).filing_requirements)
    assert fr == {"941": "00"}
    assert reports[-1].cycle == "202439" and reports[-1].alerts == []


# 7 -----------------------------------------------------------------------------------------------------
def test_new_alert_in_status_26_closed_erroneously_created_by_the_gm(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("status26_erroneous_alert")
    cmd = "99-2000008 01 202403"
    sim.sign_on(RO)
    sim.command("SUMRY 99-2000008").expect("ST 26")
    sim.command(f"ICSCL {cmd}").expect_not("Alert Erroneously Created")
    form(sim, f"ICSHI {cmd}", HIST="TP IN STATUS 26 WITH ME (BAL DUE 202306/202309). DISCUSSED WITH GM.")
    desk(sim, ANALYST)
    form(sim, f"ICSAP {cmd}", REASON="6", NOTE="CONFIRMED 202306 AND 202309 IN STATUS 26")
    ref = [a["id"] for a in ics.items(case(sim, "99-2000008", "202403"), "approvals")][0]
    desk(sim, GM)
    close(sim, cmd, "6", "OPEN BAL DUE CASE CONTROLS; ALERT NOT WORKED", approval=ref)
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    c = case(sim, "99-2000008", "202403")
    assert (c.closing_code, c.sub_code) == ("Alert Erroneously Created", None)
    assert f"APPROVAL EMAIL {ref}" in history_text(c)
    assert case(sim, "99-2000008", "202306", "BAL-DUE").status == "open"


# 8 -----------------------------------------------------------------------------------------------------
def test_bankruptcy_insolvency_monitors_tc136_and_erroneous_closure(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("status72_bankruptcy")
    tin, cmd = "99-2000010", "99-2000010 01 202403"
    sim.sign_on(RO)
    form(sim, f"ICSRQ {cmd}", REQ="CIS")
    assert sim.message == "AUTOMATIC STAY - INSOLVENCY CLEARANCE REQUIRED"
    desk(sim, INSOLV)
    form(sim, f"ICSIN {cmd}", ACT="MONITOR")
    assert sim.message == "REQUEST COMPLETED"
    [t136] = txns(sim, tin, tc=136)
    assert t136.status == "pending" and t136.module_id is None
    desk(sim, ANALYST)
    form(sim, f"ICSAP {cmd}", REASON="4")
    ref = ics.items(case(sim, tin, "202403"), "approvals")[0]["id"]
    desk(sim, GM)
    close(sim, cmd, "6", "BANKRUPTCY (STATUS 72); INSOLVENCY MONITORING, TC 136 REQUESTED", approval=ref)
    assert case(sim, tin, "202403").closing_code == "Alert Erroneously Created"
    reports = sim.sim.cycle(14)  # TC 136 posts; no alert in June or September
    assert [t.status for t in txns(sim, tin, tc=136)] == ["posted"]
    assert all(not r.alerts for r in reports)


# 9 -----------------------------------------------------------------------------------------------------
def test_transfer_with_option_e_to_the_receiving_ro(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("transfer_other_area")
    tin = "99-2000020"
    cmd = issue_and_assign(sim, tin)
    form(sim, f"ICSTR {cmd}", OPT="E", ACK="Y", ASGN="35000201", BUS_ST="CA",
         F3210="1325 J ST SACRAMENTO CA 95814")
    sim.expect("TRANSFER TO 35000201 PENDING GM APPROVAL")
    desk(sim, GM)
    form(sim, f"ICSTR {cmd}", APPROVE="Y")
    assert sim.message == "REQUEST COMPLETED"
    desk(sim, RO35)
    sim.command("ICS").expect(f"{tin}  01 202406 FTD-ALERT B 105 2635000201")
    c = case(sim, tin)
    assert (c.assigned, c.extra["group"]) == (RO35, "FC-GRP35")
    assert "TRANSFER OPTION E (TRANSFER NON-BAL DUE/DEL RET INVENTORY)" in history_text(c)


# 10 ----------------------------------------------------------------------------------------------------
def test_notifications_at_60_75_90_days_driven_by_the_clock(load) -> None:  # type: ignore[no-untyped-def]
    """Blue River Roofing's alert was assigned 04/02/2024."""
    sim = load("semiweekly_depositor_alert")
    sim.sign_on(RO)
    seen = {}
    for date in ("2024-06-01", "2024-06-02", "2024-06-16", "2024-07-01", "2024-07-15"):
        sim.date(date)
        sim.command("ICS")
        lines = sim.screen_text()
        seen[date] = next((m for m in (90, 75, 60) if f"({m}-DAY NOTIFICATION)" in lines), None)
        if seen[date]:
            sim.expect("There is an assigned FTD Alert that has been open for more than 60 days,")
            sim.expect("please resolve using the appropriate closing code")
            sim.command("ICS 99-2000001 01 202403").expect(f"({seen[date]}-DAY NOTIFICATION)")
    assert seen == {"2024-06-01": None, "2024-06-02": 60, "2024-06-16": 75, "2024-07-01": 90, "2024-07-15": 90}


# 11 ----------------------------------------------------------------------------------------------------
def test_bal_due_received_before_the_assignment_request_closes_the_alert(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("bal_due_before_assignment")
    tin = "99-2000021"
    sim.cycle()
    c = case(sim, tin, "202403")
    assert (c.status, c.closing_code) == ("closed", "Bal Due/Del Ret Received")
    sim.sign_on(RO)
    sim.command("ICS").expect(f"{tin}  01 202403 BAL-DUE")
    form(sim, f"ICSMD {tin} 01 202403", KIND="BD")
    assert sim.message == "BAL-DUE ALREADY OPEN ON ICS FOR THIS MODULE"


# 12 ----------------------------------------------------------------------------------------------------
def test_letter_5857_with_a_poa_on_cfink(load) -> None:  # type: ignore[no-untyped-def]
    sim = load("poa_on_cfink")
    cmd = "99-2000009 01 202403"
    sim.sign_on(RO)
    sim.command("CFINK 99-2000009").expect("CAROL D DIAZ")
    form(sim, f"ICSLT {cmd}", LETTER="725-B")
    assert sim.message == "LETTER 725-B CANNOT BE SENT IN PLACE OF LETTER 5857"
    form(sim, f"ICSLT {cmd}", LETTER="5857", MEET="T", APPT_DT="06242024", APPT_TM="1400")
    sim.expect("COPY OF LETTER 5857 WITH LETTER 937 MAILED TO CAROL D DIAZ")
    sim.expect("ALAN B BREWER CPA (FORM 2848) NOT AUTHORIZED FOR 202403")
    form(sim, f"ICSLT {cmd}", LETTER="725-B", WITH="5427", APPT_DT="06202024")
    assert letters(sim, "99-2000009") == ["5857", "937", "725-B", "5427"]
    assert last_audit(sim).command == "ICSLT"
