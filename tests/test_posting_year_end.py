"""Two cycles apart across the year end (IRM 25.25.6.5.1.1 (5), 25.25.6.5.1.2.1; decision TPP-22).

A TC 971 AC 850 flips a direct deposit to a paper check only if it posts before the refund,
hence REL-CYC = current cycle + 2 on UPRES and POST-DELAY 1 on the TC 290 .00.  Nothing posts
in the dead cycles (IMF 01-03), so in the last week of the year the count must be of posting
cycles: otherwise the AC 850 and the return (or the TC 290) post together in 202504 and the
refund goes by direct deposit, against the procedure.
"""

from __future__ import annotations

import io
from pathlib import Path

from idrs_sim import replay
from idrs_sim.posting import calendar as cal

UPRES_AC850 = """\
Load(tpp/valid_return_up126_direct_deposit)
Date(2024-12-26)
SignOn(1485012345)
String("UPDIS 000000102")
Enter
Clear
String("UPASGR 000000102")
Enter
Fill("URC", "0")
Fill("REL-CYC", "{rel}")
Enter
{expect}
"""

AFTER = """\
Clear
String("REQ77 400-00-1002 30 202312")
Enter
Fill("TC", "971")
Fill("TC971/151", "850")
Enter
ExpectMatch(10, "POSTS IN CYCLE 202504")
Cycle(5)
Clear
String("IMFOLT 400-00-1002 30 202312")
Enter
ExpectMatch(7, "^971 .* 202504 .* 850")
ExpectMatch(8, "^150 .* 202505 ")
Expect("PAPER CHECK")
"""

TC290_DELAYED = """\
Load(tpp/posted_ac129_refund_held_direct_deposit)
Date(2024-12-26)
SignOn(1485012345)
String("REQ77 400-00-1101 30 202312")
Enter
Fill("TC", "971")
Fill("TC971/151", "850")
Enter
Fill("TC", "972")
Fill("TC971/151", "129")
Fill("MISC", "301014_NONIDT")
Enter
Clear
String("TXMODA 400-00-1101 30 202312")
Enter
Clear
String("REQ54")
Enter
Fill("TC", "290")
Fill("AMOUNT", ".00")
Fill("POST-DELAY", "1")
Enter
ExpectMatch(10, "POSTS IN CYCLE 202505")
Cycle(8)
Clear
String("IMFOLT 400-00-1101 30 202312")
Enter
ExpectMatch(11, "^290 .* 202505 ")
ExpectMatch(12, "^846 .* 202505 .*PAPER CHECK")
"""


def _replay(tmp_path: Path, text: str) -> tuple[int, str]:
    script = tmp_path / "s.txt"
    script.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    rc = replay.run([script], out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


def test_posting_cycles_skip_the_dead_cycles() -> None:
    assert cal.add_posting_cycles("202452", 1, "IMF") == "202504"
    assert cal.add_posting_cycles("202452", 2, "IMF") == "202505"
    assert cal.add_posting_cycles("202452", 2, "BMF") == "202504"
    assert cal.add_posting_cycles("202425", 2, "IMF") == "202427"  # no dead cycle between


def test_rel_cyc_in_a_dead_cycle_is_refused(tmp_path: Path) -> None:
    text = UPRES_AC850.format(rel="202502",
                              expect='ExpectLine(24, "REL-CYC 202502 IS A DEAD CYCLE - CURRENT + 2 POSTING CYCLES IS 202505")')
    rc, out = _replay(tmp_path, text)
    assert rc == 0, out


def test_two_posting_cycles_at_the_year_end_flip_the_direct_deposit(tmp_path: Path) -> None:
    text = UPRES_AC850.format(rel="202505", expect='Expect("RELEASED TO POSTING IN CYCLE 202505")') + AFTER
    rc, out = _replay(tmp_path, text)
    assert rc == 0, out


def test_tc290_post_delayed_at_the_year_end_posts_after_the_ac850(tmp_path: Path) -> None:
    rc, out = _replay(tmp_path, TC290_DELAYED)
    assert rc == 0, out
