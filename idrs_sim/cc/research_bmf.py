"""BMF research for FTD Alert pre-contact analysis (IRM 5.7.1.5): BMFOL (E, I, K, R, U, P),
BRTVU (BRTVUE) and EFTPS.

BMFOL, like IMFOL, is the master file as of its last weekly update: posted transactions
only.  What the RO reads from each definer (IRM 5.7.1.5): I compliance history and current
deposits, K the type of depositor, R monthly tax liabilities, U wages on Form 941 against
W-2 / W-3; BRTVUE prior quarters' tax, deposits and payroll variances; EFTPS potential
levy sources.  Data read beyond the transactions (documented in docs/research-screens.md):
the Form 941 `document` of a TC 150 (wages, withholding, monthly_liability...), the
employer's W-3 / W-2 totals in `entity.information_returns` (form `W-3`) and the bank of
a TC 650 in its `extra.bank` / `extra.routing`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import selectinload

from ..commands import handles
from ..masterfile import derive
from ..masterfile.models import POSTED, Entity, TaxModule, Transaction
from ..rules.ftd_alerts import AC_ALERT, AC_SOFT_LETTER, DEPOSIT_TCS
from ..rules.ftd_evidence import net_penalties
from .base import Context, Display, Refusal
from .display import (
    ENTITY_TXN_HEADER,
    RULE,
    ac3,
    clip,
    dln,
    echo,
    entity_txn_lines,
    item_label,
    item_value,
    mdy,
    money,
    section,
    wrap,
    yes_no,
)
from .research import (
    NOT_FOUND,
    displayed,
    find_entity,
    heading_values,
    refuse,
    remember,
    research_code,
    tax_year,
)

PAYMENT_TCS = (610, 640, 650, 660, 670)
LOOKBACK_LIMIT = Decimal("50000.00")  # IRC 6302 regulations / Pub 15: more -> semiweekly


#: Entity transactions and every module's transactions: one IN-query each.
BMF_LOAD = (
    selectinload(Entity.transactions),
    selectinload(Entity.modules).selectinload(TaxModule.transactions),
)


def posted_of(m: TaxModule) -> list[Transaction]:
    return sorted((t for t in m.transactions if t.status == POSTED), key=derive.order_key)


def _return(m: TaxModule) -> Transaction | None:
    rets = [t for t in posted_of(m) if t.tc == 150 and t.reversed_by_id is None]
    return rets[-1] if rets else None


def _sum(txns: list[Transaction], tcs: tuple[int, ...]) -> Decimal:
    """Magnitude of the posted amounts of these TCs (deposits and penalties shown positive)."""
    return sum((abs(derive.signed_amount(t)) for t in txns if t.tc in tcs), Decimal("0.00"))


def _tax(m: TaxModule) -> Decimal | None:
    ret = _return(m)
    return None if ret is None else abs(Decimal(ret.amount or 0))


def _doc(m: TaxModule) -> dict[str, Any]:
    ret = _return(m)
    return dict(ret.document or {}) if ret is not None else {}


def _indicators(m: TaxModule) -> str:
    """FTD Alert indicators on the module: TC 971 AC 046 (alert), AC 804 (CP 239 issued)."""
    live = derive.unreversed(m.transactions)
    return " ".join(f"AC{ac:03d}" for ac in (AC_ALERT, AC_SOFT_LETTER) if any(t.tc == 971 and t.ac == ac for t in live))


def _monthly(doc: dict[str, Any]) -> list[Any]:
    """Form 941 line 16 / Schedule B monthly liabilities: `monthly_liability: [m1, m2, m3]`
    or `month1`..`month3`."""
    months = doc.get("monthly_liability") or doc.get("monthly_liabilities")
    if isinstance(months, dict):
        return [months.get(k) for k in sorted(months)][:3]
    if isinstance(months, list):
        return list(months)[:3]
    return [doc.get(f"month{i}", doc.get(f"month_{i}")) for i in (1, 2, 3)]


def _bmf_entity(ctx: Context) -> Entity | Refusal:
    ent = find_entity(ctx, files=("BMF",), options=BMF_LOAD)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period, clear_module=True)
    return ent


def bmf_values(ctx: Context, ent: Entity, **more: Any) -> dict[str, Any]:
    return heading_values(ctx, ent) | {
        "cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period),
        "tc136": yes_no(derive.tc136_in_effect(ent)),
    } | more


def _tax_year(ctx: Context) -> str | None:
    """The year typed in TAX-YR> (checked by `bmfol` before anything is read:
    `research.tax_year`), else the year of the typed tax period."""
    typed = tax_year(ctx)
    if isinstance(typed, int):
        return str(typed)
    return ctx.cmd.period[:4] if ctx.cmd.period else None


def modules_shown(ctx: Context, ent: Entity) -> list[TaxModule]:
    """The entity's modules, newest period first, narrowed to the typed MFT / period."""
    mods = sorted(ent.modules, key=lambda m: (m.period, m.mft), reverse=True)
    if ctx.cmd.mft:
        mods = [m for m in mods if m.mft == ctx.cmd.mft]
    if ctx.cmd.period:
        mods = [m for m in mods if m.period == ctx.cmd.period]
    return mods


