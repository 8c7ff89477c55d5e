"""UNAX review (the rules idrs_sim.rules.unax, the audit-trail reader idrs_sim.unax) and the instructor's UNAXR screen (IRM 10.5.4.3.4, IRM 10.5.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from idrs_sim import commands
from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.incident_models import IncidentReport
from idrs_sim.masterfile.models import AuditRecord, ControlBase, Employee, Entity, IcsCase, Unpostable
from idrs_sim.masterfile.security import hash_password
from idrs_sim.rules import unax as unax_rules
from idrs_sim.rules.unax import BROWSING, NO_CASE, RELATIVE, SELF, rules
from idrs_sim.terminal.session import IdrsSession
from idrs_sim.terminal.terminal import Terminal
from idrs_sim.unax import (
    access_kind,
    assigned_work,
    connected_tins,
    format_flags,
    set_assigned_work,
    unax_flags,
    unax_report,
)

START = dt.datetime(2024, 6, 17, 9, 0)
TRAINEE = "1485012345"
CLERK = "0912345678"
INSTRUCTOR = "1499900001"
MANAGER = "1488800001"
PASSWORD = "train-pw1"

OWN = "400-00-9001"
RELATIVE_TIN = "400-00-9002"
UNPOSTABLE_TIN = "400-00-1001"
CONTROL_TIN = "400-00-1002"
ICS_TIN = "99-2000001"
HANDED_TIN = "400-00-1003"
STRANGERS = [f"400-00-50{n:02d}" for n in range(1, 10)]


@pytest.fixture(scope="module")
def pw_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def mf(pw_hash: str) -> MasterFile:
    """A master file: a trainee with own and relative TINs and four kinds of assigned work."""
    mf = MasterFile(clock=Clock(START))
    with mf.unit_of_work() as db:
        db.add_all([
            Employee(idrs=TRAINEE, name="T TRAINEE", roles=["unpostable-clerk"], password_hash=pw_hash,
                     own_tin=OWN, related_tins=[RELATIVE_TIN]),
            Employee(idrs=CLERK, name="C CLERK", roles=["unpostable-clerk"], password_hash=pw_hash),
            Employee(idrs=INSTRUCTOR, name="I INSTRUCTOR", roles=["instructor"], password_hash=pw_hash),
            Employee(idrs=MANAGER, name="M MANAGER", roles=["manager"], password_hash=pw_hash),
        ])
        ents = {}
        for tin in [OWN, RELATIVE_TIN, UNPOSTABLE_TIN, CONTROL_TIN, HANDED_TIN, *STRANGERS]:
            ents[tin] = Entity(tin=tin, tin_type="SSN", file="IMF", name_control="TEST", name_lines=["TEST"])
        ents[ICS_TIN] = Entity(tin=ICS_TIN, tin_type="EIN", file="BMF", name_control="ACME", name_lines=["ACME"])
        db.add_all(ents.values())
        db.flush()
        db.add(Unpostable(seq="000000101", entity_id=ents[UNPOSTABLE_TIN].id, upc=126, assigned=TRAINEE))
        db.add(ControlBase(entity_id=ents[CONTROL_TIN].id, category="FRPI", status="A", activity="REQ_FRZRLS",
                           idrs=TRAINEE))
        db.add(IcsCase(tin=ICS_TIN, mft="01", period="202403", assigned=TRAINEE))
        set_assigned_work(db, TRAINEE, [HANDED_TIN])
    return mf


def access(mf: MasterFile, idrs: str, tin: str, at: dt.datetime, command: str = "ENMOD") -> int:
    """Insert one audit record as the session writes it; returns its id."""
    with mf.unit_of_work() as db:
        rec = AuditRecord(at=at, idrs=idrs, terminal="TERM01", aid="ENTER", command=command, tin=tin,
                          outcome="ENMOD", violation=False)
        db.add(rec)
        db.flush()
        return rec.id


def sign_on(mf: MasterFile, idrs: str) -> Terminal:
    term = Terminal(IdrsSession(mf, idle_timeout_minutes=None))
    term.fill("EMPLOYEE NUMBER", idrs)
    term.fill("PASSWORD", PASSWORD)
    term.enter()
    assert term.screen.message.startswith("SIGN-ON COMPLETED"), term.screen.message
    return term


def run(term: Terminal, text: str) -> str:
    """Clear, type a command on the blank screen, Enter; the screen text."""
    term.clear()
    term.type_text(text)
    term.enter()
    return term.screen.text()


# ---- the rule data -------------------------------------------------------------------

def test_thresholds_are_data_in_tables_unax_yaml() -> None:
    assert rules().browse_threshold == 5
    assert {"UNAXR", "INCID"} <= rules().exempt_codes


class _Rec:
    """An audit record as the pure rules read it (no database)."""

    def __init__(self, id: int, tin: str, at: dt.datetime, command: str = "TXMOD") -> None:
        self.id, self.tin, self.at, self.command = id, tin, at, command


def test_the_pure_rules_decide_each_kind_without_a_database() -> None:
    own, related = unax_rules.personal_tins(OWN, [RELATIVE_TIN])
    connected = {"400001001"}
    assert unax_rules.access_kind("400-00-9001", own, related, connected) == SELF
    assert unax_rules.access_kind("400009002", own, related, connected) == RELATIVE
    assert unax_rules.access_kind("400-00-1001", own, related, connected) is None
    assert unax_rules.access_kind("400-00-7777", own, related, connected) == NO_CASE
    assert unax_rules.access_kind("", own, related, connected) is None
    assert not unax_rules.counts_as_access("UNAXR", OWN) and not unax_rules.counts_as_access("TXMOD", None)
    assert unax_rules.counts_as_access("txmod", OWN)
    assert unax_rules.manages_group_work(["gm"], "FC-GRP21") and not unax_rules.manages_group_work(["ro"], "X")


def test_the_pure_review_flags_browsing_over_the_threshold_only() -> None:
    """Six unconnected TINs on one day with a limit of 5: six NO-CASE flags and one BROWSING;
    with a limit of 6 no BROWSING.  A Form 11377 filed that day documents the access."""
    recs = [_Rec(i + 1, f"400-00-70{i:02d}", START + dt.timedelta(minutes=i)) for i in range(6)]
    kw = dict(own="", related=set(), connected=set(), form_11377={"400007000": [START.date()]})
    flags = unax_rules.sort_flags(unax_rules.review(TRAINEE, recs, browse_threshold=5, **kw))
    assert [f.kind for f in flags].count(NO_CASE) == 6 and [f.kind for f in flags].count(BROWSING) == 1
    assert [f.documented for f in flags if f.kind == NO_CASE] == [True] + [False] * 5
    assert BROWSING not in {f.kind for f in unax_rules.review(TRAINEE, recs, browse_threshold=6, **kw)}
    assert [f.kind for f in unax_rules.flags_on_tin(flags, "400007003")] == [BROWSING, NO_CASE]


def test_connected_work_covers_unpostable_control_ics_and_scenario(mf: MasterFile) -> None:
    with mf.reading() as db:
        assert assigned_work(db, TRAINEE) == [HANDED_TIN]
        tins = connected_tins(db, TRAINEE)
    assert tins == {t.replace("-", "") for t in (UNPOSTABLE_TIN, CONTROL_TIN, ICS_TIN, HANDED_TIN)}


def test_assigned_work_reads_fixture_text_and_json(mf: MasterFile) -> None:
    from idrs_sim.masterfile.db import set_state

    with mf.unit_of_work() as db:
        set_state(db, f"assigned_work:{CLERK}", '["400-00-5001", "400-00-5002"]')
        set_state(db, f"assigned_work:{MANAGER}", " 400-00-5003 , 400-00-5004 ")
    with mf.reading() as db:
        assert assigned_work(db, CLERK) == ["400-00-5001", "400-00-5002"]
        assert assigned_work(db, MANAGER) == ["400-00-5003", "400-00-5004"]
        assert assigned_work(db, INSTRUCTOR) == []
    with mf.unit_of_work() as db, pytest.raises(ValueError):
        set_assigned_work(db, CLERK, [f"400-00-{n:04d}" for n in range(20)])


def test_assigned_work_raises_no_flag(mf: MasterFile) -> None:
    for n, tin in enumerate([UNPOSTABLE_TIN, CONTROL_TIN, ICS_TIN, HANDED_TIN]):
        access(mf, TRAINEE, tin, START + dt.timedelta(minutes=n))
    assert unax_flags(mf) == []


# ---- each flag kind --------------------------------------------------------------------

def test_access_without_a_case_is_flagged(mf: MasterFile) -> None:
    first = access(mf, TRAINEE, STRANGERS[0], START)
    second = access(mf, TRAINEE, STRANGERS[0], START + dt.timedelta(minutes=5), command="IMFOL")
    access(mf, TRAINEE, UNPOSTABLE_TIN, START + dt.timedelta(minutes=6))
    flags = unax_flags(mf)
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.employee, flag.tin, flag.kind, flag.at) == (TRAINEE, STRANGERS[0], NO_CASE, START)
    assert flag.record_ids == (first, second)
    assert flag.codes == ("ENMOD", "IMFOL")
    assert not flag.documented


def test_another_employees_case_is_not_mine(mf: MasterFile) -> None:
    """The clerk has no assignment on the trainee's unpostable: a NO-CASE flag for the clerk."""
    access(mf, CLERK, UNPOSTABLE_TIN, START)
    [flag] = unax_flags(mf)
    assert (flag.employee, flag.kind) == (CLERK, NO_CASE)


