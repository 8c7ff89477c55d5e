"""The operator information line is never off the window: at 80x24 it shares line 24.

A 3270 user reads a locked keyboard (X NUM, X PROT) in the OIA; a TUI that draws it
below row 24 of a 24-row terminal looks hung.  These tests look at what Textual really
draws (`App.export_screenshot`), not only at what the widget would draw.
"""

from __future__ import annotations

import asyncio
import html
import re

from idrs_sim.front.tui import IdrsApp
from idrs_sim.simulator import Simulator
from tests.test_tui import TRAINEE, Body, sign_on


def drive(body: Body, size: tuple[int, int]) -> IdrsApp:
    app = IdrsApp(Simulator(follow_clock=True))

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await body(app, pilot)

    try:
        asyncio.run(main())
    finally:
        app.sim.close()
    return app


def shown(app: IdrsApp) -> str:
    """The characters Textual draws on the whole window, tags removed."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


def test_a_numeric_lock_shows_at_80_by_24() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        view = app.view
        assert view.region.height == 24 and view.region.bottom <= 24
        assert "X NUM" not in shown(app)
        await pilot.press("A")  # a letter in the numeric employee-number field
        await pilot.pause()
        assert app.terminal.keyboard == "X NUM"
        last = view.render_line(23).text
        assert "X NUM" in last and last.rstrip().endswith("06/23")
        assert last.startswith("ENTER EMPLOYEE NUMBER AND PASSWORD")  # line 24 is still there
        assert "X NUM" in shown(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "X NUM" not in view.render_line(23).text

    drive(body, (80, 24))


def test_a_protect_lock_shows_at_80_by_24_after_sign_on() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_on(app, pilot)
        await pilot.press(*"ENMOD 400-00-1001", "enter")
        await pilot.pause()
        await pilot.press("down", "X")  # row 2 of a display is protected
        await pilot.pause()
        assert app.terminal.keyboard == "X PROT"
        assert "X PROT" in app.view.render_line(23).text
        assert "X PROT" in shown(app)

    drive(body, (80, 24))


def test_a_long_message_is_cut_at_a_word_and_the_status_kept() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_on(app, pilot)
        app.terminal.screen.put(24, 1, "WORD " * 16)  # 80 columns of message
        await pilot.press("A")
        app.view.refresh_screen()
        last = app.view.render_line(23).text
        assert len(last) == 80
        body_text = last.split("\u2502")[0].rstrip()
        assert body_text.endswith(" WORD\u2026")  # cut between words, never inside one
        assert last.rstrip().endswith(f"{app.terminal.status().row:02d}/{app.terminal.status().col:02d}")

    drive(body, (80, 24))


def test_at_80_by_25_the_full_operator_line_replaces_the_rule() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("A")
        await pilot.pause()
        rows = [app.view.render_line(y).text for y in range(25)]
        assert rows[:24] == app.terminal.screen.lines()
        assert "X NUM" in rows[24] and "CYCLE" in rows[24]
        assert "X NUM" in shown(app)

    drive(body, (80, 25))


def test_a_tall_window_keeps_screen_rule_and_operator_line() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*TRAINEE[:3], "A")
        rows = [app.view.render_line(y).text for y in range(26)]
        assert rows[:24] == app.terminal.screen.lines()
        assert set(rows[24]) == {"\u2500"}
        assert "X NUM" in rows[25] and "EMP" in rows[25]

    drive(body, (100, 40))
