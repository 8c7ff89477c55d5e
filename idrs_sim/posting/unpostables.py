"""Posting rules of the unpostable file (GUF): UPRES resolutions acted on, and the returns
that go unpostable before anything posts.

    10  release_resolutions     UPRES resolutions whose release cycle has come (URC 0/6/6B/D)
    20  unpost_tpp_126          return held by TC 971 AC 124/121 with its DLN -> UP 126 RC 0
    30  unpost_document         return whose document names an unpostable (UP 147...)

The effect of a resolution is stated once in `rules.urc`; whether a closed UP 126 released
a held return in `rules.up126`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select

from ..masterfile import derive
from ..masterfile.models import (
    DELETED,
    PENDING,
    POSTED,
    UNPOSTABLE,
    Entity,
    TaxModule,
    Transaction,
    Unpostable,
    UnpostableHistory,
)
from ..rules import tins, up126
from ..rules import urc as urc_rules
from ..rules.mft32 import UP299_RIVO_IDRS
from . import calendar as cal
from .codes import UPC_IDT_RETURN_TOO_OLD, UPC_MFT32_WINDOW, UPC_TPP_HOLD, in_mft32_window
from .context import CycleContext, rule, set_extra
from .moves import module_for, move_return
from .sqlhelp import MARKER
from .up299 import open_rivo_controls, too_old_to_move

__all__ = ["effective_release_cycle", "release_resolutions", "unpost_document", "unpost_tpp_126"]

_BYPASS = urc_rules.BYPASS


def effective_release_cycle(case: Any) -> str:
    """The cycle in which a resolution is acted on: REL CYC, but never before the cycle
    after the resolution (input in cycle C reaches the master file in C + 1)."""
    after = cal.add_cycles(cal.cycle_of(case.resolved_date), 1) if case.resolved_date else None
    rel = (case.release_cycle or "").strip() or None
    found = [c for c in (rel, after) if c]
    return max(found) if found else "000000"


@rule("release_resolutions", 10)
def release_resolutions(ctx: CycleContext) -> None:
    """Act on UPRES resolutions whose release cycle has come (IRM 25.25.6.5.1.1, tpp §3, §6.1).

    URC 0: the return posts as filed.  URC 6: posts, on the corrected TIN when field 29
    has one (module created as needed); URC 6B: the same when the TIN has no established
    entity (the entity is created, established).  URC 6 + CCC 1: posts with its refund
    frozen (-R, non-RIVO).  URC 6 + CCC 3: moves to MFT 32 as TC 976 -- unpostable again
    and reassigned to the resolver when acted on in cycles 47-52.  URC D (and the non-TPP
    URC 1/2/8): the document is removed.  The case is acted on in its REL CYC (field 48) or, when
    blank, in the cycle after the resolution: so an AC 850 input with the UPRES flips the
    refund only when REL CYC is at least current + 2.

    The effect of each resolution is `rules.urc.resolve`.  Set-based (issue 19): one
    statement reads the cases with their documents and a few write the effects; only a
    corrected TIN or an MFT 32 move works on the accounts themselves, loaded in a fixed
    number of statements (`preload.load_accounts`).

    A released return is due again in this run; if its module already has an original
    return it posts as TC 976 with -A, as any second return does (`returns.duplicate_returns`).
    """
    from .preload import load_accounts

    resolved = (Unpostable.urc.is_not(None), Unpostable.urc != "", Unpostable.released.is_(False))
    ctx.session.flush()
    stmt = (
        select(Unpostable.id, Unpostable.seq, Unpostable.upc, Unpostable.urc, Unpostable.ccc, Unpostable.status,
               Unpostable.corrected_tin, Unpostable.resolved_by, Unpostable.resolved_date, Unpostable.release_cycle,
               Transaction.id.label("txn_id"), Transaction.status.label("txn_status"), Transaction.extra, Entity.tin,
               Transaction.tc, Transaction.amount, Transaction.module_id, TaxModule.mft)
        .select_from(Unpostable)
        .outerjoin(Transaction, Transaction.id == Unpostable.txn_id)
        .outerjoin(Entity, Entity.id == Transaction.entity_id)
        .outerjoin(TaxModule, TaxModule.id == Transaction.module_id)
        .where(*resolved)
        .order_by(Unpostable.id)
    )
    due = [r for r in ctx.session.execute(ctx.live(stmt, Unpostable.entity_id)) if effective_release_cycle(r) <= ctx.cycle]
    if not due:
        return
    effects = []
    for r in due:
        corrected = (r.corrected_tin or "").strip()
        effects.append((r, urc_rules.resolve(
            r.urc, r.ccc, upc=r.upc, seq=r.seq, cycle=ctx.cycle, on_guf=r.txn_id is not None and r.txn_status == UNPOSTABLE,
            case_closed=r.status == "closed", corrected_differs=bool(corrected) and corrected != r.tin, extra=r.extra)))
    accounts_of = [r.id for r, eff in effects if eff.kind == urc_rules.ACCOUNTS]
    by_case: dict[int, Unpostable] = {}
    by_tin: dict[str, Entity] = {}
    if accounts_of:
        # The accounts of these cases and of the TINs field 29 names, in a few statements:
        # the actions walk them without SQL.
        these = Unpostable.id.in_(accounts_of)
        accounts = load_accounts(ctx.session, select(Unpostable.entity_id).where(these).union(
            select(Entity.id).where(Entity.tin.in_(select(Unpostable.corrected_tin).where(these)))))
        ctx.loaded.append(accounts)
        by_tin = {e.tin: e for e in accounts.values()}
        by_case = {c.id: c for c in ctx.session.scalars(select(Unpostable).where(these))}
    closed: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    marked: list[dict[str, Any]] = []
    reopened: list[dict[str, Any]] = []
    deleted: list[dict[str, Any]] = []
    posted: list[dict[str, Any]] = []
    for r, eff in effects:  # in case order, so the report lists them as before
        if eff.kind == urc_rules.ACCOUNTS:
            _act_on_accounts(ctx, by_case[r.id], by_tin)
            continue
        if eff.kind == urc_rules.MARK_RELEASED:
            marked.append({"b_id": r.id})
            continue
        history.append({"case_id": r.id, "date": ctx.run_date, "idrs": r.resolved_by, "text": (eff.text or "")[:80]})
        if eff.kind == urc_rules.REOPEN:
            reopened.append({"b_id": r.id})
            continue
        closed.append({"b_id": r.id})
        ctx.report.released.append((r.seq, r.urc))
        if eff.kind == urc_rules.DELETE:
            deleted.append({"b_id": r.txn_id, "status": DELETED, "extra": {**(r.extra or {}), **(eff.extra or {})}})
        elif eff.kind == urc_rules.POST:
            extra = {**(r.extra or {}), **(eff.extra or {})}
            posted.append({"b_id": r.txn_id, "status": PENDING, "due_cycle": ctx.cycle, "extra": extra})
    ctx.session.flush()
    conn = ctx.session.connection()
    case_t, txn_t, hist_t = Unpostable.__table__, Transaction.__table__, UnpostableHistory.__table__
    assert isinstance(case_t, Table) and isinstance(txn_t, Table) and isinstance(hist_t, Table)
    writes = (
        (case_t.update().where(case_t.c.id == bindparam("b_id")).values(
            status="closed", released=True, status_date=ctx.run_date), closed),
        (case_t.update().where(case_t.c.id == bindparam("b_id")).values(released=True), marked),
        (case_t.update().where(case_t.c.id == bindparam("b_id")).values(urc=None), reopened),
        (txn_t.update().where(txn_t.c.id == bindparam("b_id")), deleted),
        (txn_t.update().where(txn_t.c.id == bindparam("b_id")), posted),
        (hist_t.insert(), history),
    )
    for statement, params in writes:
        if params:
            conn.execute(statement, params)
    ctx.session.expire_all()


def _act_on_accounts(ctx: CycleContext, case_: Unpostable, by_tin: dict[str, Entity]) -> None:
    """URC 6 / 6B with a corrected TIN, or URC 6 CCC 3 (`rules.urc.ACCOUNTS`).  A return
    moved to a corrected TIN whose module has a return posted is a second return there: TC
    976 with -A (`returns.duplicate_returns`)."""
    urc = (case_.urc or "").strip().upper()
    ccc = (case_.ccc or "").strip().upper()
    txn = case_.txn
    assert txn is not None
    entity = txn.entity
    corrected = (case_.corrected_tin or "").strip()
    if corrected and corrected != entity.tin:
        target = by_tin.get(corrected)
        if urc == "6B":
            if target is None:
                doc = txn.document or {}
                tin_type, file = tins.kind_of(corrected)
                target = Entity(
                    tin=corrected, tin_type=tin_type, file=file, established=True,
                    name_control=doc.get("name_control") or entity.name_control,
                    name_lines=doc.get("name") or list(entity.name_lines or []),
                    address=doc.get("address") or list(entity.address or []),
                )
                ctx.session.add(target)
                by_tin[corrected] = target
            target.established = True
        elif target is None:
            # IDRS does not post a URC 6 to a TIN that is not on the master file: reopen.
            case_.urc = None
            case_.status = "open"
            case_.history.append(UnpostableHistory(
                date=ctx.run_date, idrs=case_.resolved_by, text=f"URC 6 NOT POSTED - {corrected} NOT ON MF - USE URC 6B"))
            return
        txn.entity = target
        if txn.module is not None:
            txn.module = module_for(ctx.session, target, txn.module.mft, txn.module.period)
    if "3" in ccc:
        ctx.close_case(case_, f"CLOSED URC 6 CCC 3 CYC {ctx.cycle}")
        # The window is judged on the cycle the move would post in: this run's (IRM
        # 25.25.6.2.1.1 (1) Caution), not the cycle of the resolution.
        too_old = too_old_to_move(ctx, "32", txn.module.period if txn.module else None)
        if in_mft32_window(ctx.cycle):
            ctx.new_unpostable(txn, *UPC_MFT32_WINDOW, assigned=case_.resolved_by, remarks="MFT 32 MOVE CYC 47-52")
        elif too_old is not None:
            ctx.new_unpostable(txn, *UPC_IDT_RETURN_TOO_OLD, assigned=UP299_RIVO_IDRS, remarks=too_old[:60])
            open_rivo_controls(ctx, [(txn.entity_id, txn.module_id)])
        else:
            move_return(ctx, txn, "32")
        return
    # On its new TIN the document posts like any other release.
    eff = urc_rules.resolve(case_.urc, case_.ccc, upc=case_.upc, seq=case_.seq, cycle=ctx.cycle, on_guf=True,
                            case_closed=False, corrected_differs=False, extra=txn.extra)
    txn.status = PENDING
    txn.due_cycle = ctx.cycle
    set_extra(txn, **(eff.extra or {}))
    ctx.close_case(case_, eff.text or "")


@rule("unpost_tpp_126", 20)
def unpost_tpp_126(ctx: CycleContext) -> None:
    """A return (TC 150) goes UP 126 RC 0 while an unreversed TC 971 AC 124 -- or the old
    AC 121 -- carries its DLN in MISC (IRM 25.25.6.1.7; tpp-rules §2.1, §3).

    Markers count when posted, or due in this same run.  MISC ending in `TR` needs no
    action (R02) and holds nothing.  A return released by UPRES bypasses this check.
    """
    from .bulk import Unpost, due_rows, unpost_rows

    marker = MARKER
    holding = and_(
        marker.module_id == Transaction.module_id,
        marker.tc == 971,
        marker.ac.in_((121, 124)),
        marker.reversed_by_id.is_(None),
        or_(marker.status == POSTED, and_(*ctx.due_conditions(marker))),
    )
    # One statement for the markers, one for the cases of their modules, one for the
    # returns held: the same three for 20 returns as for 20,000 (issue 19).
    stmt = (
        select(Transaction.id, Transaction.dln, Transaction.extra, marker.misc)
        .join(marker, holding)
        .where(*ctx.due_conditions(), Transaction.tc == 150)
        .order_by(Transaction.id)
    )
    held: dict[int, str] = {}
    for rid, rdln, extra, misc in ctx.session.execute(ctx.live(stmt)).all():
        if rid in held or UPC_TPP_HOLD[0] in ((extra or {}).get(_BYPASS) or []) or derive.marker_has_tr(misc):
            continue
        if derive.misc_dln(misc) is not None and derive.misc_dln(misc) == derive.dln_digits(rdln):
            held[rid] = derive.dln_digits(rdln)
    if not held:
        return
    # A UP 126 already closed URC 0 / 6 for this DLN released the return: it posts
    # while the systemic TC 972 AC 124 is still to come (rules.up126, IRM 25.25.6.5.4).
    # The held returns go into a temporary id table: the cases of their modules and their
    # rows are read through it (joining the markers again cost twice the first read).
    from .preload import id_set

    held_ids = id_set(ctx.session, "held_return", held)
    modules_held = select(Transaction.module_id).where(Transaction.id.in_(held_ids))
    cases: dict[int | None, list[up126.CaseFacts]] = {}
    for mid, upc, status, urc, cdln in ctx.session.execute(
            select(Unpostable.module_id, Unpostable.upc, Unpostable.status, Unpostable.urc, Unpostable.dln)
            .where(Unpostable.module_id.in_(modules_held)).order_by(Unpostable.id)):
        cases.setdefault(mid, []).append(up126.CaseFacts(upc, status, urc, derive.dln_digits(cdln)))
    rows = due_rows(ctx, Transaction.tc == 150, Transaction.id.in_(held_ids))
    unpost_rows(ctx, [
        Unpost(r, *UPC_TPP_HOLD) for r in rows
        if r.id in held and not up126.released_from_hold(held[r.id], cases.get(r.module_id, []), UPC_TPP_HOLD[0])
    ])


@rule("unpost_document", 30)
def unpost_document(ctx: CycleContext) -> None:
    """A return whose document names an unpostable code goes unpostable with it.

    Used for UP 147 ("return unpostable for a non-TPP reason with an unreversed AC 129",
    IRM 25.25.6.5.1.2.5; the non-TPP reason itself is not modelled) and for first-time
    filers' UP 126 RC 0 without a marker (IRM 25.25.6.1.7).  Fixture form:
    `document: {..., unpostable: {code: 147, reason: 0}}`.  Only the first attempt:
    a release by UPRES bypasses it.
    """
    from .bulk import Unpost, due_rows, unpost_rows

    has_spec = Transaction.document["unpostable"].as_string().is_not(None)
    unpost: list[Unpost] = []
    for t in due_rows(ctx, has_spec):
        spec = (t.document or {}).get("unpostable")
        if isinstance(spec, dict):
            code, reason, assigned = spec.get("code"), spec.get("reason", 0), spec.get("assigned")
        else:
            code, reason, assigned = spec, 0, None
        try:
            upc, rc = int(str(code)), int(str(reason or 0))
        except ValueError:
            continue
        if upc not in ((t.extra or {}).get(_BYPASS) or []):
            unpost.append(Unpost(t, upc, rc, assigned))
    unpost_rows(ctx, unpost)
