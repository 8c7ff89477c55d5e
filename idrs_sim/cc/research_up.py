"""Unpostable research on the GUF: UPTIN (every case of a TIN) and UPDIS (one case in full).

UPDIS must precede UPRES, UPCAS and UPREV (IRM 2.3.48): it remembers the case it showed in
`ctx.state.last_case` (its sequence number).  It shows the case on the UPRES screen format
(IRM 4.4.35) but display-only: the resolution itself is UPRES (idrs_sim/cc/unpostables.py).

A case is named by its sequence number (as UPTIN shows it) or by TIN + MFT + tax period
(CONTRACT §3).  `resolve_case` is shared with the unpostable input codes: when TIN, MFT and
period match more than one case it answers with the list of those cases instead.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from ..commands import handles
from ..masterfile.models import Entity, Unpostable
from .base import Context, Display, Refusal
from .display import clip, dln, echo, mdy, return_document_lines, tin_display, wrap
from .research import (
    NOT_FOUND,
    check_name_control,
    displayed,
    find_entity,
    heading_values,
    refuse,
    remember,
    research_code,
    shown_case_status,
)

AMBIGUOUS = "MORE THAN ONE CASE - ENTER THE SEQUENCE NUMBER"
OTHER_CASES = "Other cases with the same TIN on UPTIN"  # literal as printed in IRM 4.4.35


def case_module(case: Unpostable) -> tuple[str, str]:
    """MFT and tax period of a case: its module, else what its document says."""
    if case.module is not None:
        return case.module.mft, case.module.period
    doc = case.document or {}
    period = str(doc.get("period") or (f"{doc['tax_year']}12" if doc.get("tax_year") else ""))
    return str(doc.get("mft", "30" if case.entity.file == "IMF" else "")), period


def uptin_lines(ctx: Context, cases: list[Unpostable]) -> list[str]:
    """Two lines a case: SEQ MFT PERIOD UPC RC ST STAT-DT CYC URC IDRS#, then DLN, CCC and remarks."""
    lines: list[str] = []
    for c in cases:
        mft, period = case_module(c)
        lines.append(clip(
            f"{c.seq:<12} {mft:<3} {period:<6} {c.upc:03d} {c.reason:<2} {shown_case_status(c, ctx.today):<2} "
            f"{mdy(c.status_date):<8} {c.original_cycle or '':<6} {c.urc or '':<3} {c.assigned or ''}"
        ))
        tail = f"{'':13}DLN> {dln(c.dln):<17} " + (f"CCC> {c.ccc} " if c.ccc else "")
        remarks = c.remarks or ""
        if len(tail) + 9 + len(remarks) <= 79:
            lines.append(clip(tail + (f"REMARKS> {remarks}" if remarks else "")))
        else:
            lines.append(clip(tail))
            lines += wrap(f"REMARKS> {remarks}", indent=" " * 13)
    return lines


#: Every case of an entity with what UPTIN shows of it (built once: see masterfile.loading).
_CASES_OF = (
    select(Unpostable).where(Unpostable.entity_id == bindparam("entity_id"))
    # module and transaction: many-to-one, joined into the same query; history: one IN-query
    .options(joinedload(Unpostable.module), joinedload(Unpostable.txn), selectinload(Unpostable.history))
    .order_by(Unpostable.id)
)


def _cases_of(ctx: Context, ent: Entity) -> list[Unpostable]:
    return list(ctx.db.scalars(_CASES_OF, {"entity_id": ent.id}))


def _uptin_values(ctx: Context, ent: Entity, cases: list[Unpostable]) -> dict[str, object]:
    shown = [shown_case_status(c, ctx.today) for c in cases]
    return heading_values(ctx, ent) | {
        "cmd": echo(ctx.cmd, ent.tin),
        "n_open": shown.count("A"),
        "n_closed": shown.count("C"),
    }


@handles("UPTIN")
@research_code
def uptin(ctx: Context) -> Display | Refusal:
    """Every unpostable case of a TIN, open (A) and closed (C), oldest first (IRM 2.3.37)."""
    ent = find_entity(ctx, options=(selectinload(Entity.transactions),))  # the heading's entity freezes
    if isinstance(ent, Refusal):
        return ent
    cases = _cases_of(ctx, ent)
    if ctx.cmd.mft or ctx.cmd.period:
        cases = [c for c in cases if _matches(c, ctx.cmd.mft, ctx.cmd.period)]
    remember(ctx, ent.tin)
    if not cases:
        return refuse(ctx, NOT_FOUND, "tin")
    reply = Display("uptin", _uptin_values(ctx, ent, cases), uptin_lines(ctx, cases))
    return displayed(ctx, reply, f"{len(cases)} CASES {ent.tin}")


def case_module_differs(seq: str, mft: str, period: str) -> str:
    """The refusal of an MFT or period typed after a sequence number whose case is not on it."""
    return f"CASE {seq} IS MFT {mft or '--'} TAX PERIOD {period or '------'}"


