"""One browser tab's terminal: the process `idrs-sim web` starts for every tab.

textual-serve runs a Textual app as a child process per browser connection and speaks
to it over stdin/stdout (Textual's web driver).  This module is that child: the same
`IdrsApp` the terminal UI shows, on the shared master file (``--db``), plus the
on-screen key bar (`keybar`), and two rules the desktop TUI does not need:

* when the tab goes away (closed, reloaded, the server stopping, Ctrl+Q) the app ends
  and a signed-on employee is signed off with an audit record;
* a tab left without a key or a click for the idle sign-off time ends the same way,
  so a forgotten tab does not hold one of the server's sessions for good.

    python -m idrs_sim.front.web_tab --db URL --terminal WEB0001 [--clock ISO] [--idle-minutes N]
    python -m idrs_sim.front.web_tab --host-socket PATH --terminal WEB0001 [--idle-minutes N]

The second form is a classroom's tab (`idrs-sim classroom --web-port`): it opens no
database; its host is the classroom server's, reached over a local socket (`web_bridge`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.widgets import Button, Static

from .keybar import HINT, KEYMAP_BUTTON, WEB_KEY_HELP, KeyBar, press
from .tui import IdrsApp, KeyMapScreen

if TYPE_CHECKING:
    from ..simulator import Simulator

CLOSED = "BROWSER TAB CLOSED - SIGNED OFF"
IDLE = "IDLE TIMEOUT - SIGNED OFF"
# session.IDLE_TIMEOUT_MINUTES, written out: importing the session imports the master file
# (SQLAlchemy), which a classroom's tab never opens (tests/test_classroom_web.py checks both).
IDLE_TIMEOUT_MINUTES = 15


class WebIdrsApp(IdrsApp):
    """The terminal UI for one browser tab: the 3270 screen, a hint line and the key bar."""

    key_help = WEB_KEY_HELP
    CSS = IdrsApp.CSS + """
    #web-hint { width: 80; height: 1; color: #1f7a1f; background: #000000; }
    """

    def __init__(self, sim: Simulator, terminal_id: str, idle_minutes: float | None = IDLE_TIMEOUT_MINUTES) -> None:
        super().__init__(sim, terminal_id)
        self.idle_seconds = idle_minutes * 60 if idle_minutes else None
        self.last_input = time.monotonic()
        self.ending = CLOSED  # the audit outcome if the session is still signed on at the end (IdrsApp.end_session)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(HINT, id="web-hint")
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        super().on_mount()
        if self.idle_seconds:
            self.set_interval(min(self.idle_seconds / 4, 30.0), self.end_if_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def end_if_idle(self) -> None:
        """End the tab once nobody has touched it for the idle sign-off time."""
        if self.idle_seconds and time.monotonic() - self.last_input >= self.idle_seconds:
            self.ending = IDLE
            self.exit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        key = (event.button.id or "").removeprefix("key-")
        if key == KEYMAP_BUTTON:
            self.push_screen(KeyMapScreen(WEB_KEY_HELP))
            return
        if press(key, self.terminal):
            self.view.refresh_screen()
        self.view.focus()



def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="idrs_sim.front.web_tab", description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", metavar="URL", help="the shared master file")
    where.add_argument("--host-socket", metavar="PATH",
                       help="a classroom server's tab socket: the terminal's host is there (web_bridge)")
    p.add_argument("--terminal", default="WEB0001", metavar="ID", help="terminal id (audit trail, sign-on screen)")
    p.add_argument("--clock", metavar="ISO", help="the server's simulated time when the tab opened")
    p.add_argument("--idle-minutes", type=float, default=float(IDLE_TIMEOUT_MINUTES), metavar="N",
                   help="end the tab after N minutes without input (0: never)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.host_socket:
        return _main_bridged(args)
    from ..simulator import Simulator

    sim = Simulator(args.db, None, follow_clock=True)
    try:
        if args.clock:  # every tab's clock runs on from the server's, not from the one saved in the file
            sim.clock.set(dt.datetime.fromisoformat(args.clock))
        app = WebIdrsApp(sim, args.terminal, args.idle_minutes or None)
        try:
            app.run()
        finally:
            app.end_session()
    finally:
        sim.close()
    return 0


def _main_bridged(args: argparse.Namespace) -> int:
    """A classroom tab: the same app, its keys answered by the classroom server's host for
    this terminal (sign-on in the lobby, then the trainee's sandbox: see `web_bridge`)."""
    from .web_bridge import BridgedSimulator

    bridged = BridgedSimulator(args.host_socket)
    try:
        # The app asks only new_terminal() and clock of its Simulator (web_bridge.BridgedSimulator).
        app = WebIdrsApp(cast("Simulator", bridged), args.terminal, args.idle_minutes or None)
    except OSError as exc:
        print(f"idrs_sim.front.web_tab: cannot reach the classroom server at {args.host_socket}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        app.run()
    finally:
        app.end_session()
        bridged.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
