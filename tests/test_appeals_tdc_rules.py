"""The TDC Secure Messaging rules of memo AP-08-0622-0008 (idrs_sim.rules.appeals_tdc), pure."""

from __future__ import annotations

import datetime as dt

import pytest

from idrs_sim.rules import appeals_tdc as tdc

D = dt.date
OK = tdc.EgainAccess(True, "4471026", "")
NONE = tdc.egain_access(["ate"], "0512", False, None)
BADGES = {"0810000211", "0810000210"}


# -- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("series", tdc.LISTED_SERIES)
def test_every_listed_series_with_bears_has_the_agent(series: str) -> None:
    access = tdc.egain_access(["ate"], series, True, "4471026")
    assert access.has_agent and access.egain_id == "4471026"


def test_the_listed_series_are_the_memos_six() -> None:
    assert set(tdc.LISTED_SERIES) == {"0930", "0110", "1101", "0512", "0526", "0801"}


@pytest.mark.parametrize(("roles", "series", "bears", "egain", "reason"), [
    (["ate"], "0343", True, "4471026", "SERIES 0343 IS NOT A TDC SERIES"),
    (["ate"], None, True, "4471026", "NO JOB SERIES ON FILE"),
    (["ate"], "0930", False, "4471026", "NO BEARS APPROVAL FOR PROD USERS TDC APPEALS (TDC APPEALS (PROD))"),
    (["ate"], "0930", True, None, "BEARS APPROVED - EGAIN ID NOT YET ISSUED"),
    (["tpp-assistor"], "0930", True, "4471026", "NOT AN APPEALS MANAGER OR TECHNICAL EMPLOYEE"),
])
def test_no_agent_says_why(roles: list[str], series: str | None, bears: bool, egain: str | None, reason: str) -> None:
    access = tdc.egain_access(roles, series, bears, egain)
    assert not access.has_agent and access.egain_id is None and access.reason.startswith(reason)


def test_a_manager_has_the_agent_too() -> None:
    assert tdc.egain_access(["atm"], "0930", True, "4471001").has_agent


# -- invitation ------------------------------------------------------------------------------


def test_the_paragraphs_are_the_memos() -> None:
    assert tdc.INVITATION_PARAGRAPHS == {"5157": 7, "3808": 5, "3808-A": 5, "4837": 18, "3846": 16, "5576": 2}


@pytest.mark.parametrize(("letter", "para"), sorted(tdc.INVITATION_PARAGRAPHS.items()))
def test_each_letter_takes_the_invitation_in_its_paragraph_only(letter: str, para: int) -> None:
    assert tdc.check_invitation(letter, para, "4471026", OK, BADGES) is None
    wrong = para + 1
    assert tdc.check_invitation(letter, wrong, "4471026", OK, BADGES) == \
        f"TDC INVITATION GOES IN PARAGRAPH {para} OF LETTER {letter}"
    assert tdc.check_invitation(letter, None, "4471026", OK, BADGES).startswith("INCLUDE THE TDC INVITATION")


def test_the_id_is_the_egain_id_never_a_badge_number() -> None:
    assert tdc.check_invitation("5157", 7, "0810000211", OK, BADGES) == tdc.BADGE_NOT_ID
    assert tdc.check_invitation("5157", 7, "0810000210", OK, BADGES) == tdc.BADGE_NOT_ID
    assert tdc.check_invitation("5157", 7, "4471001", OK, BADGES) == "ID> 4471001 IS NOT YOUR EGAIN ID"
    assert tdc.check_invitation("5157", 7, "", OK, BADGES).startswith("ID> REQUIRED")


def test_no_agent_no_invitation() -> None:
    assert tdc.check_invitation("5157", 7, "4471026", NONE, BADGES).startswith("TDC INVITATION NEEDS YOUR EGAIN ID: NO BEARS")
    assert tdc.check_invitation("5157", None, "", NONE, BADGES).startswith("TDC INVITATION NEEDS YOUR EGAIN ID: NO BEARS")