def test_own_tin_is_flagged_even_when_assigned(mf: MasterFile) -> None:
    with mf.unit_of_work() as db:
        set_assigned_work(db, TRAINEE, [HANDED_TIN, OWN])
    rec = access(mf, TRAINEE, OWN, START)
    [flag] = unax_flags(mf)
    assert (flag.kind, flag.tin, flag.record_ids) == (SELF, OWN, (rec,))


def test_relative_tin_is_flagged(mf: MasterFile) -> None:
    rec = access(mf, TRAINEE, RELATIVE_TIN, START)
    [flag] = unax_flags(mf)
    assert (flag.kind, flag.tin, flag.record_ids) == (RELATIVE, RELATIVE_TIN, (rec,))


def test_tins_match_by_digits(mf: MasterFile) -> None:
    access(mf, TRAINEE, OWN.replace("-", ""), START)
    access(mf, TRAINEE, UNPOSTABLE_TIN.replace("-", ""), START)
    assert [f.kind for f in unax_flags(mf)] == [SELF]


def test_browsing_more_than_five_accounts_in_a_day(mf: MasterFile) -> None:
    ids = [access(mf, TRAINEE, tin, START + dt.timedelta(minutes=n)) for n, tin in enumerate(STRANGERS[:6])]
    flags = unax_flags(mf)
    browsing = [f for f in flags if f.kind == BROWSING]
    assert len([f for f in flags if f.kind == NO_CASE]) == 6
    assert len(browsing) == 1
    flag = browsing[0]
    assert flag.employee == TRAINEE and flag.tin is None and flag.at == START
    assert flag.record_ids == tuple(ids)
    assert flag.tins == tuple(STRANGERS[:6])
    assert "6 ACCOUNTS WITHOUT A CASE ON 06/17/2024" in flag.detail


