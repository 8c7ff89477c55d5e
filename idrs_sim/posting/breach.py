"""Posting rules for the IRS data breach indicator TC 971 AC 505 and its reversal
(IRM 10.5.4.5.1.1 (6)-(7), Exhibits 10.5.4-2 / 10.5.4-3).  The rules are stated once in
`idrs_sim.rules.breach`; the FRM77 screen refuses the same input.

    64  unpost_ac_wrong_file    an action code on an entity of a master file it is not for
                                (AC 505: an individual's entity only, IMF)
    65  unpost_duplicate_ac505  a second AC 505 with a breach number already on the entity
    69  match_tc972_ac505       TC 972 AC 505 reverses the indicator the employee named
                                (match_tc972 handles every other action code)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from ..masterfile.models import POSTED, Entity, Transaction
from ..rules import breach, misc
from .bulk import TxnRow, Unpost, due_rows, set_reversed_by, unpost_rows
from .codes import UPC_REVERSAL_NO_MATCH
from .context import CycleContext, rule

__all__ = ["UPC_AC_WRONG_FILE", "UPC_DUPLICATE_BREACH", "match_tc972_ac505", "unpost_ac_wrong_file",
           "unpost_duplicate_ac505"]

#: A TC 971 AC 505 whose breach is already on the entity.  The IRM prints no code;
#: decision I17-4: UPC 168 RC 0, the TC 971/972 unpostable of UPC_REVERSAL_NO_MATCH.
UPC_DUPLICATE_BREACH = UPC_REVERSAL_NO_MATCH
#: A TC 971 AC 505 on a BMF entity (it got past FRM77 in a fixture or a dump).  No code in
#: the IRM either; decision FX-2: the same TC 971/972 unpostable, UPC 168 RC 0.
UPC_AC_WRONG_FILE = UPC_REVERSAL_NO_MATCH
_FILES = ("IMF", "BMF")


def _due_505(ctx: CycleContext, tc: int) -> list[TxnRow]:
    return due_rows(ctx, Transaction.tc == tc, Transaction.ac == 505, Transaction.module_id.is_(None))


def _indicators_by_entity(ctx: CycleContext, tc: int) -> dict[int, list[Any]]:
    """The unreversed entity-level TC 971 AC 505s, posted or due in this run, of every
    entity with a due TC `tc` AC 505 (one statement): entity id -> rows (id, status,
    secondary_date, misc), in id order."""
    t = Transaction
    entities = select(t.entity_id).where(*ctx.due_conditions(), t.tc == tc, t.ac == 505, t.module_id.is_(None))
    stmt = select(t.entity_id, t.id, t.status, t.secondary_date, t.misc).where(
        t.tc == 971, t.ac == 505, t.module_id.is_(None), t.reversed_by_id.is_(None),
        or_(t.status == POSTED, and_(*ctx.due_conditions())), t.entity_id.in_(entities),
    ).order_by(t.id)
    found: dict[int, list[Any]] = {}
    for row in ctx.session.connection().execute(stmt):
        found.setdefault(row.entity_id, []).append(row)
    return found


def _indicators(rows: list[Any], *, before: int | None = None) -> list[breach.Indicator]:
    """The entity's indicators (due ones only when input before `before`, so the first of
    two duplicates is the one that posts)."""
    return [
        breach.Indicator(r.id, r.secondary_date, breach.breach_number_in(r.misc))
        for r in rows
        if r.status == POSTED or before is None or r.id < before
    ]


@rule("unpost_ac_wrong_file", 64)
def unpost_ac_wrong_file(ctx: CycleContext) -> None:
    """An action code the IRM puts on one master file's entities only unposts on another's:
    TC 971 AC 505 marks "the entity portion of an individual's account" (IRM 10.5.4.5.1.1
    (3)); FRM77 refuses it on a BMF entity with the same literal (`rules.misc.file_refusal`).
    One statement per such action code and other file, whatever the number of rows."""
    due_tcs = ctx.due_tcs()
    unpost: list[Unpost] = []
    for (tc, ac), files in misc.files_with_refusal().items():
        if tc not in due_tcs:
            continue
        for file in (f for f in _FILES if f not in files):
            remarks = (misc.file_refusal(tc, ac, file) or "")[:60]
            rows = due_rows(ctx, Transaction.tc == tc, Transaction.ac == ac, Entity.file == file)
            unpost += [Unpost(t, *UPC_AC_WRONG_FILE, remarks=remarks) for t in rows]
    unpost_rows(ctx, unpost)


@rule("unpost_duplicate_ac505", 65)
def unpost_duplicate_ac505(ctx: CycleContext) -> None:
    """One breach, one indicator: a TC 971 AC 505 whose breach tracking number is already
    on the entity, unreversed, unposts (IRM 10.5.4.5.1.1 (6): "Each TC 971 AC 505
    represents a different IRS data breach")."""
    if 971 not in ctx.due_tcs():
        return
    due = _due_505(ctx, 971)
    if not due:
        return
    on_entity = _indicators_by_entity(ctx, 971)
    unpost: list[Unpost] = []
    for t in due:
        # An earlier duplicate that unposted in this loop is not on the entity any more.
        gone = {u.row.id for u in unpost}
        others = _indicators([r for r in on_entity.get(t.entity_id, ()) if r.id not in gone], before=t.id)
        if breach.duplicate_breach(breach.breach_number_in(t.misc), others):
            unpost.append(Unpost(t, *UPC_DUPLICATE_BREACH, remarks=breach.DUPLICATE_BREACH[:60]))
    unpost_rows(ctx, unpost)


@rule("match_tc972_ac505", 69)
def match_tc972_ac505(ctx: CycleContext) -> None:
    """TC 972 AC 505 reverses the indicator the PGLD/IM employee named -- its breach date
    (SECONDARY-DT) and/or breach tracking number (REMARKS), or the one the FRM77 screen
    matched -- never simply the first; none (or several) fits: unpostable
    (IRM 10.5.4.5.1.1 (7), Exhibit 10.5.4-3; `rules.breach.pick_reversal`)."""
    if 972 not in ctx.due_tcs():
        return
    due = _due_505(ctx, 972)
    if not due:
        return
    on_entity = _indicators_by_entity(ctx, 972)
    claimed: set[int] = set()
    pairs: list[tuple[int, int]] = []
    unpost: list[Unpost] = []
    for rev in due:
        extra = rev.extra or {}
        found = [i for i in _indicators(on_entity.get(rev.entity_id, [])) if i.key not in claimed]
        named = extra.get("reverses")
        pick = breach.pick_reversal(found, rev.secondary_date, extra.get("breach_number"),
                                    named if isinstance(named, int) else None)
        if pick.key is None:
            unpost.append(Unpost(rev, *UPC_REVERSAL_NO_MATCH, remarks=(pick.problem or "")[:60]))
            continue
        pairs.append((pick.key, rev.id))
        claimed.add(pick.key)
    set_reversed_by(ctx, pairs)
    unpost_rows(ctx, unpost)
