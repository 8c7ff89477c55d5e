"""Reviewer findings on the Appeals memos (seeds 000 and 001), one test or more each; every one
fails on the behaviour before the fix.  The repro scripts were /tmp/rev_app/*.txt.

PAM (memo AP-08-1125-0028, IRM 8.26.9, Exhibit 8.26.9-1) on ACMS; TDC Secure Messaging (memo
AP-08-0622-0008) on ACDS; the UNAX review (idrs_sim/unax.py).  Decisions APP-R1 ... APP-R14.
"""

from __future__ import annotations

import datetime as dt

from appeals_helpers import run_lines as _run
from appeals_helpers import sign_on_as as _as
from appeals_helpers import signed_on as _sim

from idrs_sim.masterfile.appeals_models import Appeal
from idrs_sim.rules import pam_deadlines, pam_decision, pam_literals, tdc_invitation, tdc_record
from idrs_sim.testing import IdrsTest
from idrs_sim.unax import connected_tins

ATE, ATM, AD, EXEC, MED, ANALYST = "0810000101", "0810000100", "0810000200", "0810000300", "0810000400", "0810000500"
TFRP8 = "400-00-2508 APPEAL>TFRP-2508"  # incomplete, perfecting until 06/17/2024
TFRP2 = "400-00-2502 APPEAL>TFRP-2502"  # no request yet
OIC1 = "400-00-2501 APPEAL>OIC-2501"  # no request yet
OIC3 = "400-00-2503 APPEAL>OIC-2503"  # open, analyst 06/13/2024
OIC7 = "400-00-2507 APPEAL>OIC-2507"  # premature, no request yet
OIC9 = "400-00-2509 APPEAL>OIC-2509"  # closed 06/07/2024
TFRP5 = "400-00-2505 APPEAL>TFRP-2505"  # mediator assigned 05/28/2024
TDC6 = "400-00-2606 CASE>AP-2024-0106"  # registered with the ATE's eGain ID 4471026


def _l24(sim: IdrsTest) -> str:
    return sim.line(24).strip()


def _request(sim: IdrsTest, appeal: str, day: str = "06112024") -> None:
    _run(sim, f"ACMSREQ {appeal} RECEIVED>{day}").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSCAR {appeal} CODE>MI DATE>{day}").expect_line(24, "REQUEST COMPLETED")


# ---- 1. the 14-day perfecting window is judged on the document's / denial's own date ---------