def test_five_accounts_or_two_days_is_not_browsing(mf: MasterFile) -> None:
    for n, tin in enumerate(STRANGERS[:5]):
        access(mf, TRAINEE, tin, START + dt.timedelta(minutes=n))
    assert BROWSING not in {f.kind for f in unax_flags(mf)}
    # a sixth account the next simulated day starts a new count
    access(mf, TRAINEE, STRANGERS[5], START + dt.timedelta(days=1))
    assert BROWSING not in {f.kind for f in unax_flags(mf)}
    # the threshold can be overridden by the caller
    assert BROWSING in {f.kind for f in unax_flags(mf, browse_threshold=4)}


def test_repeat_access_to_one_account_is_not_browsing(mf: MasterFile) -> None:
    for n in range(10):
        access(mf, TRAINEE, STRANGERS[0], START + dt.timedelta(minutes=n))
    assert [f.kind for f in unax_flags(mf)] == [NO_CASE]


def test_employee_and_since_filters(mf: MasterFile) -> None:
    access(mf, TRAINEE, STRANGERS[0], START)
    access(mf, CLERK, STRANGERS[1], START + dt.timedelta(days=2))
    assert {f.employee for f in unax_flags(mf)} == {TRAINEE, CLERK}
    assert [f.employee for f in unax_flags(mf, employee=CLERK)] == [CLERK]
    assert [f.employee for f in unax_flags(mf, since=START.date() + dt.timedelta(days=1))] == [CLERK]
    with mf.reading() as db:  # a SQLAlchemy session works as well as the MasterFile
        assert len(unax_flags(db, employee=TRAINEE, since=START)) == 1


