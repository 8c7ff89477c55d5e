"""What `idrs-sim cycle` prints: a batch job's output (issue 19).

By default one summary per cycle: its summary line, then the counts by outcome and
transaction code (a 20,000-input cycle is a dozen lines, not 20,000).  Every line --
each posting, unpostable, refund, hold, release -- goes to a report file (`--report
FILE`) or, with `-v`, to standard output.  On a terminal, a run that takes more than a
second shows a progress line on standard error (elapsed time; cleared when done); when
the output is not a terminal nothing is shown, so scripts and logs stay clean.

The summary comes from the counts the report keeps as lines are added; the lines
themselves are spooled to temporary files (`posting.outcomes`) and read back only to be
written here, so a run of a million postings holds neither.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from .outcomes import KEYS

__all__ = ["detail", "detail_lines", "progress", "summary", "summary_lines"]


def _module(tin: Any, mft: Any, period: Any) -> str:
    return f"{tin} {mft or '--'} {period or '------'}"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in sorted(counter.items()))


def _tc(tc: Any, ac: Any = None) -> str:
    return f"TC {tc:03d}" + (f" AC {ac:03d}" if ac is not None else "") if isinstance(tc, int) else f"TC {tc}"


def _count(report: Any, kind: str, label: Callable[[Any], str]) -> Counter[str]:
    """The lines of one kind counted by their summary label: from the counts the report
    kept (outcomes.Outcomes) without reading its lines back, else from the lines."""
    lines = getattr(report, kind, ())
    counts = getattr(lines, "counts", None)
    key = KEYS[kind]
    if not callable(counts) or key is None:
        return Counter(label(key(line) if key is not None else line) for line in lines)
    out: Counter[str] = Counter()
    for value, n in counts().items():
        out[label(value)] += n
    return out


def summary_lines(report: Any) -> list[str]:
    """The summary line, then one line per outcome with its counts by TC (UPC for
    unpostables, method for refunds, freeze for holds, URC for releases)."""
    head = getattr(report, "summary", None)
    lines = [head() if callable(head) else str(report)]
    groups: list[tuple[str, Counter[str]]] = [
        ("POSTED", _count(report, "posted", _tc)),
        ("UNPOSTABLE", _count(report, "unposted", lambda k: f"{_tc(k[0])} UPC {k[1]} RC {k[2]}")),
        ("REFUND", _count(report, "refunds", lambda m: str(m).upper().replace("_", " "))),
        ("HELD", _count(report, "held", str)),
        ("RELEASED", _count(report, "released", lambda urc: f"URC {urc}")),
        ("MOVED", _count(report, "moved", lambda k: f"MFT {k[0] or '--'} TO {k[1]}")),
        ("RESEQUENCED", _count(report, "resequenced", _tc)),
    ]
    alerts = getattr(report, "alerts", ())
    for name, counter in groups:
        if counter:
            lines.append(f"  {name:<12}{_counts(counter)}")
    if alerts:
        lines.append(f"  {'ALERTS':<12}{len(alerts)}")
    return lines


def detail_lines(report: Any) -> Iterator[str]:
    """Every line of a posting run: the summary line, then what posted, what went
    unpostable, the refunds, the holds and the releases, one line each."""
    from ..cc.display import ac3  # the one place action codes are formatted (AC 046)

    head = getattr(report, "summary", None)
    yield head() if callable(head) else str(report)
    for tin, mft, period, tc, ac, *_ in getattr(report, "posted", ()):
        yield f"  POSTED      {_module(tin, mft, period)}  TC {tc}" + (f" AC {ac3(ac)}" if ac is not None else "")
    for tin, mft, period, tc, upc, rc, *_ in getattr(report, "unposted", ()):
        yield f"  UNPOSTABLE  {_module(tin, mft, period)}  TC {tc}  UPC {upc} RC {rc}"
    for tin, mft, period, amount, method, *_ in getattr(report, "refunds", ()):
        yield f"  REFUND      {_module(tin, mft, period)}  {amount} {str(method).upper().replace('_', ' ')}"
    for tin, mft, period, freeze, *_ in getattr(report, "held", ()):
        yield f"  HELD        {_module(tin, mft, period)}  {freeze}"
    for seq, urc, *_ in getattr(report, "released", ()):
        yield f"  RELEASED    UNPOSTABLE {seq}  URC {urc}"


def summary(report: Any) -> str:
    return "\n".join(summary_lines(report))


def detail(report: Any) -> str:
    return "\n".join(detail_lines(report))


def write_reports(reports: Iterable[Any], out: TextIO, *, verbose: bool = False,
                  report_file: TextIO | None = None) -> None:
    """The summary of each cycle to `out` (every line with `verbose`), every line to
    `report_file` when given."""
    for report in reports:
        out.writelines(line + "\n" for line in (detail_lines(report) if verbose else summary_lines(report)))
        if report_file is not None:
            report_file.writelines(line + "\n" for line in detail_lines(report))


@contextmanager
def progress(label: str, stream: TextIO | None = None, *, after: float = 1.0,
             every: float = 0.25) -> Iterator[None]:
    """Show `label` and the elapsed seconds on `stream` (stderr) while the body runs,
    from `after` seconds on, refreshed every `every` seconds, and clear it at the end --
    only when `stream` is a terminal."""
    stream = stream if stream is not None else sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        yield
        return
    done = threading.Event()
    shown = [False]
    start = time.monotonic()

    def show() -> None:
        if done.wait(after):
            return
        while True:
            stream.write(f"\r{label} ... {time.monotonic() - start:5.1f} s")
            stream.flush()
            shown[0] = True
            if done.wait(every):
                return

    worker = threading.Thread(target=show, name="cycle-progress", daemon=True)
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        if shown[0]:
            stream.write("\r" + " " * (len(label) + 14) + "\r")
            stream.flush()
