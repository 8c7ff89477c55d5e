"""Posting rule for refunds: a credit balance without a hold refunds as TC 846.

   200  issue_refunds           credit balance, no hold -> TC 846 (DD or paper check)

What holds a refund is `derive.refund_hold` (freezes: `rules.freezes`); signs are
`rules.codes`.
"""

from __future__ import annotations

import datetime as dt
from array import array
from decimal import Decimal
from itertools import chain, repeat
from typing import Any

from sqlalchemy import String, Table, and_, case, cast, func, literal_column, or_, select

from ..masterfile import derive
from ..masterfile.models import POSTED, Entity, TaxModule, Transaction
from ..rules import codes as tx_codes
from ..rules import freezes as freeze_rules
from .context import CycleContext, rule
from .sqlhelp import RETURN, driver_chunks, insert_rows, sql_literal

__all__ = ["REFUND_TOLERANCE", "issue_refunds"]

#: Credits under $1 are not refunded (decision: Document 6209 refund tolerance, simplified).
REFUND_TOLERANCE = Decimal("1.00")

_HOLD_TCS = freeze_rules.FREEZE_TCS
_HOLD_ACS = freeze_rules.FREEZE_ACS

_CENT = Decimal("0.01")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


def _truthy_json(text: str | None) -> bool:
    return text is not None and text.strip() not in ("", "null", "{}", "[]", "false", "0")


#: Up to this many postings in a run, issue_refunds sums the touched modules only.
_FEW_POSTINGS = 5_000
#: Credit modules read, decided and reported at a time; refund rows inserted at a time.
_BLOCK = 50_000
_METHOD: dict[int, str] = {1: "direct_deposit", 0: "check"}


