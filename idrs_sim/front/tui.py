"""The Textual front end: one 3270 display station in a terminal window (``idrs-sim``).

The widget draws the `Terminal`'s 24x80 buffer as a 3270 would: green on black,
intensified fields brighter, input fields underlined so the trainee sees where typing
goes, non-display fields (the password) underlined but empty, line 24 for IDRS
messages.  Under the screen an operator information line shows the keyboard state
(X PROT, X NUM, X SYSTEM), insert mode, the cursor, who is signed on, the simulated
date and the posting cycle.  It is never pushed off the window: in a window of 24 rows
it shares the last row with line 24 (see `TerminalView.render_line`).

Every key goes to the same `Terminal` the replay scripts and the pytest API drive; the
TUI knows nothing of IDRS.  `KEYS` is the whole keyboard map (``Ctrl+K`` shows it).
The widget draws with Textual's line API (one `Strip` per row, styles cached), so a
keystroke costs one redraw of 26 short lines.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ..terminal.screen import COLS, ROWS, Screen
from ..terminal.terminal import Terminal

if TYPE_CHECKING:  # imported when the app makes its own (a classroom's browser tab never opens a master file)
    from ..simulator import Simulator

GREEN = "#33dd33"
BRIGHT = "#ccffcc"
DIM = "#1f7a1f"
BLACK = "#000000"

# Key name (as Textual delivers it) -> (what it does, terminal call).
#
# What arrives depends on the terminal (checked under tmux 3.3 and with Textual's
# Pilot): Shift+F1..F12 come as "shift+f1".. (or as "f13".. from some xterms), so both
# are mapped.  Any modifier with F3 is encoded like a cursor-position report
# (ESC [ 1 ; 2 R) and never reaches the application, and Alt+digit arrives as a
# character (Alt+1 = "¡"), so every PF and PA key can also be sent by number:
# Ctrl+P then 1-24 (Enter after 1 or 2 when that is all), Ctrl+A then 1-3.
KeyAction = Callable[[Terminal], object]


def _keymap() -> dict[str, tuple[str, KeyAction]]:
    keys: dict[str, tuple[str, KeyAction]] = {
        "enter": ("Enter", lambda t: t.enter()),
        "escape": ("Clear", lambda t: t.clear()),
        "tab": ("Tab", lambda t: t.tab()),
        "shift+tab": ("BackTab", lambda t: t.backtab()),
        "home": ("Home", lambda t: t.home()),
        "backspace": ("Erase (backspace)", lambda t: t.backspace()),
        "delete": ("Delete", lambda t: t.delete()),
        "insert": ("Insert mode on/off", lambda t: t.toggle_insert()),
        "up": ("Cursor up", lambda t: t.cursor_up()),
        "down": ("Cursor down", lambda t: t.cursor_down()),
        "left": ("Cursor left", lambda t: t.cursor_left()),
        "right": ("Cursor right", lambda t: t.cursor_right()),
        "ctrl+r": ("Reset (unlock the keyboard)", lambda t: t.reset()),
        "ctrl+e": ("Erase EOF", lambda t: t.erase_eof()),
        "ctrl+u": ("Erase Input", lambda t: t.erase_input()),
        "ctrl+n": ("Newline", lambda t: t.newline()),
        "ctrl+j": ("Newline", lambda t: t.newline()),
        "pageup": ("PF7 (page back)", lambda t: t.pf(7)),
        "pagedown": ("PF8 (page forward)", lambda t: t.pf(8)),
    }
    for n in range(1, 13):
        keys[f"f{n}"] = (f"PF{n}", _pf(n))
        keys[f"f{n + 12}"] = keys[f"shift+f{n}"] = (f"PF{n + 12}", _pf(n + 12))
    for n in range(1, 4):
        for name in (f"alt+f{n}", f"ctrl+{n}", f"alt+{n}"):  # the last two: kitty-protocol terminals
            keys[name] = (f"PA{n}", _pa(n))
    return keys


def _pf(n: int) -> KeyAction:
    return lambda t: t.pf(n)


def _pa(n: int) -> KeyAction:
    return lambda t: t.pa(n)


KEYS = _keymap()
HELP_KEY = "ctrl+k"
PF_PREFIX, PA_PREFIX = "ctrl+p", "ctrl+a"

KEY_HELP = """\
IDRS-SIM KEYBOARD                                         (any key closes)

