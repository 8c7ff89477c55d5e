"""Incident reporting (IRM 10.5.4.3): routing rules, the one-hour rule, Form 11377, INCID screens."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from idrs_sim import commands
from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.incident_models import IncidentReport
from idrs_sim.masterfile.models import AuditRecord, Employee
from idrs_sim.masterfile.security import hash_password
from idrs_sim.rules.incident import (
    LABELS,
    FieldError,
    IncidentFacts,
    Routing,
    parse_facts,
    route,
    timeliness,
)
from idrs_sim.rules.unax import NO_CASE
from idrs_sim.terminal.session import IdrsSession
from idrs_sim.terminal.terminal import Terminal
from idrs_sim.unax import unax_flags

DISCOVERED = dt.datetime(2024, 6, 17, 9, 0)
TRAINEE = "1485012345"
PASSWORD = "train-pw1"


def facts(kind: str = "L", **kw: object) -> IncidentFacts:
    return IncidentFacts(kind=kind, discovered_at=DISCOVERED, **kw)  # type: ignore[arg-type]


def offices(r: Routing) -> list[str]:
    return r.offices


# ---- the one-hour rule (IRM 10.5.4.3.1) ---------------------------------------------------

@pytest.mark.parametrize(("minutes", "late"), [(0, False), (59, False), (60, False), (61, True), (600, True)])
def test_one_hour_rule(minutes: int, late: bool) -> None:
    t = timeliness(DISCOVERED, DISCOVERED + dt.timedelta(minutes=minutes), 60)
    assert t.late is late
    assert t.elapsed_minutes == minutes
    assert t.text().startswith("LATE" if late else "TIMELY")


def test_counted_in_whole_minutes_as_discovery_is_keyed() -> None:
    """DISC-TM is HHMM: a report in the 60th minute (60:59) reads "60 MINUTES" and is timely;
    the 61st minute is late (a review found "LATE - REPORTED 60 MINUTES ... LIMIT 60")."""
    t = timeliness(DISCOVERED, DISCOVERED + dt.timedelta(minutes=60, seconds=59), 60)
    assert not t.late and t.text().startswith("TIMELY - REPORTED 60 MINUTES")
    assert timeliness(DISCOVERED, DISCOVERED + dt.timedelta(minutes=61), 60).late


def test_samc_thirty_minutes_and_untimed_paths() -> None:
    assert not timeliness(DISCOVERED, DISCOVERED + dt.timedelta(minutes=30), 30).late
    assert timeliness(DISCOVERED, DISCOVERED + dt.timedelta(minutes=31), 30).late
    untimed = timeliness(DISCOVERED, DISCOVERED + dt.timedelta(days=3), None)
    assert not untimed.late and "NO TIME LIMIT" in untimed.text()


# ---- routing: IRM 10.5.4.3.3(2) -------------------------------------------------------------

def test_correspondence_goes_to_otc() -> None:
    r = route(facts("D", item="CORR", pii=True))
    assert offices(r) == ["MANAGER", "OTC"]
    assert r.path == "breach" and r.deadline_minutes == 60
    assert any("SNIP ERRONEOUS TAXPAYER CORRESPONDENCE REPORTING FORM (RED BUTTON)" in line for line in r.lines())


def test_lost_or_stolen_correspondence_with_pii_also_goes_to_tigta() -> None:
    """10.5.4.3.3(3): TIGTA for a loss or theft of hardcopy containing PII; printed notices and
    transcripts are hardcopy (10.5.4.3(1) Note).  A disclosure (D) of correspondence is not."""
    assert offices(route(facts("L", item="CORR", pii=True))) == ["MANAGER", "OTC", "TIGTA"]
    assert offices(route(facts("T", item="CORR", pii=True))) == ["MANAGER", "OTC", "TIGTA", "POLICE"]
    assert offices(route(facts("D", item="CORR", pii=True))) == ["MANAGER", "OTC"]


def test_official_records_regardless_of_pii_only_when_lost_or_stolen() -> None:
    """10.5.4.3.3(2)(b) Note: "the loss or theft of official records (whether the records contain
    PII or not)"; a disclosure of a record without sensitive data is not reportable."""
    assert offices(route(facts("L", item="REC"))) == ["MANAGER", "PGLD/IM", "RIM"]
    assert route(facts("D", item="REC")).path == "not-reportable"
    assert "RIM" not in offices(route(facts("D", item="REC", pii=True)))


