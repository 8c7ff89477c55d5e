"""FTD Alert review fixes (IRM 5.7.1.4-5.7.1.9): the evidence of closing code 5, TC 599 only for
an ended quarter, the closed case's contact timer, codes 2 and 3 after the initial contact, no
balances owed on the Full Compliance Check, BMFOLK look-back of the shipped semiweekly
employers, reassignment keeping the first assignment, the Headquarters closure statement, net
penalties on Letter 5857, Letters 5664 / 725-B, and ICSHF GROUP> refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

import mf_builders as b
from ftd_helpers import (
    ANALYST, EIN, GM, IQA, RO, RO2, alert, case, desk, employer, form, history_text, last_audit, world,
)
from idrs_sim.ics import cases as ics
from idrs_sim.ics import closing
from idrs_sim.masterfile.models import Entity
from idrs_sim.rules import ftd_evidence, ftd_letters
from idrs_sim.testing import IdrsTest

CMD = f"{EIN} 01 202406"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ftd"


def _sim(build=None, idrs: str = RO) -> IdrsTest:  # type: ignore[no-untyped-def]
    def default(s):  # type: ignore[no-untyped-def]
        alert(s, employer(s, current="9000.00"))
    sim = world(build or default)
    sim.sign_on(idrs)
    return sim


def _contact(sim: IdrsTest, compliant: str = "Y") -> IdrsTest:
    form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT="06252024", APPT_TM="1000")
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT=compliant, PUB1="Y")
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    return sim


def _fcc(sim: IdrsTest, answer: str = "Y") -> IdrsTest:
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS=answer, RETURNS=answer, BALANCES=answer)
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    return sim


def _with_bal_due(s):  # type: ignore[no-untyped-def]
    ent = employer(s, current="9000.00", statuses={"202403": "21"})
    b.txn(s, ent.module("01", "202403"), 186, amount="500.00", cycle="202420")
    alert(s, ent)


# 1 --- Bal Due/Del Ret Received needs a request for a real Bal Due / Del Ret -------------------------


def test_assignment_request_of_the_credit_alert_module_is_refused_and_is_no_code_5_evidence() -> None:
    sim = _fcc(_sim(), "N")
    form(sim, f"ICSRQ {CMD}", REQ="ASSIGN")  # MOD-MFT/MOD-PRD blank: the alert module, credit, status 02
    assert sim.message == ftd_evidence.NOT_BAL_DUE_DEL_RET
    assert ics.items(case(sim), "requests") == []
    form(sim, f"ICSRQ {CMD}", REQ="ASSIGN", MOD_MFT="01", MOD_PRD="202403")  # settled quarter
    assert sim.message == ftd_evidence.NOT_BAL_DUE_DEL_RET
    form(sim, f"ICSCL {CMD}", CC="5", NARR="NO BAL DUE ANYWHERE")
    assert sim.message == "STAUP OR ASSIGNMENT REQUEST REQUIRED FIRST" and case(sim).status == "open"


def test_assignment_request_of_a_bal_due_module_is_code_5_evidence() -> None:
    sim = _fcc(_sim(_with_bal_due), "N")
    form(sim, f"ICSRQ {CMD}", REQ="ASSIGN", MOD_MFT="01", MOD_PRD="202403")
    assert sim.message == "REQUEST COMPLETED"
    assert [r.get("kind") for r in ics.items(case(sim), "requests")] == ["BAL-DUE"]
    form(sim, f"ICSCL {CMD}", CC="5", NARR="BAL DUE 202403 ASSIGNMENT REQUESTED")
    assert case(sim).closing_code == "Bal Due/Del Ret Received"


def test_an_older_request_of_the_alert_module_is_no_code_5_evidence() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        c = alert(s, employer(s, current="9000.00"))
        ics.push(c, "requests", {"req": "ASSIGN", "mft": "01", "period": "202406", "date": "2024-06-17"})
    sim = _fcc(_sim(build), "N")
    form(sim, f"ICSCL {CMD}", CC="5", NARR="X")
    assert sim.message == "STAUP OR ASSIGNMENT REQUEST REQUIRED FIRST"


def test_ics_only_bal_due_needs_a_balance_due_on_idrs() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        c = alert(s, employer(s, current="9000.00"))
        c.status, c.closing_code = "closed", "Bal Due/Del Ret Received"
    sim = _sim(build)
    form(sim, f"ICSMD {CMD}", KIND="BD")  # the alert module holds a 9,000.00 credit
    assert sim.message == ftd_evidence.NO_BALANCE_DUE
    form(sim, f"ICSMD {CMD}", KIND="DR")
    assert sim.message == "REQUEST COMPLETED"


# 2 --- TC 599 after the quarter ends; closed timer; codes 2 and 3 after the contact ------------------


def test_tc599_is_refused_until_the_tax_period_has_ended() -> None:
    sim = _sim()
    form(sim, f"FRM49 {CMD}", TC="599", CC="01")
    assert sim.message == ftd_evidence.PERIOD_NOT_ENDED
    sim.date("2024-06-30")
    form(sim, f"FRM49 {CMD}", TC="599", CC="01")
    assert sim.message == ftd_evidence.PERIOD_NOT_ENDED
    sim.date("2024-07-01")
    form(sim, f"FRM49 {CMD}", TC="599", CC="01")
    assert sim.message == "REQUEST COMPLETED"


def test_not_required_to_deposit_on_tc590_needs_the_initial_contact() -> None:
    sim = _sim()
    form(sim, f"FRM49 {CMD}", TC="590", CC="50")
    _fcc(sim)
    form(sim, f"ICSCL {CMD}", CC="2", NARR="NO EMPLOYEES")
    assert sim.message == closing.NOT_LIABLE_CONTACT and case(sim).status == "open"
    _contact(sim)
    form(sim, f"ICSCL {CMD}", CC="2", NARR="NO EMPLOYEES, VERIFIED AT CONTACT")
    assert case(sim).closing_code == "Not Required to Deposit"


def _out_of_business(s):  # type: ignore[no-untyped-def]
    alert(s, employer(s, current="0.00"))  # no deposits on the alert module


def _verified_out_of_business(sim: IdrsTest) -> IdrsTest:
    """Form 4844 requested and the business's status verified in the field (FTD-R12: the
    request alone no longer closes code 2, IRM 5.7.1.5)."""
    form(sim, f"ICSRQ {CMD}", REQ="4844")
    form(sim, f"ICSCT {CMD}", TYPE="FIELD", NOTE="PREMISES VACANT")
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    return sim


def test_not_required_to_deposit_out_of_business_closes_without_a_telephone_contact() -> None:
    sim = _verified_out_of_business(_fcc(_sim(_out_of_business)))
    form(sim, f"ICSCL {CMD}", CC="2", NARR="OUT OF BUSINESS, FORM 4844")
    assert case(sim).closing_code == "Not Required to Deposit"


def test_sporadic_seasonal_needs_the_initial_contact() -> None:
    sim = _sim()
    sim.date("2024-07-01")
    form(sim, f"FRM49 {CMD}", TC="599", CC="01", ZERO="Y")
    form(sim, f"ICSRQ {CMD}", REQ="TC136")
    _fcc(sim)
    form(sim, f"ICSCL {CMD}", CC="3", NARR="SEASONAL")
    assert sim.message == closing.CONTACT_NOT_RECORDED and case(sim).status == "open"


def test_a_closed_case_stops_counting_the_contact_timer() -> None:
    sim = _fcc(_verified_out_of_business(_sim(_out_of_business)))
    form(sim, f"ICSCL {CMD}", CC="2", NARR="OUT OF BUSINESS")
    assert case(sim).status != "open", sim.screen_text()
    sim.date("2024-08-01")
    sim.command(f"ICS {CMD}").expect("CONTACT DUE> 07/09/2024   NOT MADE - TIMER CLOSED 06/17/2024")
    sim.expect_not("DAYS LATE").expect_not("DAYS LEFT")


# 3 --- no balances owed --------------------------------------------------------------------------------


def test_balances_y_is_refused_while_idrs_shows_a_balance_due() -> None:
    sim = _sim(_with_bal_due)
    form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS="Y", RETURNS="Y", BALANCES="Y")
    assert sim.message == f"{ftd_evidence.BALANCE_DUE_ON_IDRS} (01 202403)"
    assert ics.items(case(sim), "fcc") == []
    _fcc(sim, "N")


def test_a_balance_due_after_the_check_stops_brought_into_compliance() -> None:
    sim = _fcc(_contact(_sim(), "N"))
    sim.date("2024-07-01")
    form(sim, f"FRM49 {CMD}", TC="599", CC="01")
    with sim.sim.mf.unit_of_work() as s:
        ent = s.scalar(select(Entity).where(Entity.tin == EIN))
        assert ent is not None
        module = ent.module("01", "202403")
        assert module is not None
        b.txn(s, module, 186, amount="250.00", cycle="202426")
    form(sim, f"ICSCL {CMD}", CC="4", NARR="BROUGHT INTO COMPLIANCE")
    assert sim.message == f"{closing.BALANCE_DUE_AT_CLOSING} (01 202403)"


# 4 --- BMFOLK on the shipped semiweekly employers -------------------------------------------------------


def test_every_alerted_semiweekly_employer_is_semiweekly_by_look_back() -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        ents = [e for e in data.get("entities") or [] if e.get("depositor") == "semiweekly"]
        if not ents:
            continue
        sim = IdrsTest(fixture=f"ftd/{path.stem}", out=open("/dev/null", "w"))  # noqa: SIM115
        try:
            sim.sign_on(RO)
            for e in ents:
                sim.command(f"BMFOLK {e['tin']}")
                assert "DEPOSITOR BY LOOK-BACK> MONTHLY" not in sim.screen_text(), (path.name, e["tin"])
        finally:
            sim.close()


# 5 --- reassignment keeps the first assignment ------------------------------------------------------------


def test_reassignment_keeps_the_first_assignment_for_the_7_day_and_25_day_measures() -> None:
    sim = world(lambda s: alert(s, employer(s), assigned=None, opened=dt.date(2024, 6, 15)))
    sim.sign_on(GM)
    form(sim, f"ICSAS {CMD}", RO=RO)
    sim.expect("INITIAL CONTACT DUE 07/12/2024")
    sim.date("2024-07-15")
    form(sim, f"ICSAS {CMD}", RO=RO2)
    sim.expect("INITIAL CONTACT DUE 07/12/2024")
    sim.command(f"ICS {CMD}")
    sim.expect("ASSIGNED> 2621000102   07/15/2024   1ST ASSIGNED 06/17/2024 (2 DAYS) - TIMELY")
    sim.expect("CONTACT DUE> 07/12/2024   NOT MADE - 3 DAYS LATE")
    c = case(sim)
    assert (c.assigned_date, ics.first_assigned(c)) == (dt.date(2024, 7, 15), dt.date(2024, 6, 17))


def test_reassigning_a_case_without_a_recorded_assignment_keeps_its_date() -> None:
    sim = _sim(idrs=GM)  # assigned 06/14 by the fixture, nothing recorded by ICSAS
    form(sim, f"ICSAS {CMD}", RO=RO2)
    c = case(sim)
    assert (c.assigned, ics.first_assigned(c), ics.contact_due(c)) == (RO2, dt.date(2024, 6, 14), dt.date(2024, 7, 9))


# 6 --- the Headquarters closure statement -----------------------------------------------------------------


def test_erroneously_created_closure_shows_the_ics_systemic_closure_statement() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        alert(s, employer(s, current="9000.00", statuses={"202312": "26"}))
    sim = _sim(build, ANALYST)
    form(sim, f"ICSAP {CMD}", REASON="6")
    desk(sim, GM)
    form(sim, f"ICSCL {CMD}", CC="6", APPROVAL="FTDA0000101", NARR="TP IN STATUS 26")
    assert sim.message == "REQUEST COMPLETED"
    assert ics.HQ_STATEMENT in history_text(case(sim))
    sim.command(f"ICS {CMD}").expect("This closure is authorized by Headquarters, per IRM 5.7.1.5")


def test_other_closures_do_not_show_the_statement() -> None:
    sim = _verified_out_of_business(_fcc(_sim(_out_of_business)))
    form(sim, f"ICSCL {CMD}", CC="2", NARR="OUT OF BUSINESS")
    assert case(sim).closing_code == "Not Required to Deposit"
    assert ics.HQ_STATEMENT not in history_text(case(sim))


# 7 --- net penalties on Letter 5857 -----------------------------------------------------------------------


def test_letter_5857_penalties_are_net_of_abatements() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s)
        alert(s, ent)
        b.txn(s, ent.module("01", "202306"), 186, amount="1849.97", cycle="202335")
        b.txn(s, ent.module("01", "202306"), 187, amount="-1849.97", cycle="202340")
        b.txn(s, ent.module("01", "202403"), 186, amount="900.00", cycle="202420")
        b.txn(s, ent.module("01", "202403"), 187, amount="-400.00", cycle="202422")
    sim = _sim(build)
    sim.command(f"ICSLT {CMD}")
    sim.expect("SAME QUARTER, PRIOR YEAR 06-30-2023        $60,000.00    $60,000.00       $0.00")
    sim.expect("LAST QUARTER FILED       03-31-2024        $60,000.00    $60,000.00     $500.00")


# 8 --- Letters 5664 and 725-B ------------------------------------------------------------------------------


def test_letter_5664_needs_the_initial_contact() -> None:
    sim = _sim()
    form(sim, f"ICSLT {CMD}", LETTER="5664", APPT_DT="07022024")
    assert sim.message == ftd_letters.LETTER_5664_AFTER_CONTACT
    _contact(sim)
    form(sim, f"ICSLT {CMD}", LETTER="5664", APPT_DT="07022024")
    assert sim.message == "REQUEST COMPLETED"


@pytest.mark.parametrize(("periods", "message"), [
    (None, ftd_letters.NO_POA_TO_VALIDATE),
    (["202406"], ftd_letters.POA_COVERS_ALERT),
    (["202312"], "REQUEST COMPLETED"),
])
def test_letter_725b_validates_a_representative_of_other_periods_only(periods: list[str] | None, message: str) -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00")
        if periods is not None:
            ent.poa = [{"name": "ALAN B BREWER CPA", "caf": "0312-45678R", "form": "2848", "periods": periods}]
        alert(s, ent)
    sim = _sim(build)
    form(sim, f"ICSLT {CMD}", LETTER="725-B", WITH="5427")
    assert sim.message == message


# 9 --- ICSHF GROUP> ----------------------------------------------------------------------------------------


def test_icshf_group_of_another_group_is_refused_for_a_gm_not_ignored() -> None:
    sim = world(lambda s: alert(s, employer(s), assigned=None))
    sim.sign_on(GM)
    sim.command("ICSHF GROUP>FC-GRP35")
    assert sim.message == "GROUP> NOT AUTHORIZED - ANOTHER GROUP'S HOLD FILE IS FOR IQA ONLY"
    assert last_audit(sim).violation
    sim.command("ICSHF GROUP>FC-GRP21").expect("GROUP> FC-GRP21").expect(EIN)
    desk(sim, IQA)
    sim.command("ICSHF GROUP>FC-GRP21").expect(EIN)


# rules ------------------------------------------------------------------------------------------------------


def test_evidence_rules() -> None:
    assert ftd_evidence.assignable_kind("58", Decimal("10")) == "BAL-DUE"
    assert ftd_evidence.assignable_kind("21", Decimal("-10")) is None
    assert ftd_evidence.assignable_kind("03", Decimal("0")) == "DEL-RET"
    assert ftd_evidence.assignment_problem("26", Decimal("10")) == ftd_evidence.ALREADY_ASSIGNED
    assert ftd_evidence.tc599_problem("202406", dt.date(2024, 6, 30)) == ftd_evidence.PERIOD_NOT_ENDED
    assert ftd_evidence.tc599_problem("202406", dt.date(2024, 7, 1)) is None
    assert ftd_evidence.balances_answer_problem("N", {"01 202403": Decimal("5")}) is None
    assert ftd_evidence.ics_only_problem("DEL-RET", Decimal("-5")) is None