# ---------------------------------------------------------------------------------------
# BMFOL


@handles("BMFOL")
@research_code
def bmfol(ctx: Context) -> Display | Refusal:
    """BMFOL with its definer; an IMF TIN is not on the BMF (RECORD NOT FOUND); a TAX-YR>
    that is not a year in the calendar: INVALID DATA."""
    year = tax_year(ctx)
    if isinstance(year, Refusal):
        return year
    ent = _bmf_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    return {"E": _bmfole, "I": _bmfoli, "K": _bmfolk, "R": _bmfolr, "U": _bmfolu, "P": _bmfolp}[ctx.cmd.definer](ctx, ent)


def _bmfole(ctx: Context, ent: Entity) -> Display:
    """Entity and posted entity transactions (TC 136 / 137, TC 971 ...)."""
    lines = [section("ENTITY TRANSACTIONS"), ENTITY_TXN_HEADER]
    body: list[str] = []
    for t in sorted((t for t in ent.entity_transactions if t.status == POSTED), key=derive.order_key):
        body += entity_txn_lines(t)
    lines += body or ["NONE"]
    return displayed(ctx, Display("bmfole", bmf_values(ctx, ent), lines), f"ENTITY {ent.tin}")


def _bmfoli(ctx: Context, ent: Entity) -> Display:
    """Every module: status, tax on the return, deposits, balance, last deposit, indicators."""
    lines: list[str] = []
    for m in modules_shown(ctx, ent):
        posted = posted_of(m)
        deposits = _sum(posted, PAYMENT_TCS)
        dates = [t.trans_date for t in posted if t.tc in DEPOSIT_TCS and t.trans_date]
        tax = _tax(m)
        lines.append(clip(
            f"{m.mft:<3} {m.period:<6} {derive.module_status(m):<3} {money(tax) if tax is not None else 'NO RETURN':>13} "
            f"{money(deposits):>13} {money(derive.balance(m)):>13} {mdy(max(dates)) if dates else '':<8} {_indicators(m)}"
        ))
    return displayed(ctx, Display("bmfoli", bmf_values(ctx, ent), lines or ["NO MODULES ON FILE"]), f"SUMMARY {ent.tin}")


def lookback_periods(year: int) -> list[str]:
    """Form 941 look-back period for deposits made in `year`: the four quarters from July 1
    two years before to June 30 of the prior year (IRS Publication 15)."""
    return [f"{year - 2}09", f"{year - 2}12", f"{year - 1}03", f"{year - 1}06"]


def _bmfolk(ctx: Context, ent: Entity) -> Display:
    """Depositor type on file and the look-back liability that decides it: $50,000 or less
    monthly, more semiweekly (IRS Publication 15)."""
    year = int(_tax_year(ctx) or ctx.today.year)
    periods = lookback_periods(year)
    by_period = {m.period: m for m in ent.modules if m.mft == "01"}
    lines = [f"DEPOSIT YEAR> {year}  LOOK-BACK PERIOD> 0701{year - 2} - 0630{year - 1}",
             "MFT PERIOD  TAX-ON-RETURN  RETURN-POSTED"]
    total = Decimal("0.00")
    for p in periods:
        m = by_period.get(p)
        tax = _tax(m) if m is not None else None
        ret = _return(m) if m is not None else None
        total += tax or 0
        lines.append(clip(f"01  {p}  {money(tax) if tax is not None else 'NO RETURN':>13}  {mdy(ret.trans_date) if ret else ''}"))
    on_file = (ent.depositor or "").upper() or "NONE"
    lines.append(clip(f"LOOK-BACK LIABILITY> {money(total)}   LIMIT> {money(LOOKBACK_LIMIT)}"))
    if not any(by_period.get(p) is not None and _return(by_period[p]) for p in periods):
        lines.append(f"NO RETURNS ON FILE FOR THE LOOK-BACK PERIOD   DEPOSITOR ON FILE> {on_file}")
    else:
        computed = "SEMIWEEKLY" if total > LOOKBACK_LIMIT else "MONTHLY"
        lines.append(clip(f"DEPOSITOR BY LOOK-BACK> {computed}   DEPOSITOR ON FILE> {on_file}"
                          + ("" if computed == on_file else "   ** DIFFERS **")))
    return displayed(ctx, Display("bmfolk", bmf_values(ctx, ent), lines), f"LOOK-BACK {ent.tin} {year}")


