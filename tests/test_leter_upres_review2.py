"""LETER and UPRES against IRM 25.25.6, second review (findings 4-7; decisions TPP-40 to TPP-44).

* LETER sends the TPP letter that fits the account (IRM 25.25.6.1.7 letter table; 25.25.6.6.2
  (1) exception): `rules.tpp_letters.letter_fit_refusal`.
* Letter 5216 only by the TAC or RIVO, after a failed authentication on record before today
  (IRM 25.25.6.3.4 (2); 25.25.6.2.2.2 (1) box 5): `rules.tpp_letters.failed_auth_refusal`.
* A non-TPP assistor keys only the identity-theft URCs on a TPP UP 126 RC 0 (IRM 25.25.6.6.1
  (3) box 2; 25.25.6.6.3.1 (4)): `rules.urc.non_tpp_refusal`.
* With a TC 971 AC 850 pending, REL-CYC is the current cycle + 2 (IRM 25.25.6.5.1.1 (5)):
  `rules.urc.ac850_release_refusal`.
"""

from __future__ import annotations

import pytest

from idrs_sim.rules import tpp_advice, tpp_letters
from idrs_sim.testing import IdrsTest

TRAINEE, NON_TPP, TAC, RIVO = "1485012345", "1485022001", "1485033001", "1486000101"
NOT_AUTHORIZED = "LETTER NOT AUTHORIZED FOR THIS EMPLOYEE"


def _sim(fixture: str, idrs: str) -> IdrsTest:
    sim = IdrsTest(fixture=fixture, out=open("/dev/null", "w"))  # noqa: SIM115 - closed by the test
    sim.sign_on(idrs)
    return sim


def _letters(sim: IdrsTest, tin: str) -> list[tuple[str, str]]:
    return [(x["letter"], x["date"]) for x in sim.dump(tin)["entities"][0]["letters"]]


def _leter(fixture: str, idrs: str, line: str) -> str:
    """LETER on the command line; a refusal records no letter, a REQUEST COMPLETED one."""
    sim = _sim(fixture, idrs)
    try:
        tin = line.split()[0]
        before = _letters(sim, tin)
        sim.command(f"LETER {line}")
        after = _letters(sim, tin)
        assert len(after) == len(before) + (sim.message == "REQUEST COMPLETED")
        return sim.message
    finally:
        sim.close()


# ---- finding 4: the letter that fits the account ---------------------------------------------

VALID = ("tpp/valid_return_up126", "400-00-1001 30 202312")  # 4883C of 03/04/2024, Austin TX
FTF = ("tpp/first_time_filer", "400-00-1003 30 202312")  # entity not established, no marker
FOREIGN = ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312")  # Montreal, 5447C SENT


@pytest.mark.parametrize(("fixture", "line", "idrs", "message"), [
    # 5747C only on an account with TC 971 AC 123 TAC AUTH ONLY / HIGH RISK AUTH (p20)
    (VALID[0], f"{VALID[1]} LETTER>5747C RTN-ADDR-CD>TP", TRAINEE, tpp_letters.NO_TAC_AUTH_MARKER),
    (VALID[0], f"{VALID[1]} LETTER>5747C RTN-ADDR-CD>TP", RIVO, tpp_letters.NO_TAC_AUTH_MARKER),
    ("tpp/tac_auth_only_reply", "400-00-1118 30 202312 LETTER>5747C RTN-ADDR-CD>TP", RIVO, "REQUEST COMPLETED"),
    # 5447C only to an address outside the United States, 4883C only inside -- RIVO too (p3)
    (VALID[0], f"{VALID[1]} LETTER>5447C", RIVO, tpp_letters.NOT_FOREIGN),
    (FOREIGN[0], f"{FOREIGN[1]} LETTER>4883C", RIVO, tpp_letters.REISSUE_FOREIGN),
    (VALID[0], f"{VALID[1]} LETTER>4883C", RIVO, "REQUEST COMPLETED"),
    # the first-time filer without a marker gets the 4883C, nothing else (p3, p19)
    (FTF[0], f"{FTF[1]} LETTER>5447C", TRAINEE, tpp_letters.first_time_filer("4883C")),
    (FTF[0], f"{FTF[1]} LETTER>5071C", NON_TPP, tpp_letters.first_time_filer("4883C")),
    (FTF[0], f"{FTF[1]} LETTER>5747C RTN-ADDR-CD>TP", NON_TPP, tpp_letters.first_time_filer("4883C")),
    (FTF[0], f"{FTF[1]} LETTER>5071C", RIVO, tpp_letters.first_time_filer("4883C")),
    (FTF[0], f"{FTF[1]} LETTER>4883C", NON_TPP, "REQUEST COMPLETED"),
])
def test_the_tpp_letter_must_fit_the_account(fixture: str, line: str, idrs: str, message: str) -> None:
    assert _leter(fixture, idrs, line) == message


