"""What others report or hold about the TIN: IRPTR, INOLES, CFINK.

These codes read third-party data, not the account: information returns filed by payers
(`entity.information_returns`), the National Account Profile with the SSA's data
(`entity.extra`: date of death, date of birth, SSA name, cross references) and the
Centralized Authorization File (`entity.poa`).  The returns the taxpayer filed are
`research_ret`; docs/research-screens.md lists every key read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..commands import handles
from .base import Context, Display, Refusal
from .display import clip, echo, item_value, mdy, money, wrap
from .research import (
    NOT_FOUND,
    definer_or_default,
    displayed,
    find_entity,
    heading_values,
    refuse,
    remember,
    research_code,
    tax_year,
    year_element,
)

# ---------------------------------------------------------------------------------------
# IRPTR


def _tax_year_filter(ctx: Context) -> str | None | Refusal:
    """The tax year asked for: `TAX-YR>2023` (INVALID DATA unless a year, `research.tax_year`),
    or the year of a typed tax period."""
    typed = tax_year(ctx)
    if typed is not None:
        return typed if isinstance(typed, Refusal) else str(typed)
    return ctx.cmd.period[:4] if ctx.cmd.period else None


@handles("IRPTR")
@research_code
def irptr(ctx: Context) -> Display | Refusal:
    """Information returns filed by payers about the TIN (W-2, 1099...): payer, wages or
    income, federal withholding, by tax year with a total per year (IRM 2.3.35).  An
    unknown definer is treated as the default (N), as the IRM says."""
    definer = definer_or_default(ctx, "N")
    ent = find_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    year = _tax_year_filter(ctx)
    if isinstance(year, Refusal):
        return year
    docs = [d for d in (ent.information_returns or []) if isinstance(d, dict)]
    if year:
        docs = [d for d in docs if str(d.get("tax_year")) == year]
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    if not docs:
        return refuse(ctx, NOT_FOUND, year_element(ctx) if year else "tin")
    lines: list[str] = []
    by_year: dict[str, list[dict[str, Any]]] = {}
    for d in docs:
        by_year.setdefault(str(d.get("tax_year", "")), []).append(d)
    for ty in sorted(by_year, reverse=True):
        wages = wh = Decimal(0)
        for d in by_year[ty]:
            income = d.get("wages", d.get("amount", d.get("income")))
            wages += Decimal(str(income or 0))
            wh += Decimal(str(d.get("withholding") or 0))
            lines.append(clip(
                f"{ty:<6} {str(d.get('form', '')):<9} {str(d.get('payer_ein', d.get('payer_tin', ''))):<11} "
                f"{str(d.get('payer_name', ''))[:22]:<22} {money(income):>13} {money(d.get('withholding')):>13}"
            ))
        lines.append(clip(f"{ty:<6} {'TOTAL':<9} {'':<11} {f'{len(by_year[ty])} DOCUMENTS':<22} {money(wages):>13} {money(wh):>13}"))
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin), "definer": definer}
    return displayed(ctx, Display("irptr", values, lines), f"{len(docs)} DOCUMENTS {ent.tin}")


# ---------------------------------------------------------------------------------------
# INOLES


def _xref_lines(extra: dict[str, Any]) -> list[str]:
    xrefs = extra.get("xref_tins") or extra.get("cross_references") or []
    lines: list[str] = []
    for x in xrefs if isinstance(xrefs, list) else [xrefs]:
        if isinstance(x, dict):
            lines.append(clip(f"XREF-TIN> {x.get('tin', '')}  TYPE> {str(x.get('type', '')).upper()}  {x.get('name', '')}"))
        else:
            lines.append(f"XREF-TIN> {x}")
    return lines


@handles("INOLE")
@research_code
def inole(ctx: Context) -> Display | Refusal:
    """INOLES: the National Account Profile: entity as Martinsburg knows it, SSA data (date
    of death, date of birth, SSA name control), filing requirements, cross references
    (IRM 2.3.47).  INOLES is read before reversing a TC 971 AC 524 (IRM 25.25.6.2)."""
    ent = find_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin)
    extra = ent.extra or {}
    values = heading_values(ctx, ent) | {
        "cmd": echo(ctx.cmd, ent.tin),
        "dob": mdy(extra.get("date_of_birth")),
        "ssa_name": str(extra.get("ssa_name", extra.get("ssa_name_control", ""))),
        "decd": "DECEASED" if extra.get("date_of_death") else "",
    }
    lines = _xref_lines(extra) or ["NO CROSS REFERENCES"]
    return displayed(ctx, Display("inoles", values, lines), f"NAP {ent.tin}")


# ---------------------------------------------------------------------------------------
# CFINK


@handles("CFINK")
@research_code
def cfink(ctx: Context) -> Display | Refusal:
    """The Centralized Authorization File: each representative (Form 2848 POA or Form 8821
    TIA) with CAF number, form, tax form / MFT and the periods covered (IRM 5.7.1.5)."""
    ent = find_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin)
    auths = [p for p in (ent.poa or []) if isinstance(p, dict)]
    if not auths:
        return refuse(ctx, NOT_FOUND, "tin")
    lines: list[str] = []
    for p in auths:
        periods = p.get("periods") or []
        periods_text = " ".join(str(x) for x in periods) if isinstance(periods, list) else str(periods)
        lines.append(clip(
            f"{str(p.get('caf', '')):<12} {str(p.get('form', '')):<5} {str(p.get('name', ''))[:30]:<30} "
            f"{str(p.get('mft', p.get('tax_form', ''))):<5} {periods_text[:25]}"
        ))
        if len(periods_text) > 25:
            lines += wrap(periods_text[25:].strip(), indent=" " * 55)
        detail = {k: v for k, v in p.items() if k not in ("caf", "form", "name", "mft", "tax_form", "periods")}
        if detail:
            lines += wrap(" ".join(f"{k.upper().replace('_', '-')}> {item_value(v)}" for k, v in detail.items()), indent=" " * 13)
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin), "count": len(auths)}
    return displayed(ctx, Display("cfink", values, lines), f"CAF {ent.tin} {len(auths)} AUTHORIZATIONS")


__all__ = ["irptr", "inole", "cfink"]
