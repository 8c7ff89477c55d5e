"""HELP on the terminal: titles never cut inside a word, and line 1 echoes what was typed."""

from __future__ import annotations

from idrs_sim import commands
from idrs_sim.cc.system import CODE_WIDTH, TITLE_WIDTH
from idrs_sim.testing import IdrsTest

INSTRUCTOR = "1485099999"  # runs the most codes: the longest list


def help_list(sim: IdrsTest) -> list[str]:
    """Every list line of HELP, page after page (PF8)."""
    sim.command("HELP")
    rows: list[str] = []
    while True:
        rows += [sim.line(r).rstrip() for r in range(4, 23) if sim.line(r).strip()]
        last = sim.line(23).strip()
        if last != "HELP CONTINUED BELOW":
            if last:
                rows.append(sim.line(23).rstrip())
            return rows
        sim.pf(8)


def test_every_title_is_shown_whole() -> None:
    with IdrsTest() as sim:
        sim.sign_on(INSTRUCTOR)
        rows = help_list(sim)
        titles: dict[str, list[str]] = {}
        code = ""
        for row in rows:
            if row[:CODE_WIDTH].strip():
                code = row[:CODE_WIDTH].strip()
                titles[code] = [row[CODE_WIDTH + 1:CODE_WIDTH + 1 + TITLE_WIDTH].strip()]
            else:
                titles[code].append(row[CODE_WIDTH + 1:].strip())
        defs = commands.definitions()
        assert len(titles) > 20
        for code, parts in titles.items():
            assert " ".join(parts) == defs[code].title, code  # nothing lost, nothing cut
        long = [c for c, d in defs.items() if c in titles and len(d.title) > TITLE_WIDTH]
        assert long, "the list has titles longer than their column"


def test_help_with_a_definer_echoes_what_was_typed() -> None:
    with IdrsTest() as sim:
        sim.sign_on("1485012345")
        sim.command("HELP TXMODA")
        assert sim.line(1).rstrip() == "HELP TXMODA"
        assert sim.line(2).strip() == commands.definitions()["TXMOD"].title.upper()
        sim.command("HELP XYZZYQ")
        assert sim.message.strip() == "INVALID COMMAND CODE"
        assert sim.line(1)[1:].rstrip() == "HELP XYZZYQ*"  # * right of the whole word