@pytest.mark.parametrize("item", ["VERB", "HC", "PKG", "REM"])
def test_verbal_hardcopy_packages_remittances_go_to_pgld_im(item: str) -> None:
    r = route(facts("D", item=item, pii=True))
    assert offices(r) == ["MANAGER", "PGLD/IM"]
    assert "  PII BREACH REPORTING FORM (E-TRAK PRIVACY)" in r.lines()
    assert "  CALL 267-466-0777 IF YOU HAVE ANY PROBLEMS WITH THE ONLINE FORM" in r.lines()


def test_lost_hardcopy_with_pii_adds_tigta() -> None:
    r = route(facts("L", item="HC", pii=True))
    assert offices(r) == ["MANAGER", "PGLD/IM", "TIGTA"]
    assert "TREASURY INSPECTOR GENERAL FOR TAX ADMINISTRATION (TIGTA) AT 800-366-4484" in r.lines()


def test_official_records_go_to_pgld_im_even_without_pii_and_rim_is_alerted() -> None:
    r = route(facts("L", item="REC"))
    assert offices(r) == ["MANAGER", "PGLD/IM", "RIM"]  # no PII: no TIGTA
    assert r.path == "incident"


def test_credentials_go_to_samc_within_thirty_minutes() -> None:
    r = route(facts("L", item="CRED"))
    assert offices(r) == ["MANAGER", "SAMC"]
    assert r.deadline_minutes == 30
    assert "SITUATIONAL AWARENESS MANAGEMENT CENTER (SAMC) - WITHIN 30 MINUTES" in r.lines()


def test_physical_security_incident_goes_to_samc() -> None:
    assert offices(route(facts("D", item="PHYS"))) == ["MANAGER", "SAMC"]


def test_lost_it_asset_goes_to_csirc_and_tigta() -> None:
    r = route(facts("L", it_asset=True))
    assert offices(r) == ["MANAGER", "CSIRC", "TIGTA"]
    assert "  COMPUTER SECURITY INCIDENT REPORTING FORM, OR BY CALLING 240-613-3606" in r.lines()


def test_it_asset_with_hardcopy_is_csirc_only_never_pgld_im() -> None:
    r = route(facts("L", it_asset=True, item="HC", pii=True))
    assert "PGLD/IM" not in offices(r)
    assert offices(r) == ["MANAGER", "CSIRC", "CSIRC-ONLY", "TIGTA"]
    assert any("DO NOT REPORT IT TO PGLD/IM" in line for line in r.lines())


def test_theft_adds_a_police_report_without_taxpayer_data() -> None:
    r = route(facts("T", it_asset=True, pii=True))
    assert offices(r) == ["MANAGER", "CSIRC", "TIGTA", "POLICE"]
    assert "  DO NOT DISCLOSE SENSITIVE DATA AND/OR TAXPAYER DATA" in r.lines()
    assert offices(route(facts("T", item="CRED"))) == ["MANAGER", "SAMC", "POLICE"]


def test_intentional_disclosure_and_willful_access_go_to_tigta() -> None:
    for kind in ("I", "U"):
        r = route(facts(kind, pii=True))
        assert r.path == "tigta" and offices(r) == ["TIGTA"]
        assert "TREASURY INSPECTOR GENERAL FOR TAX ADMINISTRATION (TIGTA) - AS SOON AS POSSIBLE" in r.lines()


