"""``idrs-sim cycle``: advance to the next posting cycle and post, N times, and its report."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from .common import UsageError, _is_database_error, _simulator, output_problem


def cmd_cycle(args: argparse.Namespace) -> int:
    from ..posting.report import progress, write_reports

    with _report_file(getattr(args, "report", None), getattr(args, "db", None)) as report_file, _simulator(args) as sim:
        if sim.in_memory:  # said once the set-up held: a usage error stays one line
            print("idrs-sim cycle: no --db, so this runs on an in-memory copy and nothing is kept",
                  file=sys.stderr)
        done: list[Any] = []

        def committed(report: Any) -> None:  # printed as it commits: a later failure cannot hide it
            done.append(report)
            write_reports([report], sys.stdout, verbose=args.verbose, report_file=report_file)
            sys.stdout.flush()

        try:
            # One cycle shows a progress line on a terminal while it posts; several print
            # a summary as each commits, which is their progress.
            with progress("idrs-sim cycle: posting 1 cycle") if args.count == 1 else contextlib.nullcontext():
                sim.cycle(args.count, on_commit=committed)
        except BaseException as exc:
            from ..simulator import CycleCountError

            if isinstance(exc, CycleCountError):  # refused before any cycle ran: nothing to resume
                raise UsageError(str(exc)) from None
            if args.count > 1 or done:
                stopped = _stopped_line(sim, done, args.count)
                from ..simulator import SimulatorError

                if isinstance(exc, (UsageError, SimulatorError)) or (isinstance(exc, Exception) and _is_database_error(exc)):
                    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                    raise UsageError(f"{stopped}: {reason}") from None
                print(f"idrs-sim cycle: {stopped}", file=sys.stderr, flush=True)
            raise
    return 0

def _stopped_line(sim: Any, done: list[Any], count: int) -> str:
    """Where a `cycle --count N` stopped: what committed, what did not, how to go on."""
    last = getattr(done[-1], "cycle", "?") if done else None
    committed = (f"{len(done)} of {count} cycles committed (the last {last})" if done
                 else f"0 of {count} cycles committed")
    left = count - len(done)
    again = f"'idrs-sim cycle --count {left}'" + (f" (not --count {count})" if done else "")
    return f"stopped after {committed}; the clock stands on cycle {sim.clock.cycle}; to finish, run {again}"


@contextlib.contextmanager
def _report_file(path: str | None, db: str | None = None) -> Iterator[TextIO | None]:
    """The --report file, opened before the run so a bad path changes nothing."""
    if not path:
        yield None
        return
    problem = output_problem(path, db)
    if problem is not None:
        raise UsageError(f"--report {problem}")
    try:
        handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    with handle:
        yield handle


def format_report(report: Any) -> str:
    """A posting run as text: its summary line, then what posted and what went unpostable."""
    from ..posting.report import detail

    return detail(report)