Enter ........... Enter              Escape .......... Clear
F1-F12 .......... PF1-PF12           Shift+F1-F12 .... PF13-PF24
PageUp/PageDown . PF7 / PF8          Alt+F1, Alt+F2 .. PA1, PA2
Ctrl+P n ........ PF n (1-24; Enter after 1 or 2 alone)
Ctrl+A n ........ PA n (1-3)         (for keys the terminal does not pass)
Tab / Shift+Tab . next / previous input field
Home ............ first input field  Arrows .......... move the cursor
Backspace ....... erase left         Delete .......... delete at cursor
Insert .......... insert mode        Ctrl+R .......... Reset (unlock)
Ctrl+E .......... Erase EOF          Ctrl+U .......... Erase Input
Ctrl+N, Ctrl+J .. Newline            Ctrl+K .......... this key map
Ctrl+Q .......... quit

Sign on with your employee number and password.  Clear gives a blank
screen: type a command code on line 1, e.g.  ENMOD 400-00-1001  and
press Enter.  Line 24 says what happened.  HELP lists the command codes.
"""


@lru_cache(maxsize=64)
def _style(plain: bool, intensified: bool, cursor: bool) -> Style:
    """The look of one position: underline marks input (`Field.underlined`; `plain` is
    its opposite), brightness marks intensity."""
    return Style(
        color=BRIGHT if intensified else GREEN,
        bgcolor=BLACK,
        bold=intensified,
        underline=not plain,
        reverse=cursor,
    )


def screen_strips(screen: Screen) -> list[Strip]:
    """The 24 rows of a 3270 screen as Textual strips (runs of equal style joined)."""
    fields = screen.sorted_fields()
    cursor = screen.cursor
    strips: list[Strip] = []
    # Walk the buffer once, carrying the field attribute in force (a formatted screen's
    # first positions belong to the last field, which wraps around).
    current = fields[-1] if fields else None
    attrs = screen.fields
    chars = screen.chars
    addr = 0
    for _row in range(ROWS):
        segments: list[Segment] = []
        run: list[str] = []
        run_style: Style | None = None
        for _col in range(COLS):
            if addr in attrs:
                current = attrs[addr]
                ch, style = " ", _style(True, False, addr == cursor)
            else:
                plain = not current.underlined if current is not None else True
                intensified = current.intensified if current is not None else False
                hidden = current.hidden if current is not None else False
                ch = chars[addr]
                if hidden or ch == "\0":
                    ch = " "
                style = _style(plain, intensified, addr == cursor)
            if style is not run_style and run:
                segments.append(Segment("".join(run), run_style))
                run = []
            run_style = style
            run.append(ch)
            addr += 1
        if run:
            segments.append(Segment("".join(run), run_style))
        strips.append(Strip(segments, COLS))
    return strips


class TerminalView(Widget, can_focus=True):
    """The 3270 screen plus its operator information line; owns the keyboard."""

    DEFAULT_CSS = """
    TerminalView {
        width: 80;
        height: 100%;
        max-height: 26;
        background: #000000;
    }
    """

    def __init__(self, sim: Simulator, terminal: Terminal, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.sim = sim
        self.terminal = terminal
        self._strips: list[Strip] | None = None
        self.last_key: str | None = None
        self.prefix: str | None = None  # "PF" or "PA" while Ctrl+P / Ctrl+A waits for a number
        self.digits = ""

    # ---- drawing -------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Row `y` of the widget: the 24 screen rows, a rule, the operator line.

        A window too short for all 26 rows never hides the operator line, since a locked
        keyboard must always say so: at 25 rows the rule goes; at 24 rows or fewer the
        last row shows line 24 (the IDRS message) and the operator area together
        (`compact_line`), and the screen rows above it as many as fit.
        """
        if self._strips is None:
            self._strips = screen_strips(self.terminal.screen)
        height = self.size.height or ROWS + 2
        if height <= ROWS and y == height - 1:
            return self.compact_line()
        if y < ROWS:
            return self._strips[y]
        if y == ROWS and height >= ROWS + 2:
            return Strip([Segment("\u2500" * COLS, Style(color=DIM, bgcolor=BLACK))], COLS)
        if y == height - 1:
            return Strip([Segment(self.operator_line(), Style(color=GREEN, bgcolor=BLACK))], COLS)
        return Strip.blank(COLS, Style(bgcolor=BLACK))

    def compact_status(self) -> str:
        """The operator area in short, for a window of 24 rows: lock, insert, cursor."""
        status = self.terminal.status()
        keyboard = f"{self.prefix} {self.digits}_" if self.prefix else status.keyboard or ""
        parts = [p for p in (keyboard, "INSERT" if status.insert else "") if p]
        return " ".join(["\u2502", *parts, f"{status.row:02d}/{status.col:02d}"])

    def compact_line(self) -> Strip:
        """Line 24 with the operator area at its right end (see `render_line`).

        The message keeps its own columns and style; when it would run into the operator
        area it is cut at a word boundary and ends in an ellipsis.  A locked keyboard is
        drawn in reverse video, so it cannot be missed.
        """
        assert self._strips is not None
        status = self.compact_status()
        room = COLS - len(status) - 1
        message = self.terminal.screen.message
        row = self._strips[ROWS - 1]
        if len(message) > room:
            cut = message[: room - 1].rfind(" ")
            keep = cut if cut > 0 else room - 1
            row = row.crop(0, keep)
            row = Strip([*row, Segment("\u2026", _style(True, True, False))], keep + 1)
        else:
            row = row.crop(0, room)
        pad = room + 1 - row.cell_length
        locked = self.terminal.locked or self.prefix is not None
        look = Style(color=BLACK, bgcolor=BRIGHT, bold=True) if locked else Style(color=GREEN, bgcolor=BLACK)
        return Strip([*row, Segment(" " * pad, Style(bgcolor=BLACK)), Segment(status, look)], COLS)

    def operator_line(self) -> str:
        """The operator information area: lock, insert, employee, date, cycle, cursor."""
        status = self.terminal.status()
        employee = getattr(self.terminal.host, "employee_idrs", None) or "-" * 10
        clock = self.sim.clock
        today = clock.today().strftime("%m/%d/%Y")
        keyboard = f"{self.prefix} {self.digits}_" if self.prefix else status.keyboard or ""
        left = f" 4A {keyboard:<9} {'INSERT' if status.insert else '':<6} EMP {employee}"
        right = f"DATE {today}  CYCLE {clock.cycle}  {status.row:02d}/{status.col:02d} "
        return (left + " " * COLS)[: COLS - len(right)] + right

    def _prefixed(self, key: str, character: str | None) -> None:
        """A key after Ctrl+P / Ctrl+A: digits build the key number; Enter sends; else cancel."""
        prefix, top = self.prefix, 24 if self.prefix == "PF" else 3
        if character is not None and character.isdigit() and character.isascii():
            digits = self.digits + character
            if not 1 <= int(digits) <= top:
                self.prefix, self.digits = None, ""  # not a key: give up quietly
                return
            if int(digits) * 10 > top:  # no second digit could follow: send now
                self.prefix, self.digits = None, ""
                self._send(prefix, int(digits))
            else:
                self.digits = digits
            return
        number = int(self.digits) if self.digits else 0
        self.prefix, self.digits = None, ""
        if key == "enter" and number:
            self._send(prefix, number)

    def _send(self, prefix: str | None, number: int) -> None:
        if prefix == "PF":
            self.terminal.pf(number)
        else:
            self.terminal.pa(number)

    def refresh_screen(self) -> None:
        self._strips = None
        self.refresh()

    # ---- keys -------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """Every key goes to the terminal; nothing reaches Textual's own bindings."""
        key = event.key
        self.last_key = key
        if self.prefix is not None:
            self._prefixed(key, event.character)
        elif key == HELP_KEY:
            event.stop()
            event.prevent_default()
            self.app.push_screen(KeyMapScreen(getattr(self.app, "key_help", KEY_HELP)))
            return
        elif key in (PF_PREFIX, PA_PREFIX):
            self.prefix, self.digits = ("PF" if key == PF_PREFIX else "PA"), ""
        elif (action := KEYS.get(key)) is not None:
            action[1](self.terminal)
        elif event.is_printable and event.character:
            self.terminal.type_text(event.character)
        else:
            return  # not ours (e.g. Ctrl+Q): let Textual have it
        event.stop()
        event.prevent_default()
        self.refresh_screen()