def test_exempt_codes_and_records_without_tin_are_not_accesses(mf: MasterFile) -> None:
    access(mf, INSTRUCTOR, STRANGERS[0], START, command="UNAXR")
    access(mf, TRAINEE, STRANGERS[1], START, command="INCID")
    with mf.unit_of_work() as db:
        db.add(AuditRecord(at=START, idrs=TRAINEE, terminal="T", aid="CLEAR", command=None, tin=None))
        db.add(AuditRecord(at=START, idrs=None, terminal="T", aid="ENTER", command=None, tin=STRANGERS[2]))
    assert unax_flags(mf) == []


def test_form_11377_on_file_marks_the_flag_documented(mf: MasterFile) -> None:
    access(mf, TRAINEE, STRANGERS[0], START)
    access(mf, TRAINEE, STRANGERS[1], START)
    with mf.unit_of_work() as db:
        db.add(IncidentReport(number="INC2024169001", idrs=TRAINEE, reported_at=START + dt.timedelta(minutes=10),
                              discovered_at=START, kind="A", tin=STRANGERS[0], description="WRONG TIN KEYED",
                              path="form11377", offices=["FORM 11377"], elapsed_minutes=10))
    documented = {f.tin: f.documented for f in unax_flags(mf)}
    assert documented == {STRANGERS[0]: True, STRANGERS[1]: False}


def test_access_kind_for_a_live_warning(mf: MasterFile) -> None:
    with mf.reading() as db:
        assert access_kind(db, TRAINEE, OWN) == SELF
        assert access_kind(db, TRAINEE, RELATIVE_TIN) == RELATIVE
        assert access_kind(db, TRAINEE, STRANGERS[0]) == NO_CASE
        assert access_kind(db, TRAINEE, ICS_TIN) is None


def test_format_flags_for_the_audit_command(mf: MasterFile) -> None:
    assert format_flags([]) == ["NO UNAX FLAGS"]
    rec = access(mf, TRAINEE, OWN, START)
    lines = format_flags(unax_flags(mf))
    assert lines[0].startswith("DATE")
    assert lines[1].startswith(f"06/17/24 09:00 {TRAINEE} SELF     {OWN}")
    assert "EMPLOYEE'S OWN ACCOUNT" in lines[2]
    assert lines[3] == f"    AUDIT RECORDS: {rec}"
    assert lines[-1] == "1 UNAX FLAG"


def test_unax_report_for_the_cli(mf: MasterFile) -> None:
    access(mf, TRAINEE, OWN, START)
    access(mf, CLERK, STRANGERS[0], START)
    assert unax_report(mf, tin=OWN.replace("-", ""))[1].split()[4] == OWN
    assert unax_report(mf, employee=CLERK)[-1] == "1 UNAX FLAG"
    assert unax_report(mf, employee=CLERK, tin=OWN) == ["NO UNAX FLAGS"]


# ---- through the terminal ------------------------------------------------------------------

def test_session_audit_trail_feeds_the_flags(mf: MasterFile) -> None:
    """Whatever the code answers, the session's audit record names the TIN: it is an access."""
    term = sign_on(mf, TRAINEE)
    run(term, f"ENMOD {STRANGERS[3]}")
    run(term, f"ENMOD {OWN}")
    run(term, f"ENMOD {UNPOSTABLE_TIN}")
    with mf.reading() as db:
        ids = {r.tin: r.id for r in db.scalars(select(AuditRecord).where(AuditRecord.tin.is_not(None)))}
    flags = unax_flags(mf, employee=TRAINEE)
    assert {(f.kind, f.tin, f.record_ids) for f in flags} == {
        (NO_CASE, STRANGERS[3], (ids[STRANGERS[3]],)),
        (SELF, OWN, (ids[OWN],)),
    }


def test_unaxr_is_declared_for_instructors_only() -> None:
    definition = commands.definitions()["UNAXR"]
    assert definition.roles == ("instructor",)
    assert definition.allows(["instructor"])
    assert not definition.allows(["manager", "unpostable-clerk"])
    assert commands.handler_for("UNAXR") is not None


