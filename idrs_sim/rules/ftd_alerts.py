"""The FTD Alert program's Master File rules (IRM 5.7.1.2, 5.7.1.3, 5.7.1.9) as pure functions:
the calendar, which employer the model selects and with what priority, what suppresses an
alert, what an issued alert posts, where A/B alerts are routed, and when an arriving Bal Due /
Del Ret closes the alert.  The numbers are data in tables/ftd_alert_model.yaml ([EMU] where the
IRM gives none; docs/ftd.md explains the model).

The posting rules in `idrs_sim.posting.ftd_alerts` read the master file set-based and ask
these functions; the ICS screens, FRM49 and BMF research ask the same ones (the alert
module, the model's routing default), so each rule is stated once.

Calendar: a cycle's week within its calendar quarter -- cycles 01-13 are the first quarter,
14-26 the second, 27-39 the third, 40-52 (53) the fourth -- so the 13th week, when alerts
issue, falls in March, June, September and December; the analysis runs in the 12th.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ..posting import calendar as cal
from . import tables
from .account import Txn, unreversed

__all__ = [
    "AC_ALERT",
    "AC_SOFT_LETTER",
    "DEPOSIT_TCS",
    "PENALTY_TCS",
    "FORM_OF_MFT",
    "SOFT_LETTER_MISC",
    "Model",
    "Selection",
    "add_quarters",
    "alert_dln",
    "alert_period",
    "analysis_cycle_for",
    "arrived_kind",
    "assignment_requested",
    "baseline",
    "bal_due_closing_text",
    "closes_filing_requirement",
    "deposits_reduced",
    "filing_requirement_closed",
    "frm49_transaction_codes",
    "goes_to_ics",
    "group_for_address",
    "has_alert",
    "is_analysis_cycle",
    "is_issuance_cycle",
    "issuance",
    "lookback",
    "model",
    "override",
    "prior_quarters",
    "priority",
    "quarter_week",
    "select",
    "suppression",
    "tc590_closing_codes",
]

#: TC 971 AC 046: the FTD Alert indicator on the alert module (IRM 5.7.1.3).
AC_ALERT = 46
#: TC 971 AC 804 MISC CP239: the CP 239 soft letter of a priority C alert (IRM 5.7.1.3).
AC_SOFT_LETTER = 804
SOFT_LETTER_MISC = "CP239"
#: "Deposits Made" in the letter tables and on BMFOL: TC 650 (IRM 5.7.1.5).  The model's own
#: deposit TCs are data (`Model.deposit_tcs`, tables/ftd_alert_model.yaml).
DEPOSIT_TCS = (650,)
#: "Penalties Assessed" in the letter tables, as BMFOL / BRTVU add them up: FTD penalty TC 186,
#: failure to file / pay...
PENALTY_TCS = (160, 166, 170, 176, 180, 186, 240, 276)
#: The form of the alert module's MFT (the filing requirement a TC 591 CC 50 closes).
FORM_OF_MFT = {"01": "941"}
ZERO = Decimal("0.00")
_STATE_RE = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\s*$")


@dataclass(frozen=True)
class Model:
    """The selection model's parameters (IRM 5.7.1.2; the numbers are [EMU] decisions)."""

    weeks_per_quarter: int
    analysis_week: int
    issuance_week: int
    mft: str
    depositor: str
    deposit_tcs: tuple[int, ...]
    lookback_quarters: int
    min_baseline: Decimal
    reduced_ratio: Decimal
    notice_statuses: tuple[str, ...]
    soft_letter_max_owed: Decimal
    closed_filing_requirements: tuple[Any, ...]
    override_key: str
    bal_due_statuses: tuple[str, ...]
    del_ret_statuses: tuple[str, ...]
    default_group: str
    groups_by_state: dict[str, str]


