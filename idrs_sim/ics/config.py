"""The data of the FTD Alert program: tables/ftd_alert_model.yaml (calendar, selection model,
routing, FRM49) and tables/ics_lists.yaml (closing codes, pick lists, areas).

Read once per process.  Nothing here decides anything: the posting rule
(`idrs_sim.posting.ftd_alerts`) and the ICS screens (`idrs_sim.cc.ics`) do.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ..rules import tables

__all__ = ["ftd_data", "ics_data", "Model", "model", "ClosingCode", "closing_codes", "closing_code"]


@cache
def ftd_data() -> dict[str, Any]:
    """tables/ftd_alert_model.yaml as a mapping (read by the rules layer)."""
    return tables.ftd_alert_model()


@cache
def ics_data() -> dict[str, Any]:
    """tables/ics_lists.yaml as a mapping (read by the rules layer)."""
    return tables.ics_lists()


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
    d = ftd_data()
    cal, m, routing = d.get("calendar") or {}, d.get("model") or {}, d.get("routing") or {}
    return Model(
        weeks_per_quarter=int(cal.get("weeks_per_quarter", 13)),
        analysis_week=int(cal.get("analysis_week", 12)),
        issuance_week=int(cal.get("issuance_week", 13)),
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


@dataclass(frozen=True)
class ClosingCode:
    """One ICS closing option (IRM 5.7.1.9): who may select it and what it needs first."""

    n: int
    code: str
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    analyst_approval: bool
    #: the checks the case and IDRS must pass, in order (names of idrs_sim.ics.cases.EVIDENCE)
    evidence: tuple[str, ...] = ()
    #: what the closing message tells the user to do next ("" for nothing)
    next_step: str = ""


@cache
def closing_codes() -> tuple[ClosingCode, ...]:
    """The closing options of tables/ics_lists.yaml, in the order ICSCL lists them."""
    out = []
    for c in ics_data().get("closing_codes") or []:
        out.append(ClosingCode(int(c["n"]), str(c["code"]), tuple(c.get("aliases") or ()),
                               tuple(c.get("roles") or ()), bool(c.get("analyst_approval", False)),
                               tuple(str(e) for e in c.get("evidence") or ()), str(c.get("next_step") or "")))
    return tuple(out)


def closing_code(text: str) -> ClosingCode | None:
    """The closing option typed as its number or its name (any case; aliases accepted, A.15 #1/#2)."""
    t = " ".join((text or "").split()).upper()
    for c in closing_codes():
        if t == str(c.n) or t == c.code.upper() or t in (a.upper() for a in c.aliases):
            return c
    return None
