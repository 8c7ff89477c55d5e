"""The posting rules: small functions applied in order by the posting run.

Each rule is registered with a name and an order number (`@rule("name", order)`), cites
its IRM source in its docstring, and works on the whole set of due transactions at
once where it can (a SQL statement), object by object only for the few rows that need
logic.  A new IRM rule is a new function here plus a test, never an edit inside another
rule.  Order numbers leave gaps so that later rules slot in between; the FTD Alert
issuance (IRM 5.7.1.3) is expected at order 900 ("ftd_alerts").

The stages, in order:

    10  release_resolutions     UPRES resolutions whose release cycle has come (URC 0/6/6B/D)
    20  unpost_tpp_126          return held by TC 971 AC 124/121 with its DLN -> UP 126 RC 0
    30  unpost_document         return whose document names an unpostable (UP 147...)
    40  unpost_ac111            TC 971 AC 111 in cycles 47-52 / after a merge
    50  move_mft32              TC 971 AC 111 moves the return to / from MFT 32
    60  resequence_ac052        TC 971 AC 052 resequences the return 14 days (2 cycles)
    70  match_tc972             TC 972 reverses its TC 971, or goes unpostable (reversals.py)
    80  return_credits          a return's withholding / refundable credits post with it
   100  post_due                everything still due posts (one UPDATE)
   110  link_reversals          TC 137/421/521/571/811 reverse their originals (reversals.py)
   120  establish_entities      a posted return establishes its entity
   200  issue_refunds           credit balance, no hold -> TC 846 (DD or paper check)

Other rule modules slot in between (run.RULE_MODULES): tpp_mft32.py (45, 55: TC 971 AC 111
for old tax years, the return an AC 111 diverts), breach.py (65, 69: TC 971/972 AC 505),
ftd_alerts.py (130, 900, 910).

Every rule issues the same statements whatever the number of inputs (issue 19,
tests/test_posting_statements.py): rows read in one statement and written in bulk
(bulk.py, moves.py), or the accounts a rule walks loaded in a few statements (preload.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from typing import Any

from sqlalchemy import (
    JSON,
    Numeric,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from ..digits import is_digits
from ..masterfile import derive
from ..masterfile.models import (
    DELETED,
    PENDING,
    POSTED,
    UNPOSTABLE,
    Entity,
    SimState,
    TaxModule,
    Transaction,
    Unpostable,
    UnpostableHistory,
)
from ..rules import codes as tx_codes
from ..rules import freezes as freeze_rules
from ..rules import mft32, up126
from ..rules import urc as urc_rules
from . import calendar as cal

__all__ = [
    "CycleReport",
    "CycleContext",
    "Rule",
    "RULES",
    "rule",
    "rules_in_order",
    "DEFAULT_UNPOSTABLE_ASSIGNEE",
    "UNPOSTABLE_ASSIGNEES",
    "UPC_TPP_HOLD",
    "UPC_AC111_MERGED",
    "UPC_MFT32_WINDOW",
    "UPC_REVERSAL_NO_MATCH",
    "MFT32_WINDOW_FIRST_WEEK",
    "REFUND_TOLERANCE",
    "effective_release_cycle",
    "in_mft32_window",
]

# --- codes and data (decisions documented in docs/posting.md) ----------------------------

#: IRM 25.25.6.1.7: TC 971 AC 124 (or AC 121) with the return's DLN -> UP 126 RC 0.
UPC_TPP_HOLD = (126, 0)
#: IRM 25.25.6.7.1 (seed text): TC 971 AC 111 unposts UP 168 RC 0 after a merge/slot.
UPC_AC111_MERGED = (168, 0)
#: Cycles 47-52 "an unpostable will generate": the code is not printed.  Decision: UNP
#: 1735, the second code the seed shows on failed TC 971 AC 111s (IRM 25.25.6.2.1.5).
UPC_MFT32_WINDOW = (173, 5)
#: TC 972 with no unreversed TC 971 of its action code.  Decision (not found in the
#: stored sources): UPC 168 RC 0, the TC 971/972 unpostable the seed names.
UPC_REVERSAL_NO_MATCH = (168, 0)
#: First cycle week in which nothing may move to or from MFT 32 (IRM 25.25.6.7, tpp §6.1).
MFT32_WINDOW_FIRST_WEEK = 47
#: Credits under $1 are not refunded (decision: Document 6209 refund tolerance, simplified).
REFUND_TOLERANCE = Decimal("1.00")

#: IDRS number of the unpostable function a new case is assigned to.  Override in the
#: database with SimState keys `unpostable_assignee.<UPC>` or `unpostable_assignee`.
DEFAULT_UNPOSTABLE_ASSIGNEE = "0912345678"
UNPOSTABLE_ASSIGNEES: dict[int, str] = {}

_BYPASS = urc_rules.BYPASS


def in_mft32_window(cycle: str) -> bool:
    """Cycles 47-52 (53): no return may move to or from MFT 32 (IRM 25.25.6.7; tpp §6.1)."""
    return cal.cycle_week(cycle) >= MFT32_WINDOW_FIRST_WEEK


# --- report and context ----------------------------------------------------------------------


@dataclass
class CycleReport:
    """What one posting run did.  `posted` and `unposted` rows are plain tuples:

    posted:   (tin, mft, period, tc, ac)            mft/period None for entity transactions
    unposted: (tin, mft, period, tc, upc, rc)
    refunds:  (tin, mft, period, amount, method)    method: direct_deposit | check
    held:     (tin, mft, period, freeze)            credit balance kept by a freeze
    released: (seq, urc)                            UPRES resolutions acted on
    resequenced: (tin, mft, period, tc, new_due_cycle)
    moved:    (tin, period, dln, from_mft, to_mft)
    alerts:   whatever alert rules add (FTD alerts)
    """

    cycle: str
    posted: list[tuple[Any, ...]] = field(default_factory=list)
    unposted: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[tuple[Any, ...]] = field(default_factory=list)
    held: list[tuple[Any, ...]] = field(default_factory=list)
    released: list[tuple[Any, ...]] = field(default_factory=list)
    resequenced: list[tuple[Any, ...]] = field(default_factory=list)
    moved: list[tuple[Any, ...]] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)
    dead_files: tuple[str, ...] = ()
    already_ran: bool = False

    def summary(self) -> str:
        """One line for `idrs-sim cycle` and replay traces."""
        if self.already_ran:
            return f"CYCLE {self.cycle}: ALREADY RUN, NOTHING POSTED"
        dead = f" (DEAD: {', '.join(self.dead_files)})" if self.dead_files else ""
        return (
            f"CYCLE {self.cycle}{dead}: {len(self.posted)} POSTED, {len(self.unposted)} UNPOSTABLE, "
            f"{len(self.refunds)} REFUNDS, {len(self.held)} HELD, {len(self.released)} RELEASED, "
            f"{len(self.alerts)} ALERTS"
        )


@dataclass
class CycleContext:
    """What a rule sees: the session of the run's one transaction, the cycle, the report."""

    session: Session
    cycle: str
    run_date: dt.date
    live_files: tuple[str, ...]
    report: CycleReport
    #: What post_due posted, as the (ids, TCs, module ids) columns it read them in:
    #: `posted_ids` and `touched_modules` build sets from them only when asked (a set of
    #: every id of a 1M-module run cost a third of a second and was never looked at).
    posted_chunks: list[tuple[tuple[int, ...], tuple[int, ...], tuple[int | None, ...]]] = field(
        default_factory=list)
    #: The transaction codes post_due posted (rules that act on a few TCs skip when absent).
    posted_tcs: set[int] = field(default_factory=set)
    #: The highest transaction id before return_credits made this run's TC 806/766 (None:
    #: it has not run), which post_due reports with what it posts.
    credits_after: int | None = None
    #: One object per distinct small value (MFT, period, TC) put in the report's tuples.
    shared: dict[Any, Any] = field(default_factory=dict)
    _next_seq: int | None = None
    _due_tcs: frozenset[int] | None = None
    _assignees: dict[int, str] = field(default_factory=dict)
    #: Accounts a rule loaded in bulk (`preload`), held until the rule ends (the run clears
    #: it): the session keeps objects without changes only while something refers to them,
    #: and every object it holds makes each later `expire_all` dearer.
    loaded: list[Any] = field(default_factory=list)

    # -- query helpers --
    @property
    def all_live(self) -> bool:
        return set(self.live_files) >= {"IMF", "BMF"}

    def live(self, stmt: Any, entity_col: Any = Transaction.entity_id) -> Any:
        """Restrict `stmt` to entities whose master file posts in this cycle."""
        if self.all_live:
            return stmt
        if not self.live_files:
            return stmt.where(false())
        return stmt.where(entity_col.in_(select(Entity.id).where(Entity.file.in_(self.live_files))))

    def due_conditions(self, txn: Any = Transaction) -> list[Any]:
        """Pending and due by now (run_cycle first gives undated pending input this cycle)."""
        return [txn.status == PENDING, txn.due_cycle <= self.cycle]

    def posted_ids(self, tcs: Iterable[int]) -> set[int]:
        """The ids of the transactions with one of `tcs` that post_due posted in this run."""
        wanted = set(tcs)
        if self.posted_tcs.isdisjoint(wanted):
            return set()
        return {i for ids, codes, _mods in self.posted_chunks for i, tc in zip(ids, codes) if tc in wanted}

    def posted_count(self) -> int:
        """How many transactions post_due posted in this run."""
        return sum(len(ids) for ids, _codes, _mods in self.posted_chunks)

    def touched_modules(self) -> set[int]:
        """The modules of the transactions post_due posted in this run."""
        return {m for _ids, _codes, mods in self.posted_chunks for m in mods if m is not None}

    def due_tcs(self) -> frozenset[int]:
        """The transaction codes of the input due in this run, read at the first call.

        Rules that act on one code (TC 971 AC 111, TC 972) skip their query when it is not
        due.  The rules before post_due only take input out of the due set (unpost it,
        resequence it) or re-pend a moved return (TC 150/976), so the codes read once still
        name every TC 971 and 972 that is due."""
        if self._due_tcs is None:
            stmt = select(Transaction.tc).where(*self.due_conditions()).distinct()
            self._due_tcs = frozenset(self.session.scalars(stmt))
        return self._due_tcs

    def due_txns(self, *where: Any) -> list[Transaction]:
        stmt = select(Transaction).where(*self.due_conditions(), *where).order_by(Transaction.id)
        return list(self.session.scalars(self.live(stmt)))

    def is_due(self, t: Transaction) -> bool:
        return t.status == PENDING and t.due_cycle is not None and t.due_cycle <= self.cycle

    # -- unpostables --
    def assignee(self, upc: int) -> str:
        """Read once per code and run (a missing SimState key is not remembered by the session)."""
        if upc not in self._assignees:
            self._assignees[upc] = self._assignee(upc)
        return self._assignees[upc]

    def _assignee(self, upc: int) -> str:
        for key in (f"unpostable_assignee.{upc}", "unpostable_assignee"):
            row = self.session.get(SimState, key)
            if row is not None and row.value:
                return row.value
        return UNPOSTABLE_ASSIGNEES.get(upc, DEFAULT_UNPOSTABLE_ASSIGNEE)

    def next_seq(self) -> str:
        """Next GUF sequence number: 9 digits, one above the highest numeric one on file."""
        if self._next_seq is None:
            highest = 0
            for seq in self.session.scalars(select(Unpostable.seq)):
                if is_digits(seq):
                    highest = max(highest, int(seq))
            self._next_seq = highest + 1
        seq = f"{self._next_seq:09d}"
        self._next_seq += 1
        return seq

    def new_unpostable(
        self, txn: Transaction, upc: int, reason: int, *, assigned: str | None = None, remarks: str | None = None
    ) -> Unpostable:
        """Send `txn` to the GUF: status unpostable plus an open case (UPTIN shows A)."""
        txn.status = UNPOSTABLE
        document = txn.document if txn.document else {
            "tc": txn.tc, "ac": txn.ac, "amount": str(txn.amount), "misc": txn.misc, "dln": txn.dln,
        }
        case = Unpostable(
            seq=self.next_seq(),
            entity_id=txn.entity_id,
            module_id=txn.module_id,
            txn_id=txn.id,
            upc=upc,
            reason=reason,
            dln=txn.dln or derive.misc_dln(txn.misc),
            status="open",
            assigned=assigned or self.assignee(upc),
            remarks=remarks,
            original_cycle=self.cycle,
            status_date=self.run_date,
            document=document,
        )
        case.history.append(
            UnpostableHistory(date=self.run_date, idrs=None, text=f"UNPOSTABLE {upc} {reason} CYC {self.cycle}")
        )
        self.session.add(case)
        mod = txn.module
        self.report.unposted.append(
            (txn.entity.tin, mod.mft if mod else None, mod.period if mod else None, txn.tc, upc, reason)
        )
        return case

    def close_case(self, case: Unpostable, text: str) -> None:
        """Mark a resolution as acted on: UPTIN shows C from now on."""
        case.status = "closed"
        case.released = True
        case.status_date = self.run_date
        case.history.append(UnpostableHistory(date=self.run_date, idrs=case.resolved_by, text=text[:80]))
        self.report.released.append((case.seq, case.urc))