def test_only_the_listed_series_must_offer() -> None:
    assert tdc.must_offer(["ate"], "0930") and tdc.must_offer(["atm"], "0801")
    assert not tdc.must_offer(["ate"], "0343") and not tdc.must_offer(["ate"], None)
    assert not tdc.must_offer(["tpp-assistor"], "0930")
    other = tdc.egain_access(["ate"], "0343", False, None)
    assert tdc.check_invitation("5157", None, "", other, BADGES, obliged=False) is None
    assert tdc.check_invitation("5157", 7, "4471026", other, BADGES, obliged=False).startswith("TDC INVITATION NEEDS")


def test_6270_is_not_used_and_6271_is_uploaded() -> None:
    assert tdc.check_invitation("6270", None, "", OK, BADGES) == tdc.LETTER_6270
    assert "ACDSUP" in (tdc.check_invitation("6271", None, "", OK, BADGES) or "")


def test_the_paragraph_is_the_memos_literal_with_the_id_filled_in() -> None:
    text = tdc.invitation_paragraph("4471026")
    assert text.startswith("While you can always reach me via the telephone number, fax number, and mailing address")
    assert text.endswith("enter the Appeals Employee ID (not badge number) of 4471026.")
    assert "_____" not in text
    assert tdc.missing_elements(text, "4471026") == []


@pytest.mark.parametrize(("cut", "element"), [
    ("fax number, ", "PHONE, FAX AND MAIL REMAIN AVAILABLE"),
    ("(and your authorized representative", "SECURE MESSAGING FOR THE TP AND ANY AUTHORIZED REP"),
    ("enclosed Publication 5437", "PUBLICATION 5437 ENCLOSED"),
    ("www.irs.gov/connect", "REGISTER AT WWW.IRS.GOV/CONNECT WITH THE APPEALS EMPLOYEE ID"),
])
def test_each_of_the_four_statements_is_required(cut: str, element: str) -> None:
    text = tdc.invitation_paragraph("4471026").replace(cut, "")
    assert element in tdc.missing_elements(text, "4471026")


def test_the_blank_must_carry_the_id() -> None:
    assert tdc.missing_elements(tdc.INVITATION_TEMPLATE, "4471026") == ["THE EGAIN ID IN THE BLANK"]


def test_first_phone_contact() -> None:
    ok = {"pub": "REVIEWED", "given_id": "4471026", "resolved": False, "reason": "", "prior_contacts": 0, "access": OK, "badges": BADGES}
    assert tdc.check_phone_contact("DISCUSSED", **ok) is None
    for pub in ("WEB", "FAX", "MAIL"):
        assert tdc.check_phone_contact("DISCUSSED", **{**ok, "pub": pub}) is None
    assert tdc.check_phone_contact("DISCUSSED", **{**ok, "pub": ""}).startswith("PUB> REQUIRED")
    assert tdc.check_phone_contact("DISCUSSED", **{**ok, "given_id": "0810000211"}) == tdc.BADGE_NOT_ID
    assert tdc.check_phone_contact("DISCUSSED", **{**ok, "access": NONE}).startswith("TDC INVITATION NEEDS")


def test_first_call_resolves_exception() -> None:
    base = {"pub": "", "given_id": "", "resolved": True, "reason": "SETTLED ON THE CALL", "prior_contacts": 0, "access": NONE, "badges": BADGES}
    assert tdc.check_phone_contact("NOT-OFFERED", **base) is None
    assert tdc.check_phone_contact("NOT-OFFERED", **{**base, "reason": " "}) == "REASON> REQUIRED: WHY TDC WAS NOT OFFERED"
    assert tdc.check_phone_contact("NOT-OFFERED", **{**base, "resolved": False}).startswith("OFFER TDC UNLESS")
    assert tdc.check_phone_contact("NOT-OFFERED", **{**base, "prior_contacts": 1}).startswith("TDC NOT OFFERED ONLY WHEN THE INITIAL")


# -- feature code DC ---------------------------------------------------------------------------


