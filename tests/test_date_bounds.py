"""Dates of things that happened are neither later than today nor more than 20 years before
it (`rules.dates.OLDEST_YEARS`; decision TERM-R3).  A sweep of 2026-12-07 found 01011900
stored as a TC 971's TRANS-DT, a control base's received date, an ADJ54 IRS-RCVD-DT and an
incident's discovery date.  (UNAXR's SINCE> is a filter, not an event: a later date lists
nothing, as a search would.)"""

from __future__ import annotations

import datetime as dt

import pytest

from idrs_sim.rules import dates, incident
from idrs_sim.testing import IdrsTest

TRAINEE = "1485012345"


@pytest.fixture
def sim():  # type: ignore[no-untyped-def]
    s = IdrsTest(date="2024-06-17")
    yield s
    s.close()


def test_frm77_trans_dt_of_1900(sim: IdrsTest) -> None:
    sim.sign_on(TRAINEE)
    sim.command("REQ77 400-00-1001 30 202312")
    sim.fill("TC", "971")
    sim.fill("TC971/151", "850")
    sim.fill("TRANS-DT", "01011900")
    sim.enter()
    assert sim.message == "TRANS-DT MORE THAN 20 YEARS AGO"


def test_acton_received_date_of_1900(sim: IdrsTest) -> None:
    sim.sign_on(TRAINEE)
    sim.command("TXMODA 400-00-1001 30 202312")
    sim.command("ACTON 400-00-1001 30 202312 HIST>CALLED RCVD-DT>01011900")
    assert sim.message == "RCVD-DT MORE THAN 20 YEARS AGO"


def test_incident_discovered_in_1900() -> None:
    now = dt.datetime(2024, 6, 17, 10, 0)
    found = incident.parse_facts({"TYPE": "L", "DISC-DT": "01011900", "DISC-TM": "0900", "IT-ASSET": "N", "PII": "N",
                                  "SBU": "N", "FTI": "N"}, now)
    assert isinstance(found, list)
    assert [e for e in found if e.label == "DISC-DT"][0].message == "DISCOVERY DATE MORE THAN 20 YEARS AGO"


@pytest.mark.parametrize(("year", "old"), [(2004, False), (2003, True), (1900, True)])
def test_the_bound(year: int, old: bool) -> None:
    assert dates.too_old(year, dt.date(2024, 6, 17)) is old
