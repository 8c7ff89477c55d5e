"""The on-screen 3270 keyboard of the web terminal: every key a browser might keep.

A browser keeps some keys for itself before a page sees them (Ctrl+W closes the tab,
Ctrl+N opens a window, Ctrl+T a tab, F11 goes full screen; Alt+F1 belongs to many
desktops).  So under the screen the web terminal shows clickable keys for all of
PF1-PF24, PA1-PA3, Clear, Reset, Erase EOF, Tab, BackTab and Enter, and one that shows
the key map.  The buttons never take the focus: the keyboard stays with the screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button

from ..terminal.terminal import Terminal
from .tui import KEY_HELP, KeyAction

KEYMAP_BUTTON = "keys"



def _pf(n: int) -> KeyAction:
    return lambda t: t.pf(n)


def _pa(n: int) -> KeyAction:
    return lambda t: t.pa(n)


# (button id, label, what it does to the terminal); one list per row of the bar.
KEY_ROWS: list[list[tuple[str, str, KeyAction | None]]] = [
    [(f"pf{n}", f"PF{n}", _pf(n)) for n in range(1, 13)],
    [(f"pf{n}", f"PF{n}", _pf(n)) for n in range(13, 25)],
    [
        *[(f"pa{n}", f"PA{n}", _pa(n)) for n in range(1, 4)],
        ("clear", "Clear", lambda t: t.clear()),
        ("reset", "Reset", lambda t: t.reset()),
        ("eraseeof", "ErEOF", lambda t: t.erase_eof()),
        ("tab", "Tab", lambda t: t.tab()),
        ("backtab", "BkTab", lambda t: t.backtab()),
        ("enter", "Enter", lambda t: t.enter()),
        (KEYMAP_BUTTON, "Keys", None),
    ],
]

KEY_ACTIONS: dict[str, KeyAction | None] = {key: action for row in KEY_ROWS for key, _label, action in row}

HINT = "Keys a browser keeps (Ctrl+W, Ctrl+N, F11...): click them below. Ctrl+K: key map"

WEB_KEY_HELP = KEY_HELP.replace("Ctrl+Q .......... quit\n", """\
Ctrl+Q .......... end this session (as closing the tab: signs off)

IN A BROWSER some keys never reach the page: Ctrl+W, Ctrl+N, Ctrl+T close
or open tabs and windows, F11 is full screen, Alt+F1 may belong to the
desktop.  Click the keys under the screen (PF1-PF24, PA1-PA3, Clear, Reset,
ErEOF = Erase EOF, Tab, BkTab, Enter), or use Ctrl+P n / Ctrl+A n.
Newline is Ctrl+J.  Closing the tab signs you off; so do 15 idle minutes.
""")


class KeyButton(Button, can_focus=False):
    """One key of the bar; clicking it never moves the focus off the screen."""


class KeyBar(Vertical):
    """Three rows of keys under the 3270 screen."""

    DEFAULT_CSS = """
    KeyBar { width: 80; height: 3; background: #000000; }
    KeyBar > Horizontal { width: 80; height: 1; }
    KeyBar KeyButton {
        width: 6; min-width: 5; height: 1; margin: 0; padding: 0;
        color: #ccffcc; background: #0b3d0b; text-style: none;
    }
    KeyBar KeyButton:hover { background: #1f7a1f; }
    KeyBar KeyButton.-wide { width: 7; }
    """

    def compose(self) -> ComposeResult:
        for row in KEY_ROWS:
            with Horizontal():
                for key, label, _action in row:
                    yield KeyButton(label, id=f"key-{key}", compact=True,
                                    classes="-wide" if len(label) > 4 else "")


def press(key: str, terminal: Terminal) -> bool:
    """Apply the bar's key `key` to the terminal; False when it is not a terminal key."""
    action = KEY_ACTIONS.get(key)
    if action is None:
        return False
    action(terminal)
    return True


__all__ = ["HINT", "KEYMAP_BUTTON", "KEY_ACTIONS", "KEY_ROWS", "WEB_KEY_HELP", "KeyBar", "KeyButton", "press"]
