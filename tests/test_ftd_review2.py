"""FTD Alert second review (IRM 5.7.1.5-5.7.1.9): Bal Due/Del Ret Received on the alert-quarter
941 (secured unpaid: prompt assess; unfiled, no enforcement: ICS only Del Ret), Not Required to
Deposit only once the business's status and the other modules are settled, the initial contact
with the POA of record, and a Letter 5857 appointment after the contact due date (decisions
FTD-R12 to FTD-R15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import mf_builders as b
import pytest
from ftd_helpers import EIN, RO, alert, case, employer, form, history_text, world

from idrs_sim.ics import cases as ics
from idrs_sim.ics import closing
from idrs_sim.rules import ftd_evidence, ftd_letters
from idrs_sim.testing import IdrsTest

CMD = f"{EIN} 01 202406"
BREWER_2848 = {"name": "ALAN B BREWER CPA", "caf": "0312-45678R", "form": "2848", "tax_form": "941"}
DIAZ_8821 = {"name": "CAROL D DIAZ", "caf": "0398-76543R", "form": "8821", "tax_form": "941"}


def _sim(current: str = "9000.00", *, poa: list[dict[str, Any]] | None = None, bal_due: bool = False,
         final_202403: bool = False) -> IdrsTest:
    """The alert (202406, assigned 06/14/2024: contact due 07/09/2024) of one employer."""
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current=current, statuses={"202403": "21"} if bal_due else None)
        if bal_due:
            b.txn(s, ent.module("01", "202403"), 186, amount="500.00", cycle="202420")
        if final_202403:
            ret = [t for t in ent.module("01", "202403").transactions if t.tc == 150][0]
            ret.document = {**ret.document, "final": True}
        if poa is not None:
            ent.poa = poa
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    return sim


def _ok(sim: IdrsTest) -> IdrsTest:
    assert sim.message == "REQUEST COMPLETED", sim.screen_text()
    return sim


def _letter(sim: IdrsTest, appt: str = "06252024") -> IdrsTest:
    return _ok(form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="T", APPT_DT=appt, APPT_TM="1000"))


def _contact(sim: IdrsTest, compliant: str = "N", kind: str = "PHONE") -> IdrsTest:
    _letter(sim)
    return _ok(form(sim, f"ICSCT {CMD}", TYPE=kind, COMPLIANT=compliant, PUB1="Y"))


def _fcc(sim: IdrsTest, answer: str = "N") -> IdrsTest:
    return _ok(form(sim, f"ICSFC {CMD}", DEPOSITOR="S", DEPOSITS=answer, RETURNS=answer, BALANCES=answer))


def _close(sim: IdrsTest, cc: str, narr: str = "CLOSING NARRATIVE") -> IdrsTest:
    return form(sim, f"ICSCL {CMD}", CC=cc, NARR=narr)


# 1 --- Bal Due/Del Ret Received on the alert-quarter 941 (IRM 5.7.1.8, 5.7.1.9) ------------------------


def test_balance_due_return_secured_without_full_payment_closes_code_5_then_prompt_assess() -> None:
    sim = _fcc(_contact(_sim()))
    form(sim, f"ICSRQ {CMD}", REQ="BALDUE")
    assert sim.message == ftd_evidence.RETURN_NOT_SECURED_PA  # no return secured yet
    sim.date("2024-07-29")
    _ok(form(sim, f"FRM49 {CMD}", TC="599", CC="01"))
    _close(sim, "5")
    assert sim.message == closing.STAUP_REQUIRED and case(sim).status == "open"
    _ok(form(sim, f"ICSRQ {CMD}", REQ="BALDUE", NOTE="PROMPT ASSESS: TP WILL NOT PAY"))
    _ok(_close(sim, "5", "941 SECURED IN THE FIELD WITHOUT FULL PAYMENT; PROMPT ASSESS"))
    c = case(sim)
    assert c.closing_code == "Bal Due/Del Ret Received"
    assert closing.CODE5_NEXT["BALDUE"] in history_text(c)
    _ok(form(sim, f"ICSMD {CMD}", KIND="PA"))
    assert case(sim, kind="BAL-DUE").extra["prompt_assess"] is True


def test_a_posted_fully_paid_return_is_not_a_prompt_assess_bal_due() -> None:
    def paid(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00")
        b.txn(s, ent.module("01", "202406"), 150, amount="9000.00", cycle="202431")
        alert(s, ent)
    sim = world(paid)
    sim.sign_on(RO)
    form(sim, f"ICSRQ {CMD}", REQ="BALDUE")
    assert sim.message == ftd_evidence.RETURN_FULLY_PAID


def test_no_enforcement_for_the_unfiled_alert_941_closes_code_5_then_ics_only_del_ret() -> None:
    sim = _fcc(_letter(_sim()))
    form(sim, f"ICSRQ {CMD}", REQ="NOENF", NOTE="NO ASSETS, 6020B NOT WARRANTED")
    assert sim.message == ftd_evidence.PERIOD_RUNNING_NOT_DR
    sim.date("2024-07-08")
    form(sim, f"ICSRQ {CMD}", REQ="NOENF", NOTE="NO ASSETS, 6020B NOT WARRANTED")
    assert sim.message == ftd_evidence.NO_EFFORT
    _ok(form(sim, f"ICSCT {CMD}", TYPE="NOSHOW"))
    form(sim, f"ICSRQ {CMD}", REQ="NOENF")
    assert sim.message == ftd_evidence.DETERMINATION_REQUIRED
    assert ics.items(case(sim), "requests") == []
    _ok(form(sim, f"ICSRQ {CMD}", REQ="NOENF", NOTE="NO ASSETS, 6020B NOT WARRANTED"))
    _ok(_close(sim, "5", "941 NOT SECURED; ENFORCEMENT NOT PURSUED (IRM 5.1.11.7.1)"))
    assert closing.CODE5_NEXT["NOENF"] in history_text(case(sim))
    _ok(form(sim, f"ICSMD {CMD}", KIND="DR"))


def test_no_enforcement_no_longer_counts_once_the_941_is_secured() -> None:
    sim = _fcc(_contact(_sim()))
    sim.date("2024-07-08")
    _ok(form(sim, f"ICSRQ {CMD}", REQ="NOENF", NOTE="NOT PURSUED"))
    _ok(form(sim, f"FRM49 {CMD}", TC="599", CC="01"))
    form(sim, f"ICSRQ {CMD}", REQ="NOENF", NOTE="NOT PURSUED")
    assert sim.message == ftd_evidence.RETURN_SECURED_NOT_DR
    _close(sim, "5")
    assert sim.message == closing.STAUP_REQUIRED


# 2 --- Not Required to Deposit (IRM 5.7.1.5, 5.7.1.6, 5.7.1.8) ------------------------------------------


def test_not_required_to_deposit_is_refused_while_other_modules_are_outstanding() -> None:
    sim = _fcc(_sim("0.00", bal_due=True))
    _ok(form(sim, f"ICSRQ {CMD}", REQ="4844"))
    _close(sim, "2", "TP NO LONGER LIABLE")
    assert sim.message == ftd_evidence.OUTSTANDING_MODULE.format("01 202403")
    assert case(sim).status == "open"


def test_form_4844_closes_only_after_the_business_status_is_verified() -> None:
    sim = _fcc(_sim("0.00"))
    _ok(form(sim, f"ICSRQ {CMD}", REQ="4844"))
    _close(sim, "2", "OUT OF BUSINESS")
    assert sim.message == ftd_evidence.STATUS_NOT_VERIFIED and case(sim).status == "open"
    _ok(form(sim, f"ICSCT {CMD}", TYPE="FIELD", NOTE="PREMISES VACANT"))
    _ok(_close(sim, "2", "OUT OF BUSINESS, VERIFIED BY FIELD CALL; FORM 4844"))
    assert case(sim).closing_code == "Not Required to Deposit"


def test_deposits_on_the_alert_module_need_its_941_before_closing() -> None:
    sim = _fcc(_sim("9000.00"))
    _ok(form(sim, f"ICSRQ {CMD}", REQ="4844"))
    _ok(form(sim, f"ICSCT {CMD}", TYPE="OBSERVE", NOTE="BUSINESS CLOSED"))
    _close(sim, "2", "OUT OF BUSINESS")
    assert sim.message == ftd_evidence.DEPOSITS_RETURN_FIRST and case(sim).status == "open"
    sim.date("2024-07-01")
    _ok(form(sim, f"FRM49 {CMD}", TC="599", CC="01"))
    _ok(_close(sim, "2", "OUT OF BUSINESS; FINAL 941 FOR 202406 SECURED; FORM 4844"))


def test_a_posted_final_return_still_closes_from_pre_contact_research() -> None:
    sim = _fcc(_sim("0.00", final_202403=True))
    _ok(_close(sim, "2", "FINAL RETURN 202403 POSTED ON IDRS"))
    assert case(sim).closing_code == "Not Required to Deposit"


# 3 --- initial contact with the POA of record (IRM 5.7.1.5, 5.7.1.6) -----------------------------------


def test_initial_contact_goes_to_the_poa_when_a_2848_covers_the_alert_period() -> None:
    sim = _letter(_sim(poa=[{**BREWER_2848, "periods": ["202406"]}]))
    form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="Y", NOTE="SPOKE WITH OWNER")
    assert sim.message == ftd_letters.CONTACT_THE_POA and ics.items(case(sim), "contacts") == []
    _ok(form(sim, f"ICSCT {CMD}", TYPE="POA", COMPLIANT="Y", PUB1="Y"))
    c = case(sim)
    assert "INITIAL TELEPHONE CONTACT WITH THE POA OF RECORD ALAN B BREWER CPA (FORM 2848) - TIMELY" in history_text(c)
    contact = ics.phone_contact(c)
    assert contact is not None and contact["poa"] == {"name": "ALAN B BREWER CPA", "caf": "0312-45678R"}
    _ok(form(sim, f"ICSCC {CMD}", CAUSE="2", CURE="1"))  # the contact counts as the initial contact
    _ok(form(sim, f"ICSCT {CMD}", TYPE="PHONE", NOTE="FOLLOW-UP WITH THE OWNER, POA PRESENT"))


@pytest.mark.parametrize(("poa", "message"), [
    ([{**DIAZ_8821, "periods": ["202406"]}], ftd_letters.POA_8821_NO_REPRESENTATION),
    ([{**BREWER_2848, "periods": ["202312"]}], ftd_letters.POA_NOT_FOR_PERIOD),
    (None, ftd_letters.NO_POA_OF_RECORD),
])
def test_the_taxpayer_is_contacted_when_no_2848_covers_the_alert_period(poa: Any, message: str) -> None:
    sim = _letter(_sim(poa=poa))
    form(sim, f"ICSCT {CMD}", TYPE="POA", COMPLIANT="Y", PUB1="Y")
    assert sim.message == message
    _ok(form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="Y", PUB1="Y"))


# 4 --- Letter 5857 appointment after the contact due date (IRM 5.7.1.6) ---------------------------------


def test_letter_5857_after_the_contact_due_date_is_issued_with_a_warning() -> None:
    sim = _letter(_sim(), "07102024")  # due 07/09/2024
    warning = ftd_letters.APPT_AFTER_CONTACT_DUE.format(dt.date(2024, 7, 9))
    sim.expect(f"*** {warning}").expect(ftd_letters.LATE_APPOINTMENT_NOTE)
    assert warning in history_text(case(sim))
    assert ics.items(case(sim), "letters")[0]["after_contact_due"] is True


def test_letter_5857_by_the_due_date_or_for_a_follow_up_has_no_warning() -> None:
    sim = _letter(_sim(), "07092024")
    sim.expect_not("CONTACT DUE DATE")
    _ok(form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="N", PUB1="Y"))
    _ok(form(sim, f"ICSLT {CMD}", LETTER="5857", MEET="P", APPT_DT="07302024", APPT_TM="1000"))
    sim.expect_not("CONTACT DUE DATE")


# rules --------------------------------------------------------------------------------------------------


def test_review2_rules() -> None:
    mods = {"01 202403": ("21", Decimal("5")), "01 202406": ("02", Decimal("-9000")),
            "01 202312": ("03", Decimal("0")), "01 202309": ("12", Decimal("0"))}
    assert ftd_evidence.outstanding_modules(mods, "01 202406") == ["01 202403", "01 202312"]
    assert ftd_evidence.no_longer_liable_problem(final_posted=True, contact_types=[], alert_deposits=True,
                                                 return_secured=False) is None
    assert ftd_evidence.no_longer_liable_problem(final_posted=False, contact_types=["NOSHOW"],
                                                 alert_deposits=False, return_secured=False) \
        == ftd_evidence.STATUS_NOT_VERIFIED
    assert ftd_evidence.unpaid_return_problem(return_secured=True, posted_balance=None) is None
    assert ftd_letters.late_appointment_warning(dt.date(2024, 7, 10), dt.date(2024, 7, 9), initial=False) is None
    assert ftd_letters.contact_party_problem("PHONE", initial=False, poa_2848=True, poa_8821=False,
                                             poa_other=False) is None


# --- re-review of 2026-12-08 ---------------------------------------------------------------------------


def test_after_a_no_show_the_ro_may_call_the_taxpayer_though_a_2848_is_on_file() -> None:
    """5.7.1.6: "If the taxpayer does not respond to the Letter 5857 ... attempt to contact the
    taxpayer or authorized representative": the no-show was the initial contact."""
    sim = _letter(_sim(poa=[{**BREWER_2848, "periods": ["202406"]}]))
    sim.date("2024-06-26")  # the 06/25 10:00 appointment went unanswered
    _ok(form(sim, f"ICSCT {CMD}", TYPE="NOSHOW"))
    _ok(form(sim, f"ICSCT {CMD}", TYPE="PHONE", COMPLIANT="N", PUB1="Y", NOTE="REACHED THE OWNER"))