def _ftf(address: list[str]) -> dict:
    doc = {"address": address}
    case = {"code": 126, "reason": 0, "status": "open", "status_date": "2024-02-27", "document": doc}
    return {"established": False, "address": address, "letters": [], "transactions": [],
            "modules": [{"mft": "30", "period": "202312", "transactions": [], "unpostables": [case]}]}


def test_a_first_time_filer_abroad_gets_the_5447c() -> None:
    """Decision TPP-40: the exception's 4883C is the U.S. letter; a return filed from abroad
    gets the 5447C (30 days), as every other TPP letter goes by the return's address."""
    abroad = _ftf(["1200 RUE SHERBROOKE O", "MONTREAL QC H3A 1H6", "CANADA"])
    wait = tpp_advice.letter_wait(abroad, "2024-06-17", "202312")
    assert (wait.letter, wait.days, wait.first_letter) == ("5447C", 30, True)
    # re-review: the exception names the 4883C, the letter table the 5447C: both are taken
    assert tpp_letters.letter_fit_refusal(abroad, "202312", "4883C", wait) is None
    assert tpp_letters.letter_fit_refusal(abroad, "202312", "5447C", wait) is None
    assert tpp_letters.letter_fit_refusal(abroad, "202312", "5071C", wait) == tpp_letters.first_time_filer("5447C")
    home = _ftf(["2200 S LAMAR BLVD APT 14", "AUSTIN TX 78704"])
    wait = tpp_advice.letter_wait(home, "2024-06-17", "202312")
    assert (wait.letter, wait.days) == ("4883C", 14)
    assert tpp_letters.letter_fit_refusal(home, "202312", "4883C", wait) is None


# ---- finding 5: Letter 5216 --------------------------------------------------------------------


@pytest.mark.parametrize("idrs", [NON_TPP, TRAINEE])
def test_5216_is_the_tac_s_and_rivo_s(idrs: str) -> None:
    """p12: the toll-free assistors never send it (25.25.6.3.3 (1) box 6: "the caller must visit the TAC")."""
    assert _leter("tpp/failed_auth_at_tac", idrs, "400-00-1116 30 202312 LETTER>5216 RTN-ADDR-CD>TP") == NOT_AUTHORIZED


def test_5216_needs_a_failed_authentication_on_record_before_today() -> None:
    """p11: the TAC assistor, no AMS note -> refused; today's failure alone is not a
    previous one (25.25.6.3.4 (1)-(2)); the next day it is."""
    sim = _sim("tpp/valid_return_up126", TAC)
    try:
        sim.command("LETER 400-00-1001 30 202312 LETTER>5216 RTN-ADDR-CD>TP")
        assert sim.message == tpp_letters.NO_FAILED_AUTH
        sim.command("AMS 400-00-1001 ISSUE>TPP-AUTHENTICATION FAILED NOTE>FAILED AT TAC")
        assert sim.message == "REQUEST COMPLETED"
        sim.command("LETER 400-00-1001 30 202312 LETTER>5216 RTN-ADDR-CD>TP")
        assert sim.message == tpp_letters.NO_FAILED_AUTH
        assert [x for x, _ in _letters(sim, "400-00-1001")] == ["4883C"]
        sim.date("2024-06-18")
        sim.clear()
        if sim.screen.field_named("EMPLOYEE-NO") is not None:
            sim.sign_on(TAC)
        sim.command("LETER 400-00-1001 30 202312 LETTER>5216 RTN-ADDR-CD>TP")
        assert sim.message == "REQUEST COMPLETED"
    finally:
        sim.close()


def test_rivo_sends_5216_after_the_phone_and_tac_failures() -> None:
    assert _leter("tpp/failed_auth_at_tac", RIVO, "400-00-1116 30 202312 LETTER>5216 RTN-ADDR-CD>TP") == \
        "REQUEST COMPLETED"