@cache
def model() -> Model:
    """The model from tables/ftd_alert_model.yaml (defaults where a key is absent)."""
    d = tables.ftd_alert_model()
    calendar, m, routing = d.get("calendar") or {}, d.get("model") or {}, d.get("routing") or {}
    return Model(
        weeks_per_quarter=int(calendar.get("weeks_per_quarter", 13)),
        analysis_week=int(calendar.get("analysis_week", 12)),
        issuance_week=int(calendar.get("issuance_week", 13)),
        mft=str(m.get("mft", "01")),
        depositor=str(m.get("depositor", "semiweekly")),
        deposit_tcs=tuple(int(x) for x in m.get("deposit_tcs", [650])),
        lookback_quarters=int(m.get("lookback_quarters", 4)),
        min_baseline=Decimal(str(m.get("min_baseline", "1000.00"))),
        reduced_ratio=Decimal(str(m.get("reduced_ratio", "0.60"))),
        notice_statuses=tuple(str(x) for x in m.get("notice_statuses", ["21", "56", "58"])),
        soft_letter_max_owed=Decimal(str(m.get("soft_letter_max_owed", "5000.00"))),
        closed_filing_requirements=tuple(m.get("closed_filing_requirements", ["00", "0", "", None])),
        override_key=str(m.get("override_key", "ftd_model")),
        bal_due_statuses=tuple(str(x) for x in d.get("bal_due_statuses", ["26"])),
        del_ret_statuses=tuple(str(x) for x in d.get("del_ret_statuses", ["03"])),
        default_group=str(routing.get("default_group", "FC-GRP21")),
        groups_by_state={str(k).upper(): str(v) for k, v in (routing.get("groups_by_state") or {}).items()},
    )


def frm49_transaction_codes() -> set[int]:
    """The TCs FRM49 inputs (TC 590, TC 599; IRM 5.7.1.5, 5.7.1.8)."""
    codes = (tables.ftd_alert_model().get("frm49") or {}).get("transaction_codes", {590: "", 599: ""})
    return {int(k) for k in codes}


def tc590_closing_codes() -> list[int]:
    """The closing codes FRM49 accepts with TC 590 (CC 50: IRM 5.7.1.5)."""
    return [int(c) for c in (tables.ftd_alert_model().get("frm49") or {}).get("tc590_closing_codes", [50])]


# --- calendar (IRM 5.7.1.3) -------------------------------------------------------------------------