def test_dc_once_invited_and_once() -> None:
    assert tdc.check_feature_code("DC", [], invited=False) == "ADD FEATURE CODE DC ONLY AFTER THE TP/REP IS INVITED TO TDC"
    assert tdc.check_feature_code("DC", [], invited=True) is None
    assert tdc.check_feature_code("DC", ["DC"], invited=True) == "FEATURE CODE DC ALREADY ON THE CASE"
    assert tdc.check_feature_code("XX", [], invited=True) == "INVALID FEATURE CODE XX"


# -- CARATS ------------------------------------------------------------------------------------


def _facts(**kw: object) -> tdc.TdcFacts:
    return tdc.TdcFacts(**kw)  # type: ignore[arg-type]


def test_co_tdc_dated_a_message_date_once_per_message() -> None:
    f = _facts(messages=[tdc.Message("TP", D(2024, 6, 10)), tdc.Message("ATE", D(2024, 6, 10))])
    assert tdc.check_carats("CO", "TDC", D(2024, 6, 11), f) == "CO-TDC DATE MUST BE THE DATE A TDC MESSAGE WAS SENT OR RECEIVED"
    assert tdc.check_carats("CO", "TDC", D(2024, 6, 10), f) is None
    f.carats.append(tdc.CaratsEntry("CO", "TDC", D(2024, 6, 10)))
    assert tdc.check_carats("CO", "TDC", D(2024, 6, 10), f) is None  # two messages that day
    f.carats.append(tdc.CaratsEntry("CO", "TDC", D(2024, 6, 10)))
    assert tdc.check_carats("CO", "TDC", D(2024, 6, 10), f) == "EVERY TDC MESSAGE OF 06102024 ALREADY HAS ITS CO-TDC"


def test_co_tdw_only_on_a_withdrawal_dated_the_request() -> None:
    assert tdc.check_carats("CO", "TDW", D(2024, 6, 14), _facts()).startswith("CO-TDW ONLY WHEN")
    f = _facts(withdrawal=D(2024, 6, 14))
    assert tdc.check_carats("CO", "TDW", D(2024, 6, 17), f) == "CO-TDW DATE MUST BE THE WITHDRAWAL REQUEST DATE 06142024"
    assert tdc.check_carats("CO", "TDW", D(2024, 6, 14), f) is None
    f.carats.append(tdc.CaratsEntry("CO", "TDW", D(2024, 6, 14)))
    assert tdc.check_carats("CO", "TDW", D(2024, 6, 14), f) == "CO-TDW ALREADY RECORDED"


def test_fa_codes_for_a_case_file_request_dated_the_request() -> None:
    assert tdc.check_carats("FA", "REQ", D(2024, 6, 13), _facts()).startswith("FA-REQ ONLY FOR A CASE FILE REQUEST")
    f = _facts(casefile_request=D(2024, 6, 13))
    assert tdc.check_carats("FA", "TFA", D(2024, 6, 13), f) is None
    assert tdc.check_carats("FA", "REQ", D(2024, 6, 14), f).startswith("FA-REQ DATE MUST BE THE CASE FILE REQUEST DATE")


def test_co_as_is_its_own_code_and_unknown_codes_are_refused() -> None:
    assert tdc.check_carats("CO", "AS", D(2024, 6, 12), _facts()) is None
    assert tdc.check_carats("CO", "XX", D(2024, 6, 12), _facts()) == "INVALID CARATS ACTION/SUB-ACTION CODE"


def test_findings_co_tdc_is_in_addition_to_co_as() -> None:
    day = D(2024, 6, 12)
    f = _facts(invited=D(2024, 6, 3), feature_codes=["DC"], messages=[tdc.Message("ATE", day, "AGREEMENT")])
    assert tdc.findings(f) == ["1 TDC MESSAGE(S) OF 06122024 WITHOUT CO-TDC",
                               "AGREEMENT SENT BY TDC 06122024: CO-AS MISSING (CO-TDC DOES NOT REPLACE IT)"]
    f.carats.append(tdc.CaratsEntry("CO", "TDC", day))
    assert tdc.findings(f) == ["AGREEMENT SENT BY TDC 06122024: CO-AS MISSING (CO-TDC DOES NOT REPLACE IT)"]
    f.carats.append(tdc.CaratsEntry("CO", "AS", day))
    assert tdc.findings(f) == []