@dataclass(frozen=True)
class Rule:
    name: str
    order: int
    fn: Callable[[CycleContext], None]

    def __call__(self, ctx: CycleContext) -> None:
        self.fn(ctx)


RULES: dict[str, Rule] = {}


def rule(name: str, order: int) -> Callable[[Callable[[CycleContext], None]], Callable[[CycleContext], None]]:
    """Register a posting rule under `name`, applied in ascending `order`."""

    def register(fn: Callable[[CycleContext], None]) -> Callable[[CycleContext], None]:
        RULES[name] = Rule(name, order, fn)
        return fn

    return register


def rules_in_order() -> list[Rule]:
    return sorted(RULES.values(), key=lambda r: (r.order, r.name))


# --- helpers ---------------------------------------------------------------------------------


def _extra(t: Transaction, **changes: Any) -> None:
    """Update the JSON `extra` by reassignment (in-place changes are not tracked)."""
    t.extra = {**(t.extra or {}), **changes}


def _bypasses(t: Any, upc: int) -> bool:
    return upc in ((t.extra or {}).get(_BYPASS) or [])


def _module(session: Session, entity: Entity, mft: str, period: str) -> TaxModule:
    """The entity's module for MFT/period, created when it does not exist yet."""
    for m in entity.modules:
        if m.mft == mft and m.period == period:
            return m
    m = TaxModule(entity=entity, mft=mft, period=period)
    session.add(m)
    return m