class KeyMapScreen(ModalScreen[None]):
    """The keyboard map, over the terminal; any key closes it."""

    DEFAULT_CSS = """
    KeyMapScreen { align: center middle; background: #000000 60%; }
    KeyMapScreen > Static {
        width: 80; height: auto; padding: 0 1; color: #ccffcc; background: #002200; border: round #33dd33;
    }
    """

    def __init__(self, text: str = KEY_HELP) -> None:
        super().__init__()
        self.text = text  # the web front end adds what a browser keeps for itself

    def compose(self) -> ComposeResult:
        yield Static(self.text, id="keymap")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(None)


#: The audit outcome of the sign-off when the TUI quits with someone signed on.
CLOSED = "TERMINAL CLOSED - SIGNED OFF"


class IdrsApp(App[None]):
    """``idrs-sim``: one terminal on a simulator (the training master file by default)."""

    TITLE = "idrs-sim"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    Screen { background: #000000; }
    #terminal-box { width: 80; height: 100%; max-height: 26; }
    """

    def __init__(self, sim: Simulator | None = None, terminal_id: str = "TUI01") -> None:
        super().__init__()
        if sim is None:
            from ..simulator import Simulator

            sim = Simulator(follow_clock=True)
        self.sim = sim
        self.terminal = self.sim.new_terminal(terminal_id)
        self.ending = CLOSED  # the audit outcome if someone is still signed on when the app ends

    def compose(self) -> ComposeResult:
        with Vertical(id="terminal-box"):
            yield TerminalView(self.sim, self.terminal, id="terminal")

    def on_mount(self) -> None:
        self.view.focus()

    @property
    def view(self) -> TerminalView:
        return self.query_one(TerminalView)

    def end_session(self) -> None:
        """Sign off whoever is still signed on when the terminal goes (Ctrl+Q, a closed
        browser tab, idle time): the audit trail gets a SINOF record, as SINOF would leave,
        so no session nobody can reach stays signed on in it."""
        end = getattr(self.terminal.host, "end", None)
        if callable(end):
            end(self.ending)

    def screen_text(self) -> str:
        """The 24x80 text the widget is drawing (tests)."""
        return "\n".join(strip.text for strip in screen_strips(self.terminal.screen))


def run_tui(sim: Simulator, terminal_id: str = "TUI01") -> int:
    """Run the TUI until the user quits; 0."""
    app = IdrsApp(sim, terminal_id)
    try:
        app.run()
    finally:
        app.end_session()
    return 0


__all__ = ["IdrsApp", "KEYS", "KeyMapScreen", "TerminalView", "run_tui", "screen_strips"]