def test_inadvertent_access_is_the_form_11377_path_not_a_breach_report() -> None:
    r = route(facts("A", tin="400-00-1001", pii=True, item="HC"))
    assert r.path == "form11377"
    assert offices(r) == ["FORM 11377"]
    assert not {"PGLD/IM", "CSIRC", "OTC", "MANAGER"} & set(offices(r))
    assert r.deadline_minutes is None
    assert "DOCUMENT ON FORM 11377 OR FILLABLE FORM 11377-E, TAXPAYER DATA ACCESS" in r.lines()
    assert any("INADVERTENT ACCESSES ARE NOT REPORTED TO PGLD/IM, CSIRC OR OTC" in line for line in r.lines())


@pytest.mark.parametrize("situation", [1, 2, 3, 4])
def test_no_report_situations(situation: int) -> None:
    r = route(facts("D", item="CORR", pii=True, no_report=situation))
    assert r.path == "no-report" and offices(r) == ["NONE"] and r.deadline_minutes is None


def test_suicide_threat_disclosure_names_its_own_offices() -> None:
    r = route(facts("D", item="VERB", pii=True, no_report=5))
    assert offices(r) == ["NONE", "DISCLOSURE"]
    assert any("NO REPORTING TO PGLD/IM IS NECESSARY UNLESS DIRECTED" in line for line in r.lines())


def test_no_sensitive_information_is_not_reportable() -> None:
    r = route(facts("L", item="HC"))
    assert r.path == "not-reportable" and offices(r) == ["MANAGER"] and r.deadline_minutes is None


def test_classification_breach_needs_pii() -> None:
    assert route(facts("L", item="HC", pii=True)).classification.startswith("DATA BREACH")
    assert route(facts("L", item="HC", sbu=True)).classification == "INCIDENT (SBU, NO PII)"


def test_every_routing_line_fits_the_screen() -> None:
    cases = [facts("T", it_asset=True, item="HC", pii=True), facts("D", item="CORR", pii=True),
             facts("L", item="REC", pii=True), facts("A", tin="400-00-1001"), facts("U"),
             facts("D", item="VERB", no_report=5), facts("L", item="HC"), facts("T", item="CRED")]
    for f in cases:
        assert all(len(line) <= 79 for line in route(f).lines())


# ---- field checks ----------------------------------------------------------------------------

GOOD = {"TYPE": "L", "DISC-DT": "06172024", "DISC-TM": "0900", "IT-ASSET": "N", "ITEM": "HC",
        "PII": "Y", "SBU": "Y", "FTI": "N", "NO-RPT": "", "TIN": "", "DESC": "case file left on a train"}
NOW = DISCOVERED + dt.timedelta(minutes=30)


def errors(**changes: str) -> dict[str, str]:
    result = parse_facts({**GOOD, **changes}, NOW)
    assert isinstance(result, list)
    return {e.label: e.message for e in result}


def test_good_input_gives_facts() -> None:
    result = parse_facts(GOOD, NOW)
    assert result == IncidentFacts(kind="L", discovered_at=DISCOVERED, item="HC", it_asset=False, pii=True,
                                   sbu=True, fti=False, description="case file left on a train")