def _tin_kind(tin: str) -> tuple[str, str]:
    """(tin_type, file) from the dashed form: NN-NNNNNNN is an EIN on BMF, 9NN-... an ITIN."""
    if re.fullmatch(r"\d{2}-\d{7}", tin):
        return "EIN", "BMF"
    return ("ITIN" if tin.startswith("9") else "SSN"), "IMF"


def effective_release_cycle(case: Any) -> str:
    """The cycle in which a resolution is acted on: REL CYC, but never before the cycle
    after the resolution (input in cycle C reaches the master file in C + 1)."""
    after = cal.add_cycles(cal.cycle_of(case.resolved_date), 1) if case.resolved_date else None
    rel = (case.release_cycle or "").strip() or None
    found = [c for c in (rel, after) if c]
    return max(found) if found else "000000"


def _move_return(ctx: CycleContext, txn: Transaction, to_mft: str) -> None:
    """Move one return (an object of a loaded account) to MFT 32 or back to MFT 30, as
    `rules.mft32.moved_return` says; it becomes due in this cycle and `post_due` posts it.
    (Many returns: `posting.moves.move_returns`.)"""
    source = txn.module
    period = source.period if source else (txn.document or {}).get("period", "")
    target = _module(ctx.session, txn.entity, to_mft, period)
    other_return = to_mft != "32" and any(
        t.tc == 150 and t.status == POSTED and t.id != txn.id for t in target.transactions)
    from_mft = source.mft if source else None
    after = mft32.moved_return(to_mft, txn.amount, txn.document, txn.extra, other_return_posted=other_return,
                               from_mft=from_mft, cycle=ctx.cycle)
    if after.amount is not None:
        txn.amount = after.amount
    txn.extra = after.extra
    txn.module = target
    txn.tc = after.tc
    txn.status = PENDING
    txn.due_cycle = ctx.cycle
    ctx.report.moved.append((txn.entity.tin, period, txn.dln, from_mft, to_mft))


