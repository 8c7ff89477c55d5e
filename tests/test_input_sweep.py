"""Bad terminal input a sweep of ~5,800 keys found accepted: each is refused on line 24 now,
and nothing it names is written (tests/test_integrity*.py hold the wider rules)."""

from __future__ import annotations

from idrs_sim.testing import IdrsTest

TRAINEE, CLERK, RO = "1485012345", "0912345678", "2621000101"


def _modules(sim: IdrsTest, tin: str) -> list[tuple[str, str]]:
    return [(m["mft"], m["period"]) for e in sim.dump()["entities"] if e["tin"] == tin for m in e["modules"]]


def test_upres_never_moves_an_individual_return_to_an_ein() -> None:
    with IdrsTest() as sim:
        sim.sign_on(CLERK).command("UPDIS 000000101").command("UPRES 000000101")
        sim.fill("URC", "6").fill("CORR-TIN", "99-2000001").enter()
        assert sim.line(24).strip() == "CORR-TIN NOT ON THE IMF - SSN OR ITIN REQUIRED"


def test_acton_checks_mft_and_period_and_a_display_writes_no_module() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE)
        before = _modules(sim, "400-00-1001")
        for typed, says in [("30 209912", "INVALID TAX PERIOD"), ("01 202403", "INVALID MFT"),
                            ("99 202312", "INVALID MFT")]:
            sim.command(f"ACTON 400-00-1001 {typed}")
            assert sim.line(24).strip() == says, typed
        sim.command("ACTON 400-00-1001 30 202112")  # not on IDRS: shown, not made
        assert _modules(sim, "400-00-1001") == before
        sim.command("ACTON 400-00-1001 30 202112 HIST>CALLED RCVD-DT>13012024")
        assert sim.line(24).strip() == "INVALID RCVD-DT - MMDDYYYY"
        sim.command("ACTON 400-00-1001 30 202112 HIST>CALLED")  # a history item makes the dummy module
        assert "REQUEST COMPLETED" in sim.line(24) and ("30", "202112") in _modules(sim, "400-00-1001")


def test_icsmd_checks_mft_and_period() -> None:
    with IdrsTest() as sim:
        sim.sign_on(RO)
        for typed, says in [("99-2000001 99 202312", "INVALID MFT"), ("400-00-1001 01 202312", "INVALID MFT"),
                            ("99-2000001 01 202311", "INVALID TAX PERIOD")]:
            sim.command(f"ICSMD {typed} KIND>BD")
            assert sim.line(24).strip() == says, typed


def test_characters_an_idrs_terminal_does_not_send_are_refused_everywhere() -> None:
    """ß upper-cased to SS doubled a field; é was refused by some screens only."""
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE).command("ENMOD 400-00-1001").command("ENREQ 400-00-1001")
        sim.fill("STREET", "ß" * 10).enter()
        assert sim.line(24).strip() == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"
        sim.command("ACTON 400-00-1001 30 202312 HIST>CAFÉ")
        assert sim.line(24).strip().startswith("INVALID CHARACTER") and "É*" in sim.line(1)


def test_dates_outside_1900_2099_are_not_dates() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE).command("TXMODA 400-00-1001 30 202312").command("REQ77 400-00-1001 30 202312")
        sim.fill("TC", "971").fill("TC971/151", "850").fill("TRANS-DT", "01010001").enter()
        assert sim.line(24).strip() == "INVALID TRANS-DT - MMDDYYYY"
        sim.command("INCID TYPE>L DISC-DT>01010001 DISC-TM>0730 IT-ASSET>N ITEM>HC PII>Y SBU>Y FTI>N DESC>X")
        assert "INVALID DISCOVERY DATE" in sim.line(24)
        sim.command("INCID TYPE>A DISC-DT>06172024 DISC-TM>0730 TIN>000-00-0000 DESC>X")
        assert "INVALID TIN" in sim.line(24)


def test_a_tax_year_secondary_date_is_not_a_later_year() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE).command("TXMODA 400-00-1017 30 202312").command("REQ77 400-00-1017 30 202312")
        sim.fill("TC", "971").fill("TC971/151", "506").fill("MISC", "WI PRP OTHER1")
        sim.fill("SECONDARY-DT", "12312099").enter()
        assert sim.line(24).strip() == "SECONDARY-DT LATER THAN CURRENT TAX YEAR"


def test_input_formats_keyed_straight_in_need_their_research() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE).command("ADJ54 400-00-1001 30 202312 SMIT TC>290 AMOUNT>.00")
        assert sim.line(24).strip() == "TXMOD MUST PRECEDE ADJ54"
        sim.command("IMFOLT 400-00-1001 30 202312").command("ADJ54 400-00-1001 30 202312 SMIT TC>290 AMOUNT>.00")
        assert "IMFOL" in sim.line(24)
        sim.command("INCHG 400-00-1002 JOHN STREET>1 MAIN ST CITY>AUSTIN STATE>TX ZIP>78701")
        assert sim.line(24).strip() == "ENMOD MUST PRECEDE ENREQ"
