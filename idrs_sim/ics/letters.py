"""Letter 5857 and Letter 5664 tables, computed from IDRS (IRM 5.7.1.5, 5.7.1.6).

Letter 5857 (FTD Alert Appointment Letter), catalogue A.8:

=========================  ==================  ==================  ===================
row                        Tax Due on Return   Deposits Made       Penalties Assessed
=========================  ==================  ==================  ===================
Current Quarter            N/A                 TC 650 so far       N/A
Same Quarter, Prior Year   TC 150              TC 650              penalty TCs
Last Quarter Filed         TC 150              TC 650              penalty TCs
=========================  ==================  ==================  ===================

Letter 5664 (FTD Alert Field Contact Letter): rows Prior Quarter and Current Quarter with the
same three columns.  The IRM example prints only two figures per row (A.15 #5); decision: the
prior quarter shows tax, deposits and penalties of the quarter before the alert quarter, the
current quarter (the alert quarter) its deposits, with tax and penalties N/A until its return
posts.

Only posted transactions count ("the deposit information that appears on IDRS"); reversed
returns do not.  Penalties are the penalty assessments BMFOL/BRTVU add up
(`idrs_sim.rules.ftd_alerts.PENALTY_TCS`), net of their abatements
(`idrs_sim.rules.ftd_evidence.net_penalties`: a fully abated penalty is not "assessed").
Pure functions of the master-file objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..masterfile.models import POSTED, Entity, TaxModule
from ..rules.dates import period_end
from ..rules.ftd_alerts import DEPOSIT_TCS, add_quarters
from ..rules.ftd_evidence import net_penalties

__all__ = ["TableRow", "letter_5857_table", "letter_5664_table", "poa_for_period", "table_lines"]

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TableRow:
    """One row of a letter table; None shows as N/A."""

    label: str
    period: str  # YYYYMM
    tax: Decimal | None
    deposits: Decimal | None
    penalties: Decimal | None

    @property
    def period_end(self) -> dt.date:
        end = period_end(self.period)
        assert end is not None, self.period  # the rows are modules' periods
        return end


def _posted(m: TaxModule | None) -> list[Any]:
    return [t for t in (m.transactions if m is not None else []) if t.status == POSTED]


def _tax(m: TaxModule | None) -> Decimal | None:
    rets = [t for t in _posted(m) if t.tc == 150 and t.reversed_by_id is None]
    return sum((abs(Decimal(t.amount or 0)) for t in rets), ZERO) if rets else None


def _sum(m: TaxModule | None, tcs: tuple[int, ...]) -> Decimal:
    return sum((abs(Decimal(t.amount or 0)) for t in _posted(m) if t.tc in tcs), ZERO)


def _penalties(m: TaxModule | None) -> Decimal:
    """Penalties assessed, net of abatements (TC 186 less TC 187, ...)."""
    return net_penalties(_posted(m))


def last_quarter_filed(entity: Entity, mft: str, before: str) -> TaxModule | None:
    """The latest module of `mft` before period `before` with a posted return (TC 150)."""
    mods = [m for m in entity.modules if m.mft == mft and m.period < before and _tax(m) is not None]
    return max(mods, key=lambda m: m.period) if mods else None


def letter_5857_table(entity: Entity, mft: str, period: str) -> list[TableRow]:
    """The three rows of the Letter 5857 table for the alert module `mft`/`period`."""
    current = entity.module(mft, period)
    prior_year = f"{int(period[:4]) - 1:04d}{period[4:]}"
    same = entity.module(mft, prior_year)
    last = last_quarter_filed(entity, mft, period)
    rows = [
        TableRow("CURRENT QUARTER", period, None, _sum(current, DEPOSIT_TCS), None),
        TableRow("SAME QUARTER, PRIOR YEAR", prior_year, _tax(same),
                 _sum(same, DEPOSIT_TCS) if same else None, _penalties(same) if same else None),
    ]
    if last is not None:
        rows.append(TableRow("LAST QUARTER FILED", last.period, _tax(last), _sum(last, DEPOSIT_TCS),
                             _penalties(last)))
    else:
        rows.append(TableRow("LAST QUARTER FILED", add_quarters(period, -1), None, None, None))
    return rows


def letter_5664_table(entity: Entity, mft: str, period: str) -> list[TableRow]:
    """Prior Quarter and Current Quarter rows of Letter 5664 (A.15 #5 decision above)."""
    prior_period = add_quarters(period, -1)
    prior = entity.module(mft, prior_period)
    current = entity.module(mft, period)
    cur_tax = _tax(current)
    return [
        TableRow("PRIOR QUARTER", prior_period, _tax(prior), _sum(prior, DEPOSIT_TCS) if prior else None,
                 _penalties(prior) if prior else None),
        TableRow("CURRENT QUARTER", period, cur_tax, _sum(current, DEPOSIT_TCS),
                 _penalties(current) if cur_tax is not None else None),
    ]


def _cell(value: Decimal | None) -> str:
    return "N/A" if value is None else f"${value:,.2f}"


def table_lines(rows: list[TableRow], tax_header: str = "TAX DUE ON RETURN") -> list[str]:
    """The table as screen lines (79 columns)."""
    out = [f"{'TAX QUARTER':<24} {'PERIOD':<10} {tax_header:>17} {'DEPOSITS MADE':>13} {'PENALTIES':>11}"]
    for r in rows:
        out.append(f"{r.label:<24} {r.period_end:%m-%d-%Y} {_cell(r.tax):>17} {_cell(r.deposits):>13} "
                   f"{_cell(r.penalties):>11}")
    return out


def poa_for_period(entity: Entity, period: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(authorizations covering `period`, those that do not) among the Form 2848 / 8821 on CFINK.

    An authorization with no periods listed covers every period [EMU].
    """
    covering: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for p in entity.poa or []:
        if not isinstance(p, dict) or str(p.get("form", "")) not in ("2848", "8821"):
            continue
        periods = [str(x) for x in (p.get("periods") or [])]
        (covering if not periods or period in periods else other).append(p)
    return covering, other
