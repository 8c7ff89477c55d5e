"""A section heading never stands alone at the foot of a page (TXMODA page 2 kept its
"CONTROL BASE AND HISTORY" heading only on page 1, leaving "NONE" alone on page 2)."""

from __future__ import annotations

from idrs_sim.terminal.screenmap import is_heading, page_starts
from idrs_sim.testing import IdrsTest


def pages(lines: list[str], cap: int) -> list[list[str]]:
    starts = page_starts(lines, cap)
    ends = [*starts[1:], len(lines)]
    return [lines[a:b] for a, b in zip(starts, ends)]


def test_plain_lines_fill_every_page() -> None:
    lines = [f"L{i}" for i in range(10)]
    assert [len(p) for p in pages(lines, 4)] == [4, 4, 2]


def test_a_heading_with_one_line_goes_over_with_it() -> None:
    lines = ["A", "B", "C", "--- S ---", "NONE"]
    assert pages(lines, 4) == [["A", "B", "C"], ["--- S ---", "NONE"]]


def test_a_heading_keeps_its_column_header_and_first_entry() -> None:
    lines = ["A", "B", "--- S ---", "COLS", "E1", "E2"]
    assert pages(lines, 4) == [["A", "B"], ["--- S ---", "COLS", "E1", "E2"]]
    lines = ["A", "--- S ---", "COLS", "E1", "E2", "E3"]
    assert pages(lines, 4) == [["A", "--- S ---", "COLS", "E1"], ["E2", "E3"]]


def test_a_page_is_never_empty() -> None:
    lines = ["--- S ---", "COLS", "E1", "E2", "E3"]
    assert pages(lines, 2) == [["--- S ---", "COLS"], ["E1", "E2"], ["E3"]]
    assert is_heading("--- POSTED TRANSACTIONS ---") and not is_heading("------------")


def test_txmoda_page_two_opens_with_its_heading() -> None:
    with IdrsTest() as sim:
        sim.sign_on("1485012345").command("TXMODA 400-00-1001 30 202312")
        assert "PAGE>001/002" in sim.line(2)
        assert not is_heading(sim.line(22)), "no heading left at the foot of page 1"
        sim.pf(8)
        assert "PAGE>002/002" in sim.line(2)
        assert sim.line(16).strip() == "--- CONTROL BASE AND HISTORY SECTION ---"
        assert sim.line(17).strip() == "NONE"


def test_a_one_page_display_says_page_001_of_001() -> None:
    """A paged display that fits on one page numbers it as the longer ones do (PAGE>001/001);
    PF8 there says so on line 24."""
    with IdrsTest() as sim:
        sim.sign_on("1485012345").command("ENMOD 400-00-1001")
        assert "PAGE>001/001" in sim.line(2)
        sim.pf(8)
        assert sim.line(24).strip() == "NO MORE PAGES" and "PAGE>001/001" in sim.line(2)