def _bmfolr(ctx: Context, ent: Entity) -> Display:
    """Tax on each return and its monthly liabilities (Form 941 line 16 / Schedule B)."""
    lines: list[str] = []
    for m in modules_shown(ctx, ent):
        tax = _tax(m)
        if tax is None:
            lines.append(clip(f"{m.mft:<3} {m.period:<6} {'NO RETURN POSTED':>13}"))
            continue
        months = _monthly(_doc(m))
        ret = _return(m)
        lines.append(clip(
            f"{m.mft:<3} {m.period:<6} {money(tax):>13} "
            + " ".join(f"{money(v) if v is not None else '':>13}" for v in (months + [None] * 3)[:3])
            + f" {mdy(ret.trans_date) if ret else '':<8}"
        ))
    return displayed(ctx, Display("bmfolr", bmf_values(ctx, ent), lines or ["NO MODULES ON FILE"]), f"RETURNS {ent.tin}")


def _w3(ent: Entity, year: str) -> dict[str, Any] | None:
    """The employer's W-3 transmittal (W-2 totals) for a year: `information_returns` item with form W-3."""
    for item in ent.information_returns or []:
        if isinstance(item, dict) and str(item.get("tax_year")) == year and str(item.get("form", "")).upper() in ("W-3", "W3"):
            return item
    return None


def _year_lines(ent: Entity, year: str) -> list[str]:
    """CAWR for one tax year: wages and withholding on each Form 941 against the W-3."""
    mods = {m.period: m for m in ent.modules if m.mft == "01" and m.period.startswith(year)}
    lines = [f"TAX-YR> {year}", "QTR     941-WAGES(L2)  941-WITHHOLD(L3)  RETURN"]
    wages = withheld = Decimal("0.00")
    for p in (f"{year}03", f"{year}06", f"{year}09", f"{year}12"):
        m = mods.get(p)
        doc = _doc(m) if m is not None else {}
        w = doc.get("wages")
        h = doc.get("income_tax_withheld", doc.get("withholding"))
        wages += Decimal(str(w or 0))
        withheld += Decimal(str(h or 0))
        status = "POSTED" if m is not None and _return(m) else "NOT FILED"
        lines.append(clip(f"{p}  {money(w) if w is not None else '':>16}  {money(h) if h is not None else '':>16}  {status}"))
    lines.append(clip(f"TOTAL   {money(wages):>16}  {money(withheld):>16}"))
    w3 = _w3(ent, year)
    if w3 is None:
        lines.append("W-3 NOT ON FILE")
    else:
        w3_wages = Decimal(str(w3.get("wages") or 0))
        lines.append(clip(
            f"W-3     {money(w3_wages):>16}  {money(w3.get('withholding')):>16}  W-2 COUNT> {w3.get('count', w3.get('w2_count', ''))}"
        ))
        diff = wages - w3_wages
        lines.append(clip(f"941 LESS W-3 WAGES> {money(diff)}" + ("   ** DISCREPANCY **" if diff else "")))
    return lines


def _years(ctx: Context, ent: Entity) -> list[str]:
    year = _tax_year(ctx)
    if year:
        return [year]
    years = {m.period[:4] for m in ent.modules if m.mft == "01"}
    years |= {str(i.get("tax_year")) for i in ent.information_returns or [] if isinstance(i, dict) and i.get("tax_year")}
    return sorted(years, reverse=True)


def _bmfolu(ctx: Context, ent: Entity) -> Display | Refusal:
    """CAWR: wages reported on Form 941, W-2 and W-3, by tax year (TAX-YR> selects one)."""
    lines: list[str] = []
    for n, year in enumerate(_years(ctx, ent)):
        lines += ([RULE] if n else []) + _year_lines(ent, year)
    if not lines:
        return refuse(ctx, NOT_FOUND, "tin")
    return displayed(ctx, Display("bmfolu", bmf_values(ctx, ent), lines), f"CAWR {ent.tin}")


def _bmfolp(ctx: Context, ent: Entity) -> Display | Refusal:
    """The employer for a tax year (a W-2 employer named on IRPTR): entity, 941s filed,
    wages and withholding reported, W-3 totals (IRM 25.25.6.5.1.2.2)."""
    years = _years(ctx, ent)[:1]
    if not years:
        return refuse(ctx, NOT_FOUND, "tin")
    lines = [clip(f"EMPLOYER> {' '.join(ent.name_lines or [])}  ESTAB> {yes_no(ent.established)}  FR> "
                  + " ".join(f"{k}-{v}" for k, v in (ent.filing_requirements or {}).items()))]
    lines += _year_lines(ent, years[0])
    return displayed(ctx, Display("bmfolu", bmf_values(ctx, ent), lines), f"EMPLOYER {ent.tin} {years[0]}")