@pytest.mark.parametrize(("changes", "label", "message"), [
    ({"TYPE": "X"}, "TYPE", "INVALID INCIDENT TYPE - ENTER L, T, D, I, A OR U"),
    ({"DISC-DT": "02302024"}, "DISC-DT", "INVALID DISCOVERY DATE - MMDDYYYY"),
    ({"DISC-TM": "2460"}, "DISC-TM", "INVALID DISCOVERY TIME - HHMM (24-HOUR)"),
    ({"DISC-TM": "0931"}, "DISC-DT", "DISCOVERY DATE/TIME IS LATER THAN CURRENT DATE/TIME"),
    ({"PII": ""}, "PII", "PII MUST BE Y OR N"),
    ({"ITEM": "BOX"}, "ITEM", "INVALID ITEM - SEE THE CODES ON THE SCREEN"),
    ({"ITEM": "NONE"}, "ITEM", "ENTER WHAT WAS LOST, STOLEN OR DISCLOSED"),
    ({"ITEM": "VERB"}, "ITEM", "VERB APPLIES TO A DISCLOSURE (TYPE D)"),
    ({"TYPE": "D", "IT-ASSET": "Y"}, "IT-ASSET", "IT-ASSET APPLIES TO A LOSS OR THEFT (TYPE L OR T)"),
    ({"NO-RPT": "2"}, "NO-RPT", "NO-RPT APPLIES ONLY TO A DISCLOSURE (TYPE D)"),
    ({"TYPE": "D", "NO-RPT": "9"}, "NO-RPT", "INVALID NO-RPT - ENTER 1 THROUGH 5 OR LEAVE BLANK"),
    ({"TIN": "4000010"}, "TIN", "INVALID TIN - NNN-NN-NNNN OR NN-NNNNNNN"),
    ({"TYPE": "A"}, "TIN", "ENTER THE TIN ACCESSED FOR FORM 11377"),
    ({"DESC": " "}, "DESC", "ENTER A SHORT DESCRIPTION"),
])
def test_bad_fields(changes: dict[str, str], label: str, message: str) -> None:
    assert errors(**changes)[label] == message


def test_it_asset_is_asked_of_a_loss_or_theft_only() -> None:
    """docs/security.md: IT-ASSET> is for types L and T; a disclosure (D) can only be N, so a
    blank there is N, not `IT-ASSET MUST BE Y OR N` (a docs review found D refused blank)."""
    result = parse_facts({**GOOD, "TYPE": "D", "IT-ASSET": "", "ITEM": "VERB"}, NOW)
    assert isinstance(result, IncidentFacts) and result.kind == "D" and not result.it_asset
    assert errors(**{"IT-ASSET": ""})["IT-ASSET"] == "IT-ASSET MUST BE Y OR N"  # L still answers it
    assert errors(**{"TYPE": "T", "IT-ASSET": ""})["IT-ASSET"] == "IT-ASSET MUST BE Y OR N"


def test_inadvertent_access_needs_no_yes_no_answers() -> None:
    result = parse_facts({"TYPE": "A", "DISC-DT": "06172024", "DISC-TM": "0900", "TIN": "400-00-1001",
                          "DESC": "keyed the wrong TIN"}, NOW)
    assert isinstance(result, IncidentFacts)
    assert (result.kind, result.tin, result.pii) == ("A", "400-00-1001", False)


def test_labels_are_the_screen_fields() -> None:
    from idrs_sim.terminal.screenmap import load_map

    inputs = {s.name for s in load_map("incident").slots if s.is_input}
    assert inputs == set(LABELS)
    assert isinstance(FieldError("TYPE", "X"), FieldError)


# ---- the INCID screens ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pw_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def mf(pw_hash: str) -> MasterFile:
    mf = MasterFile(clock=Clock(DISCOVERED))
    with mf.unit_of_work() as db:
        db.add(Employee(idrs=TRAINEE, name="T TRAINEE", roles=["tac-assistor"], password_hash=pw_hash))
    return mf


def sign_on(mf: MasterFile) -> Terminal:
    term = Terminal(IdrsSession(mf, idle_timeout_minutes=None))
    term.fill("EMPLOYEE NUMBER", TRAINEE)
    term.fill("PASSWORD", PASSWORD)
    term.enter()
    assert term.screen.message.startswith("SIGN-ON COMPLETED")
    return term


def report(term: Terminal, **fields: str) -> str:
    """INCID, key the fields on the form, Enter; the reply screen's text."""
    term.clear()
    term.type_text("INCID")
    term.enter()
    assert term.screen.message == "KEY THE INCIDENT DETAILS AND PRESS ENTER"
    for label, value in fields.items():
        term.fill(label, value)
    term.enter()
    return term.screen.text()


def reports(mf: MasterFile) -> list[IncidentReport]:
    with mf.reading() as db:
        rows = list(db.scalars(select(IncidentReport).order_by(IncidentReport.id)))
        db.expunge_all()
    return rows