def test_1_decision_documents_and_denial_dated_inside_the_perfecting_window_are_refused() -> None:
    sim = _sim("appeals/tfrp_request_incomplete", ANALYST)
    sim.date(dt.date(2024, 6, 20))
    _run(sim, f"ACMSDOC {TFRP8} DOC>ANALYST DATE>06052024")
    assert _l24(sim) == "ANALYST DATE CANNOT BE BEFORE 06/18/2024 - REQUEST NOT PERFECTED BY 06/17/2024"
    _run(sim, f"ACMSDOC {TFRP8} DOC>ANALYST DATE>06182024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, AD)
    _run(sim, f"ACMSDOC {TFRP8} DOC>AD-CONCUR DATE>06172024").expect_line(
        24, "AREA DIRECTOR DATE CANNOT BE BEFORE ANALYST DISCUSSION 06/18/2024")
    _run(sim, f"ACMSDOC {TFRP8} DOC>AD-CONCUR DATE>06182024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {TFRP8} DOC>EXEC-CONCUR DATE>06192024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSLT {TFRP8} LETTER>5558 DATE>06172024", "TEXT>NOT PERFECTED")
    assert _l24(sim).startswith("LETTER DATE CANNOT BE BEFORE")
    _run(sim, f"ACMSLT {TFRP8} LETTER>5558 DATE>06192024", "TEXT>NOT PERFECTED").expect_line(24, "REQUEST COMPLETED")


def test_1_the_denial_date_itself_must_be_after_the_perfecting_period() -> None:
    pam = _Pam(state="PERFECTING", perfect_due=dt.date(2024, 6, 17))
    assert pam_decision._undecided(pam, dt.date(2024, 6, 20), denying=True, dated=dt.date(2024, 6, 7)) == \
        "DENIAL DATE CANNOT BE BEFORE 06/18/2024 - REQUEST NOT PERFECTED BY 06/17/2024"
    assert pam_decision._undecided(pam, dt.date(2024, 6, 20), denying=True, dated=dt.date(2024, 6, 18)) is None


class _Pam:
    """A PAM support request as the rules read it."""

    def __init__(self, state: str, perfect_due: dt.date | None = None) -> None:
        self.state, self.perfect_due, self.opened = state, perfect_due, dt.date(2024, 6, 3)
        self.mediator = self.approved = self.assigned = self.result = None


# ---- 2. Letter 5559 after the approval; the signed Agreement after Letter 5559 ---------------


def test_2_letter_5559_and_agreement_cannot_be_dated_before_the_approval() -> None:
    sim = _sim("appeals/oic_request_open", AD)
    _run(sim, f"ACMSDOC {OIC3} DOC>AD-APPROVAL").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSPAM {OIC3} ACT>APPROVE MEDIATOR>{MED}").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSLT {OIC3} LETTER>5559 DATE>01022024").expect_line(24, "LETTER DATE CANNOT BE BEFORE APPROVAL 06/17/2024")
    _run(sim, f"ACMSLT {OIC3} LETTER>5559 DATE>06172024", "TEXT>ANYTHING").expect_line(24, pam_literals.TEXT_NOT_TAKEN)
    _run(sim, f"ACMSLT {OIC3} LETTER>5559 DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSDOC {OIC3} DOC>AGREEMENT DATE>06112024").expect_line(
        24, "AGREEMENT DATE CANNOT BE BEFORE APPROVAL 06/17/2024")
    _run(sim, f"ACMSDOC {OIC3} DOC>AGREEMENT DATE>06172024").expect_line(24, "REQUEST COMPLETED")


# ---- 3. the Area Director after the analyst discussion: dates, not only presence ------------