@rule("issue_refunds", 200)
def issue_refunds(ctx: CycleContext) -> None:
    """A module touched this cycle, with a posted return and a credit balance, refunds it
    as TC 846 unless a freeze holds it (-R, P-, -E, -A, E-, -L, -V: derive.refund_hold;
    IRM 25.25.6.1.7, tpp-rules §2.4).  TC 290 .00 releasing a RIVO -R/P- therefore
    refunds in its own cycle (IRM 25.25.6.5.1.2.1).

    Method: direct deposit when the return asked for it, unless a TC 971 AC 850 posted
    in an EARLIER cycle (IRM 25.25.6.1.7 table: RICS flips the DD to a paper check).  An
    AC 850 posting in the same cycle as the refund is too late -- the reason for REL CYC
    = current + 2 on UPRES and the 1-cycle post-delay on TC 290 (tpp-rules §6.1).
    """
    # Every posting of this cycle before this rule is in post_due's report (the input and
    # the return credits; the other rules unpost, move or link): with nothing posted no
    # module is touched, and when few modules are touched only they are summed (a weekly
    # run of a few inputs over a large master file would otherwise add up every module of
    # the file to find none).
    count = ctx.posted_count()
    if count == 0:
        return
    few = ctx.touched_modules() if count <= _FEW_POSTINGS else None
    ctx.session.flush()
    s = ctx.session
    t = Transaction
    debits = tx_codes.debit_tcs()
    credit_tcs = tx_codes.credit_tcs()
    # A module is touched when one of its transactions posted in this cycle.  One pass over
    # the transactions, grouped by module, gives that flag, the balance, the return count
    # and the freeze pre-filter together: only modules with a freeze-making transaction (or
    # a return released with a CCC) are loaded and checked object by object below
    # (derive.refund_hold is the one definition of a hold).  Only posted transactions count:
    # the status is tested inside each aggregate (the balance of any other row is NULL,
    # which sum() skips), so that SQLite reads the rows in module order from the module
    # index and need not sort every posted transaction to group them.
    posted = t.status == POSTED
    signed = case((t.tc.in_(debits), 1), (t.tc.in_(credit_tcs), -1), else_=0) * func.abs(t.amount)
    bal = func.sum(case((posted, signed)))
    returns = func.sum(case((and_(posted, t.tc == 150), 1), else_=0))
    touched = func.max(case((and_(posted, t.posting_cycle == ctx.cycle), 1), else_=0))
    is_hold = or_(t.tc.in_(_HOLD_TCS), and_(t.tc == 971, t.ac.in_(_HOLD_ACS)))
    # A return released with a CCC: its `extra` has the key.  An empty `{}` (most rows) has
    # no key, so the JSON is only parsed when there is something in it.
    ccc = and_(t.tc == 150, cast(t.extra, String) != "{}", t.extra["ccc"].as_string().is_not(None))
    suspect = func.max(case((and_(posted, or_(is_hold, ccc)), 1), else_=0))
    credit = (
        select(t.module_id.label("module_id"), bal.label("bal"), suspect.label("suspect"))
        .where(t.module_id.is_not(None) if few is None else t.module_id.in_(few))
        .group_by(t.module_id)
        .having(touched == 1)
        .having(returns > 0)
        .subquery("credit")
    )
    # The module's latest posted return, in posting order (posting cycle, then id), says
    # whether the refund goes by direct deposit.  A credit module has a posted return (the
    # HAVING above), so "posted first" in the ORDER BY picks it; the status is not in the
    # WHERE so that SQLite looks the module up by its index and never scans every posted
    # transaction through (status, due_cycle) once per module.
    r = RETURN
    direct_deposit = (
        select(r.document["direct_deposit"].as_string())
        .where(r.module_id == credit.c.module_id, r.tc == 150)
        .order_by((r.status == POSTED).desc(), func.coalesce(r.posting_cycle, "").desc(), r.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(credit.c.module_id, TaxModule.entity_id, Entity.tin, TaxModule.mft, TaxModule.period, credit.c.bal,
               credit.c.suspect, direct_deposit)
        .join(TaxModule, TaxModule.id == credit.c.module_id)
        .join(Entity, Entity.id == TaxModule.entity_id)
        # Outside the GROUP BY: a HAVING would compute the balance sum a second time.
        .where(credit.c.bal <= -REFUND_TOLERANCE, TaxModule.mft != "32")
        .order_by(credit.c.module_id)
    )
    if not ctx.all_live:
        stmt = stmt.where(Entity.file.in_(ctx.live_files))
    # Straight from the driver (flushed above), one block of credit modules at a time: no
    # Decimal conversion of the sum either, each amount is made a Decimal once, below.  A
    # block's holds are decided and its lines reported before the next block is read; its
    # refunds are kept as compact columns and inserted once the read is over (SQLite does
    # not define what a read sees of rows written to its table while it runs).
    conn = s.connection()
    blocks = driver_chunks(conn, stmt, _BLOCK)
    first = next(blocks, None)
    if first is None:
        return
    # Entity-level bankruptcy (TC 520) makes a module suspect too; a TC 971 AC 850 posted
    # in an earlier cycle flips direct deposit to a paper check.  One scan for both.
    bankrupt, flip = (
        and_(t.module_id.is_(None), t.tc == 520),
        and_(t.tc == 971, t.ac == 850, t.reversed_by_id.is_(None), t.posting_cycle < ctx.cycle),
    )
    suspect_entities: set[int] = set()
    flip_modules: set[int] = set()
    flip_entities: set[int] = set()
    for mid, eid, is_flip, is_bankrupt in conn.execute(
        select(t.module_id, t.entity_id, flip, bankrupt).where(t.status == POSTED, or_(bankrupt, flip))
    ):
        if is_bankrupt:
            suspect_entities.add(eid)
        if is_flip and mid is not None:
            flip_modules.add(mid)
        elif is_flip:
            flip_entities.add(eid)
    refunds = _Refunds()
    for credits in chain([first], blocks):
        _refund_block(ctx, credits, suspect_entities, flip_modules, flip_entities, refunds)
    if refunds.module_ids:
        _insert_refunds(ctx, conn, refunds)
        s.expire_all()


class _Refunds:
    """The refunds of a run as compact columns (8 or 9 bytes a refund, not a tuple of
    objects): entity id, module id, amount, direct deposit or not."""

    def __init__(self) -> None:
        self.entity_ids = array("q")
        self.module_ids = array("q")
        self.amounts = array("d")  # each a Decimal of two places, which a float keeps exactly
        self.direct_deposit = bytearray()


def _refund_block(ctx: CycleContext, credits: list[tuple[Any, ...]], suspect_entities: set[int],
                  flip_modules: set[int], flip_entities: set[int], out: _Refunds) -> None:
    """One block of credit modules (module id, entity id, TIN, MFT, period, balance,
    suspect, direct deposit asked): the holds of its suspect modules, its report lines, and
    its refunds added to `out`."""
    s = ctx.session
    check = [c[0] for c in credits if c[6] or c[1] in suspect_entities]
    holds: dict[int, str | None] = {}
    if check:
        # The suspect modules as plain records (`preload.module_facts`): three statements
        # whatever their number (issue 19), and derive.refund_hold reads them as it reads
        # the objects.
        from .preload import id_set, module_facts

        facts = module_facts(s, id_set(s, "suspect_module", check))
        holds = {mid: derive.refund_hold(m, ctx.run_date) for mid, m in facts.items()}  # type: ignore[arg-type]
    held, refunds, posted_lines = ctx.report.held, ctx.report.refunds, ctx.report.posted
    share = ctx.shared.setdefault
    held_now = {mid: hold for mid, hold in holds.items() if hold}
    if held_now:
        for mid, _eid, tin, mft, period, *_rest in credits:
            if mid in held_now:
                held.append((tin, share(mft, mft), share(period, period), held_now[mid]))
        credits = [c for c in credits if c[0] not in held_now]
    if not credits:
        return
    # Column by column (a 1M-module run refunds almost half a million modules).
    mids, eids, tins, mfts, periods, raws, _suspects, dds = zip(*credits)
    mfts, periods = tuple(map(share, mfts, mfts)), tuple(map(share, periods, periods))
    amounts = [-_dec(raw) for raw in raws]
    by_dd = [_truthy_json(dd) and mid not in flip_modules and eid not in flip_entities
             for mid, eid, dd in zip(mids, eids, dds)]
    refunds.extend(zip(tins, mfts, periods, amounts, [_METHOD[dd] for dd in by_dd]))
    posted_lines.extend(zip(tins, mfts, periods, repeat(846), repeat(None)))
    out.entity_ids.extend(eids)
    out.module_ids.extend(mids)
    out.amounts.extend(map(float, amounts))
    out.direct_deposit.extend(by_dd)


def _insert_refunds(ctx: CycleContext, conn: Any, refunds: _Refunds) -> None:
    """The TC 846s, `_BLOCK` rows an executemany, in the order the credits were read."""
    # The constant columns are rendered into the statement, so only four parameters per
    # row are bound (no ORM bookkeeping, no JSON per row).
    table = Transaction.__table__
    assert isinstance(table, Table)
    const: dict[str, int | str | dt.date] = {
        "tc": 846, "trans_date": ctx.run_date, "status": POSTED, "input_cycle": ctx.cycle,
        "due_cycle": ctx.cycle, "posting_cycle": ctx.cycle, "post_delay": 0,
    }
    refund_insert = table.insert().values(
        **{k: literal_column(sql_literal(v)) for k, v in const.items()},
        extra=literal_column("""'{"generated": "refund"}'"""),  # untyped literal: JSON on every dialect
    )
    for lo in range(0, len(refunds.module_ids), _BLOCK):
        hi = lo + _BLOCK
        rows = list(zip(refunds.entity_ids[lo:hi], refunds.module_ids[lo:hi], map(_dec, refunds.amounts[lo:hi]),
                        [_METHOD[dd] for dd in refunds.direct_deposit[lo:hi]]))
        insert_rows(conn, refund_insert, ("entity_id", "module_id", "amount", "refund_method"), rows)
