"""The cycle report writes action codes as IDRS does everywhere else: three digits."""

from __future__ import annotations

from idrs_sim import cli
from idrs_sim.cc.display import ac3
from idrs_sim.posting import CycleReport


def test_action_codes_have_three_digits() -> None:
    report = CycleReport(cycle="202426", posted=[("400-00-1001", "30", "202312", 971, 46),
                                                 ("400-00-1001", None, None, 971, 5),
                                                 ("400-00-1001", "30", "202312", 150, None)])
    lines = cli.format_report(report).splitlines()
    assert lines[1].endswith("TC 971 AC 046")
    assert lines[2].endswith("TC 971 AC 005")
    assert lines[3].endswith("TC 150")  # no action code, no AC
    assert ac3(46) == "046" and ac3(None) == ""
