"""TC 972 reverses its TC 971, set-based (the rule is `rules.reversal`; the AC 505 breach
indicator is `posting.breach`).

    70  match_tc972   TC 972 AC x reverses one unreversed TC 971 AC x in its scope, or
                      goes unpostable (UPC_REVERSAL_NO_MATCH)

Three statements read everything whatever the number of reversals (the due TC 972s; the
TC 971s in their modules and entities), two or three write the result (`posting.bulk`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select, union_all

from ..masterfile import derive
from ..masterfile.models import POSTED, Transaction
from ..rules import codes as tx_codes
from ..rules import reversal
from .bulk import Unpost, due_rows, set_reversed_by, unpost_rows
from .codes import UPC_REVERSAL_NO_MATCH
from .context import CycleContext, rule

__all__ = ["Scope", "match_tc972", "originals_in_scope"]

#: A reversal's scope: ("M", module id) or ("E", entity id) for entity-level codes.
Scope = tuple[str, int]


def originals_in_scope(ctx: CycleContext, reversals: Any) -> dict[Scope, list[reversal.Original]]:
    """The unreversed TC 971s, posted or due in this run, in the modules of the due
    `reversals` (a select of due TC 972 rows) and on their entities for entity-level ones,
    by scope: one statement, read straight from the driver's cursor (the columns need no
    conversion; as Row objects the 20,000 TC 971s of the issue's file cost a quarter of the
    rule's time)."""
    c = Transaction
    revs = reversals.subquery("revs")
    cols = (c.id, c.module_id, c.entity_id, c.ac, c.misc, c.dln, c.posting_cycle)
    alive = and_(c.tc == 971, c.reversed_by_id.is_(None), or_(c.status == POSTED, and_(*ctx.due_conditions(c))),
                 c.ac.in_(select(revs.c.ac)))
    stmt = union_all(
        select(*cols).where(alive, c.module_id.in_(select(revs.c.module_id).where(revs.c.module_id.is_not(None)))),
        select(*cols).where(alive, c.module_id.is_(None),
                            c.entity_id.in_(select(revs.c.entity_id).where(revs.c.module_id.is_(None)))),
    )
    found: dict[Scope, list[reversal.Original]] = {}
    result = ctx.session.connection().execute(stmt)
    try:
        for oid, mid, eid, ac, misc, dln, cycle in result.cursor.fetchall():
            key: Scope = ("M", mid) if mid is not None else ("E", eid)
            found.setdefault(key, []).append(reversal.Original(oid, ac, misc, dln, (cycle or "", oid)))
    finally:
        result.close()
    return found


def _due_972(ctx: CycleContext) -> Sequence[Any]:
    # TC 972 AC 505 names its breach indicator: posting.breach.match_tc972_ac505.
    return (Transaction.tc == 972, or_(Transaction.ac.is_(None), Transaction.ac != 505))


@rule("match_tc972", 70)
def match_tc972(ctx: CycleContext) -> None:
    """TC 972 AC x reverses one unreversed TC 971 AC x in its scope -- the module, or the
    entity for entity-level action codes such as AC 527 (CONTRACT §3; IRM 25.25.6.1.7:
    "only reverse the AC 124 whose MISC DLN matches").  Preference: same MISC, then same
    DLN, then the earliest (`rules.reversal`); a TC 972 AC 121/124/129 only the marker of
    the return it names (decision TPP-23).  Nothing to reverse: unpostable
    (UPC_REVERSAL_NO_MATCH)."""
    if 972 not in ctx.due_tcs():
        return
    where = _due_972(ctx)
    ctx.session.flush()
    t = Transaction
    due = ctx.live(select(t.id, t.module_id, t.entity_id, t.ac, t.misc).where(*ctx.due_conditions(), *where))
    conn = ctx.session.connection()
    # A light read of the reversals (no document, no amount): the full rows are read only
    # when some go unpostable.
    result = conn.execute(due.order_by(t.id))
    try:
        revs = result.cursor.fetchall()
    finally:
        result.close()
    if not revs:
        return
    scopes = originals_in_scope(ctx, due)
    offered = []
    for rid, mid, eid, ac, misc in revs:
        key: Scope = ("M", mid) if mid is not None else ("E", eid)
        offered.append((reversal.Reversal(rid, ac, misc), scopes.get(key, [])))
    matched = reversal.match_all(offered, derive.marker_dln)
    set_reversed_by(ctx, [(orig, rev) for rev, orig in matched if orig is not None])
    lost = {rev for rev, orig in matched if orig is None}
    if lost:
        unpost_rows(ctx, [Unpost(r, *UPC_REVERSAL_NO_MATCH) for r in due_rows(ctx, *where) if r.id in lost])


@rule("link_reversals", 110)
def link_reversals(ctx: CycleContext) -> None:
    """A reversal TC (TC 137, 421, 521, 571, 572, 807, 811 ...) reverses the latest unreversed
    TC it names in its scope (module, else entity) -- the Document 6209 reversal pairs of
    `rules.codes`, the table the fixture linker uses too; with nothing to reverse it posts
    without effect (only TC 972 is strict, see match_tc972).

    Two statements read the reversals posted now and the originals in their modules and
    entities (`rules.reversal.latest_original` picks), one writes the links."""
    codes = [tc for tc in tx_codes.reversal_tcs() if tc != 972]
    posted_now = ctx.posted_ids(codes)  # only what post_due posted is looked at
    if not posted_now:
        return
    ctx.session.flush()
    t = Transaction
    conn = ctx.session.connection()
    revs = select(t.id, t.tc, t.module_id, t.entity_id).where(
        t.posting_cycle == ctx.cycle, t.status == POSTED, t.tc.in_(codes))
    sub = revs.subquery("revs")
    cols = (t.id, t.tc, t.module_id, t.entity_id, t.posting_cycle)
    targets = sorted({o for c in codes for o in tx_codes.reversal_targets(c)})
    alive = and_(t.status == POSTED, t.reversed_by_id.is_(None), t.tc.in_(targets))
    originals = union_all(
        select(*cols).where(alive, t.module_id.in_(select(sub.c.module_id).where(sub.c.module_id.is_not(None)))),
        select(*cols).where(alive, t.module_id.is_(None), t.entity_id.in_(select(sub.c.entity_id))),
    )
    scopes: dict[Scope, list[reversal.Original]] = {}
    for oid, otc, mid, eid, cycle in conn.execute(originals):
        key: Scope = ("M", mid) if mid is not None else ("E", eid)
        scopes.setdefault(key, []).append(reversal.Original(oid, otc, None, None, (cycle or "", oid)))
    claimed: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for rid, rtc, mid, eid in conn.execute(revs.order_by(t.id)):
        if rid not in posted_now:
            continue
        target = tx_codes.reversal_targets(rtc)
        for key in ((("M", mid),) if mid is not None else ()) + (("E", eid),):
            pick = reversal.latest_original(target, rid, scopes.get(key, ()), claimed)
            if pick is not None:
                claimed.add(pick)
                pairs.append((pick, rid))
                break
    set_reversed_by(ctx, pairs)
