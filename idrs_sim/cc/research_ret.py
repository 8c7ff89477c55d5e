"""Returns as filed: TRDBV, RTVUE, DDBKD, ERINV.

These codes read what was filed, not the account: the return as filed (the `document` of a
TC 150 / TC 976 or of an unpostable case), and its ERS records (`extra.ers` of a return).
What others report or hold about the TIN (IRPTR, INOLES, CFINK) is `research_third_party`.
docs/research-screens.md lists every key read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import selectinload

from ..commands import handles
from ..masterfile.models import DELETED, PENDING, POSTED, Entity, TaxModule, Transaction, Unpostable
from ..rules.codes import RETURN_TCS
from .base import Context, Display, Refusal
from .display import RULE, clip, dependent_fields, dln, echo, item_value, mdy, return_document_lines, wrap
from .research import (
    NOT_FOUND,
    displayed,
    find_entity,
    heading_values,
    refuse,
    remember,
    research_code,
    shown_case_status,
)

# ---------------------------------------------------------------------------------------
# returns on file (TRDBV / RTVUE)


@dataclass
class FiledReturn:
    """One return as TRDBV knows it: where it went and every unpostable case it had."""

    dln: str | None
    mft: str
    period: str
    document: dict[str, Any]
    txn: Transaction | None = None
    cases: list[Unpostable] = field(default_factory=list)

    @property
    def tax_year(self) -> str:
        return str(self.document.get("tax_year") or self.period[:4])

    def status(self, ctx: Context) -> str:
        """Where the return stands: POSTED, PENDING, ERS, UP 126 RC 0, ARCHIVED/DELETED."""
        t = self.txn
        open_case = next((c for c in self.cases if shown_case_status(c, ctx.today) == "A" and c.status == "open"), None)
        if open_case is not None:
            return f"UP {open_case.upc} RC {open_case.reason}"
        if t is not None and t.status == POSTED:
            return f"POSTED CYC {t.posting_cycle or ''}".rstrip()
        if t is not None and t.status == PENDING:
            return "ERS" if _ers(t) else f"PENDING CYC {t.due_cycle or ''}".rstrip()
        closed = self.cases[-1] if self.cases else None
        if t is not None and t.status == DELETED or closed is not None and (closed.urc or "").startswith("D"):
            return "ARCHIVED/DELETED"
        if closed is not None:
            return f"UP {closed.upc} CLOSED URC {closed.urc or ''}".rstrip()
        return (t.status.upper() if t is not None else "ON FILE")


def _ers(t: Transaction | None) -> dict[str, Any] | None:
    if t is None:
        return None
    ers = (t.extra or {}).get("ers") or (t.document or {}).get("ers")
    return ers if isinstance(ers, dict) else ({"status": str(ers)} if ers else None)


#: Returns live in module transactions and unpostable cases: one IN-query each.
RETURNS_LOAD = (
    selectinload(Entity.modules).selectinload(TaxModule.transactions),
    selectinload(Entity.unpostables).selectinload(Unpostable.module),
)


def filed_returns(ent: Entity) -> list[FiledReturn]:
    """Every return of the entity: TC 150 / TC 976 transactions (any status) and unpostable
    cases whose document never became a transaction; cases joined to their return by
    transaction or DLN.  Newest tax year first."""
    out: list[FiledReturn] = []
    by_txn: dict[int, FiledReturn] = {}
    by_dln: dict[str, FiledReturn] = {}
    for m in ent.modules:
        for t in m.transactions:
            if t.tc not in RETURN_TCS or (t.document is None and t.status == POSTED and t.tc == 976):
                continue
            r = FiledReturn(t.dln, m.mft, m.period, dict(t.document or {}), t)
            out.append(r)
            by_txn[t.id] = r
            if t.dln:
                by_dln.setdefault(t.dln, r)
    for case in sorted(ent.unpostables, key=lambda c: c.id):
        found = by_txn.get(case.txn_id) if case.txn_id is not None else None
        found = found or (by_dln.get(case.dln) if case.dln else None)
        if found is not None:
            r = found
        else:
            doc = dict(case.document or {})
            if not doc and case.txn is not None and case.txn.tc not in RETURN_TCS:
                continue  # an unposted non-return transaction is not on TRDBV
            mft = case.module.mft if case.module else str(doc.get("mft", "30"))
            period = case.module.period if case.module else f"{doc.get('tax_year', '')}12"
            r = FiledReturn(case.dln, mft, period, doc)
            out.append(r)
            if case.dln:
                by_dln[case.dln] = r
        r.cases.append(case)
        if not r.document and case.document:
            r.document = dict(case.document)
    return sorted(out, key=lambda r: (r.tax_year, r.mft, r.dln or ""), reverse=True)


def _select(ctx: Context, returns: list[FiledReturn]) -> list[FiledReturn]:
    """Narrow to the typed MFT / tax period (TRDBV searches by tax year)."""
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if period:
        returns = [r for r in returns if r.period == period or r.tax_year == period[:4]]
    if mft:
        returns = [r for r in returns if r.mft == mft]
    return returns


def _return_header(ctx: Context, r: FiledReturn) -> str:
    return clip(f"DLN> {dln(r.dln):<17} MFT> {r.mft} TAX-YR> {r.tax_year} STATUS> {r.status(ctx)}")


def _codes_lines(ctx: Context, r: FiledReturn) -> list[str]:
    """CODES: unpostable codes (even on an archived return, IRM 25.25.6.2.2.1), CCC, ERS codes."""
    lines: list[str] = []
    for c in r.cases:
        lines.append(clip(
            f"  UP {c.upc:03d} RC {c.reason}  CYC> {c.original_cycle or '':<6} ST> {shown_case_status(c, ctx.today)}"
            f" URC> {c.urc or '':<2} STAT-DT> {mdy(c.status_date):<8} SEQ> {c.seq}"
        ))
    ccc = [c.ccc for c in r.cases if c.ccc] + ([str((r.txn.extra or {}).get("ccc"))] if r.txn is not None and (r.txn.extra or {}).get("ccc") else [])
    if ccc:
        lines.append(f"  CCC> {' '.join(dict.fromkeys(ccc))}")
    ers = _ers(r.txn)
    if ers:
        lines.append(clip("  ERS> " + item_value(ers)))
    return lines or ["  NO CODES"]


def _history_lines(ctx: Context, r: FiledReturn) -> list[str]:
    """STAT-HIST: received, unposted, resolved, and where the return ended (posted, pending, deleted)."""
    t = r.txn
    received = r.document.get("received") or (t.trans_date if t is not None else None)
    lines = [f"  RECEIVED      {mdy(received)}" + (f"  INPUT-CYC> {t.input_cycle}" if t is not None and t.input_cycle else "")]
    for c in r.cases:
        lines.append(clip(f"  UNPOSTABLE    UP {c.upc:03d} RC {c.reason}  CYC> {c.original_cycle or ''}  SEQ> {c.seq}"))
        if c.status == "closed" or c.urc:
            lines.append(clip(f"  RESOLVED      URC> {c.urc or ''}  {mdy(c.resolved_date or c.status_date)}  BY> {c.resolved_by or ''}"))
    if t is not None and t.status == POSTED:
        lines.append(f"  POSTED        MFT {r.mft} {r.period}  CYC> {t.posting_cycle or ''}")
    elif t is not None and t.status == PENDING:
        lines.append(f"  PENDING       CYC> {t.due_cycle or ''}")
    elif t is not None and t.status == DELETED or any((c.urc or "").startswith("D") for c in r.cases):
        lines.append("  ARCHIVED/DELETED")
    return lines


_TRDBV_VIEWS = {"R": "RETURN", "C": "CODES", "S": "STAT-HIST"}


def _trdbv_view(ctx: Context) -> str:
    """RETURN (default), CODES or STAT-HIST: by definer (TRDBVC, TRDBVS), by `VIEW>` or typed
    alone after a TRDBV display (`TRDBV CODES`)."""
    typed = (ctx.value("VIEW") or (ctx.cmd.args[0] if ctx.cmd.args else "")).upper()
    if typed in _TRDBV_VIEWS.values():
        return typed
    if typed in ("STAT", "HIST", "STATHIST"):
        return "STAT-HIST"
    return _TRDBV_VIEWS.get(ctx.cmd.definer or "R", "RETURN")


@handles("TRDBV")
@research_code
def trdbv(ctx: Context) -> Display | Refusal:
    """The tax return database: every return of the TIN as filed, where it went, its codes
    (UP 126 RC 0 even when archived) and its status history (IRM 2.3.73, 25.25.6)."""
    view = _trdbv_view(ctx)
    if ctx.cmd.tin is None and ctx.cmd.args:
        last = ctx.state.scratch.get("TRDBV")
        if last:  # `TRDBV CODES` after a TRDBV display: the same TIN and period
            ctx.cmd.tin, ctx.cmd.mft, ctx.cmd.period = last
    ent = find_entity(ctx, files=("IMF", "BMF"), options=RETURNS_LOAD)
    if isinstance(ent, Refusal):
        return ent
    returns = _select(ctx, filed_returns(ent))
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    if not returns:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    ctx.state.scratch["TRDBV"] = (ent.tin, ctx.cmd.mft, ctx.cmd.period)
    lines: list[str] = []
    for n, r in enumerate(returns):
        if n:
            lines.append(RULE)
        lines.append(_return_header(ctx, r))
        if view == "CODES":
            lines += _codes_lines(ctx, r)
        elif view == "STAT-HIST":
            lines += _history_lines(ctx, r)
        else:
            lines += return_document_lines(r.document)
    values = heading_values(ctx, ent) | {
        "cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period),
        "view": view,
        "count": len(returns),
    }
    name = "trdbv" if view == "RETURN" else "trdbv_codes"
    return displayed(ctx, Display(name, values, lines), f"{view} {ent.tin} {len(returns)} RETURNS")


@handles("RTVUE")
@research_code
def rtvue(ctx: Context) -> Display | Refusal:
    """The return transaction file: POSTED returns only, as filed (IRM 2.3.52)."""
    ent = find_entity(ctx, files=("IMF", "BMF"), options=RETURNS_LOAD)
    if isinstance(ent, Refusal):
        return ent
    returns = [r for r in _select(ctx, filed_returns(ent)) if r.txn is not None and r.txn.status == POSTED]
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    if not returns:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    lines: list[str] = []
    for n, r in enumerate(returns):
        if n:
            lines.append(RULE)
        lines.append(_return_header(ctx, r))
        lines += return_document_lines(r.document)
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period), "count": len(returns)}
    return displayed(ctx, Display("rtvue", values, lines), f"RETURNS {ent.tin}")


@handles("DDBKD")
@research_code
def ddbkd(ctx: Context) -> Display | Refusal:
    """Dependent database: the dependents claimed on each return (`document.dependents`)."""
    ent = find_entity(ctx, files=("IMF",), options=RETURNS_LOAD)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    lines: list[str] = []
    for r in _select(ctx, filed_returns(ent)):
        for dep in r.document.get("dependents") or []:
            if isinstance(dep, dict):
                name, tin, relationship, dob = dependent_fields(dep)
                lines.append(clip(f"{r.tax_year:<6} {name:<30} {tin:<11} {relationship:<12} {dob}"))
            else:
                lines.append(clip(f"{r.tax_year:<6} {dep}"))
    if not lines:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period)}
    return displayed(ctx, Display("ddbkd", values, lines), f"DEPENDENTS {ent.tin}")


# ---------------------------------------------------------------------------------------
# ERINV


@handles("ERINV")
@research_code
def erinv(ctx: Context) -> Display | Refusal:
    """Returns of the TIN in Error Resolution (ERS): DLN, period, ERS status, error codes,
    date; a return with TC 971 AC 124 and no open UNP 1260 may sit here (IRM 25.25.6.1.7)."""
    ent = find_entity(ctx, options=RETURNS_LOAD)
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period)
    lines: list[str] = []
    for r in _select(ctx, filed_returns(ent)):
        ers = _ers(r.txn) or (r.document.get("ers") if isinstance(r.document.get("ers"), dict) else None)
        if not ers:
            continue
        codes = ers.get("error_codes") or ers.get("codes") or []
        codes = " ".join(str(c) for c in codes) if isinstance(codes, list) else str(codes)
        lines.append(clip(
            f"{dln(r.dln):<17} {r.mft:<3} {r.period:<6} {str(ers.get('status', 'IN ERS')):<12} "
            f"{mdy(ers.get('date') or r.document.get('received')):<8} {codes}"
        ))
        rest = {k: v for k, v in ers.items() if k not in ("status", "date", "error_codes", "codes")}
        for k, v in rest.items():
            lines += wrap(f"{k.upper().replace('_', '-')}> {item_value(v)}", indent=" " * 18)
    if not lines:
        return refuse(ctx, NOT_FOUND, "period" if ctx.cmd.period else "tin")
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period)}
    return displayed(ctx, Display("erinv", values, lines), f"ERS {ent.tin}")


__all__ = ["trdbv", "rtvue", "ddbkd", "erinv", "filed_returns", "FiledReturn"]
