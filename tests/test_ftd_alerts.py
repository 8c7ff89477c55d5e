"""FTD Alert issuance by the posting run (IRM 5.7.1.2, 5.7.1.3, 5.7.1.9): the calendar, the
selection model, priorities and routing, suppression, systemic closures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import mf_builders as b
import pytest
from freezegun import freeze_time
from ftd_helpers import EIN, GROUP, PRIOR, RO, alert, case, cases, employer, history_text, read, txns, world
from sqlalchemy import select

from idrs_sim.ics import cases as ics
from idrs_sim.masterfile.models import POSTED, CycleRun, Entity, SimState
from idrs_sim.posting import calendar as cal
from idrs_sim.posting import ftd_alerts as fa
from idrs_sim.posting.context import rules_in_order
from idrs_sim.rules import ftd_alerts as ftd_rules

# --- the calendar (IRM 5.7.1.3) -------------------------------------------------------------------


@pytest.mark.parametrize("cycle, quarter, week, period", [
    ("202412", 1, 12, "202403"), ("202413", 1, 13, "202403"), ("202414", 2, 1, "202406"),
    ("202425", 2, 12, "202406"), ("202426", 2, 13, "202406"), ("202439", 3, 13, "202409"),
    ("202452", 4, 13, "202412"), ("202653", 4, 14, "202612"),
])
def test_cycle_week_within_the_quarter(cycle: str, quarter: int, week: int, period: str) -> None:
    assert ftd_rules.quarter_week(cycle) == (quarter, week)
    assert ftd_rules.alert_period(cycle) == period


def test_issuance_weeks_fall_in_march_june_september_december() -> None:
    """Alerts generate in the 13th week of each quarter: March, June, September, December."""
    for year in (2024, 2025, 2026, 2027, 2028):  # 2026 has 53 cycles
        weeks = [f"{year}{w:02d}" for w in range(1, cal.cycles_in_year(year) + 1)]
        issuing = [c for c in weeks if ftd_rules.is_issuance_cycle(c)]
        analysing = [c for c in weeks if ftd_rules.is_analysis_cycle(c)]
        assert [cal.cycle_start(c).month for c in issuing] == [3, 6, 9, 12]
        assert [ftd_rules.analysis_cycle_for(c) for c in issuing] == analysing
        assert all(cal.add_cycles(a, 1) == i for a, i in zip(analysing, issuing, strict=True))


def test_ftd_rules_are_registered_in_order() -> None:
    fa_rules = {r.name: r.order for r in rules_in_order() if r.name.startswith("ftd")}
    assert fa_rules == {"ftd_filing_requirements": 130, "ftd_alerts": 900, "ftd_alert_bal_due": 910}


# --- selection and priorities (IRM 5.7.1.2) ---------------------------------------------------------


def issue(build, date: str | None = None):  # type: ignore[no-untyped-def]
    sim = world(build, date)
    reports = sim.sim.cycle()
    return sim, reports[-1]


def test_priority_b_goes_to_the_group_hold_file_with_sub_code_105() -> None:
    sim, report = issue(lambda s: employer(s, current="9000.00"))
    assert report.alerts == [(EIN, "01", "202406", "B", "ICS")]
    [t] = txns(sim, period="202406", tc=971)
    assert (t.ac, t.status, t.posting_cycle, t.trans_date) == (46, POSTED, "202426", dt.date(2024, 6, 21))
    c = case(sim)
    assert (c.priority, c.sub_code, c.status, c.assigned, c.opened) == ("B", "105", "open", None, dt.date(2024, 6, 21))
    assert c.extra["group"] == GROUP and c.extra["model"]["baseline"] == "60000.00"
    assert "PRIORITY B POTENTIAL NONCOMPLIANT" in history_text(c)


def test_priority_a_after_notice_status_in_each_of_the_two_prior_quarters() -> None:
    sim, report = issue(lambda s: employer(s, statuses={"202312": "58", "202403": "21"}))
    assert report.alerts == [(EIN, "01", "202406", "A", "ICS")]
    assert case(sim).priority == "A"


def test_notice_status_in_only_one_prior_quarter_is_not_a_pyramider() -> None:
    _, report = issue(lambda s: employer(s, statuses={"202403": "58"}))
    assert report.alerts[0][3] == "B"


def test_notice_status_only_two_quarters_back_is_not_a_pyramider() -> None:
    """Each prior quarter is judged on its own modules (a lazily bound quarter once judged both
    on 202312 and made this an A)."""
    _, report = issue(lambda s: employer(s, statuses={"202312": "58"}))
    assert report.alerts[0][3] == "B"


def test_priority_c_gets_cp239_with_ac_804_in_the_same_cycle_and_no_ics_case() -> None:
    small = {p: ("6000.00", "6000.00") for p in PRIOR}
    sim, report = issue(lambda s: employer(s, history=small, current="2000.00"))
    assert report.alerts == [(EIN, "01", "202406", "C", "CP239")]
    marks = [(t.ac, t.misc, t.posting_cycle) for t in txns(sim, period="202406", tc=971)]
    assert marks == [(46, None, "202426"), (804, "CP239", "202426")]
    assert cases(sim) == []


def test_deposits_not_reduced_enough_are_not_selected() -> None:
    _, report = issue(lambda s: employer(s, current="40000.00"))  # 67% of the baseline
    assert report.alerts == []


def test_monthly_depositors_are_never_selected() -> None:
    _, report = issue(lambda s: employer(s, depositor="monthly"))
    assert report.alerts == []


def test_no_history_no_baseline_no_alert() -> None:
    _, report = issue(lambda s: employer(s, history={}))
    assert report.alerts == []


def test_tc136_suppresses_alerts_until_tc137() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s)
        b.txn(s, ent, 136, cycle="202410")
    sim, report = issue(build)
    assert report.alerts == []
    with sim.sim.mf.unit_of_work() as s:  # TC 137 input: posts next cycle and reverses the TC 136
        b.pending(s, s.scalar(select(Entity).where(Entity.tin == EIN)), 137, input_cycle="202426")
    reports = sim.sim.cycle(13)  # through the September quarter's 13th week
    assert [r.cycle for r in reports if r.alerts] == ["202439"]
    assert reports[-1].alerts[0][:3] == (EIN, "01", "202409")


def test_tc136_posting_in_the_issuance_week_still_suppresses() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        b.pending(s, employer(s), 136)  # input in 202425, posts in 202426 before the alert rule
    _, report = issue(build)
    assert report.alerts == [] and (EIN, None, None, 136, None) in report.posted


def test_closed_filing_requirement_tc590_or_existing_alert_suppress() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        a = employer(s, "99-3000001")
        a.filing_requirements = {"941": "00"}
        c = employer(s, "99-3000002")
        b.txn(s, c.module("01", "202406"), 590, ac=50, cycle="202424")
        d = employer(s, "99-3000003")
        b.txn(s, d.module("01", "202406"), 971, ac=46, cycle="202424")
        employer(s, "99-3000004")
    _, report = issue(build)
    assert [a[0] for a in report.alerts] == ["99-3000004"]


def test_scenario_override_sets_the_outcome() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        a = employer(s, "99-3000001", current="59000.00")
        a.extra = {"ftd_model": {"202406": "A"}}
        c = employer(s, "99-3000002")
        c.extra = {"ftd_model": {"202406": "none"}}
        m = employer(s, "99-3000003", depositor="monthly")
        m.extra = {"ftd_model": {"202406": "B"}}  # hard rule: monthly depositors never
    _, report = issue(build)
    assert report.alerts == [("99-3000001", "01", "202406", "A", "ICS")]


def test_routing_by_state_of_the_business() -> None:
    sim, _ = issue(lambda s: employer(s, state="CA"))
    assert case(sim).extra["group"] == "FC-GRP35"


# --- analysis in week 12, issuance in week 13 -------------------------------------------------------


def test_analysis_runs_in_week_12_and_issuance_uses_it() -> None:
    """Set the clock a week earlier: the 202425 run analyses, the 202426 run issues.  A deposit
    posting in the issuance week does not undo the alert (the analysis was made in week 12)."""
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s)
        b.pending(s, ent.module("01", "202406"), 650, amount="58000.00", input_cycle="202425")
    sim = world(build, date="2024-06-10")  # cycle 202424
    r25 = sim.sim.cycle()[0]
    assert r25.cycle == "202425" and r25.alerts == []
    analysis = read(sim, lambda s: s.scalar(select(Entity).where(Entity.tin == EIN)).extra["ftd_analysis"])
    assert analysis == {"period": "202406", "cycle": "202425", "priority": "B", "current": "0.00",
                        "baseline": "60000.00", "reason": "PROJECTED SHORTFALL 60,000.00"}
    assert read(sim, lambda s: s.get(SimState, "ftd_analysis.202406").value) == "202425"
    r26 = sim.sim.cycle()[0]
    assert (EIN, "01", "202406", 650, None) in r26.posted
    assert r26.alerts == [(EIN, "01", "202406", "B", "ICS")]


def test_without_an_analysis_run_the_issuance_analyses_as_of_week_12() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s)
        b.pending(s, ent.module("01", "202406"), 650, amount="58000.00", input_cycle="202425")
    _, report = issue(build)
    assert report.alerts == [(EIN, "01", "202406", "B", "ICS")]


def test_no_alerts_outside_the_13th_week() -> None:
    sim = world(lambda s: employer(s), date="2024-04-15")
    reports = sim.sim.cycle(5)
    assert all(r.alerts == [] for r in reports)
    assert cases(sim) == []


# --- replacement and systemic closures (IRM 5.7.1.9) ---------------------------------------------------


def test_new_alert_closes_and_replaces_the_open_prior_quarter_alert() -> None:
    sim, report = issue(lambda s: alert(s, employer(s), "202403", assigned_date=dt.date(2024, 4, 2)))
    old, new = case(sim, period="202403"), case(sim, period="202406")
    assert (old.status, old.closing_code, old.closed) == ("closed", ics.SYSTEMIC_REPLACED, dt.date(2024, 6, 21))
    assert old.sub_code is None and "SUB CODE 105 CHANGED BY ICS" in history_text(old)
    assert (new.status, new.assigned, new.assigned_date) == ("open", RO, dt.date(2024, 6, 21))
    assert "REPLACED BY NEW FTD ALERT 01 202406" in history_text(old)


def test_bal_due_arriving_before_assignment_request_closes_the_alert() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, current="59000.00")
        alert(s, ent, "202403")
        ent.module("01", "202403").status = "26"
    sim, _ = issue(build)
    c = case(sim, period="202403")
    assert (c.status, c.closing_code) == ("closed", "Bal Due/Del Ret Received")
    assert "BAL DUE RECEIVED FOR THE FTD ALERT MODULE" in history_text(c)
    bd = case(sim, period="202403", kind="BAL-DUE")
    assert (bd.status, bd.assigned, bd.assigned_date) == ("open", RO, dt.date(2024, 6, 21))


def test_del_ret_arrival_and_requested_assignment() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        one = employer(s, "99-3000001", current="59000.00")
        alert(s, one, "202403")
        one.module("01", "202403").status = "03"
        two = employer(s, "99-3000002", current="59000.00")
        c = alert(s, two, "202403")
        two.module("01", "202403").status = "26"
        c.extra = {**c.extra, "requests": [{"req": "ASSIGN", "mft": "01", "period": "202403"}]}
    sim, _ = issue(build)
    assert case(sim, "99-3000001", "202403", "DEL-RET").assigned == RO
    assert case(sim, "99-3000002", "202403").status == "open"  # the RO asked for it: stays open


def test_tc591_cc50_closes_the_941_filing_requirement() -> None:
    def build(s):  # type: ignore[no-untyped-def]
        ent = employer(s, history={})
        b.pending(s, ent.module("01", "202406"), 591, ac=50)
    sim, _ = issue(build)
    fr = read(sim, lambda s: s.scalar(select(Entity).where(Entity.tin == EIN)).filing_requirements)
    assert fr == {"941": "00"}


# --- a whole year of the alert calendar, with freezegun ---------------------------------------------------


def _year_world(s) -> None:  # type: ignore[no-untyped-def]
    """Four employers across 2025: one stops depositing, one is seasonal (TC 136), one monthly,
    one deposits in full every quarter (pending deposits posting in week 6 of each quarter)."""
    hist = {p: ("60000.00", "60000.00") for p in ("202403", "202406", "202409", "202412")}
    employer(s, "99-3100001", history=hist, current=None)
    seasonal = employer(s, "99-3100002", history=hist, current=None)
    b.txn(s, seasonal, 136, cycle="202440")
    employer(s, "99-3100003", history=hist, current=None, depositor="monthly")
    good = employer(s, "99-3100004", history=hist, current=None)
    for q, week in ((3, 6), (6, 19), (9, 32), (12, 45)):
        mod = b.module(s, good, "01", f"2025{q:02d}")
        b.txn(s, mod, 650, amount="55000.00", status="pending", cycle=f"2025{week:02d}")


def test_alert_calendar_across_a_whole_year() -> None:
    """52 weekly cycles of 2025 under a frozen wall clock: alerts only in the 13th week of
    each quarter (March, June, September, December), each new one replacing the last."""
    with freeze_time("2031-07-04 12:00:00"):
        sim = world(_year_world, date="2024-12-20")  # cycle 202452
        reports = sim.sim.cycle(52)
    assert reports[0].cycle == "202501" and reports[-1].cycle == "202552"
    issued = [(r.cycle, cal.cycle_start(r.cycle).month, [a[0] for a in r.alerts]) for r in reports if r.alerts]
    assert issued == [("202513", 3, ["99-3100001"]), ("202526", 6, ["99-3100001"]),
                      ("202539", 9, ["99-3100001"]), ("202552", 12, ["99-3100001"])]
    alerts = cases(sim, "99-3100001")
    assert [(c.period, c.status, c.closing_code) for c in alerts] == [
        ("202503", "closed", ics.SYSTEMIC_REPLACED), ("202506", "closed", ics.SYSTEMIC_REPLACED),
        ("202509", "closed", ics.SYSTEMIC_REPLACED), ("202512", "open", None)]
    assert alerts[0].opened == dt.date(2025, 3, 21) and alerts[-1].opened == dt.date(2025, 12, 19)
    runs = read(sim, lambda s: s.scalars(select(CycleRun).where(CycleRun.cycle.like("2025%"))).all())
    assert len(runs) == 52 and all(r.ran_at.date() == cal.cycle_start(r.cycle) for r in runs)  # simulated time
    for tin in ("99-3100002", "99-3100003", "99-3100004"):
        assert cases(sim, tin) == [] and not [t for t in txns(sim, tin) if t.tc == 971]


def test_analysis_is_set_based_on_many_employers() -> None:
    """Semiweekly employers without history: the issuance run asks the database the same
    number of questions for 2,000 employers as for 20 (set-based, no query per employer).
    Its speed is measured by bench/, never asserted here."""
    from sqlalchemy import event

    def statements(employers: int) -> int:
        def build(s):  # type: ignore[no-untyped-def]
            s.add_all([Entity(tin=f"99-8{i:06d}", tin_type="EIN", file="BMF", name_control="BULK",
                              name_lines=["BULK"], address=[], depositor="semiweekly") for i in range(employers)])
        sim = world(build)
        count = 0

        def counted(*_args: object) -> None:
            nonlocal count
            count += 1
        event.listen(sim.sim.mf.engine, "before_cursor_execute", counted)
        report = sim.sim.cycle()[0]
        event.remove(sim.sim.mf.engine, "before_cursor_execute", counted)
        assert report.alerts == []
        return count

    assert statements(2000) == statements(20) > 0


def test_selection_amounts_are_exact() -> None:
    sel = read(world(lambda s: employer(s, current="12345.67")),
               lambda s: fa.analyze(s, "202406", "202425"))
    assert [(x.tin, x.priority, x.current, x.baseline) for x in sel] == [
        (EIN, "B", Decimal("12345.67"), Decimal("60000.00"))]