def _load_due_accounts(ctx: CycleContext, *where: Any) -> None:
    """Load the accounts of the input due now that matches `where` (`preload.load_accounts`):
    the rule's walks through them then issue no SQL."""
    from .preload import load_accounts

    ctx.loaded.append(load_accounts(ctx.session, ctx.live(select(Transaction.entity_id).where(
        *ctx.due_conditions(), *where))))


# --- the rules ---------------------------------------------------------------------------------


#: Second references to the transaction table (the TPP / AC 052 marker of a return, a
#: module's latest return), made once: an alias builds a proxy of every column.
_MARKER = aliased(Transaction, name="marker")
_RETURN = aliased(Transaction, name="ret")


@rule("release_resolutions", 10)
def release_resolutions(ctx: CycleContext) -> None:
    """Act on UPRES resolutions whose release cycle has come (IRM 25.25.6.5.1.1, tpp §3, §6.1).

    URC 0: the return posts as filed.  URC 6: posts, on the corrected TIN when field 29
    has one (module created as needed); URC 6B: the same when the TIN has no established
    entity (the entity is created, established).  URC 6 + CCC 1: posts with its refund
    frozen (-R, non-RIVO).  URC 6 + CCC 3: moves to MFT 32 as TC 976 -- unpostable again
    and reassigned to the resolver in cycles 47-52.  URC D (and the non-TPP URC 1/2/8):
    the document is removed.  The case is acted on in its REL CYC (field 48) or, when
    blank, in the cycle after the resolution: so an AC 850 input with the UPRES flips the
    refund only when REL CYC is at least current + 2.

    The effect of each resolution is `rules.urc.resolve`.  Set-based (issue 19): one
    statement reads the cases with their documents and a few write the effects; only a
    corrected TIN or an MFT 32 move works on the accounts themselves, loaded in a fixed
    number of statements (`preload.load_accounts`).
    """
    from .preload import load_accounts

    resolved = (Unpostable.urc.is_not(None), Unpostable.urc != "", Unpostable.released.is_(False))
    ctx.session.flush()
    stmt = (
        select(Unpostable.id, Unpostable.seq, Unpostable.upc, Unpostable.urc, Unpostable.ccc, Unpostable.status,
               Unpostable.corrected_tin, Unpostable.resolved_by, Unpostable.resolved_date, Unpostable.release_cycle,
               Transaction.id.label("txn_id"), Transaction.status.label("txn_status"), Transaction.extra, Entity.tin)
        .select_from(Unpostable)
        .outerjoin(Transaction, Transaction.id == Unpostable.txn_id)
        .outerjoin(Entity, Entity.id == Transaction.entity_id)
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
            posted.append({"b_id": r.txn_id, "status": PENDING, "due_cycle": ctx.cycle,
                           "extra": {**(r.extra or {}), **(eff.extra or {})}})
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
    """URC 6 / 6B with a corrected TIN, or URC 6 CCC 3 (`rules.urc.ACCOUNTS`)."""
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
                tin_type, file = _tin_kind(corrected)
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
            txn.module = _module(ctx.session, target, txn.module.mft, txn.module.period)
    if "3" in ccc:
        decided = cal.cycle_of(case_.resolved_date) if case_.resolved_date else ctx.cycle
        ctx.close_case(case_, f"CLOSED URC 6 CCC 3 CYC {ctx.cycle}")
        if in_mft32_window(decided):
            ctx.new_unpostable(txn, *UPC_MFT32_WINDOW, assigned=case_.resolved_by, remarks="MFT 32 MOVE CYC 47-52")
        else:
            _move_return(ctx, txn, "32")
        return
    # On its new TIN the document posts like any other release.
    eff = urc_rules.resolve(case_.urc, case_.ccc, upc=case_.upc, seq=case_.seq, cycle=ctx.cycle, on_guf=True,
                            case_closed=False, corrected_differs=False, extra=txn.extra)
    txn.status = PENDING
    txn.due_cycle = ctx.cycle
    _extra(txn, **(eff.extra or {}))
    ctx.close_case(case_, eff.text or "")


@rule("unpost_tpp_126", 20)
def unpost_tpp_126(ctx: CycleContext) -> None:
    """A return (TC 150) goes UP 126 RC 0 while an unreversed TC 971 AC 124 -- or the old
    AC 121 -- carries its DLN in MISC (IRM 25.25.6.1.7; tpp-rules §2.1, §3).

    Markers count when posted, or due in this same run.  MISC ending in `TR` needs no
    action (R02) and holds nothing.  A return released by UPRES bypasses this check.
    """
    from .bulk import Unpost, due_rows, unpost_rows

    marker = _MARKER
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


def _merged_recently(merges: Iterable[tuple[str | None, dt.date | None]], cycle: str) -> bool:
    """A posted merge (TC 005/006) in the current or prior processing year; `merges` are the
    (posting cycle, transaction date) of the account's posted TC 005/006s."""
    year = cal.cycle_year(cycle)
    for posting_cycle, trans_date in merges:
        when = int(posting_cycle[:4]) if posting_cycle else (trans_date.year if trans_date else None)
        if when is not None and when >= year - 1:
            return True
    return False


@rule("unpost_ac111", 40)
def unpost_ac111(ctx: CycleContext) -> None:
    """TC 971 AC 111 checks (IRM 25.25.6.7 / 25.25.6.7.1, tpp-rules §2.1, §6.1, §9.3).

    * Input in cycles 47-52 on MFT 30 or MFT 32 (a move to or from MFT 32): unpostable,
      reassigned to the initiating employee (the transaction's input_idrs).  The IRM ties
      the window to when the action is taken, so the input cycle decides: input in cycle
      46 posts in 47 and moves; input in 47 unposts.
    * The account had a merge or slot (TC 005/006) in the current or prior processing
      year: UP 168 RC 0.

    Set-based: one statement reads the AC 111s, one the merges of their accounts
    (`posting.bulk` writes the unpostables).
    """
    from .bulk import Unpost, due_rows, unpost_rows

    if 971 not in ctx.due_tcs():
        return
    ac111 = (Transaction.tc == 971, Transaction.ac == 111)
    rows = due_rows(ctx, *ac111)
    if not rows:
        return
    merges: dict[int, list[tuple[str | None, dt.date | None]]] = {}
    for eid, cycle, when in ctx.session.execute(
            select(Transaction.entity_id, Transaction.posting_cycle, Transaction.trans_date).where(
                Transaction.tc.in_((5, 6)), Transaction.status == POSTED,
                Transaction.entity_id.in_(select(Transaction.entity_id).where(*ctx.due_conditions(), *ac111)))):
        merges.setdefault(eid, []).append((cycle, when))
    unpost: list[Unpost] = []
    for t in rows:
        decided = t.input_cycle or ctx.cycle
        if t.mft in ("30", "32") and in_mft32_window(decided):
            # Never bypassed: a released AC 111 still may not move anything in the window.
            unpost.append(Unpost(t, *UPC_MFT32_WINDOW, t.input_idrs or None, "MFT 32 MOVE CYC 47-52"))
        elif not _bypasses(t, UPC_AC111_MERGED[0]) and _merged_recently(merges.get(t.entity_id, ()), ctx.cycle):
            unpost.append(Unpost(t, *UPC_AC111_MERGED, t.input_idrs or None))
    unpost_rows(ctx, unpost)


@rule("move_mft32", 50)
def move_mft32(ctx: CycleContext) -> None:
    """TC 971 AC 111 moves a return between MFT 30 and MFT 32 (IRM 25.25.6.5.4, tpp §2.1).

    On MFT 30 with the DLN of a return that is UP 126 (open case on that module): the
    return moves to MFT 32 and posts there as TC 976; the case closes URC 6 CCC 3 (the
    batch closure of IRM 25.25.6.5.4).  On MFT 32 with the DLN of a posted TC 976: the
    return moves back to MFT 30 (TC 150; TC 976 with -A when a return is already posted
    there).  No matching return: the AC 111 posts with no other effect.

    Set-based (issue 19): one statement reads the AC 111s, one the open cases with their
    returns, one the posted TC 976s; `posting.moves` moves the returns.
    """
    from .bulk import due_rows
    from .moves import Move, move_returns

    if 971 not in ctx.due_tcs():
        return
    ac111 = (Transaction.tc == 971, Transaction.ac == 111)
    rows = [r for r in due_rows(ctx, *ac111) if r.module_id is not None and derive.misc_dln(r.misc) is not None]
    if not rows:
        return
    their_modules = select(Transaction.module_id).where(*ctx.due_conditions(), *ac111)
    ret = _RETURN
    returns = (ret.id, ret.entity_id, Entity.tin, TaxModule.mft, TaxModule.period, ret.dln, ret.amount, ret.document,
               ret.extra)
    cases: dict[int | None, list[Any]] = {}
    for c in ctx.session.execute(
            select(Unpostable.id.label("case_id"), Unpostable.seq, Unpostable.module_id, Unpostable.dln.label("case_dln"),
                   Unpostable.resolved_by, ret.status, ret.tc, *returns)
            .select_from(Unpostable).join(ret, ret.id == Unpostable.txn_id).join(Entity, Entity.id == ret.entity_id)
            .outerjoin(TaxModule, TaxModule.id == ret.module_id)
            .where(Unpostable.module_id.in_(their_modules), Unpostable.status == "open").order_by(Unpostable.id)):
        cases.setdefault(c.module_id, []).append(c)
    on_32: dict[int | None, list[Any]] = {}
    for t in ctx.session.execute(
            select(ret.module_id, *returns).join(Entity, Entity.id == ret.entity_id)
            .join(TaxModule, TaxModule.id == ret.module_id)
            .where(ret.module_id.in_(their_modules), ret.tc == 976, ret.status == POSTED).order_by(ret.id)):
        on_32.setdefault(t.module_id, []).append(t)

    def move(t: Any, to_mft: str) -> Move:
        period = t.period if t.period is not None else (t.document or {}).get("period", "")
        return Move(t.id, t.entity_id, t.tin, t.mft, period, t.dln, t.amount, t.document, t.extra, to_mft)

    moves: list[Move] = []
    moved: set[int] = set()  # returns
    closed_ids: set[int] = set()  # cases
    closed: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for r in rows:
        dln = derive.misc_dln(r.misc)
        if r.mft == "30":
            for c in cases.get(r.module_id, []):
                if (c.case_id not in closed_ids and derive.dln_digits(c.case_dln) == dln
                        and c.status == UNPOSTABLE and c.tc == 150 and c.id not in moved):
                    closed_ids.add(c.case_id)
                    closed.append({"b_id": c.case_id})
                    history.append({"case_id": c.case_id, "date": ctx.run_date, "idrs": c.resolved_by,
                                    "text": f"CLOSED URC 6 CCC 3 - TC 971 AC 111 CYC {ctx.cycle}"[:80]})
                    ctx.report.released.append((c.seq, "6"))
                    moved.add(c.id)
                    moves.append(move(c, "32"))
                    break
        elif r.mft == "32":
            for t in on_32.get(r.module_id, []):
                if t.id not in moved and derive.dln_digits(t.dln) == dln:
                    moved.add(t.id)
                    moves.append(move(t, "30"))
                    break
    if closed:
        ctx.session.flush()
        conn = ctx.session.connection()
        case_t, hist_t = Unpostable.__table__, UnpostableHistory.__table__
        assert isinstance(case_t, Table) and isinstance(hist_t, Table)
        conn.execute(case_t.update().where(case_t.c.id == bindparam("b_id")).values(
            urc="6", ccc="3", resolved_date=ctx.run_date, status="closed", released=True, status_date=ctx.run_date),
            closed)
        conn.execute(hist_t.insert(), history)
    move_returns(ctx, moves, select(Transaction.entity_id).where(*ctx.due_conditions(), *ac111))


@rule("resequence_ac052", 60)
def resequence_ac052(ctx: CycleContext) -> None:
    """TC 971 AC 052 resequences the TC 150 for 14 days = 2 cycles (IRM 25.25.6.1.7 table;
    25.25.6.5.1.2.2).  With a TPP hold the resequence applies after the UP 126 is
    resolved -- this rule runs after the UP 126 check, so a held return unposts first
    and is resequenced when released.  Once per return; TXMOD shows it as RS.
    """
    marker = _MARKER
    stmt = (
        select(Transaction, marker)
        .join(marker, and_(
            marker.module_id == Transaction.module_id,
            marker.tc == 971,
            marker.ac == 52,
            marker.reversed_by_id.is_(None),
            or_(marker.status == POSTED, and_(*ctx.due_conditions(marker))),
        ))
        .where(*ctx.due_conditions(), Transaction.tc == 150)
        .order_by(Transaction.id)
    )
    _load_due_accounts(ctx, Transaction.tc == 150, select(marker.id).where(
        marker.module_id == Transaction.module_id, marker.tc == 971, marker.ac == 52).exists())
    done: set[int] = set()
    for ret, m in ctx.session.execute(ctx.live(stmt)).all():
        if ret.id in done or (ret.extra or {}).get("resequenced_052") or not derive.ac052_matches(m, ret.dln):
            continue
        done.add(ret.id)
        ret.due_cycle = cal.add_cycles(ctx.cycle, 2)
        _extra(ret, resequenced_052=ctx.cycle)
        mod = ret.module
        ctx.report.resequenced.append((ret.entity.tin, mod.mft, mod.period, ret.tc, ret.due_cycle))


def _credit_insert(ctx: CycleContext, key: str, tc: int) -> None:
    value = cast(Transaction.document[key].as_string(), Numeric(14, 2))
    src = (
        select(
            Transaction.entity_id, Transaction.module_id, literal(tc), value, Transaction.trans_date,
            literal(POSTED), literal(ctx.cycle), literal(ctx.cycle), literal(ctx.cycle), literal(0),
            literal({"generated": "return", "key": key}, JSON),
        )
        .where(*ctx.due_conditions(), Transaction.tc == 150, value > 0)
    )
    cols = ["entity_id", "module_id", "tc", "amount", "trans_date", "status", "input_cycle", "due_cycle",
            "posting_cycle", "post_delay", "extra"]
    ctx.session.execute(insert(Transaction).from_select(cols, ctx.live(src)))


@rule("return_credits", 80)
def return_credits(ctx: CycleContext) -> None:
    """The credits claimed on a return post with it: withholding as TC 806, refundable
    credits as TC 766 (Document 6209 §8A, reference §5.1).  Set-based INSERT ... SELECT
    from the return documents (`withholding`, `refundable_credits`) of returns due now.

    They are made posted, in this cycle: the return they come from is due and nothing
    between here and post_due can unpost it.  post_due reports them after the pending
    input (they are the newest rows: `credits_after` is the highest id before them), so a
    bulk run neither indexes them as pending nor updates them a second time.
    """
    ctx.session.flush()
    ctx.credits_after = ctx.session.execute(select(func.coalesce(func.max(Transaction.id), 0))).scalar_one()
    _credit_insert(ctx, "withholding", 806)
    _credit_insert(ctx, "refundable_credits", 766)


def _driver_chunks(conn: Any, stmt: Any, size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `stmt`, executed on the run's connection, straight from the driver's
    cursor `size` at a time: plain tuples, neither ORM nor Row objects, no type conversion
    (a bulk run reads hundreds of thousands of rows whose values need none)."""
    result = conn.execute(stmt)
    try:
        while chunk := result.cursor.fetchmany(size):
            yield chunk
    finally:
        result.close()


def _report_posted(ctx: CycleContext, conn: Any, stmt: Any) -> int:
    """Put the rows of `stmt` (id, TIN, MFT, period, TC, AC, module id) in the report as
    posted, and in `ctx.posted_chunks`; returns how many there were."""
    posted, share = ctx.report.posted, ctx.shared.setdefault
    before = len(posted)
    for chunk in _driver_chunks(conn, stmt):
        ids, tins, mfts, periods, tcs, acs, mods = zip(*chunk)
        ctx.posted_chunks.append((ids, tcs, mods))
        ctx.posted_tcs.update(tcs)
        posted.extend(zip(tins, map(share, mfts, mfts), map(share, periods, periods), map(share, tcs, tcs), acs))
    return len(posted) - before


@rule("post_due", 100)
def post_due(ctx: CycleContext) -> None:
    """Everything still due posts: one UPDATE (DESIGN: set-based).  IRM 3.30.123: input
    reaches the master file in the weekly run; dead cycles (IMF 01-03, BMF 01-02,
    IRM 3.30.123.4.7) post nothing and their items wait for the first live cycle.
    """
    ctx.session.flush()
    conn = ctx.session.connection()
    conds = ctx.due_conditions()
    # When everything due is due in one and the same cycle (the usual case: last week's
    # input), the rows are selected by that cycle: the same rows, which SQLite then reads in
    # id order straight from the (status, due_cycle) index instead of sorting them all first.
    dues = conn.execute(select(Transaction.due_cycle).where(*conds).distinct().limit(2)).scalars().all()
    read = conds if len(dues) != 1 else [Transaction.status == PENDING, Transaction.due_cycle == dues[0]]
    # Read straight from the driver (`_driver_chunks`); the rows become report tuples with
    # the few distinct MFT / period / TC values shared (`ctx.shared`), so that a 1M-module
    # run holds one small tuple per posting rather than every row twice over.
    rows = (
        select(Transaction.id, Entity.tin, TaxModule.mft, TaxModule.period, Transaction.tc, Transaction.ac,
               Transaction.module_id)
        .join(Entity, Entity.id == Transaction.entity_id)
        .outerjoin(TaxModule, TaxModule.id == Transaction.module_id)
        .order_by(Transaction.id)
    )
    pending = _report_posted(ctx, conn, ctx.live(rows.where(*read))) if dues else 0
    if ctx.credits_after is not None:  # return_credits' TC 806/766, made posted after every pending row
        _report_posted(ctx, conn, rows.where(Transaction.id > ctx.credits_after, Transaction.status == POSTED,
                                             Transaction.posting_cycle == ctx.cycle))
    if not pending:
        return
    ctx.session.execute(
        ctx.live(update(Transaction).where(*conds)).values(status=POSTED, posting_cycle=ctx.cycle),
        execution_options={"synchronize_session": False},
    )
    ctx.session.expire_all()


@rule("entity_changes", 115)
def entity_changes(ctx: CycleContext) -> None:
    """A posted TC 014 (address change, input with INCHG) replaces the entity's address
    with the lines it carries (Document 6209 §8A: TC 014 address change; IRM 2.3.15)."""
    posted_now = ctx.posted_ids([14])  # only what post_due posted is looked at
    if not posted_now:
        return
    from .preload import load_entities

    now = (Transaction.posting_cycle == ctx.cycle, Transaction.status == POSTED, Transaction.tc == 14)
    ctx.loaded.append(load_entities(ctx.session, select(Transaction.entity_id).where(*now)))
    stmt = select(Transaction).where(*now).order_by(Transaction.id)
    for txn in ctx.session.scalars(stmt):
        if txn.id not in posted_now:
            continue
        lines = (txn.extra or {}).get("address")
        if lines:
            txn.entity.address = list(lines)


@rule("establish_entities", 120)
def establish_entities(ctx: CycleContext) -> None:
    """A posted return establishes its entity (first-time filer; the TC 000 that IDRS
    generates is not shown) -- after that REQ77 may input TC 971/972 (tpp-rules §9.1)."""
    ctx.session.flush()
    # Only entities not yet established can change: when there are none (the usual case),
    # the posted transactions are not read to list the filers.
    if ctx.session.execute(select(Entity.id).where(Entity.established.is_(False)).limit(1)).first() is not None:
        filers = select(Transaction.entity_id).where(
            Transaction.tc == 150, Transaction.status == POSTED, Transaction.posting_cycle == ctx.cycle
        )
        ctx.session.execute(
            update(Entity).where(Entity.established.is_(False), Entity.id.in_(filers)).values(established=True),
            execution_options={"synchronize_session": False},
        )
    ctx.session.expire_all()


_HOLD_TCS = freeze_rules.FREEZE_TCS
_HOLD_ACS = freeze_rules.FREEZE_ACS


def _sql_literal(value: int | str | dt.date) -> str:
    """A SQL literal for a constant this module controls (digits, status words, dates)."""
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.date) else value
    if not re.fullmatch(r"[\w-]*", text):
        raise ValueError(f"not a safe literal: {text!r}")
    return f"'{text}'"


_CENT = Decimal("0.01")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


def _insert_rows(conn: Any, stmt: Any, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """executemany of `stmt` with one tuple per row (values in the order of `names`).

    Where the driver takes positional parameters (SQLite), the compiled statement goes to
    the driver in one call, each value through its column type's bind conversion: Core's
    executemany builds a parameter dict per row, which cost as much as the insert itself
    for the refunds of a large run.  Other drivers take Core's path.
    """
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=list(names))
    order = compiled.positiontup if compiled.positional else None
    if not order or sorted(order) != sorted(names):  # e.g. a column default to compute: Core's path
        conn.execute(stmt, [dict(zip(names, row)) for row in rows])
        return
    columns = stmt.table.c
    procs = [columns[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    index = [names.index(n) for n in order]
    if any(procs) or index != list(range(len(names))):
        # Column by column: only the columns with a bind conversion are converted.
        values = list(zip(*rows))
        for i, proc in enumerate(procs):
            if proc is not None:
                values[i] = tuple(v if v is None else proc(v) for v in values[i])
        rows = list(zip(*(values[i] for i in index)))
    conn.exec_driver_sql(str(compiled), rows)


def _truthy_json(text: str | None) -> bool:
    return text is not None and text.strip() not in ("", "null", "{}", "[]", "false", "0")


#: Up to this many postings in a run, issue_refunds sums the touched modules only.
_FEW_POSTINGS = 5_000


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
    r = _RETURN
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
    # Straight from the driver (flushed above): no Decimal conversion of the sum either,
    # each amount is made a Decimal once, below.
    conn = s.connection()
    credits = [row for chunk in _driver_chunks(conn, stmt) for row in chunk]
    if not credits:
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
    rows: list[tuple[int, int, Decimal, str]] = []  # (entity_id, module_id, amount, refund_method)
    if credits:
        # Column by column (a 1M-module run refunds a third of a million modules).
        mids, eids, tins, mfts, periods, raws, _suspects, dds = zip(*credits)
        mfts, periods = tuple(map(share, mfts, mfts)), tuple(map(share, periods, periods))
        amounts = [-_dec(raw) for raw in raws]
        methods = [
            "direct_deposit" if _truthy_json(dd) and mid not in flip_modules and eid not in flip_entities else "check"
            for mid, eid, dd in zip(mids, eids, dds)
        ]
        rows = list(zip(eids, mids, amounts, methods))
        refunds.extend(zip(tins, mfts, periods, amounts, methods))
        posted_lines.extend(zip(tins, mfts, periods, repeat(846), repeat(None)))
    if rows:
        # The constant columns are rendered into the statement, so only four parameters per
        # row are bound (no ORM bookkeeping, no JSON per row).
        table = Transaction.__table__
        assert isinstance(table, Table)
        const: dict[str, int | str | dt.date] = {
            "tc": 846, "trans_date": ctx.run_date, "status": POSTED, "input_cycle": ctx.cycle,
            "due_cycle": ctx.cycle, "posting_cycle": ctx.cycle, "post_delay": 0,
        }
        refund_insert = table.insert().values(
            **{k: literal_column(_sql_literal(v)) for k, v in const.items()},
            extra=literal_column("""'{"generated": "refund"}'"""),  # untyped literal: JSON on every dialect
        )
        _insert_rows(conn, refund_insert, ("entity_id", "module_id", "amount", "refund_method"), rows)
        s.expire_all()


def rule_names(rules: Iterable[Rule] | None = None) -> list[str]:
    return [r.name for r in (rules if rules is not None else rules_in_order())]