def test_unaxr_lists_flags_for_an_instructor(mf: MasterFile) -> None:
    access(mf, TRAINEE, OWN, START)
    access(mf, TRAINEE, STRANGERS[0], START + dt.timedelta(minutes=1))
    term = sign_on(mf, INSTRUCTOR)
    text = run(term, "UNAXR")
    assert "UNAX REVIEW - AUDIT TRAIL FLAGS" in text
    assert f"{TRAINEE} SELF     {OWN}" in text
    assert f"{TRAINEE} NO-CASE  {STRANGERS[0]}" in text
    assert term.screen.message == "2 UNAX FLAGS"
    # one TIN, then one employee, then a bad employee number
    text = run(term, f"UNAXR {OWN}")
    assert OWN in text and STRANGERS[0] not in text.split("\n", 4)[4]
    assert run(term, f"UNAXR {CLERK}") and term.screen.message == "0 UNAX FLAGS"
    assert "NO UNAX FLAGS" in term.screen.text()
    run(term, "UNAXR 1234567890")
    assert term.screen.message == "INVALID EMPLOYEE NUMBER"
    run(term, f"UNAXR EMP>{TRAINEE} SINCE>06172024")
    assert term.screen.message == "2 UNAX FLAGS"
    run(term, "UNAXR SINCE>06182024")
    assert term.screen.message == "0 UNAX FLAGS"
    # the review itself is not an access
    assert all(f.employee == TRAINEE for f in unax_flags(mf))


def test_unaxr_filters_from_its_own_screen(mf: MasterFile) -> None:
    access(mf, TRAINEE, OWN, START)
    access(mf, CLERK, STRANGERS[0], START + dt.timedelta(days=1))
    term = sign_on(mf, INSTRUCTOR)
    run(term, "UNAXR")
    assert term.screen.message == "2 UNAX FLAGS"
    term.fill("SINCE", "06182024")
    term.enter()
    assert term.screen.message == "1 UNAX FLAG"
    assert CLERK in term.screen.text()
    term.fill("SINCE", "13402024")
    term.enter()
    assert term.screen.message == "INVALID DATE - MMDDYYYY"


def test_unaxr_pages_with_pf8(mf: MasterFile) -> None:
    for day in range(4):
        for n, tin in enumerate(STRANGERS):
            access(mf, TRAINEE, tin, START + dt.timedelta(days=day, minutes=n))
    total = len(unax_flags(mf))
    assert total == 4 * (len(STRANGERS) + 1)
    term = sign_on(mf, INSTRUCTOR)
    run(term, "UNAXR")
    assert "UNAXR CONTINUED BELOW" in term.screen.text()
    assert "PAGE 001/" in term.screen.text()
    term.pf(8)
    assert "PAGE 002/" in term.screen.text()


@pytest.mark.parametrize("idrs", [MANAGER, TRAINEE])
def test_unaxr_refused_for_other_roles_and_audited(mf: MasterFile, idrs: str) -> None:
    term = sign_on(mf, idrs)
    run(term, "UNAXR")
    assert term.screen.message == "UNAUTHORIZED COMMAND CODE"
    assert "UNAX REVIEW" not in term.screen.text()
    with mf.reading() as db:
        last = db.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert last is not None
        assert (last.idrs, last.command, last.violation) == (idrs, "UNAXR", True)
        assert last.outcome == "UNAUTHORIZED COMMAND CODE"


def test_a_group_manager_researching_the_groups_hold_file_is_not_flagged() -> None:
    """IRM 5.7.1.4: the GM works the group's designation hold file, so those TINs are
    connected work even before an RO is assigned."""
    from idrs_sim.masterfile.models import IcsCase
    from idrs_sim.simulator import Simulator
    from idrs_sim.unax import connected_tins

    sim = Simulator(fixture="training")
    with sim.mf.reading() as db:
        gm = db.get(Employee, "2621000100")
        group_tins = {c.tin.replace("-", "") for c in db.query(IcsCase).filter(IcsCase.status == "open")
                      if (c.extra or {}).get("group", "FC-GRP21") == gm.unit}
        assert group_tins, "the training file should hold open alerts for the GM's group"
        assert group_tins <= connected_tins(db, gm.idrs)
        assert not group_tins & connected_tins(db, "1485012345")  # not a TPP assistor's work