def test_findings_dc_fa_tdw_and_not_offered() -> None:
    assert tdc.findings(_facts()) == ["TDC NOT YET OFFERED TO THE TP/REP"]
    assert tdc.findings(_facts(not_offered=True)) == []
    assert tdc.findings(_facts(invited=D(2024, 6, 3))) == ["INVITED 06032024: ADD FEATURE CODE DC"]
    f = _facts(invited=D(2024, 6, 3), feature_codes=["DC"], casefile_request=D(2024, 6, 13), withdrawal=D(2024, 6, 14))
    assert tdc.findings(f) == ["CASE FILE REQUESTED 06132024: FA-REQ MISSING", "CASE FILE REQUESTED 06132024: FA-TFA MISSING",
                               "TP/REP WITHDREW 06142024: CO-TDW MISSING"]


# -- registration and messages -------------------------------------------------------------------


def test_registration_uses_the_id_given() -> None:
    assert tdc.check_registration("TP", "4471026", False, ["4471026"], BADGES) is None
    assert tdc.check_registration("TP", "0810000211", False, ["4471026"], BADGES) == "REGISTRATION FAILED: " + tdc.BADGE_NOT_ID
    assert tdc.check_registration("TP", "4471001", False, ["4471026"], BADGES).endswith("IS NOT THE APPEALS EMPLOYEE ID GIVEN TO THE TP/REP")
    assert tdc.check_registration("TP", "4471026", False, [], BADGES) == "THE TP/REP HAS NOT BEEN INVITED TO TDC SECURE MESSAGING"
    assert tdc.check_registration("POA", "4471026", False, ["4471026"], BADGES) == "NO REPRESENTATIVE (POA) ON THIS CASE"


def _reg(who: str = "TP", consented: bool = True, authenticated: bool = True) -> tdc.Registration:
    return tdc.Registration(who, "4471026", consented, authenticated, D(2024, 6, 7))


def test_messages_need_consent_and_authentication() -> None:
    assert tdc.check_message("TP", [], None, OK, day=D(2024, 6, 17)) == "TP HAS NOT REGISTERED FOR TDC SECURE MESSAGING"
    assert tdc.check_message("TP", [_reg(consented=False)], None, OK, day=D(2024, 6, 17)) == "TP HAS NOT CONSENTED TO TDC SECURE MESSAGING"
    assert tdc.check_message("TP", [_reg(authenticated=False)], None, OK, day=D(2024, 6, 17)) == "TP HAS NOT AUTHENTICATED AT WWW.IRS.GOV/CONNECT"
    assert tdc.check_message("ATE", [_reg(authenticated=False)], None, OK, day=D(2024, 6, 17)) == "TP HAS NOT AUTHENTICATED AT WWW.IRS.GOV/CONNECT"
    assert tdc.check_message("TP", [_reg()], None, OK, day=D(2024, 6, 17)) is None
    assert tdc.check_message("ATE", [_reg()], None, OK, day=D(2024, 6, 17)) is None
    assert tdc.check_message("POA", [_reg()], None, OK, day=D(2024, 6, 17)) == "POA HAS NOT REGISTERED FOR TDC SECURE MESSAGING"


def test_no_messages_after_withdrawal_or_without_the_agent() -> None:
    assert tdc.check_message("TP", [_reg()], D(2024, 6, 14), OK, day=D(2024, 6, 15)) == \
        "THE TP/REP WITHDREW FROM TDC SECURE MESSAGING 06142024"
    assert tdc.check_message("ATE", [_reg()], None, NONE, day=D(2024, 6, 15)).startswith("NO EGAIN AGENT ACCESS: NO BEARS APPROVAL")


def test_each_message_notifies_each_recipient_without_content() -> None:
    assert tdc.recipients("TP", [_reg()]) == ["EGAIN 4471026"]
    assert tdc.recipients("ATE", [_reg(), _reg("POA")]) == ["TP", "POA"]
    assert tdc.recipients("ATE", [_reg(), _reg("POA", authenticated=False)]) == ["TP"]
    notice = tdc.email_notice("TP", D(2024, 6, 12))
    assert notice == {"to": "TP", "date": "2024-06-12", "text": tdc.NOTICE_TEXT}
    assert "LOG IN TO TDC" in tdc.NOTICE_TEXT


