"""The posting run: `run_cycle` posts one cycle in one database transaction.

Time model (docs/posting.md): the clock's date lies in the current cycle C.  Terminal
input made in C is stored `pending` with `input_cycle = C` and
`due_cycle = due_cycle_for(C, post_delay) = C + 1 + post_delay`.  `run_cycle(mf, X)`
posts what is due in X or earlier, plus the UPRES resolutions whose release cycle has
come; `advance_and_post` moves the clock to the Friday that opens the next cycle and
runs that cycle (what replay `Cycle` and `idrs-sim cycle` call).

Guarantees (DESIGN "Posting is a pure step"):
* one database transaction per run: an exception in any rule leaves the master file as
  it was before the run (nothing half-posted, no CycleRun row);
* idempotent: a completed run is recorded as a `CycleRun`; running the same cycle again
  returns a report with `already_ran=True` and changes nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..gcpause import cyclic_gc_paused
from ..masterfile.models import PENDING, CycleRun, Transaction
from . import calendar as cal
from .context import CycleContext, CycleReport, Rule, rules_in_order
from .preload import assign_ids

if TYPE_CHECKING:
    import datetime as dt

    from ..masterfile.db import MasterFile

__all__ = ["run_cycle", "run_cycle_in", "advance_and_post", "due_cycle_for", "CycleReport"]

FILES = ("IMF", "BMF")

#: Modules that register posting rules (`@rule`), one family each (context.py lists the
#: rules in order); imported before a run.  A module that does not exist yet is skipped.
RULE_MODULES: list[str] = ["idrs_sim.posting.unpostables", "idrs_sim.posting.resequence",
                            "idrs_sim.posting.returns", "idrs_sim.posting.entities",
                            "idrs_sim.posting.refunds", "idrs_sim.posting.ftd_alerts",
                            "idrs_sim.posting.tpp_mft32", "idrs_sim.posting.breach",
                            "idrs_sim.posting.reversals"]


def load_rule_modules() -> None:
    """Import every module in RULE_MODULES so its rules are registered."""
    for name in RULE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def due_cycle_for(input_cycle: str, post_delay: int = 0, file: str = "IMF") -> str:
    """The cycle in which input made in `input_cycle` to a `file` account is due to post.

    Input reaches the master file in the next weekly run (reference §3.3), plus the
    post-delay in cycles typed on the input screen (POST-DELAY>, tpp-rules §6.1):
    due = input + 1 + post_delay, counted in cycles that post (`add_posting_cycles`: at the
    year end a post-delay still puts the input one posting cycle after the other input).
    """
    delay = max(0, int(post_delay or 0))
    return cal.add_posting_cycles(input_cycle, 1 + delay, file)


def run_cycle_in(
    session: Session,
    cycle: str,
    *,
    now: dt.datetime,
    rules: Sequence[Rule | Callable[[CycleContext], None]] | None = None,
) -> CycleReport:
    """Run cycle `cycle` inside an open session (the caller commits or rolls back)."""
    if session.get(CycleRun, cycle) is not None:
        return CycleReport(cycle=cycle, already_ran=True)
    live = tuple(f for f in FILES if not cal.is_dead_cycle(cycle, f))  # type: ignore[arg-type]
    report = CycleReport(cycle=cycle, dead_files=tuple(f for f in FILES if f not in live))
    ctx = CycleContext(session=session, cycle=cycle, run_date=cal.cycle_start(cycle), live_files=live, report=report)
    # Pending input without a due cycle (hand-made data) is due now.
    session.execute(
        update(Transaction).where(Transaction.status == PENDING, Transaction.due_cycle.is_(None)).values(due_cycle=cycle),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    if rules is None:
        load_rule_modules()
    event.listen(session, "before_flush", assign_ids)
    try:
        for r in rules if rules is not None else rules_in_order():
            r(ctx)
            ctx.loaded.clear()  # what a rule loaded in bulk lives as long as the rule
        session.flush()
    finally:
        event.remove(session, "before_flush", assign_ids)
    session.add(CycleRun(cycle=cycle, ran_at=now, posted=len(report.posted), unposted=len(report.unposted)))
    session.flush()
    return report


def run_cycle(
    mf: MasterFile, cycle: str, *, rules: Sequence[Rule | Callable[[CycleContext], None]] | None = None
) -> CycleReport:
    """Post everything due in `cycle` (YYYYCC) in one transaction; see the module docstring.

    `rules` replaces the registered rule list (tests inject a failing rule with it).
    """
    error = cal.validate_cycle(cycle)
    if error is not None:
        raise ValueError(error)
    with cyclic_gc_paused(), mf.unit_of_work() as session:
        return run_cycle_in(session, cycle, now=mf.clock.now(), rules=rules)


def advance_and_post(
    mf: MasterFile, n: int = 1, on_commit: Callable[[CycleReport], None] | None = None
) -> list[CycleReport]:
    """Move the clock to the Friday opening the next cycle and run that cycle, `n` times.

    Each cycle and the clock that goes with it commit in ONE transaction (issue #16 item
    3): a process killed at any point leaves the clock on the last cycle that committed.
    The clock is read from the database inside that transaction, so a cycle run by another
    process meanwhile is not run again.  `on_commit` hears of each cycle as soon as it has
    committed (the CLI prints it then, so a later failure does not hide what posted).
    """
    reports: list[CycleReport] = []
    for _ in range(max(0, n)):
        before = mf.clock.now()
        try:
            with cyclic_gc_paused(), mf.unit_of_work() as session:
                mf.refresh_clock(session)
                target = cal.add_cycles(mf.clock.cycle, 1)
                mf.clock.set(cal.cycle_start(target))
                report = run_cycle_in(session, target, now=mf.clock.now())
                mf.save_clock(session)
        except BaseException:
            mf.clock.set(before)
            mf.forget_clock()
            raise
        reports.append(report)
        if on_commit is not None:
            on_commit(report)
    return reports


def report_lines(reports: Iterable[CycleReport]) -> list[str]:
    """One summary line per report (for the CLI)."""
    return [r.summary() for r in reports]