def _matches(case: Unpostable, mft: str | None, period: str | None) -> bool:
    c_mft, c_period = case_module(case)
    return (mft is None or c_mft == mft) and (period is None or c_period == period)


def resolve_case(ctx: Context) -> Unpostable | Display | Refusal:
    """The case the command names: by sequence number, or by TIN (+ MFT + period).

    More than one case for TIN + MFT + period: the open ones (status A on UPTIN) are
    preferred; still more than one -> a Display listing them with AMBIGUOUS on line 24.
    Nine digits parse as both an SSN and a sequence number; a sequence number on the GUF
    wins, unless an MFT or period follows that is not its case's and the nine digits are
    a TIN on file.  An MFT or period the case does not have is refused, naming the case's
    module: read silently, it let a trainee believe `UPRES 000000101 30 202212` worked on
    the 2022 module.
    """
    cmd = ctx.cmd
    if cmd.seq:
        case = ctx.db.scalar(select(Unpostable).where(Unpostable.seq == cmd.seq))
        if case is not None and _matches(case, cmd.mft, cmd.period):
            return case
        tin_on_file = bool(cmd.tin) and ctx.db.scalar(select(Entity.id).where(Entity.tin == cmd.tin)) is not None
        if case is not None and not tin_on_file:
            c_mft, c_period = case_module(case)
            return refuse(ctx, case_module_differs(case.seq, c_mft, c_period),
                          "mft" if cmd.mft is not None and cmd.mft != c_mft else "period")
        if not tin_on_file:
            return refuse(ctx, NOT_FOUND, "seq")
    ent = find_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    cases = [c for c in _cases_of(ctx, ent) if _matches(c, cmd.mft, cmd.period)]
    if not cases:
        return refuse(ctx, NOT_FOUND, "period" if cmd.period else "tin")
    if len(cases) > 1:
        live = [c for c in cases if shown_case_status(c, ctx.today) == "A"]
        cases = live or cases
    if len(cases) == 1:
        return cases[0]
    ctx.outcome = f"{AMBIGUOUS}: {ent.tin} {cmd.mft or ''} {cmd.period or ''}".strip()
    remember(ctx, ent.tin, cmd.mft, cmd.period)
    values = _uptin_values(ctx, ent, cases) | {"cmd": echo(cmd, ent.tin, cmd.mft, cmd.period)}
    return Display("uptin", values, uptin_lines(ctx, cases), message=AMBIGUOUS,
                   continued=f"{cmd.head} CONTINUED BELOW")


def updis_values(ctx: Context, case: Unpostable) -> dict[str, object]:
    ent = case.entity
    mft, period = case_module(case)
    others = ctx.db.scalars(
        select(Unpostable.seq).where(Unpostable.entity_id == ent.id, Unpostable.id != case.id)
    ).all()
    return {
        "cmd": echo(ctx.cmd, case.seq),
        "seq": case.seq,
        "tin": tin_display(ent),
        "nc": ent.name_control,
        "mft": mft,
        "period": period,
        "upc": f"{case.upc:03d}",
        "rc": case.reason,
        "dln": dln(case.dln),
        "cyc": case.original_cycle or "",
        "status": shown_case_status(case, ctx.today),
        "status_date": mdy(case.status_date),
        "assigned": case.assigned or "",
        "urc": case.urc or "",
        "ccc": case.ccc or "",
        "rel_cyc": case.release_cycle or "",
        "corr_tin": case.corrected_tin or "",
        "resolved_by": case.resolved_by or "",
        "resolved_date": mdy(case.resolved_date),
        "remarks": case.remarks or "",
        "others": OTHER_CASES + f" ({len(others)})" if others else "",
        "name1": (ent.name_lines or [""])[0],
    }


@handles("UPDIS")
@research_code
def updis(ctx: Context) -> Display | Refusal:
    """One unpostable case in full on the UPRES format: the case, its resolution fields,
    the document that could not post and the case history (IRM 2.3.48, 4.4.35)."""
    case = resolve_case(ctx)
    if not isinstance(case, Unpostable):
        return case
    bad = check_name_control(ctx, case.entity)  # a case named by its sequence number
    if bad is not None:
        return bad
    mft, period = case_module(case)
    remember(ctx, case.entity.tin, mft or None, period or None, module_prerequisite=True)
    ctx.state.last_case = case.seq
    document = case.document or (case.txn.document if case.txn is not None else None)
    lines = ["--- UNPOSTABLE DOCUMENT ---"] + return_document_lines(document)
    lines.append("--- CASE HISTORY ---")
    lines += [clip(f"{mdy(h.date)} {h.idrs or '':<10} {h.text}") for h in case.history] or ["NONE"]
    reply = Display("updis", updis_values(ctx, case), lines)
    return displayed(ctx, reply, f"CASE {case.seq} {case.entity.tin}")


__all__ = ["uptin", "updis", "resolve_case", "case_module", "uptin_lines", "AMBIGUOUS", "OTHER_CASES"]
