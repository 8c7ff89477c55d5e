"""What a posting rule sees, and the registry of rules the posting run applies in order.

Each rule is registered with a name and an order number (`@rule("name", order)`), cites
its IRM source in its docstring, and works on the whole set of due transactions at
once where it can (a SQL statement), object by object only for the few rows that need
logic.  A new IRM rule is a new function in the module of its family plus a test, never
an edit inside another rule.  Order numbers leave gaps so that later rules slot in
between.  The rules, in order, and the module of each family:

    10  release_resolutions       UPRES resolutions whose release cycle has come     unpostables.py
    20  unpost_tpp_126            return held by TC 971 AC 124/121 -> UP 126 RC 0    unpostables.py
    30  unpost_document           return whose document names an unpostable         unpostables.py
    40  unpost_ac111              TC 971 AC 111 in cycles 47-52 / after a merge      tpp_mft32.py
    45  refuse_ac111_prior_years  AC 111 on MFT 32 for TY 2021 and prior             tpp_mft32.py
    50  move_mft32                TC 971 AC 111 moves the return to / from MFT 32    tpp_mft32.py
    55  divert_ac111_return       a return an AC 111 names goes to MFT 32            tpp_mft32.py
    60  resequence_ac052          TC 971 AC 052 resequences the return 2 cycles      resequence.py
    65, 69                        TC 971/972 AC 505                                  breach.py
    70  match_tc972               TC 972 reverses its TC 971, or goes unpostable     reversals.py
    80  return_credits            a return's withholding / refundable credits        returns.py
   100  post_due                  everything still due posts (one UPDATE)            returns.py
   110  link_reversals            TC 137/421/521/571/807/811... reverse originals    reversals.py
   115  entity_changes            a posted TC 014 changes the address                entities.py
   120  establish_entities        a posted return establishes its entity             entities.py
   130, 900, 910                  FTD filing requirements, FTD alerts, Bal Due       ftd_alerts.py
   200  issue_refunds             credit balance, no hold -> TC 846                  refunds.py

`run.RULE_MODULES` lists the modules; `rules_in_order()` imports them all before it
lists the rules, so the registry is complete whoever asks.

Every rule issues the same statements whatever the number of inputs (issue 19,
tests/test_posting_statements.py): rows read in one statement and written in bulk
(bulk.py, moves.py, sqlhelp.py), or the accounts a rule walks loaded in a few statements
(preload.py).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from ..digits import is_digits
from ..masterfile import derive
from ..masterfile.models import (
    PENDING,
    UNPOSTABLE,
    Entity,
    SimState,
    Transaction,
    Unpostable,
    UnpostableHistory,
)
from .outcomes import KEYS, Outcomes

__all__ = [
    "CycleReport",
    "CycleContext",
    "Rule",
    "RULES",
    "rule",
    "rules_in_order",
    "rule_names",
    "set_extra",
    "DEFAULT_UNPOSTABLE_ASSIGNEE",
    "UNPOSTABLE_ASSIGNEES",
]

#: IDRS number of the unpostable function a new case is assigned to.  Override in the
#: database with SimState keys `unpostable_assignee.<UPC>` or `unpostable_assignee`.
DEFAULT_UNPOSTABLE_ASSIGNEE = "0912345678"
UNPOSTABLE_ASSIGNEES: dict[int, str] = {}


@dataclass
class CycleReport:
    """What one posting run did.  Each kind of line is an `Outcomes` of plain tuples --
    counted by its key (outcomes.KEYS) and spooled to a temporary file, so that a run of a
    million postings does not hold a million tuples; it iterates, compares and indexes
    like a list (lists given to the constructor become Outcomes):

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
    posted: Outcomes = field(default_factory=lambda: Outcomes(KEYS["posted"]))
    unposted: Outcomes = field(default_factory=lambda: Outcomes(KEYS["unposted"]))
    refunds: Outcomes = field(default_factory=lambda: Outcomes(KEYS["refunds"]))
    held: Outcomes = field(default_factory=lambda: Outcomes(KEYS["held"]))
    released: Outcomes = field(default_factory=lambda: Outcomes(KEYS["released"]))
    resequenced: Outcomes = field(default_factory=lambda: Outcomes(KEYS["resequenced"]))
    moved: Outcomes = field(default_factory=lambda: Outcomes(KEYS["moved"]))
    alerts: Outcomes = field(default_factory=lambda: Outcomes(KEYS["alerts"]))
    dead_files: tuple[str, ...] = ()
    already_ran: bool = False

    def __post_init__(self) -> None:
        for kind, key in KEYS.items():
            lines = getattr(self, kind)
            if not isinstance(lines, Outcomes):
                setattr(self, kind, Outcomes(key, lines))

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
    #: What post_due posted, as the (ids, TCs, module ids) columns it read them in, each an
    #: array of machine integers (module id 0: an entity transaction): `posted_ids` and
    #: `touched_modules` build sets from them only when asked (a set of every id of a
    #: 1M-module run cost a third of a second and was never looked at).
    posted_chunks: list[tuple[array[int], array[int], array[int]]] = field(default_factory=list)
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
        return {m for _ids, _codes, mods in self.posted_chunks for m in mods if m}

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
    """Every registered rule in the order the run applies them (the rule modules loaded first)."""
    from .run import load_rule_modules

    load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.order, r.name))


def rule_names(rules: Iterable[Rule] | None = None) -> list[str]:
    return [r.name for r in (rules if rules is not None else rules_in_order())]


def set_extra(t: Transaction, **changes: Any) -> None:
    """Update the JSON `extra` by reassignment (in-place changes are not tracked)."""
    t.extra = {**(t.extra or {}), **changes}