# ---------------------------------------------------------------------------------------
# BRTVU (BRTVUE)

_941_LINES: list[tuple[str, str]] = [
    ("employees", "LINE 1  NUMBER OF EMPLOYEES"),
    ("wages", "LINE 2  WAGES, TIPS AND OTHER COMPENSATION"),
    ("income_tax_withheld", "LINE 3  FEDERAL INCOME TAX WITHHELD"),
    ("withholding", "LINE 3  FEDERAL INCOME TAX WITHHELD"),
    ("ss_wages", "LINE 5A TAXABLE SOCIAL SECURITY WAGES"),
    ("ss_tax", "LINE 5A SOCIAL SECURITY TAX"),
    ("medicare_wages", "LINE 5C TAXABLE MEDICARE WAGES"),
    ("medicare_tax", "LINE 5C MEDICARE TAX"),
    ("total_taxes_before_adjustments", "LINE 6  TOTAL TAXES BEFORE ADJUSTMENTS"),
    ("adjustments", "LINE 9  ADJUSTMENTS"),
    ("total_tax", "LINE 12 TOTAL TAXES AFTER ADJUSTMENTS"),
    ("tax", "LINE 12 TOTAL TAXES AFTER ADJUSTMENTS"),
    ("deposits", "LINE 13 TOTAL DEPOSITS FOR THIS QUARTER"),
    ("balance_due", "LINE 14 BALANCE DUE"),
    ("overpayment", "LINE 15 OVERPAYMENT"),
]
_SHOWN = {k for k, _ in _941_LINES} | {"monthly_liability", "monthly_liabilities", "month1", "month2", "month3",
                                        "month_1", "month_2", "month_3", "tc"}


def brtvu_lines(m: TaxModule) -> list[str]:
    """One quarter: the return line by line, then what posted against it (Letter 5857 cells)."""
    ret = _return(m)
    posted = posted_of(m)
    head = f"MFT> {m.mft}  PERIOD> {m.period}  MOD-STAT> {derive.module_status(m)}"
    if ret is None:
        return [clip(head + "  NO RETURN POSTED")] + _posted_money_lines(m, posted)
    doc = dict(ret.document or {})
    lines = [clip(head + f"  DLN> {dln(ret.dln)}  RECD> {mdy(doc.get('received') or ret.trans_date)}  FORM> {doc.get('form', '941')}")]
    seen: set[str] = set()
    for key, label in _941_LINES:
        if key in doc and label not in seen:
            seen.add(label)
            value = doc[key]
            shown = str(value) if key == "employees" else money(value)
            lines.append(clip(f"{label:<44} {shown:>16}"))
    months = _monthly(doc)
    if any(v is not None for v in months):
        lines.append(clip(f"{'LINE 16 MONTHLY LIABILITY  M1 / M2 / M3':<44} "
                          + " ".join(money(v) if v is not None else "" for v in months)))
    for key, value in doc.items():
        if key not in _SHOWN and key not in ("form", "received", "tax_year", "period", "tax_period", "name", "tin", "address"):
            lines += wrap(f"{item_label(key)}> {item_value(value)}")
    return lines + _posted_money_lines(m, posted)


def _posted_money_lines(m: TaxModule, posted: list[Transaction]) -> list[str]:
    tax = _tax(m)
    deposits = _sum(posted, DEPOSIT_TCS)
    penalties = net_penalties(posted)
    return [
        clip(f"POSTED: TAX-DUE-ON-RETURN> {money(tax) if tax is not None else 'NONE'}"
             f"  DEPOSITS-MADE> {money(deposits)}"),
        clip(f"        PENALTIES-ASSESSED> {money(penalties)}  MODULE-BALANCE> {money(derive.balance(m))}"),
    ]


@handles("BRTVU")
@research_code
def brtvu(ctx: Context) -> Display | Refusal:
    """BRTVUE: BMF returns as filed, line by line, with what posted against each quarter."""
    ent = _bmf_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    mods = [m for m in modules_shown(ctx, ent) if _return(m) is not None or ctx.cmd.period]
    if not mods:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    lines: list[str] = []
    for n, m in enumerate(mods):
        lines += ([RULE] if n else []) + brtvu_lines(m)
    return displayed(ctx, Display("brtvue", bmf_values(ctx, ent), lines), f"RETURNS {ent.tin} {len(mods)}")


__all__ = ["bmfol", "brtvu", "lookback_periods", "brtvu_lines", "ac3", "modules_shown", "posted_of", "bmf_values",
           "BMF_LOAD"]
