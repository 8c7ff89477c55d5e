"""`idrs-sim cycle` reports like a batch job (issue 19): a summary per cycle by default,
every line with -v or in a --report file, a progress line only on a terminal."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from idrs_sim.posting import CycleReport
from idrs_sim.posting.report import progress, summary_lines, write_reports

REPORT = CycleReport(
    cycle="202426",
    posted=[("400-00-1001", "30", "202312", 972, 124), ("400-00-1002", "30", "202312", 972, 124),
            ("400-00-1003", "30", "202312", 150, None), ("99-3000001", "01", "202406", 971, 46)],
    unposted=[("400-00-1004", "30", "202312", 150, 126, 0)],
    refunds=[("400-00-1003", "30", "202312", "150.00", "direct_deposit")],
    held=[("400-00-1005", "30", "202312", "-R")],
    released=[("000000001", "0")],
)


def test_summary_counts_by_outcome_and_tc() -> None:
    lines = summary_lines(REPORT)
    assert lines[0].startswith("CYCLE 202426: 4 POSTED, 1 UNPOSTABLE")
    assert "  POSTED      TC 150: 1, TC 971: 1, TC 972: 2" in lines
    assert "  UNPOSTABLE  TC 150 UPC 126 RC 0: 1" in lines
    assert "  REFUND      DIRECT DEPOSIT: 1" in lines
    assert "  HELD        -R: 1" in lines
    assert "  RELEASED    URC 0: 1" in lines
    assert not any("400-00-" in ln for ln in lines)  # no line per input


def test_every_line_with_verbose_and_in_the_report_file() -> None:
    out, every = io.StringIO(), io.StringIO()
    write_reports([REPORT], out, report_file=every)
    assert "400-00-1001" not in out.getvalue()
    lines = every.getvalue().splitlines()
    assert "  POSTED      400-00-1002 30 202312  TC 972 AC 124" in lines
    assert "  POSTED      99-3000001 01 202406  TC 971 AC 046" in lines  # action codes in three digits
    assert "  UNPOSTABLE  400-00-1004 30 202312  TC 150  UPC 126 RC 0" in lines
    verbose = io.StringIO()
    write_reports([REPORT], verbose, verbose=True)
    assert verbose.getvalue() == every.getvalue()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only_after_the_threshold() -> None:
    tty = _Tty()
    with progress("posting", tty, after=0.05, every=0.01):
        time.sleep(0.3)
    assert "posting ..." in tty.getvalue()
    assert tty.getvalue().endswith("\r")  # cleared
    quick = _Tty()
    with progress("posting", quick, after=5.0):
        pass
    assert quick.getvalue() == ""
    pipe = io.StringIO()  # not a terminal: never anything
    with progress("posting", pipe, after=0.0, every=0.01):
        time.sleep(0.05)
    assert pipe.getvalue() == ""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "idrs_sim.cli", *args], check=False, capture_output=True,
                          text=True, timeout=120)


def test_cycle_command_summary_and_report_file(tmp_path: Path) -> None:
    report = tmp_path / "cycle.txt"
    done = _cli("cycle", "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CYCLE ")
    assert "\r" not in done.stderr  # not a terminal: no progress line
    text = report.read_text()
    assert text.splitlines()[0] == done.stdout.splitlines()[0]
    posted = int(done.stdout.split(": ", 1)[1].split(" POSTED")[0])
    assert sum(ln.startswith("  POSTED ") for ln in text.splitlines()) == posted


def test_cycle_report_to_a_path_that_cannot_be_written(tmp_path: Path) -> None:
    done = _cli("cycle", "--report", str(tmp_path / "no" / "such" / "dir.txt"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("idrs-sim cycle: --report no directory ")
