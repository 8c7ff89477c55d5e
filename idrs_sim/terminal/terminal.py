"""The in-process 3270 terminal: keyboard, cursor and AID keys over a `Screen`.

Every front end (Textual TUI, replay scripts, the pytest API) drives a `Terminal`;
the terminal edits its `Screen` locally, exactly as a 3270 does, and talks to the
host only when an AID key (Enter, Clear, PF, PA) is pressed.

Behaviour follows a 3278 as emulated by x3270/s3270, with these deliberate choices:

* Blanks, not nulls, fill erased positions (the `Screen` helpers pad with blanks).
* When typing fills a field, the cursor moves past the attribute that ends it (a
  3270 never leaves it on an attribute byte), or, when that attribute is auto-skip
  (protected + numeric), to the next input field; IDRS stoppers are not auto-skip
  (`Screen.add_input`), so a full field is left with Tab, as with s3270.  On an
  unformatted screen text flows on across rows.
* A numeric field accepts digits and also '.', '-', ',' and blank, like a real
  3270 numeric lock; anything else locks the keyboard with "X NUM".
* Insert into a full field is refused and locks with "X PROT" (a 3278 shows an
  overflow symbol; one "protected" lock keeps the operator line simple).
* Only characters a code page 037 keyboard can produce are typeable; any other
  character stops the typing without locking, since no real key produces it.
* Every key except `reset()` is refused while the keyboard is locked.
* Insert mode survives AID keys; only `reset()` leaves it.
* A host that raises (or answers with something that is not a 24x80 screen) never
  takes the terminal down: the exception is logged, the current screen stays, and
  line 24 says "TERMINAL ERROR - REQUEST NOT PROCESSED".  The keyboard is left
  unlocked so the operator can correct and retry; `last_error` keeps the exception
  for tests and replay reports.

Where Tab, BackTab and Home go and where a field ends is `navigation`; finding a field
by its ``LABEL>`` is `labels`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from . import labels
from .aid import Aid, AidEvent, Host
from .navigation import field_tail, home_address, next_input, previous_input
from .screen import COLS, MESSAGE_ROW, SIZE, Field, Screen, address, position

log = logging.getLogger(__name__)

LOCK_PROT = "X PROT"
LOCK_NUM = "X NUM"
LOCK_SYSTEM = "X SYSTEM"
NUMERIC_CHARS = frozenset("0123456789.-, ")
CODE_PAGE = "cp037"
EMPTY = (" ", "\0")
TERMINAL_ERROR = "TERMINAL ERROR - REQUEST NOT PROCESSED"


def typeable(ch: str) -> bool:
    """Whether a 3270 keyboard (code page 037) can type `ch` into one position."""
    if len(ch) != 1 or not ch.isprintable():
        return False
    try:
        ch.encode(CODE_PAGE)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Status:
    """What the operator information area shows: lock, insert mode, cursor position."""

    keyboard: str | None
    insert: bool
    row: int
    col: int
    formatted: bool

    def line(self) -> str:
        """A one-line operator area, e.g. ``X PROT      INSERT  012/034``."""
        return f"{self.keyboard or '':<12}{'INSERT' if self.insert else '':<8}{self.row:03d}/{self.col:03d}"


class Terminal:
    """A 3270 display station attached to a `Host`.

    Keys return True when they did what they are meant to and False when they were
    refused (keyboard locked, protected position, nothing to do), so a script can
    tell without reading the operator line.
    """

    def __init__(self, host: Host) -> None:
        self.host = host
        self.keyboard: str | None = None
        self.insert_mode = False
        self.last_error: Exception | None = None
        self.screen = Screen.unformatted()
        self._show(self._ask(host.first_screen))

    # ---- state ------------------------------------------------------------
    @property
    def cursor(self) -> int:
        return self.screen.cursor

    @cursor.setter
    def cursor(self, addr: int) -> None:
        self.screen.cursor = addr % SIZE

    @property
    def locked(self) -> bool:
        return self.keyboard is not None

    def status(self) -> Status:
        row, col = position(self.cursor)
        return Status(self.keyboard, self.insert_mode, row, col, self.screen.formatted)

    # ---- typing -------------------------------------------------------------
    def type_text(self, text: str) -> bool:
        """Type `text` at the cursor; stops (returning False) at the first refused character."""
        return all(self._type_char(ch) for ch in text)

    def _type_char(self, ch: str) -> bool:
        if self.locked or not typeable(ch):
            return False
        addr = self.cursor
        fld = self._editable_field(addr)
        if fld is False:
            return False
        if fld is not None and fld.numeric and ch not in NUMERIC_CHARS:
            return self._lock(LOCK_NUM)
        if self.insert_mode and not self._make_room(addr):
            return self._lock(LOCK_PROT)
        self.screen.chars[addr] = ch
        self._touch(fld)
        self.cursor = self._after_typing(addr)
        return True

    def _make_room(self, addr: int) -> bool:
        """Shift the rest of the field (or unformatted row) right by one, if its end is empty."""
        tail = field_tail(self.screen, addr, whole_screen=False)
        chars = self.screen.chars
        if chars[tail[-1]] not in EMPTY:
            return False
        for dst, src in zip(reversed(tail), reversed(tail[:-1])):
            chars[dst] = chars[src]
        return True

    def _after_typing(self, addr: int) -> int:
        """Next cursor address: the next position; when the field ends in an auto-skip
        attribute (protected + numeric), the next input field; never an attribute byte
        (the position after it) -- as x3270/s3270 do ("don't land on attribute bytes")."""
        nxt = (addr + 1) % SIZE
        if self.screen.is_attribute(nxt) and self.screen.fields[nxt].skip:
            return next_input(self.screen, addr)
        for _ in range(SIZE):
            if not self.screen.is_attribute(nxt):
                break
            nxt = (nxt + 1) % SIZE
        return nxt

    # ---- local editing keys ---------------------------------------------------
    def erase_eof(self) -> bool:
        """Blank from the cursor to the end of the field (to the end of an unformatted screen)."""
        if self.locked:
            return False
        fld = self._editable_field(self.cursor)
        if fld is False:
            return False
        for a in field_tail(self.screen, self.cursor, whole_screen=True):
            self.screen.chars[a] = " "
        self._touch(fld)
        return True

    def erase_input(self) -> bool:
        """Blank every unprotected field and reset its modified tag; cursor to the first one."""
        if self.locked:
            return False
        if not self.screen.formatted:
            self.screen.chars[:] = [" "] * SIZE
            self.cursor = 0
            return True
        for fld in self.screen.input_fields():
            self.screen.set_text(fld, "")
            fld.modified = False
        self.cursor = home_address(self.screen)
        return True

    def delete(self) -> bool:
        """Delete the character at the cursor, pulling the rest of the field left."""
        if self.locked:
            return False
        fld = self._editable_field(self.cursor)
        if fld is False:
            return False
        tail = field_tail(self.screen, self.cursor, whole_screen=False)
        chars = self.screen.chars
        for dst, src in zip(tail, tail[1:]):
            chars[dst] = chars[src]
        chars[tail[-1]] = " "
        self._touch(fld)
        return True

    def backspace(self) -> bool:
        """Erase the character left of the cursor (the 3270 Erase key); nothing at a field start."""
        if self.locked:
            return False
        if self.screen.formatted:
            if self._editable_field(self.cursor) is False:
                return False
            if self.screen.is_attribute(self.cursor - 1):
                return False
        elif self.cursor == 0:
            return False
        self.cursor -= 1
        return self.delete()

    def toggle_insert(self) -> bool:
        if self.locked:
            return False
        self.insert_mode = not self.insert_mode
        return True

    def reset(self) -> bool:
        """Unlock the keyboard and leave insert mode (the Reset key)."""
        self.keyboard = None
        self.insert_mode = False
        return True

    # ---- cursor movement --------------------------------------------------------
    def tab(self) -> bool:
        """To the first position of the next unprotected field (address 0 if there is none)."""
        return self._move(next_input(self.screen, self.cursor))

    def backtab(self) -> bool:
        """To the start of this field, or of the previous unprotected field if already there."""
        return self._move(previous_input(self.screen, self.cursor))

    def home(self) -> bool:
        return self._move(home_address(self.screen))

    def newline(self) -> bool:
        """To the first input position at or after the start of the next row."""
        start = (self.cursor // COLS + 1) * COLS % SIZE
        fld = self.screen.field_at(start)
        if fld is None or (not fld.protected and not self.screen.is_attribute(start)):
            return self._move(start)
        return self._move(next_input(self.screen, start - 1))  # from `start` itself

    def cursor_up(self) -> bool:
        return self._move(self.cursor - COLS)

    def cursor_down(self) -> bool:
        return self._move(self.cursor + COLS)

    def cursor_left(self) -> bool:
        return self._move(self.cursor - 1)

    def cursor_right(self) -> bool:
        return self._move(self.cursor + 1)

    def move_cursor(self, row: int, col: int) -> bool:
        """Cursor to a 1-origin (row, col), like s3270 MoveCursor1; ValueError off the screen."""
        return self._move(address(row, col))

    def _move(self, addr: int) -> bool:
        if self.locked:
            return False
        self.cursor = addr
        return True

    # ---- AID keys ---------------------------------------------------------------
    def enter(self) -> bool:
        return self.aid(Aid.ENTER)

    def clear(self) -> bool:
        return self.aid(Aid.CLEAR)

    def pf(self, n: int) -> bool:
        return self.aid(Aid.pf(n))

    def pa(self, n: int) -> bool:
        return self.aid(Aid.pa(n))

    def aid(self, key: Aid | str) -> bool:
        """Send an AID to the host and show its answer; False if refused or the host failed."""
        key = Aid(key)
        if self.locked:
            return False
        if key is Aid.CLEAR:  # a 3270 clears locally before it tells the host
            self.screen = Screen.unformatted()
        event = self.read_event(key)
        self.keyboard = LOCK_SYSTEM
        answer = self._ask(lambda: self.host.handle(event))
        self.keyboard = None
        return self._show(answer)

    def read_event(self, key: Aid) -> AidEvent:
        """What a Read Modified would carry for `key` on the current screen."""
        if key.short_read:
            return AidEvent(key, self.cursor)
        if not self.screen.formatted:
            text = "".join(self.screen.chars).replace("\0", " ")
            return AidEvent(key, self.cursor, unformatted=text)
        modified = {f.addr: self.screen.text_of(f) for f in self.screen.sorted_fields() if f.modified}
        return AidEvent(key, self.cursor, modified=modified)

    def _ask(self, call) -> Screen | None:
        """Run a host call; any failure is logged and kept in `last_error`, never raised."""
        try:
            answer = call()
            _check_screen(answer)
        except Exception as exc:  # the terminal must survive any host bug
            log.exception("host failed; screen kept")
            self.last_error = exc
            return None
        self.last_error = None
        return answer

    def _show(self, answer: Screen | None) -> bool:
        if answer is None:
            self.screen = self.screen.copy()
            _write_message(self.screen, TERMINAL_ERROR)
            return False
        self.screen = answer.copy()  # the host may keep its screen; we edit our own
        self.cursor = answer.cursor
        return True

    # ---- labelled fields (replay Fill) ---------------------------------------------
    def fill(self, label: str, value: str) -> bool:
        """Erase the input field after the protected text ``LABEL>`` and type `value` there.

        LookupError if there is no such field; ValueError if `value` cannot fit, so a
        script never spills silently into the next field.
        """
        fld = self.find_labelled_field(label)
        room = len(self.screen.data_addresses(fld))
        if len(value) > room:
            raise ValueError(f"Fill({label!r}): {value!r} is longer than the field ({room} positions)")
        if not self._move(fld.addr + 1):
            return False
        return self.erase_eof() and self.type_text(value)

    def field_value(self, label: str) -> str:
        """The text of the input field after the protected text ``LABEL>``."""
        return self.screen.text_of(self.find_labelled_field(label))

    def find_labelled_field(self, label: str) -> Field:
        """The first unprotected field whose data starts after the protected text ``LABEL>``."""
        return labels.find_labelled_field(self.screen, label)

    # ---- helpers ------------------------------------------------------------------
    def _lock(self, why: str) -> Literal[False]:
        """Inhibit the keyboard until Reset; returns False so keys can `return self._lock(...)`."""
        self.keyboard = why
        return False

    def _editable_field(self, addr: int) -> Field | None | Literal[False]:
        """The unprotected field at `addr` (None when unformatted); False after a protect lock."""
        if not self.screen.formatted:
            return None
        fld = self.screen.field_at(addr)
        if fld is None or fld.protected or self.screen.is_attribute(addr):
            return self._lock(LOCK_PROT)
        return fld

    def _touch(self, fld: Field | None) -> None:
        if fld is not None:
            fld.modified = True


def _check_screen(answer: object) -> None:
    """Refuse a host answer that cannot be shown, so a bad host cannot corrupt the terminal."""
    if not isinstance(answer, Screen):
        raise TypeError(f"host answered {type(answer).__name__}, not a Screen")
    if len(answer.chars) != SIZE:
        raise ValueError(f"host screen has {len(answer.chars)} positions, not {SIZE}")
    if not isinstance(answer.cursor, int):
        raise TypeError(f"host screen cursor is {answer.cursor!r}, not an address")


def _write_message(screen: Screen, text: str) -> None:
    """Blank line 24 (attribute positions stay) and write `text` there."""
    screen.put(MESSAGE_ROW, 1, " " * COLS)
    screen.put(MESSAGE_ROW, 1, text)


__all__ = [
    "LOCK_NUM",
    "LOCK_PROT",
    "LOCK_SYSTEM",
    "NUMERIC_CHARS",
    "Status",
    "TERMINAL_ERROR",
    "Terminal",
    "typeable",
]