# -- case file by TDC ----------------------------------------------------------------------------


def test_letter_6271_signed_undated_to_the_requester_before_stars() -> None:
    assert tdc.check_upload("L6271", True, False, "TP", "TP", False) is None
    assert tdc.check_upload("L6271", True, False, "", "TP", False) is None
    assert tdc.check_upload("L6271", False, False, "TP", "TP", False) == "LETTER 6271 MUST BE SIGNED (SIGNED>Y)"
    assert tdc.check_upload("L6271", True, True, "TP", "TP", False) == "UPLOAD LETTER 6271 UNDATED (DATED>N): STARS DATES IT"
    assert tdc.check_upload("L6271", True, False, "POA", "TP", False) == "LETTER 6271 IS ADDRESSED TO THE REQUESTER (TP)"
    assert tdc.check_upload("L6271", True, False, "TP", None, False).startswith("NO CASE FILE REQUEST")
    assert tdc.check_upload("L6271", True, False, "TP", "TP", True).startswith("STARS REQUEST ALREADY SUBMITTED")
    assert tdc.check_upload("L6270", True, False, "TP", "TP", False) == tdc.LETTER_6270


def test_stars_needs_the_6271_first_and_delivery_by_tdc() -> None:
    good = [tdc.Upload("L6271", True, False, "TP")]
    assert tdc.check_stars("TDC", "TP", good, False, None) is None
    assert tdc.check_stars("TDC", "TP", [], False, None) == "UPLOAD A SIGNED, UNDATED LETTER 6271 TO ACDS BEFORE THE STARS REQUEST"
    assert tdc.check_stars("TDC", "TP", [tdc.Upload("L6271", True, True)], False, None).startswith("UPLOAD A SIGNED, UNDATED")
    assert tdc.check_stars("TDC", "TP", [tdc.Upload("L6271", False, False)], False, None).startswith("UPLOAD A SIGNED, UNDATED")
    assert tdc.check_stars("MAIL", "TP", good, False, None).startswith("DELIVERY>TDC")
    assert tdc.check_stars("TDC", None, good, False, None).startswith("NO CASE FILE REQUEST")
    assert tdc.check_stars("TDC", "TP", good, True, None) == "STARS REQUEST ALREADY SUBMITTED"
    assert tdc.check_stars("TDC", "TP", good, False, "TP HAS NOT CONSENTED") == "CASE FILE BY TDC: TP HAS NOT CONSENTED"


def test_the_stars_delivery_literal() -> None:
    assert tdc.STARS_DELIVERY == "TDC Secure Messaging (Will not be mailed by Redaction Specialist)"
    assert tdc.stars_request_id(D(2024, 6, 17), 1) == "STARS20240617001"


def test_facts_read_a_case_record() -> None:
    rec = {
        "feature_codes": ["DC"],
        "letters": [{"letter": "5157", "date": "2024-06-03", "para": 7, "egain": "4471026"}, {"letter": "6271", "date": "2024-06-04"}],
        "car": [{"date": "2024-06-01", "tdc": "DISCUSSED", "egain": "4471026"}],
        "requests": [{"req": "WITHDRAW", "date": "2024-06-14"}, {"req": "CASEFILE", "date": "2024-06-13"}],
        "messages": [{"from": "TP", "date": "2024-06-10"}],
        "carats": [{"act": "CO", "sub": "TDC", "date": "2024-06-10"}],
    }
    f = tdc.facts(rec)
    assert (f.invited, f.withdrawal, f.casefile_request) == (D(2024, 6, 1), D(2024, 6, 14), D(2024, 6, 13))
    assert tdc.invited_ids(rec) == ["4471026", "4471026"]
    assert f.messages == [tdc.Message("TP", D(2024, 6, 10))] and f.carats == [tdc.CaratsEntry("CO", "TDC", D(2024, 6, 10))]