THEFT = {"TYPE": "T", "DISC-DT": "06172024", "DISC-TM": "0900", "IT-ASSET": "Y", "ITEM": "HC",
         "PII": "Y", "SBU": "Y", "FTI": "N", "DESC": "LAPTOP AND CASE FILE STOLEN FROM CAR"}


def test_incid_is_open_to_every_employee() -> None:
    d = commands.definitions()["INCID"]
    assert d.roles == "any" and commands.handler_for("INCID") is not None


def test_report_59_minutes_after_discovery_is_timely(mf: MasterFile) -> None:
    term = sign_on(mf)
    mf.clock.set(DISCOVERED + dt.timedelta(minutes=59))
    text = report(term, **THEFT)
    assert term.screen.message == "REQUEST COMPLETED"
    assert "TIMELY - REPORTED 59 MINUTES AFTER DISCOVERY (LIMIT 60 MINUTES)" in text
    for literal in ("COMPUTER SECURITY INCIDENT RESPONSE CENTER (CSIRC)",
                    "IT ASSET AND HARDCOPY TOGETHER: REPORT TO CSIRC. DO NOT REPORT IT TO PGLD/IM.",
                    "TREASURY INSPECTOR GENERAL FOR TAX ADMINISTRATION (TIGTA) AT 800-366-4484",
                    "LOCAL LAW ENFORCEMENT - FILE A POLICE REPORT",
                    "DATA BREACH (PII INVOLVED)"):
        assert literal in text
    [rep] = reports(mf)
    assert (rep.idrs, rep.kind, rep.path, rep.late, rep.elapsed_minutes) == (TRAINEE, "T", "breach", False, 59)
    assert rep.reported_at == DISCOVERED + dt.timedelta(minutes=59)
    assert rep.discovered_at == DISCOVERED
    assert rep.offices == ["MANAGER", "CSIRC", "CSIRC-ONLY", "TIGTA", "POLICE"]
    assert rep.number == "INC2024169001" and rep.number in text


def test_report_61_minutes_after_discovery_is_flagged_late(mf: MasterFile) -> None:
    term = sign_on(mf)
    mf.clock.set(DISCOVERED + dt.timedelta(minutes=61))
    text = report(term, **THEFT)
    assert "LATE - REPORTED 61 MINUTES AFTER DISCOVERY (LIMIT 60 MINUTES)" in text
    [rep] = reports(mf)
    assert rep.late and rep.elapsed_minutes == 61 and rep.deadline_minutes == 60
    with mf.reading() as db:
        last = db.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert last is not None and last.command == "INCID" and last.outcome.endswith("BREACH LATE")


def test_following_clock_under_freezegun(mf: MasterFile) -> None:
    """A ticking session clock: discovery at 09:00, the report keyed 61 real minutes later."""
    with freeze_time("2024-06-17 13:00:00", tz_offset=0) as frozen:
        mf.clock = Clock.following(DISCOVERED)
        term = sign_on(mf)
        frozen.tick(dt.timedelta(minutes=61))
        text = report(term, **{**THEFT, "TYPE": "L", "IT-ASSET": "N", "ITEM": "CORR"})
    assert "LATE - REPORTED 61 MINUTES AFTER DISCOVERY" in text
    assert "OFFICE OF TAXPAYER CORRESPONDENCE (OTC)" in text
    [rep] = reports(mf)
    assert rep.late and rep.offices == ["MANAGER", "OTC", "TIGTA"]


def test_credentials_late_after_thirty_minutes(mf: MasterFile) -> None:
    term = sign_on(mf)
    mf.clock.set(DISCOVERED + dt.timedelta(minutes=31))
    text = report(term, **{**THEFT, "TYPE": "L", "IT-ASSET": "N", "ITEM": "CRED", "PII": "N", "SBU": "N"})
    assert "LATE - REPORTED 31 MINUTES AFTER DISCOVERY (LIMIT 30 MINUTES)" in text
    assert "SITUATIONAL AWARENESS MANAGEMENT CENTER (SAMC) - WITHIN 30 MINUTES" in text


