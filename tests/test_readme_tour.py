"""The README as a trainee and a test engineer read it: every step works as written.

The tour table under "## A short tour" is read from README.md and replayed key by key in
the Textual TUI (Textual's pilot, a 80x24 window: the smallest a trainee may have), and
what its right-hand column quotes in backticks must then be on the screen or in the
operator line.  The README's replay snippet is run as a script, and must not claim to be
a file in examples/ unless it is that file.  Edit the README and these tests follow it.
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from idrs_sim import replay
from idrs_sim.front.tui import IdrsApp
from idrs_sim.simulator import Simulator

README = Path(__file__).resolve().parents[1] / "README.md"

# Key names as the README writes them -> Textual key names (the TUI's KEYS map).
KEY_NAMES = {
    "Enter": "enter", "Escape": "escape", "Tab": "tab", "Shift+Tab": "shift+tab", "Home": "home",
    "Ctrl+E": "ctrl+e", "Ctrl+U": "ctrl+u", "Ctrl+R": "ctrl+r", "Ctrl+Q": "ctrl+q", "Ctrl+K": "ctrl+k",
    "PageUp": "pageup", "PageDown": "pagedown", "Insert": "insert",
    **{f"F{n}": f"f{n}" for n in range(1, 13)},
}
_TOKEN = re.compile(r"`([^`]*)`|([A-Za-z][A-Za-z0-9+]*)")


@dataclass
class Step:
    number: int
    keys: list[str]  # Textual key names, one per key press
    shows: list[str]  # texts that must be on the screen (or the operator line) after
    text: str  # the README row, for failure messages


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(title)
    nxt = re.compile(r"\n#{2,6} ").search(text, start + len(title))  # not a "# comment" in a block
    return text[start: nxt.start() if nxt else len(text)]


def tour_steps() -> list[Step]:
    """The rows of the tour table: | step | type, then press | the screen shows |."""
    steps = []
    for line in section("## A short tour").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].isdigit():
            continue
        keys: list[str] = []
        for typed, name in _TOKEN.findall(cells[1]):
            if typed:
                keys.extend(typed)
            else:
                assert name in KEY_NAMES, f"README tour step {cells[0]}: unknown key {name!r}"
                keys.append(KEY_NAMES[name])
        steps.append(Step(int(cells[0]), keys, re.findall(r"`([^`]+)`", cells[2]), line))
    return steps


def test_the_tour_table_is_there_and_numbered() -> None:
    steps = tour_steps()
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    assert len(steps) >= 8
    assert any("escape" in s.keys for s in steps), "the tour shows Clear before a command"
    assert any("ctrl+e" in s.keys for s in steps), "the tour shows Erase EOF"
    assert steps[-1].keys == ["ctrl+q"], "the tour ends by quitting"
    assert all(s.shows for s in steps[:-1]), "every step but quitting says what the screen shows"
    prose = section("## A short tour")
    for words in ("Ctrl+K", "Ctrl+Q", "Erase EOF", "UNAX"):
        assert words in prose


def test_the_tour_works_exactly_as_written() -> None:
    steps = tour_steps()
    app = IdrsApp(Simulator(follow_clock=True))
    seen: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for step in steps:
                await pilot.press(*step.keys)
                await pilot.pause()
                if step.keys == ["ctrl+q"]:
                    seen.append("quit")
                    continue
                screen = "\n".join(app.terminal.screen.lines())
                oia = app.view.operator_line() + "\n" + app.view.render_line(app.view.size.height - 1).text
                for text in step.shows:
                    assert text in screen or text in oia, (
                        f"README tour step {step.number} ({step.text.strip()}): {text!r} is not on the screen\n"
                        f"{screen}\n{oia}")
                assert app.terminal.last_error is None
                seen.append(str(step.number))

    try:
        asyncio.run(main())
    finally:
        app.sim.close()
    assert seen[-1] == "quit" and len(seen) == len(steps)
    assert app.return_code == 0  # Ctrl+Q closed the app


def _fenced_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)


def test_the_replay_snippet_runs_and_is_headed_honestly(tmp_path: Path) -> None:
    (snippet,) = _fenced_blocks(section("### Replay scripts"))
    first = snippet.splitlines()[0]
    named = re.match(r"#\s*(examples/\S+\.txt)\s*$", first)
    if named:  # a snippet headed as a shipped file must be that file
        assert (README.parent / named.group(1)).read_text(encoding="utf-8").strip() == snippet.strip()
    script = tmp_path / "snippet.txt"
    script.write_text(snippet, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([script], out=out, err=err) == 0, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("line", [s.text for s in tour_steps()])
def test_every_step_quotes_only_text_the_terminal_can_show(line: str) -> None:
    """Backticked screen text is upper case, as IDRS shows it (a typo in case would make the
    tour test pass vacuously on text that is not what the trainee sees)."""
    shows = re.findall(r"`([^`]+)`", line.split("|")[3])
    assert all(s == s.upper() for s in shows), shows