def test_a_6167c_sent_earlier_is_a_failed_authentication_on_record() -> None:
    rule = {"ams_issues": ["TPP-AUTHENTICATION FAILED"], "letters": ["6167C"]}
    entity = {"letters": [{"letter": "6167C", "date": "2024-05-01"}], "modules": []}
    assert tpp_letters.failed_auth_refusal(entity, "2024-06-17", rule) is None
    assert tpp_letters.failed_auth_refusal({"letters": [], "modules": []}, "2024-06-17", rule) == \
        tpp_letters.NO_FAILED_AUTH


# ---- finding 6: the non-TPP assistor on a UP 126 RC 0 -----------------------------------------


def _upres(fixture: str, idrs: str, seq: str, fields: dict[str, str], before: str = "") -> tuple[str, dict]:
    sim = _sim(fixture, idrs)
    try:
        if before:
            sim.command(before)
            assert sim.message == "REQUEST COMPLETED", sim.message
        sim.command(f"UPDIS {seq}").clear().command(f"UPASGR {seq}")
        assert sim.message == "REQUEST COMPLETED"
        for label, value in fields.items():
            sim.fill(label, value)
        sim.enter()
        tin = sim.dump()["entities"]
        case = next(u for e in tin for m in e["modules"] for u in m["unpostables"] if u["seq"] == seq)
        return sim.message, case
    finally:
        sim.close()


@pytest.mark.parametrize(("idrs", "fields", "message"), [
    (NON_TPP, {"URC": "0"}, "URC 0 NOT FOR NON-TPP ASSISTOR - TRANSFER CALLER TO THE TPP LINE"),
    (NON_TPP, {"URC": "6", "CCC": "1"}, "URC 6 CCC 1 NOT FOR NON-TPP ASSISTOR - TRANSFER CALLER TO THE TPP LINE"),
    (NON_TPP, {"URC": "6B", "CORR-TIN": "400-00-1002"},
     "URC 6B NOT FOR NON-TPP ASSISTOR - TRANSFER CALLER TO THE TPP LINE"),
    (NON_TPP, {"URC": "D"}, "REQUEST COMPLETED"),  # 25.25.6.6.3.1 (4) boxes 2, 5
    (NON_TPP, {"URC": "6", "CCC": "3"}, "REQUEST COMPLETED"),  # the MFT 32 move (TPP-6)
    (TRAINEE, {"URC": "0"}, "REQUEST COMPLETED"),
])
def test_non_tpp_assistor_keys_only_the_identity_theft_urcs(idrs: str, fields: dict[str, str], message: str) -> None:
    shown, case = _upres("tpp/valid_return_up126", idrs, "000000101", fields)
    assert shown == message
    assert (case["urc"] is not None) == (message == "REQUEST COMPLETED")


# ---- finding 7: REL-CYC with a pending TC 971 AC 850 -------------------------------------------

AC850 = "FRM77 400-00-1002 30 202312 TC>971 TC971/151>850"
LATE = "TC 971 AC 850 PENDING - REL-CYC MUST BE 202427 (CURRENT + 2 CYCLES)"


@pytest.mark.parametrize("rel", ["", "202426", "202428"])
def test_ac850_pending_refuses_any_other_release_cycle(rel: str) -> None:
    fields = {"URC": "0", **({"REL-CYC": rel} if rel else {})}
    shown, case = _upres("tpp/valid_return_up126_direct_deposit", TRAINEE, "000000102", fields, before=AC850)
    assert shown == LATE
    assert case["urc"] is None and case["status"] == "open"


def test_ac850_pending_and_rel_cyc_plus_two_pays_by_check() -> None:
    sim = _sim("tpp/valid_return_up126_direct_deposit", TRAINEE)
    try:
        sim.command(AC850)
        assert sim.message == "REQUEST COMPLETED"
        sim.command("UPDIS 000000102").clear().command("UPASGR 000000102")
        sim.fill("URC", "0").fill("REL-CYC", "202427").enter()
        assert sim.message == "REQUEST COMPLETED"
        sim.cycle(3)
        ent = sim.dump("400-00-1002")["entities"][0]
        [refund] = [t for m in ent["modules"] for t in m["transactions"] if t["tc"] == 846]
        assert refund["refund_method"] == "check"
    finally:
        sim.close()