def test_3_ad_concurrence_before_the_analyst_discussion_is_refused() -> None:
    sim = _sim("appeals/tfrp_request_complete", ATE)
    _request(sim, TFRP2)
    _as(sim, AD)
    _run(sim, f"ACMSDOC {TFRP2} DOC>AD-CONCUR DATE>06122024").expect_line(24, pam_literals.NO_ANALYST)
    _as(sim, ANALYST)
    _run(sim, f"ACMSDOC {TFRP2} DOC>ANALYST DATE>06142024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, AD)
    _run(sim, f"ACMSDOC {TFRP2} DOC>AD-CONCUR DATE>06122024").expect_line(
        24, "AREA DIRECTOR DATE CANNOT BE BEFORE ANALYST DISCUSSION 06/14/2024")
    _run(sim, f"ACMSDOC {TFRP2} DOC>AD-APPROVAL DATE>06132024").expect_line(
        24, "AREA DIRECTOR DATE CANNOT BE BEFORE ANALYST DISCUSSION 06/14/2024")


def test_3_approval_and_denial_check_the_dates_of_documents_on_file() -> None:
    class D:
        def __init__(self, kind: str, day: int) -> None:
            self.kind, self.date = kind, dt.date(2024, 6, day)

    pam = _Pam("OPEN")
    assert pam_decision.check_approve(pam, [D("AD-APPROVAL", 12), D("ANALYST", 14)], True, dt.date(2024, 6, 17)) == \
        "AREA DIRECTOR DATE CANNOT BE BEFORE ANALYST DISCUSSION 06/14/2024"
    assert pam_decision.check_concurrence([D("AD-CONCUR", 12), D("EXEC-CONCUR", 13), D("ANALYST", 14)]) == \
        "AREA DIRECTOR DATE CANNOT BE BEFORE ANALYST DISCUSSION 06/14/2024"
    assert pam_decision.check_concurrence([D("ANALYST", 11), D("AD-CONCUR", 12), D("EXEC-CONCUR", 13)]) is None


# ---- 4. UNAX: Appeals employees' own appeals and cases are connected ------------------------


def test_4_own_appeals_and_acds_cases_are_connected_work() -> None:
    sim = _sim("appeals/oic_approved", ATE)
    with sim.sim.mf.reading() as db:
        assert "400002504" in connected_tins(db, ATE)
        assert "400002504" in connected_tins(db, ATM)
        assert "400002504" in connected_tins(db, MED)  # the mediator selected on the request
        assert "400002504" in connected_tins(db, AD)  # attached the AD approval
        assert "400002504" not in connected_tins(db, EXEC)
    tdc = _sim("appeals/tdc/registered_case", "0810000211")
    with tdc.sim.mf.reading() as db:
        assert "400002606" in connected_tins(db, "0810000211")
        assert "400002606" not in connected_tins(db, "0810000212")


# ---- 5. the ATM's two weeks do not run while the memo holds the request ---------------------


def test_5_answer_limit_while_held_and_while_perfecting() -> None:
    sim = _sim("appeals/oic_request_premature", ATE)
    _run(sim, f"ACMSREQ {OIC7} RECEIVED>06032024 INTAKE>PREMATURE").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSCAR {OIC7} CODE>MI DATE>06032024").expect_line(24, "REQUEST COMPLETED")
    sim.date(dt.date(2024, 6, 24))
    _run(sim, f"ACMS {OIC7}")
    sim.expect("ATM ANSWER TO TP AND ATE (2 WEEKS)   NOT RUNNING - HELD (PREMATURE)").expect_not("OVERDUE")
    _run(sim, f"ACMSDOC {OIC7} DOC>TALKS-ENDED DATE>06202024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("ATM ANSWER TO TP AND ATE (2 WEEKS)   07/04/2024 10 DAYS LEFT")

    class P:
        state, perfect_due, approved, result = "CLOSED", dt.date(2024, 6, 17), None, None

    class A:
        request_received, intake = dt.date(2024, 6, 3), "INCOMPLETE"

    limits = {d.label: d for d in pam_deadlines.deadlines(A(), P(), [], dt.date(2024, 6, 18))}  # type: ignore[arg-type]
    answer = limits["ATM ANSWER TO TP AND ATE (2 WEEKS)"]
    assert answer.due == dt.date(2024, 7, 1) and answer.line(dt.date(2024, 6, 18)).endswith("MET 06/18/2024")


# ---- 6. a second ACMSREQ never re-dates the request ------------------------------------------


def test_6_the_request_is_recorded_once() -> None:
    sim = _sim("appeals/oic_closed_request", ATE)
    _run(sim, f"ACMSREQ {OIC9} RECEIVED>06172024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSREQ {OIC9} RECEIVED>06032024").expect_line(
        24, "WRITTEN MEDIATION REQUEST ALREADY RECORDED 06/17/2024 - NOT CHANGED")
    _run(sim, f"ACMSCAR {OIC9} CODE>MI DATE>06032024").expect_line(24, pam_literals.NOT_ELIGIBLE)
    with sim.sim.mf.reading() as db:
        appeal = db.query(Appeal).filter_by(number="OIC-2509").one()
        assert appeal.request_received == dt.date(2024, 6, 17) and appeal.pam is None


# ---- 7. the denial letter carries its rationale; an element not taken is refused -------------


def test_7_denial_letter_needs_and_shows_its_rationale() -> None:
    sim = _sim("appeals/tfrp_request_complete", ATE)
    _request(sim, TFRP2)
    for who, doc, day in ((ANALYST, "ANALYST", "06122024"), (AD, "AD-CONCUR", "06132024"), (EXEC, "EXEC-CONCUR", "06142024")):
        _as(sim, who)
        _run(sim, f"ACMSDOC {TFRP2} DOC>{doc} DATE>{day}").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSLT {TFRP2} LETTER>5558 DATE>06172024").expect_line(24, pam_literals.NO_RATIONALE)
    assert pam_decision.check_rationale("X" * 81) == pam_literals.TEXT_TOO_LONG
    _run(sim, f"ACMSLT {TFRP2} LETTER>5558 DATE>06172024", "TEXT>ISSUE EXCLUDED BY REV PROC 2014-63").expect_line(
        24, "REQUEST COMPLETED")
    sim.expect("RATIONALE: ISSUE EXCLUDED BY REV PROC 2014-63")
    _run(sim, f"ACMSPAM {TFRP2} ACT>DENY DATE>06172024 REASON>2").expect_line(24, "REQUEST COMPLETED")
    letter = [d for d in sim.dump()["appeals"][0]["docs"] if d["kind"] == "L5558"]
    assert [d.get("text") for d in letter] == ["ISSUE EXCLUDED BY REV PROC 2014-63"]


# ---- 8. no submission for closing while a recorded request awaits its MI ---------------------


def test_8_submit_refused_while_the_request_awaits_mi() -> None:
    sim = _sim("appeals/oic_request_complete", ATE)
    _run(sim, f"ACMSREQ {OIC1} RECEIVED>06172024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSSUB {OIC1}").expect_line(24, "MEDIATION REQUEST RECEIVED 06/17/2024 AWAITS MI - INPUT MI FIRST")
    sim.expect_not("OPEN SUBMITTED")


# ---- 9. Appeals' withdrawal: the executive concurred on or before it -------------------------


def test_9_withdrawn_by_appeals_needs_the_concurrence_by_the_withdrawal_date() -> None:
    sim = _sim("appeals/tfrp_mediation_assigned", ATM)
    _run(sim, f"ACMSDOC {TFRP5} DOC>WITHDRAWAL DATE>06102024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {TFRP5} DOC>EXEC-CONCUR DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, MED)
    _run(sim, f"ACMSPAM {TFRP5} ACT>SUBMIT RESULT>5 DATE>06102024", "ATTACH>MEDIATOR-REPORT").expect_line(
        24, "EXECUTIVE CONCURRENCE 06/17/2024 IS AFTER THE WITHDRAWAL 06/10/2024")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {TFRP5} DOC>EXEC-CONCUR DATE>06072024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, MED)
    _run(sim, f"ACMSPAM {TFRP5} ACT>SUBMIT RESULT>5 DATE>06102024", "ATTACH>MEDIATOR-REPORT").expect_line(
        24, "REQUEST COMPLETED")


# ---- 10-14. TDC on ACDS -----------------------------------------------------------------------


def _casefile_ready(sim: IdrsTest) -> None:
    _run(sim, f"TDCREQ {TDC6} REQ>CASEFILE DATE>06032024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACDSUP {TDC6} DOC>L6271 SIGNED>Y DATED>N").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"STARS {TDC6} DELIVERY>TDC").expect_line(24, "REQUEST COMPLETED")


def test_10_case_file_not_sent_before_stars_produced_it() -> None:
    sim = _sim("appeals/tdc/registered_case", "0810000211")
    _casefile_ready(sim)
    _run(sim, f"TDCMSG {TDC6} FROM>ATE DATE>06052024 DOC>CASEFILE").expect_line(
        24, "CASE FILE SENT DATE CANNOT BE BEFORE STARS PRODUCED IT 06172024")
    sim.expect_not("DATED 06052024")
    _run(sim, f"TDCMSG {TDC6} FROM>ATE DATE>06172024 DOC>CASEFILE").expect_line(24, "REQUEST COMPLETED")


def test_11_the_new_message_email_goes_to_the_id_the_tp_registered_with() -> None:
    sim = _sim("appeals/tdc/registered_case", "0810000210")  # the manager keys it
    _run(sim, f"TDCMSG {TDC6} FROM>TP DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("06172024 TO EGAIN 4471026: NEW SECURE MESSAGE").expect_not("TO EGAIN 4471001")


def test_12_another_ate_cannot_make_entries_on_the_case() -> None:
    sim = _sim("appeals/tdc/registered_case", "0810000212")
    for command in (f"CARATS {TDC6} ACT>CO SUB>TDC DATE>05282024", f"ACDSFC {TDC6} FC>DC",
                    f"ACDSUP {TDC6} DOC>OTHER", f"TDCREQ {TDC6} REQ>CASEFILE DATE>06032024"):
        _run(sim, command).expect_line(24, "NOT THE ATE OF THIS CASE")
    before = sim.dump()["acds_cases"]
    _as(sim, "0810000210")  # a manager may
    _run(sim, f"TDCREQ {TDC6} REQ>CASEFILE DATE>06032024").expect_line(24, "REQUEST COMPLETED")
    assert before != sim.dump()["acds_cases"]


def test_13_acknowledgement_letters_fit_the_case_type() -> None:
    assert tdc_invitation.check_letter_fits("3846", "NON-DOCKETED", False) == \
        "LETTER 3846 IS FOR CDP HEARING CASES - THIS CASE IS NON-DOCKETED"
    assert tdc_invitation.check_letter_fits("3808-A", "DOCKETED", False) == \
        "LETTER 3808-A GOES TO COUNSEL OF RECORD - NO REPRESENTATIVE ON THIS CASE"
    assert tdc_invitation.check_letter_fits("3808-A", "DOCKETED", True) is None
    assert tdc_invitation.check_letter_fits("4837", "CDP", False) is None
    sim = _sim("appeals/tdc/new_case_5157", "0810000211")
    _run(sim, "ACDSLT 400-00-2601 CASE>AP-2024-0101 LETTER>5576 PARA>2 ID>4471026").expect_line(
        24, "LETTER 5576 IS FOR OFFER IN COMPROMISE (OIC) CASES - THIS CASE IS NON-DOCKETED")
    phone = _sim("appeals/tdc/first_phone_contact", "0810000211")
    _run(phone, "ACDSLT 400-00-2603 CASE>AP-2024-0103 LETTER>5157 PARA>7 ID>4471026").expect_line(
        24, "LETTER 5157 IS FOR NON-DOCKETED CASES - THIS CASE IS CDP")
    _run(phone, "ACDSLT 400-00-2603 CASE>AP-2024-0103 LETTER>3846 PARA>16 ID>4471026").expect_line(24, "REQUEST COMPLETED")


def test_14_impossible_dates_on_acds_are_refused() -> None:
    assert tdc_record.check_case_date("AP-2024-0106", dt.date(2023, 12, 31)) == \
        "DATE BEFORE CASE AP-2024-0106 EXISTED (01012024)"
    sim = _sim("appeals/tdc/registered_case", "0810000211")
    before = sim.dump()["acds_cases"]
    _run(sim, f"ACDSCAR {TDC6} TDC>DISCUSSED ID>4471026", "PUB>REVIEWED DATE>06012023").expect_line(
        24, "DATE BEFORE CASE AP-2024-0106 EXISTED (01012024)")
    _run(sim, f"ACDSCAR {TDC6} TDC>DISCUSSED ID>4471026", "PUB>REVIEWED DATE>01011900").expect_line(
        24, "DATE MORE THAN 20 YEARS AGO")  # every date of an event (decision TERM-R3)
    _run(sim, f"CARATS {TDC6} ACT>CO SUB>TDC DATE>06182024").expect_line(24, "DATE LATER THAN CURRENT DATE")
    assert sim.dump()["acds_cases"] == before
