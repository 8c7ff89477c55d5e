"""Reviewer findings on the Appeals memos: who is reached in what order, and dates in order.

PAM (memo AP-08-1125-0028, IRM 8.26.9.2.3.1(3), 8.26.9.2.3.3(1)(c)-(e), 8.26.9.2.3.8, Exhibit
8.26.9-1) and TDC Secure Messaging (memo AP-08-0622-0008, Procedural Changes 4, ACDS Codes
table).  Each test replays a reviewer's repro (2026-12-07) or states the rule, and
fails on the behaviour before the fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appeals_helpers import run_lines as _run
from appeals_helpers import sign_on_as as _as
from appeals_helpers import signed_on as _sim

from idrs_sim.rules import pam_decision, pam_intake, pam_literals, pam_mediation, tdc_messaging
from idrs_sim.rules.pam_codes import APPROVED, ASSIGNED, OPEN
from idrs_sim.rules.tdc_access import EgainAccess
from idrs_sim.rules.tdc_record import Registration

D = dt.date
TODAY = D(2024, 6, 17)
ATE, ATM, AD, EXEC, MED = "0810000101", "0810000100", "0810000200", "0810000300", "0810000400"
OIC = "400-00-2503 APPEAL>OIC-2503"


@dataclass
class Ap:
    type: str = "OIC"
    cdp: bool = False
    status: str = "open"
    received: dt.date | None = None
    closed: dt.date | None = None
    request_received: dt.date | None = D(2024, 6, 11)
    submitted: dt.date | None = None


@dataclass
class Pam:
    state: str = OPEN
    opened: dt.date = D(2024, 6, 11)
    perfect_due: dt.date | None = None
    mediator: str | None = None
    approved: dt.date | None = None
    assigned: dt.date | None = None
    result: str | None = None


@dataclass
class Doc:
    kind: str
    date: dt.date = TODAY





# ---- 1. the executive is reached only after the Area Director concurred ----------------------


def test_executive_answer_needs_the_area_directors_concurrence_first() -> None:
    analyst = [Doc("ANALYST", D(2024, 6, 13))]
    for kind in ("EXEC-CONCUR", "EXEC-NONCONCUR"):
        assert pam_intake.check_doc(kind, ["executive"], Ap(), Pam(), analyst, TODAY) == pam_literals.NO_AD_CONCUR
        assert pam_intake.check_doc(kind, ["executive"], Ap(), Pam(), [*analyst, Doc("AD-CONCUR")], TODAY) is None
        # an ineligible request (no PAM support request) follows the same chain
        assert pam_intake.check_doc(kind, ["executive"], Ap(status="closed"), None, analyst, TODAY) == \
            pam_literals.NO_AD_CONCUR
    # after approval the executive's concurrence is with Appeals' withdrawal (PAM-11): no AD needed
    assert pam_intake.check_doc("EXEC-CONCUR", ["executive"], Ap(), Pam(state=APPROVED), [], TODAY) is None


def test_approval_on_an_executive_nonconcurrence_needs_the_ad_concurrence() -> None:
    alone = [Doc("ANALYST"), Doc("EXEC-NONCONCUR")]  # as a fixture or dump could carry it
    assert pam_decision.check_approve(Pam(), alone, True, TODAY) == pam_literals.NO_AD_APPROVAL
    assert pam_decision.check_approve(Pam(), [Doc("AD-CONCUR"), *alone], True, TODAY) is None
    assert pam_decision.check_approve(Pam(), [Doc("ANALYST"), Doc("AD-NONCONCUR")], True, TODAY) is None


def test_f5_executive_nonconcurrence_alone_does_not_let_the_atm_approve() -> None:
    sim = _sim("appeals/oic_request_open", EXEC)
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-NONCONCUR").expect_line(24, "AREA DIRECTOR CONCURRENCE NOT ATTACHED")
    _as(sim, ATM)
    _run(sim, f"ACMSPAM {OIC} ACT>APPROVE MEDIATOR>0810000401").expect_line(24, "AREA DIRECTOR APPROVAL NOT ATTACHED")
    _as(sim, AD)
    _run(sim, f"ACMSDOC {OIC} DOC>AD-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-NONCONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSPAM {OIC} ACT>APPROVE MEDIATOR>0810000401").expect_line(24, "REQUEST COMPLETED")


# ---- 4. dates in the order of the denial steps ---------------------------------------------------


def test_executive_dated_before_the_area_director_is_refused() -> None:
    ad = [Doc("AD-CONCUR", D(2024, 6, 14))]
    assert pam_intake.check_doc("EXEC-CONCUR", ["executive"], Ap(), Pam(), ad, D(2024, 6, 13)) == \
        "EXECUTIVE DATE CANNOT BE BEFORE AREA DIRECTOR CONCURRENCE 06/14/2024"
    assert pam_intake.check_doc("EXEC-CONCUR", ["executive"], Ap(), Pam(), ad, D(2024, 6, 14)) is None


def test_nothing_is_attached_dated_before_the_request_was_received() -> None:
    assert pam_intake.check_doc("AD-CONCUR", ["area-director"], Ap(), Pam(), [], D(2024, 6, 10)) == \
        "DOCUMENT DATE CANNOT BE BEFORE REQUEST RECEIVED 06/11/2024"
    assert pam_intake.check_doc("AD-CONCUR", ["area-director"], Ap(), Pam(), [Doc("ANALYST", D(2024, 6, 11))],
                                D(2024, 6, 11)) is None


def test_the_denial_letter_follows_the_request_and_both_concurrences() -> None:
    chain = [Doc("ANALYST", D(2024, 6, 12)), Doc("AD-CONCUR", D(2024, 6, 13)), Doc("EXEC-CONCUR", D(2024, 6, 14))]

    def letter(mailed: dt.date) -> str | None:
        return pam_decision.check_letter("5557", Ap(), Pam(), chain, TODAY, mailed=mailed, text="ISSUE EXCLUDED")

    assert letter(D(2024, 1, 2)) == "LETTER DATE CANNOT BE BEFORE REQUEST RECEIVED 06/11/2024"
    assert letter(D(2024, 6, 12)) == "LETTER DATE CANNOT BE BEFORE AREA DIRECTOR CONCURRENCE 06/13/2024"
    assert letter(D(2024, 6, 13)) == "LETTER DATE CANNOT BE BEFORE EXECUTIVE CONCURRENCE 06/14/2024"
    assert letter(D(2024, 6, 14)) is None


def test_r2_letter_and_denial_dated_before_the_request_are_refused() -> None:
    sim = _sim("appeals/oic_request_open", AD)
    _run(sim, f"ACMSDOC {OIC} DOC>AD-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSLT {OIC} LETTER>5557 DATE>01022024").expect_line(
        24, "LETTER DATE CANNOT BE BEFORE REQUEST RECEIVED 06/11/2024")
    _run(sim, f"ACMSPAM {OIC} ACT>DENY DATE>01022024 REASON>2").expect_line(24, "DENIAL LETTER 5557 NOT ISSUED")
    [appeal] = sim.dump("400-00-2503")["appeals"]
    assert appeal["pam"]["state"] == OPEN and "L5557" not in [d["kind"] for d in appeal["docs"]]


def test_f6_executive_before_ad_then_letter_before_executive_are_refused() -> None:
    sim = _sim("appeals/oic_request_open", EXEC)
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-CONCUR DATE>06132024").expect_line(24, "AREA DIRECTOR CONCURRENCE NOT ATTACHED")
    _as(sim, AD)
    _run(sim, f"ACMSDOC {OIC} DOC>AD-CONCUR DATE>06142024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-CONCUR DATE>06132024").expect_line(
        24, "EXECUTIVE DATE CANNOT BE BEFORE AREA DIRECTOR CONCURRENCE 06/14/2024")
    _run(sim, f"ACMSDOC {OIC} DOC>EXEC-CONCUR DATE>06152024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSLT {OIC} LETTER>5557 DATE>06142024").expect_line(
        24, "LETTER DATE CANNOT BE BEFORE EXECUTIVE CONCURRENCE 06/15/2024")
    _run(sim, f"ACMSLT {OIC} LETTER>5557 DATE>06172024", "TEXT>ISSUE EXCLUDED").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSPAM {OIC} ACT>DENY DATE>06142024 REASON>2").expect_line(
        24, "DENIAL DATE MUST BE THE LETTER MAIL DATE 06/17/2024")
    _run(sim, f"ACMSPAM {OIC} ACT>DENY DATE>06172024 REASON>2").expect_line(24, "REQUEST COMPLETED")


# ---- 5. a withdrawal dated before the mediator was assigned: the ATM closes -----------------------


def test_withdrawal_before_assignment_is_closed_by_the_atm_not_the_mediator() -> None:
    pam = Pam(state=ASSIGNED, mediator=MED, approved=D(2024, 5, 20), assigned=D(2024, 5, 28))
    before, after = [Doc("WITHDRAWAL", D(2024, 5, 22))], [Doc("WITHDRAWAL", D(2024, 5, 29))]
    assert pam_mediation.check_close(pam, before, "4", D(2024, 5, 22), by_atm=True) is None
    assert pam_mediation.check_close(pam, after, "4", D(2024, 5, 29), by_atm=True) == pam_literals.ATM_AFTER_MEDIATOR
    assert pam_mediation.check_close(pam, before, "1", D(2024, 5, 22), by_atm=True) == \
        pam_literals.ATM_CLOSES_WITHDRAWALS
    report = ["MEDIATOR-REPORT"]
    assert pam_mediation.check_submit(pam, before, "4", report, MED, D(2024, 5, 22)) == \
        pam_literals.WITHDRAWN_BEFORE_ASSIGNED
    assert pam_mediation.check_submit(pam, after, "4", report, MED, D(2024, 5, 29)) is None


def test_f2_withdrawal_dated_before_the_assignment() -> None:
    sim = _sim("appeals/tfrp_mediation_assigned", ATE)
    case = "400-00-2505 APPEAL>TFRP-2505"
    _run(sim, f"ACMSDOC {case} DOC>WITHDRAWAL DATE>05222024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, MED)
    _run(sim, f"ACMSPAM {case} ACT>SUBMIT RESULT>4 DATE>05222024", "ATTACH>MEDIATOR-REPORT").expect_line(
        24, "WITHDRAWN BEFORE THE MEDIATOR WAS ASSIGNED - THE ATM CLOSES")
    _as(sim, ATM)
    _run(sim, f"ACMSPAM {case} ACT>CLOSE RESULT>4 DATE>05222024").expect_line(24, "REQUEST COMPLETED")
    [appeal] = sim.dump("400-00-2505")["appeals"]
    assert appeal["pam"]["closed_by"] == ATM and appeal["car"][-1]["code"] == "MO"


# ---- 2-3. TDC messages and withdrawals in date order -------------------------------------------

OK = EgainAccess(True, "4471026", "")
REG = Registration("TP", "4471026", True, True, D(2024, 5, 24))


def test_a_message_dated_on_or_before_the_withdrawal_is_recorded() -> None:
    withdrew = D(2024, 6, 14)
    assert tdc_messaging.check_message("TP", [REG], withdrew, OK, day=D(2024, 6, 10)) is None
    assert tdc_messaging.check_message("ATE", [REG], withdrew, OK, day=withdrew) is None
    assert tdc_messaging.check_message("TP", [REG], withdrew, OK, day=D(2024, 6, 15)) == \
        "THE TP/REP WITHDREW FROM TDC SECURE MESSAGING 06142024"


def test_a_message_dated_before_consent_and_authentication_is_refused() -> None:
    assert tdc_messaging.check_message("TP", [REG], None, OK, day=D(2024, 5, 23)) == \
        "TP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 05242024"
    assert tdc_messaging.check_message("ATE", [REG], None, OK, day=D(2024, 5, 23)) == \
        "THE TP/REP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 05242024"
    # a later registration that consents counts from its own date, not the refused one's
    refused = Registration("TP", "4471026", False, True, D(2024, 5, 1))
    assert tdc_messaging.check_message("TP", [refused, REG], None, OK, day=D(2024, 5, 10)) == \
        "TP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 05242024"
    assert tdc_messaging.check_message("TP", [refused, REG], None, OK, day=D(2024, 5, 24)) is None


def test_a_withdrawal_needs_a_registration_dated_on_or_before_it() -> None:
    assert tdc_messaging.check_withdrawal([], None, TODAY) == "THE TP/REP IS NOT REGISTERED FOR TDC SECURE MESSAGING"
    assert tdc_messaging.check_withdrawal([REG], D(2024, 6, 14), TODAY) == "WITHDRAWAL ALREADY RECORDED"
    assert tdc_messaging.check_withdrawal([REG], None, D(2024, 1, 2)) == \
        "THE TP/REP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 05242024"
    assert tdc_messaging.check_withdrawal([REG], None, D(2024, 5, 24)) is None


def test_t3_message_before_the_withdrawal_is_accepted_after_it_is_on_file() -> None:
    sim = _sim("appeals/tdc/registered_case", "0810000211")
    _run(sim, "TDCREQ 400-00-2606 REQ>WITHDRAW DATE>06142024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, "TDCMSG 400-00-2606 FROM>TP DATE>06102024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, "TDCMSG 400-00-2606 FROM>TP DATE>06152024").expect_line(
        24, "THE TP/REP WITHDREW FROM TDC SECURE MESSAGING 06142024")


def test_t1_message_dated_before_registration_is_refused() -> None:
    sim = _sim("appeals/tdc/invited_case", "0810000211")
    _run(sim, "TDCREQ 400-00-2604 REQ>REGISTER ID>4471026 CONSENT>Y AUTH>Y DATE>06172024").expect_line(
        24, "REQUEST COMPLETED")
    _run(sim, "TDCMSG 400-00-2604 FROM>TP DATE>01022024").expect_line(
        24, "TP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 06172024")
    _run(sim, "TDCMSG 400-00-2604 FROM>TP DATE>06172024").expect_line(24, "REQUEST COMPLETED")


def test_a_registration_is_not_dated_before_the_id_was_given() -> None:
    """Procedural Changes 3-4: the TP/Rep registers with the Appeals Employee ID the invitation
    gave them (invited 06/03/2024 here), so not on an earlier day."""
    sim = _sim("appeals/tdc/invited_case", "0810000211")
    _run(sim, "TDCREQ 400-00-2604 REQ>REGISTER ID>4471026 CONSENT>Y AUTH>Y DATE>05012024").expect_line(
        24, "REGISTRATION DATED BEFORE THE ID WAS GIVEN 06032024")
    _run(sim, "TDCREQ 400-00-2604 REQ>REGISTER ID>4471026 CONSENT>Y AUTH>Y DATE>06032024").expect_line(
        24, "REQUEST COMPLETED")


def test_t2_withdrawal_dated_before_registration_is_refused() -> None:
    sim = _sim("appeals/tdc/registered_case", "0810000211")
    _run(sim, "TDCREQ 400-00-2606 REQ>WITHDRAW DATE>01022024").expect_line(
        24, "THE TP/REP NOT REGISTERED FOR TDC SECURE MESSAGING UNTIL 05242024")
    _run(sim, "TDCREQ 400-00-2606 REQ>WITHDRAW DATE>05242024").expect_line(24, "REQUEST COMPLETED")
