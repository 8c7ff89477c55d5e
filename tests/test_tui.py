"""The Textual TUI: keys reach the terminal model, the screen is drawn 24x80 like a 3270."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from idrs_sim.front.tui import BRIGHT, GREEN, KEYS, IdrsApp, KeyMapScreen, screen_strips
from idrs_sim.simulator import Simulator

TRAINEE = "1485012345"
Body = Callable[[IdrsApp, object], Awaitable[None]]


def drive(body: Body, size: tuple[int, int] = (100, 30)) -> IdrsApp:
    """Run the app headless with a Pilot, then return it for checks."""
    app = IdrsApp(Simulator(follow_clock=True))

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await body(app, pilot)

    try:
        asyncio.run(main())
    finally:
        app.sim.close()
    return app


async def sign_on(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*TRAINEE, "tab", *app.sim.password_for(TRAINEE), "enter")
    await pilot.pause()


def test_starts_on_the_sign_on_screen_24_by_80() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        view = app.view
        assert (view.size.width, view.size.height) == (80, 26)
        rows = [view.render_line(y).text for y in range(24)]
        assert rows == app.terminal.screen.lines()
        assert "INTEGRATED DATA RETRIEVAL SYSTEM - IDRS" in rows[0]
        assert "EMPLOYEE NUMBER>" in rows[5]
        oia = view.render_line(25).text
        assert len(oia) == 80 and "CYCLE " in oia and "06/23" in oia

    drive(body)


def test_keys_reach_the_model_and_sign_on() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"1485")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == "1485"
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == ""
        await sign_on(app, pilot)
        assert app.terminal.screen.message.startswith("SIGN-ON COMPLETED")
        assert TRAINEE in app.view.operator_line()

    drive(body)


def test_a_command_and_escape_clears() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_on(app, pilot)
        await pilot.press("escape", *"XYZZY 400-00-1001", "enter")
        await pilot.pause()
        assert app.terminal.screen.message == "INVALID COMMAND CODE"
        assert "XYZZY*400-00-1001" in app.view.render_line(0).text  # * right of the bad code
        await pilot.press("escape")
        await pilot.pause()
        assert app.terminal.screen.text().strip() == ""

    drive(body)


@pytest.mark.parametrize("key, pf", [("f3", "PF3"), ("f12", "PF12"), ("f13", "PF13"), ("shift+f3", "PF15"),
                                     ("shift+f12", "PF24"), ("f24", "PF24"), ("pageup", "PF7"),
                                     ("alt+f1", "PA1"), ("alt+f2", "PA2")])
def test_function_keys_are_pf_keys(key: str, pf: str) -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_on(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        expected = "NO MORE PAGES" if pf == "PF7" else f"{pf} KEY NOT ACTIVE"
        assert expected in app.terminal.screen.message

    drive(body)


def test_keymap_covers_every_pf_and_pa() -> None:
    names = {v[0].split()[0] for v in KEYS.values()}
    assert {f"PF{n}" for n in range(1, 25)} <= names
    assert {"PA1", "PA2", "PA3", "Clear", "Enter", "Tab", "BackTab", "Home", "Newline"} <= names


def test_operator_line_shows_locks_and_insert() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("A")  # a letter in the numeric employee-number field
        assert "X NUM" in app.view.operator_line()
        await pilot.press("1")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == ""  # refused while locked
        await pilot.press("ctrl+r", "insert")
        line = app.view.operator_line()
        assert "X NUM" not in line and "INSERT" in line
        await pilot.press("up", "left")
        assert app.view.operator_line().rstrip().endswith("05/22")

    drive(body)


def test_editing_keys() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"123456", "home", "delete")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == "23456"
        await pilot.press("right", "ctrl+e")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == "2"
        await pilot.press("tab", "shift+tab", "ctrl+u")
        assert app.terminal.field_value("EMPLOYEE NUMBER") == ""
        await pilot.press("ctrl+n")
        assert app.terminal.status().row == 7

    drive(body)


def test_password_is_not_shown_and_fields_are_styled() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*TRAINEE, *"SECRET")
        rows = [s.text for s in screen_strips(app.terminal.screen)]
        assert "SECRET" not in "".join(rows)
        strip = screen_strips(app.terminal.screen)[5]  # EMPLOYEE NUMBER> row
        styles = {seg.text.strip(): seg.style for seg in strip if seg.text.strip()}
        assert styles["EMPLOYEE NUMBER>"].underline is False
        assert styles[TRAINEE].underline is True  # input field
        assert str(styles[TRAINEE].color.name).lower() in (GREEN.lower(), BRIGHT.lower())

    drive(body)


def test_cursor_is_drawn_in_reverse() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        strip = app.view.render_line(5)
        col = 0
        for seg in strip:
            if seg.style and seg.style.reverse:
                assert col == 22 and len(seg.text) == 1
                return
            col += len(seg.text)
        raise AssertionError("no cursor drawn on row 6")

    drive(body)


def test_key_map_overlay_opens_and_closes() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, KeyMapScreen)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, KeyMapScreen)
        assert app.terminal.field_value("EMPLOYEE NUMBER") == ""  # the closing key was not typed

    drive(body)


def test_tab_does_not_move_textual_focus() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("tab", "tab", "tab")
        assert app.focused is app.view

    drive(body)


@pytest.mark.parametrize("keys, pf", [(["ctrl+p", "1", "5"], "PF15"), (["ctrl+p", "3"], "PF3"),
                                      (["ctrl+p", "2", "enter"], "PF2"), (["ctrl+p", "2", "4"], "PF24"),
                                      (["ctrl+a", "3"], "PA3")])
def test_keys_by_number_for_terminals_that_swallow_them(keys: list[str], pf: str) -> None:
    """Shift/Ctrl/Alt+F3 never reach the app under tmux; Ctrl+P n / Ctrl+A n always do."""
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_on(app, pilot)
        await pilot.press(keys[0])
        assert f"{pf[:2]} _" in app.view.operator_line()
        await pilot.press(*keys[1:])
        await pilot.pause()
        assert f"{pf} KEY NOT ACTIVE" in app.terminal.screen.message
        assert app.view.prefix is None

    drive(body)


def test_key_number_prefix_cancels_on_anything_else() -> None:
    async def body(app: IdrsApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+p", "escape", "1")  # Escape cancels (and is not Clear); 1 is typed
        assert app.terminal.field_value("EMPLOYEE NUMBER") == "1"
        await pilot.press("ctrl+p", "2", "5")  # no PF25: cancelled, nothing typed
        assert app.view.prefix is None and app.terminal.field_value("EMPLOYEE NUMBER") == "1"

    drive(body)