def quarter_week(cycle: str) -> tuple[int, int]:
    """(calendar quarter 1-4, week of the cycle within it 1-13, 14 for a cycle 53)."""
    week = cal.cycle_week(cycle)
    per = model().weeks_per_quarter
    q = min((week - 1) // per, 3)
    return q + 1, week - q * per


def alert_period(cycle: str) -> str:
    """The tax period (quarter ending month) a cycle's alerts are for: 202426 -> 202406."""
    q, _ = quarter_week(cycle)
    return f"{cal.cycle_year(cycle):04d}{3 * q:02d}"


def is_analysis_cycle(cycle: str) -> bool:
    """"Master File conducts the FTD Alert analysis in the twelfth cycle week"."""
    return quarter_week(cycle)[1] == model().analysis_week


def is_issuance_cycle(cycle: str) -> bool:
    """"The FTD Alerts generate in the thirteenth week of each calendar quarter"."""
    return quarter_week(cycle)[1] == model().issuance_week


def analysis_cycle_for(cycle: str) -> str:
    """The analysis cycle (12th week) of the quarter of `cycle`."""
    return cal.add_cycles(cycle, model().analysis_week - quarter_week(cycle)[1])


def add_quarters(period: str, n: int) -> str:
    """The tax period `n` quarters after (n < 0: before) a quarterly period YYYYMM."""
    index = int(period[:4]) * 12 + int(period[4:6]) - 1 + 3 * n
    return f"{index // 12:04d}{index % 12 + 1:02d}"


# --- the selection model (IRM 5.7.1.2) ----------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One taxpayer the model selected for the alert quarter `period`."""

    entity_id: int
    tin: str
    period: str
    priority: str
    current: Decimal
    baseline: Decimal
    reason: str

    def as_json(self, cycle: str) -> dict[str, Any]:
        return {"period": self.period, "cycle": cycle, "priority": self.priority, "current": f"{self.current:.2f}",
                "baseline": f"{self.baseline:.2f}", "reason": self.reason}


def lookback(period: str) -> list[str]:
    """The quarters before the alert quarter whose liability makes the baseline."""
    return [add_quarters(period, -i) for i in range(1, model().lookback_quarters + 1)]


def baseline(quarters: Mapping[str, Mapping[str, Decimal]], period: str) -> Decimal:
    """The average quarterly liability of the lookback quarters that have a return (its tax,
    TC 150) or, without a return, deposits; `quarters` maps a period to {"tax", "deposits"}."""
    back = lookback(period)
    liabilities = [q["tax"] if "tax" in q else q.get("deposits", ZERO)
                   for p, q in quarters.items() if p in back and ("tax" in q or q.get("deposits", ZERO) > 0)]
    return (sum(liabilities, ZERO) / len(liabilities)).quantize(Decimal("0.01")) if liabilities else ZERO


def deposits_reduced(current: Decimal, base: Decimal) -> bool:
    """"Substantially reduced" deposits: a baseline to compare with, and current-quarter
    deposits below `reduced_ratio` of it."""
    m = model()
    return not (base < m.min_baseline or current >= base * m.reduced_ratio)


def override(extra: Mapping[str, Any] | None, period: str) -> str | None:
    """A training scenario's forced outcome for the alert quarter (entity ``extra``
    ``ftd_model: {YYYYMM: A|B|C|none}``), upper case; None when not forced."""
    forced = (extra or {}).get(model().override_key)
    if isinstance(forced, dict):
        value = forced.get(period)
        return str(value).strip().upper() if value is not None else None
    return None


def prior_quarters(period: str) -> list[str]:
    """The two quarters before the alert quarter (priority A looks at them)."""
    return [add_quarters(period, -1), add_quarters(period, -2)]


def priority(period: str, shortfall: Decimal, statuses: Mapping[str, Collection[str]]) -> tuple[str, str]:
    """A: a module in notice status in each of the two prior quarters (potential pyramider);
    C: a projected shortfall under the soft-letter amount; else B.  `statuses` maps each of
    the `prior_quarters` to the statuses of the entity's modules of that period."""
    m = model()
    prior = prior_quarters(period)
    if all(any(s in m.notice_statuses for s in statuses.get(p, ())) for p in prior):
        return "A", f"NOTICE STATUS IN {prior[1]} AND {prior[0]}"
    if shortfall < m.soft_letter_max_owed:
        return "C", f"PROJECTED SHORTFALL {shortfall:,.2f} UNDER {m.soft_letter_max_owed:,.2f}"
    return "B", f"PROJECTED SHORTFALL {shortfall:,.2f}"


def select(entity_id: int, tin: str, period: str, current: Decimal, base: Decimal, *, forced: str | None,
           analysed: bool, statuses: Mapping[str, Collection[str]]) -> Selection | None:
    """The model's outcome for one candidate: a scenario's forced outcome first (``none``
    selects nothing), else reduced deposits select it at `priority`.  `analysed`: the
    candidate had deposits or returns in the analysed quarters (not only an override)."""
    if forced in ("NONE", "N"):
        return None
    if forced in ("A", "B", "C"):
        return Selection(entity_id, tin, period, forced, current, base, "SCENARIO OUTCOME")
    if forced is None and not analysed:
        return None
    if not deposits_reduced(current, base):
        return None
    level, reason = priority(period, base - current, statuses)
    return Selection(entity_id, tin, period, level, current, base, reason)


# --- hard rules: what suppresses an alert ---------------------------------------------------------------


def has_alert(txns: Iterable[Txn]) -> bool:
    """The FTD Alert module: an unreversed TC 971 AC 046 on it."""
    return any(t.tc == 971 and t.ac == AC_ALERT for t in unreversed(txns))


def filing_requirement_closed(filing_requirements: Any, mft: str) -> bool:
    """The module's form's filing requirement is closed (TC 591 CC 50 sets ``00``)."""
    fr = filing_requirements or {}
    form = FORM_OF_MFT.get(mft, mft)
    if not isinstance(fr, dict) or form not in {str(k) for k in fr}:
        return False
    value = next(v for k, v in fr.items() if str(k) == form)
    closed = model().closed_filing_requirements
    return value in closed or str(value) in {str(x) for x in closed if x is not None}


def suppression(*, file: str | None, depositor: str | None, filing_requirements: Any, mft: str,
                tc136_in_effect: bool, module_txns: Iterable[Txn] | None) -> str | None:
    """Why no alert may issue for this module now, or None (the hard rules, not the model):
    only semiweekly BMF depositors; a TC 136 not reversed by TC 137; the 941 filing
    requirement closed; TC 590/591 on the alert module; an alert already issued."""
    if file != "BMF" or depositor != model().depositor:
        return "NOT A SEMIWEEKLY DEPOSITOR"
    if tc136_in_effect:
        return "TC 136 IN EFFECT"
    if filing_requirement_closed(filing_requirements, mft):
        return "941 FILING REQUIREMENT CLOSED"
    if module_txns is not None:
        live = unreversed(module_txns)
        if any(t.tc in (590, 591) for t in live):
            return "TC 590/591 ON THE ALERT MODULE"
        if has_alert(live):
            return "ALERT ALREADY ISSUED"
    return None


def closes_filing_requirement(mft: str | None, closing_code: int | None) -> str | None:
    """The form whose filing requirement a posted TC 591 with `closing_code` on a module of
    `mft` (None: the entity, read as Form 941) closes: CC 50 only (IRM 5.7.1.6, 5.7.1.8:
    Form 4844); None: nothing closes."""
    return FORM_OF_MFT.get(mft or "01") if closing_code == 50 else None


# --- issuance and routing -----------------------------------------------------------------------------


def goes_to_ics(level: str) -> bool:
    """A and B go to ICS (group designation hold file, sub code 105); C gets CP 239 only."""
    return level in ("A", "B")


def issuance(level: str) -> list[tuple[int, str | None]]:
    """What the alert posts: TC 971 AC 046; priority C also TC 971 AC 804 MISC CP239 in the
    same cycle.  (action code, MISC) in posting order."""
    out: list[tuple[int, str | None]] = [(AC_ALERT, None)]
    if not goes_to_ics(level):
        out.append((AC_SOFT_LETTER, SOFT_LETTER_MISC))
    return out


def group_for_address(address: Iterable[str] | None) -> str:
    """The group designation hold file of the business address's state (last line
    "CITY ST ZIP"; routing data), else the default group."""
    m = model()
    lines = list(address or [])
    found = _STATE_RE.search(str(lines[-1] if lines else "").upper())
    return m.groups_by_state.get(found.group(1), m.default_group) if found else m.default_group


def alert_dln(run_date: dt.date, n: int) -> str:
    """A systemic Master File DLN (FLC 29, tax class 1, document code 77) for the n-th alert item."""
    return f"29177{run_date.timetuple().tm_yday:03d}{800 + n // 100:03d}{n % 100:02d}{run_date.year % 10}"


# --- Bal Due / Del Ret received (IRM 5.7.1.9) --------------------------------------------------------


def arrived_kind(status: str | None) -> str | None:
    """BAL-DUE or DEL-RET when the alert module's status shows one arrived, else None."""
    m = model()
    if status in m.bal_due_statuses:
        return "BAL-DUE"
    if status in m.del_ret_statuses:
        return "DEL-RET"
    return None


def assignment_requested(requests: Iterable[Mapping[str, Any]], mft: str, period: str) -> bool:
    """The RO requested assignment of this module (an ICS ASSIGN request for it)."""
    return any((r.get("mft"), r.get("period")) == (mft, period) for r in requests)


def bal_due_closing_text(kind: str) -> str:
    """The systemic closing narrative (IRM 5.7.1.9)."""
    return (f"{kind.replace('-', ' ')} RECEIVED FOR THE FTD ALERT MODULE BEFORE ASSIGNMENT WAS REQUESTED "
            "(IRM 5.7.1.9)")