def test_an_acs_transfer_request_is_code_5_evidence() -> None:
    """5.7.1.5: status 22 modules -> the ACS Support Liaison; "a transfer/assignment request has
    been submitted, then close the FTD Alert as Bal Due/Del Ret Received"."""
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="9000.00", statuses={"202403": "22"})
        b.txn(s, ent.module("01", "202403"), 186, amount="500.00", cycle="202420")
        alert(s, ent)
    sim = world(build)
    sim.sign_on(RO)
    _fcc(_contact(sim))
    _close(sim, "5")
    assert sim.message == closing.STAUP_REQUIRED
    _ok(form(sim, f"ICSRQ {CMD}", REQ="ACSXFER", MOD_MFT="01", MOD_PRD="202403"))
    _ok(_close(sim, "5", "STATUS 22 MODULE: TRANSFER REQUESTED FROM ACS"))


def test_an_effort_to_secure_the_941_lets_an_out_of_business_alert_close_code_2() -> None:
    """5.7.1.8: with deposits on the alert module "the RO must make an effort to secure the
    FTD Alert module Form 941 return before closing" -- an effort recorded is enough."""
    sim = _fcc(_sim("9000.00"))
    _ok(form(sim, f"ICSRQ {CMD}", REQ="4844"))
    _ok(form(sim, f"ICSCT {CMD}", TYPE="FIELD", NOTE="PREMISES VACANT"))
    _close(sim, "2", "OUT OF BUSINESS")
    assert sim.message == ftd_evidence.DEPOSITS_RETURN_FIRST and case(sim).status == "open"
    _ok(form(sim, f"ICSCT {CMD}", TYPE="ATTEMPT", NOTE="CALLED OWNER FOR THE JUNE 941 - NO ANSWER"))
    _ok(_close(sim, "2", "OUT OF BUSINESS; EFFORT TO SECURE THE 941: CALL, NO RESPONSE"))