def test_inadvertent_access_goes_to_form_11377_and_documents_the_unax_flag(mf: MasterFile) -> None:
    term = sign_on(mf)
    term.clear()
    term.type_text("ENMOD 400-00-5001")  # the wrong TIN keyed: an access without a case
    term.enter()
    mf.clock.set(DISCOVERED + dt.timedelta(hours=3))
    text = report(term, TYPE="A", **{"DISC-DT": "06172024", "DISC-TM": "0900", "TIN": "400-00-5001",
                                     "DESC": "KEYED 5001 FOR 5010"})
    assert term.screen.message == "REQUEST COMPLETED"
    assert "DOCUMENT ON FORM 11377 OR FILLABLE FORM 11377-E, TAXPAYER DATA ACCESS" in text
    assert "INADVERTENT ACCESSES ARE NOT REPORTED TO PGLD/IM, CSIRC OR OTC" in text
    assert "TIN ACCESSED: 400-00-5001" in text
    assert "NO TIME LIMIT APPLIES" in text
    assert "PII BREACH REPORTING FORM" not in text and "CSIRC)" not in text
    [rep] = reports(mf)
    assert (rep.path, rep.offices, rep.tin, rep.late) == ("form11377", ["FORM 11377"], "400-00-5001", False)
    [flag] = unax_flags(mf)
    assert (flag.kind, flag.tin, flag.documented) == (NO_CASE, "400-00-5001", True)


def test_bad_field_keeps_the_form_and_marks_it(mf: MasterFile) -> None:
    term = sign_on(mf)
    report(term, **{**THEFT, "DISC-TM": "0961"})
    assert term.screen.message == "INVALID DISCOVERY TIME - HHMM (24-HOUR)"
    assert "DISC-TM> 0961 *" in term.screen.text()
    assert reports(mf) == []
    # correct it on the same screen and press Enter again
    term.fill("DISC-TM", "0850")
    term.enter()
    assert term.screen.message == "REQUEST COMPLETED"
    assert len(reports(mf)) == 1


def test_labelled_elements_on_the_command_lines(mf: MasterFile) -> None:
    """The one-screen form: INCID with LABEL>value elements, as in a replay script."""
    term = sign_on(mf)
    term.clear()
    term.type_text("INCID TYPE>D ITEM>VERB PII>Y SBU>Y FTI>N IT-ASSET>N")
    term.newline()
    term.type_text("DISC-DT>06172024 DISC-TM>0845 DESC>TOLD A CALLER ANOTHER TAXPAYER'S BALANCE")
    term.enter()
    assert term.screen.message == "REQUEST COMPLETED", term.screen.text()
    assert "PGLD INCIDENT MANAGEMENT OFFICE (PGLD/IM)" in term.screen.text()
    [rep] = reports(mf)
    assert rep.offices == ["MANAGER", "PGLD/IM"] and rep.elapsed_minutes == 15


def test_report_numbers_run_per_day(mf: MasterFile) -> None:
    term = sign_on(mf)
    mf.clock.set(DISCOVERED + dt.timedelta(minutes=5))
    report(term, **THEFT)
    report(term, **THEFT)
    assert [r.number for r in reports(mf)] == ["INC2024169001", "INC2024169002"]


def test_bad_labelled_element_is_marked_right_after_it(mf: MasterFile) -> None:
    """command-syntax §1.4: the `*` goes in the column after the bad element, not on the next label."""
    term = sign_on(mf)
    term.clear()
    term.type_text("INCID TYPE>X DISC-DT>06172024 DISC-TM>0700 ITEM>HC PII>Y SBU>Y FTI>Y DESC>A")
    term.enter()
    assert term.screen.message == "INVALID INCIDENT TYPE - ENTER L, T, D, I, A OR U"
    line1 = term.screen.text().splitlines()[0]
    assert "INCID TYPE>X*DISC-DT>06172024" in line1, line1
    assert reports(mf) == []