def test_a_release_that_does_not_post_here_is_not_held_to_the_ac850() -> None:
    """URC D deletes the return: no refund, no release cycle to keep."""
    shown, _ = _upres("tpp/valid_return_up126_direct_deposit", TRAINEE, "000000102", {"URC": "D"}, before=AC850)
    assert shown == "REQUEST COMPLETED"


# ---- re-review of 2026-12-08 -------------------------------------------------------------------


def _abroad_after(marker: str, *, thief_abroad_only: bool = False) -> dict:
    """A period whose last letter was `marker` (14 days ago and more), its return filed from
    Canada -- or, with `thief_abroad_only`, the taxpayer's own return from Austin beside an
    identity thief's from Toronto."""
    canada = ["1200 RUE SHERBROOKE O", "MONTREAL QC H3A 1H6", "CANADA"]
    austin = ["2200 S LAMAR BLVD APT 14", "AUSTIN TX 78704"]
    cases = [{"code": 126, "reason": 0, "status": "open", "status_date": "2024-02-27",
              "document": {"address": ["88 KING ST W", "TORONTO ON M5K 1A1", "CANADA"] if thief_abroad_only
                           else canada}}]
    txns = [{"tc": 971, "ac": 123, "misc": f"{marker} SENT", "status": "posted", "posted": "2024-03-01",
             "cycle": "202409", "date": "2024-02-27"}]
    if thief_abroad_only:
        txns.append({"tc": 150, "status": "posted", "cycle": "202410", "date": "2024-03-01",
                     "document": {"address": austin}})
    return {"established": True, "address": austin, "letters": [], "transactions": [],
            "modules": [{"mft": "30", "period": "202312", "transactions": txns, "unpostables": cases}]}


def test_after_a_pilot_6330c_on_a_foreign_return_the_5447c_goes() -> None:
    """Re-review: the reissue check judged the letter from the last one sent (6330C = 4883C),
    the fit check from the return's address: both 4883C and 5447C were refused."""
    entity = _abroad_after("6330C")
    wait = tpp_advice.letter_wait(entity, "2024-06-17", "202312")
    assert tpp_advice.reissue_refusal(wait, "5447C") is None
    assert tpp_letters.letter_fit_refusal(entity, "202312", "5447C", wait) is None
    assert tpp_letters.letter_fit_refusal(entity, "202312", "4883C", wait) == tpp_letters.REISSUE_FOREIGN


def test_returns_that_disagree_on_the_address_leave_the_letter_to_the_caller() -> None:
    entity = _abroad_after("4883C", thief_abroad_only=True)
    assert tpp_letters.return_abroad(entity, "202312") is None
    wait = tpp_advice.letter_wait(entity, "2024-06-17", "202312")
    for letter in ("4883C", "5447C"):
        assert tpp_letters.letter_fit_refusal(entity, "202312", letter, wait) is None


def test_5216_counts_a_failure_another_employee_recorded_today_and_a_referral_to_the_tac() -> None:
    """25.25.6.3.4 (2) "previously failed": the phone line's failure this morning counts; a
    caller sent to the TAC because they could not authenticate counts; RIVO acts on the
    response it documents (25.25.6.2.2.2 (1) box 5)."""
    rule = {"ams_issues": ["TPP-AUTHENTICATION FAILED", "TPP-SENT TO TAC"], "letters": ["6167C"]}

    def entity(issue: str, by: str) -> dict:
        return {"letters": [], "modules": [],
                "notes": [{"issue": issue, "date": "2024-06-17", "idrs": by, "text": "COULD NOT AUTHENTICATE"}]}
    assert tpp_letters.failed_auth_refusal(entity("TPP-AUTHENTICATION FAILED", "1485012346"), "2024-06-17", rule,
                                           idrs=TAC) is None
    assert tpp_letters.failed_auth_refusal(entity("TPP-SENT TO TAC", "1485012346"), "2024-06-17", rule,
                                           idrs=TAC) is None
    assert tpp_letters.failed_auth_refusal(entity("TPP-AUTHENTICATION FAILED", TAC), "2024-06-17", rule,
                                           idrs=TAC) == tpp_letters.NO_FAILED_AUTH
    assert tpp_letters.failed_auth_refusal(entity("TPP-AUTHENTICATION FAILED", RIVO), "2024-06-17", rule,
                                           idrs=RIVO, rivo=True) is None
