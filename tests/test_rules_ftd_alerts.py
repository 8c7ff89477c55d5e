"""The FTD Alert program's rules (idrs_sim.rules.ftd_alerts, IRM 5.7.1.2, 5.7.1.3, 5.7.1.9),
pure: no database.  The posting run's behaviour over a master file is tests/test_ftd_alerts.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from idrs_sim.rules import ftd_alerts as fa
from idrs_sim.rules.account import DumpModule

D = Decimal


def _txns(*rows: dict) -> list:
    return DumpModule({"mft": "01", "period": "202406", "transactions": [
        {"status": "posted", "cycle": "202420", **r} for r in rows]}).transactions


def test_baseline_averages_the_lookback_quarters_with_a_return_or_deposits() -> None:
    quarters = {"202403": {"tax": D("9000.00"), "deposits": D("9000.00")}, "202312": {"deposits": D("7000.00")},
                "202309": {"deposits": D("0.00")}, "202306": {"tax": D("8000.00")}, "202206": {"tax": D("99999")},
                "202406": {"deposits": D("100.00")}}
    assert fa.lookback("202406") == ["202403", "202312", "202309", "202306"]
    assert fa.baseline(quarters, "202406") == D("8000.00")  # 9000, 7000, 8000; the empty 202309 does not count
    assert fa.baseline({}, "202406") == D("0.00")


def test_substantially_reduced_is_below_60_percent_of_a_baseline_of_at_least_1000() -> None:
    assert fa.deposits_reduced(D("5999.99"), D("10000.00"))
    assert not fa.deposits_reduced(D("6000.00"), D("10000.00"))
    assert not fa.deposits_reduced(D("0.00"), D("999.99"))  # nothing to compare with


def test_priority_a_needs_notice_status_in_both_prior_quarters() -> None:
    both = {"202403": ["22", "21"], "202312": ["58"]}
    assert fa.priority("202406", D("20000.00"), both)[0] == "A"
    assert fa.priority("202406", D("20000.00"), {"202403": ["21"], "202312": ["12"]})[0] == "B"
    assert fa.priority("202406", D("4999.99"), {})[0] == "C"
    assert fa.priority("202406", D("5000.00"), {})[0] == "B"


def test_select_applies_a_scenario_override_before_the_model() -> None:
    kw = dict(statuses={}, analysed=True)
    assert fa.select(1, "99-1", "202406", D("9000"), D("10000"), forced=None, **kw) is None  # not reduced
    assert fa.select(1, "99-1", "202406", D("9000"), D("10000"), forced="A", **kw).priority == "A"
    assert fa.select(1, "99-1", "202406", D("0"), D("10000"), forced="NONE", **kw) is None
    assert fa.select(1, "99-1", "202406", D("0"), D("10000"), forced=None, statuses={}, analysed=False) is None
    assert fa.select(1, "99-1", "202406", D("0"), D("10000"), forced=None, **kw).priority == "B"
    assert fa.override({"ftd_model": {"202406": "c"}}, "202406") == "C" and fa.override({}, "202406") is None


def test_hard_rules_suppress_an_alert() -> None:
    base = dict(file="BMF", depositor="semiweekly", filing_requirements={"941": "01"}, mft="01",
                tc136_in_effect=False, module_txns=None)
    assert fa.suppression(**base) is None
    assert fa.suppression(**{**base, "depositor": "monthly"}) == "NOT A SEMIWEEKLY DEPOSITOR"
    assert fa.suppression(**{**base, "tc136_in_effect": True}) == "TC 136 IN EFFECT"
    assert fa.suppression(**{**base, "filing_requirements": {"941": "00"}}) == "941 FILING REQUIREMENT CLOSED"
    assert fa.suppression(**{**base, "module_txns": _txns({"tc": 590, "ac": 50})}) == "TC 590/591 ON THE ALERT MODULE"
    assert fa.suppression(**{**base, "module_txns": _txns({"tc": 971, "ac": 46})}) == "ALERT ALREADY ISSUED"


def test_the_alert_module_is_an_unreversed_tc971_ac046() -> None:
    assert fa.has_alert(_txns({"tc": 971, "ac": 46}))
    assert not fa.has_alert(_txns({"tc": 971, "ac": 804}))


def test_priority_c_gets_cp239_and_no_ics_case_a_and_b_go_to_ics() -> None:
    assert fa.issuance("C") == [(46, None), (804, "CP239")] and not fa.goes_to_ics("C")
    assert fa.issuance("A") == [(46, None)] and fa.goes_to_ics("A") and fa.goes_to_ics("B")


def test_routing_by_the_state_of_the_business_address() -> None:
    assert fa.group_for_address(["ACME LLC", "1 MAIN ST", "RENO NV 89501"]) == "FC-GRP35"
    assert fa.group_for_address(["ACME", "AUSTIN TX 78701-1234"]) == "FC-GRP21"
    assert fa.group_for_address(["NOWHERE"]) == fa.model().default_group == fa.group_for_address(None)


def test_bal_due_or_del_ret_arrival_and_the_assignment_request() -> None:
    assert fa.arrived_kind("26") == "BAL-DUE" and fa.arrived_kind("03") == "DEL-RET" and fa.arrived_kind("12") is None
    assert fa.assignment_requested([{"req": "ASSIGN", "mft": "01", "period": "202406"}], "01", "202406")
    assert not fa.assignment_requested([{"req": "ASSIGN", "mft": "01", "period": "202403"}], "01", "202406")
    assert fa.bal_due_closing_text("BAL-DUE").startswith("BAL DUE RECEIVED FOR THE FTD ALERT MODULE")


def test_tc591_cc50_closes_the_941_filing_requirement_and_the_systemic_dln() -> None:
    assert fa.closes_filing_requirement("01", 50) == "941" and fa.closes_filing_requirement(None, 50) == "941"
    assert fa.closes_filing_requirement("10", 50) is None and fa.closes_filing_requirement("01", 51) is None
    assert fa.alert_dln(dt.date(2024, 6, 21), 105) == "29177173801054"
