"""The IDRS host side of one terminal: sign-on, command dispatch, paging and the audit trail.

`IdrsSession` is the `Host` every front end talks to (in-process `Terminal`, TN3270
server).  It keeps its own copy of the screen it last sent, merges the modified fields
of each AID event into it (as a 3270 application does), reads the command from the
screen, runs the command code's handler in one unit of work and answers with the next
screen.  Every AID key leaves an audit record.  Nothing raises to the terminal.

Its screen work (the command read off the screen, line 24, the `*` of a refusal, the
cleared screen) is `session_screen`; the audit record is `session_audit`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import commands
from ..cc.base import Cleared, Context, Refusal, Reply, TerminalState
from ..cc.parse import ParseError, parse_command
from ..cc.stray_elements import for_code, stray_element
from ..digits import is_digits, typed_tin
from ..masterfile.db import MasterFile, is_busy
from ..masterfile.models import Employee
from ..masterfile.security import verify_password
from . import signon_audit
from .aid import Aid, AidEvent
from .input_chars import INVALID_CHARACTER, foreign_character
from .screen import SIZE, Screen
from .screenmap import load_map
from .session_audit import Typed, first_word, write_audit
from .session_screen import (
    _head_span,
    cleared_screen,
    command_lines,
    mark_after,
    on_screen,
    refusal_screen,
    with_message,
)

log = logging.getLogger(__name__)

MAX_SIGNON_FAILURES = 3
IDLE_TIMEOUT_MINUTES = 15  # IRS terminals lock after 15 idle minutes; configurable per session
INVALID_COMMAND_CODE = "INVALID COMMAND CODE"
UNAUTHORIZED = "UNAUTHORIZED COMMAND CODE"
INVALID_DEFINER = "INVALID DEFINER"
#: Line 24 when the database is held by another process (SQLite lock, PostgreSQL lock or
#: serialization failure): nothing of the key was stored; pressing it again is safe.
DATABASE_BUSY = "DATABASE BUSY - NOTHING STORED - TRY AGAIN"


@dataclass
class _Pages:
    screens: Sequence[Screen] = field(default_factory=list)
    index: int = 0


class IdrsSession:
    """One terminal's conversation with the simulated IDRS host."""

    def __init__(self, mf: MasterFile, terminal_id: str = "TERM01",
                 idle_timeout_minutes: int | None = IDLE_TIMEOUT_MINUTES) -> None:
        self.mf = mf
        self.terminal_id = terminal_id
        self.idle_timeout_minutes = idle_timeout_minutes
        self.last_activity = mf.clock.now()
        self.employee_idrs: str | None = None
        self.busy: str | None = None  # line 24 of the last key when the database was busy
        # The employee as signed on: like a RACF profile, read once at sign-on (roles
        # changed later take effect at the next sign-on) and not re-read on every key.
        self._employee: Employee | None = None
        self.state = TerminalState()
        self.screen = self._signon_screen("ENTER EMPLOYEE NUMBER AND PASSWORD")
        self._pages = _Pages()
        # Where this host wrote an error asterisk, and what it wrote it over.
        self._marks: list[tuple[int, str]] = []

    # ---- Host protocol --------------------------------------------------
    def first_screen(self) -> Screen:
        return self.screen.copy()

    def handle(self, event: AidEvent) -> Screen:
        """Answer one AID key with the next screen; errors become line-24 messages.

        A key is all or nothing: when its unit of work fails (a defect, or a database that
        another process holds), the database is rolled back and the session is put back as
        it was before the key -- still signed off after a failed sign-on, never signed on
        with an employee whose transaction did not commit (issue #16 item 2).
        """
        self._merge(event)
        self.busy = None
        before = self._snapshot()
        try:
            if self.mf.refresh_clock():  # another process (idrs-sim cycle) moved it: not idle time
                self.last_activity = self.mf.clock.now()
            if self._idle_expired():
                self.last_activity = self.mf.clock.now()
                reply_screen = self._timed_out(event)
            else:
                self.last_activity = self.mf.clock.now()
                if self.employee_idrs is None:
                    reply_screen = self._handle_signon(event)
                else:
                    reply_screen = self._handle_signed_on(event)
        except Exception as exc:  # a defect must never reach the terminal as a traceback
            self._restore(before)
            if is_busy(exc):
                log.warning("database busy on %s: %s", event.aid.value,  # one line: the driver's words
                            str(getattr(exc, "orig", None) or exc).splitlines()[0])
                self.busy = DATABASE_BUSY
                reply_screen = with_message(self.screen, DATABASE_BUSY)
            else:
                log.exception("host error on %s", event.aid)
                reply_screen = with_message(self.screen, "SYSTEM ERROR - REQUEST NOT PROCESSED")
        self.screen = reply_screen
        return reply_screen.copy()

    def _snapshot(self) -> tuple[object, ...]:
        return (self.employee_idrs, self._employee, dataclasses.replace(self.state, scratch=dict(self.state.scratch)), self._pages, self.screen)

    def _restore(self, snap: tuple[object, ...]) -> None:
        """The session as it was before a key that did not complete."""
        self.employee_idrs, self._employee, state, pages, screen = snap  # type: ignore[assignment]
        self.state = state  # type: ignore[assignment]
        self._pages = pages  # type: ignore[assignment]
        self.screen = screen  # type: ignore[assignment]

    def slow_key(self, event: AidEvent) -> bool:
        """True for Enter on the sign-on screen: the password check (scrypt, about 60 ms of
        a core, outside the interpreter lock) need not hold up other terminals' keys."""
        return self.employee_idrs is None and event.aid is Aid.ENTER

    def _idle_expired(self) -> bool:
        """A signed-on terminal left idle longer than the timeout is signed off (simulated time)."""
        if self.employee_idrs is None or not self.idle_timeout_minutes:
            return False
        idle = self.mf.clock.now() - self.last_activity
        return idle.total_seconds() > self.idle_timeout_minutes * 60

    def _timed_out(self, event: AidEvent) -> Screen:
        self._audit(None, event, self.employee_idrs, "SINOF", outcome="IDLE TIMEOUT - SIGNED OFF")
        return self.sign_off("SESSION SIGNED OFF AFTER IDLE TIME - SIGN ON AGAIN")

    def end(self, outcome: str) -> None:
        """The terminal went away (a browser tab closed, its idle time ran out): a signed-on
        employee is signed off with an audit record, as SINOF would leave one.  Why: a
        session nobody can reach any more must not stay signed on in the audit trail."""
        if self.employee_idrs is None:
            return
        self._audit(None, None, self.employee_idrs, "SINOF", outcome=outcome)
        self.sign_off()

    @property
    def signed_on(self) -> bool:
        return self.employee_idrs is not None

    # ---- input merge ----------------------------------------------------
    def _merge(self, event: AidEvent) -> None:
        """Apply what the terminal sent to our copy of the screen (Read Modified semantics)."""
        scr = self.screen.copy()
        if event.unformatted is not None and not scr.formatted:
            text = event.unformatted[:SIZE].ljust(SIZE)
            scr.chars = list(text)
        else:
            for addr, text in event.modified.items():
                fld = scr.fields.get(addr)
                if fld is not None and not fld.protected:
                    scr.set_text(fld, text)
        for pos, under in self._marks:  # our own error asterisks, still there, are not user
            if scr.chars[pos] == "*" and not scr.is_attribute(pos):  # input: what they covered comes back
                scr.chars[pos] = under
        self._marks = []
        # A short read (Clear, PA1-PA3) carries no cursor address (3270: only the AID): the
        # cursor stays where the screen had it.  Taking the codec's 0 put it on an attribute
        # byte over TN3270, so that s3270's Wait(InputField) timed out after a PA key.
        if not event.aid.short_read:
            scr.cursor = event.cursor % SIZE
        self.screen = scr

    # ---- sign-on ----------------------------------------------------------
    def _signon_screen(self, message: str) -> Screen:
        clock = self.mf.clock
        values = {"date": clock.today().strftime("%m/%d/%Y"), "cycle": clock.cycle, "terminal": self.terminal_id}
        return load_map("signon").render(values, message=message)

    def _handle_signon(self, event: AidEvent) -> Screen:
        if event.aid is Aid.CLEAR or event.aid is not Aid.ENTER:
            return self._signon_screen("ENTER EMPLOYEE NUMBER AND PASSWORD")
        values = self.screen.values()
        number = values.get("EMPLOYEE-NO", "").strip()
        password = values.get("PASSWORD", "")
        # The password is checked outside the unit of work: scrypt takes about 50 ms by
        # design, and holding the master-file lock for it stalled every other terminal.
        # The employee is read again inside, so a lock set meanwhile still counts.
        password_ok: bool | None = None
        stored: str | None = None
        if is_digits(number, 10):
            with self.mf.reading() as db:
                stored = db.scalar(select(Employee.password_hash).where(Employee.idrs == number))
            if stored is not None:
                password_ok = verify_password(password, stored)
        with self.mf.unit_of_work() as db:
            emp = db.get(Employee, number) if is_digits(number, 10) else None
            if emp is None:
                if (note := signon_audit.admit(self.mf)) is not None:  # repeatable by anyone: budgeted
                    self._audit(db, event, None, None, outcome="SIGN-ON REJECTED: UNKNOWN EMPLOYEE NUMBER" + note, violation=True)
                return self._signon_error("INVALID EMPLOYEE NUMBER", "EMPLOYEE-NO")
            if emp.locked:
                if (note := signon_audit.admit(self.mf)) is not None:
                    self._audit(db, event, emp.idrs, None, outcome="SIGN-ON REJECTED: LOCKED" + note, violation=True)
                return self._signon_error("EMPLOYEE NUMBER LOCKED - SEE YOUR MANAGER", "EMPLOYEE-NO")
            if password_ok is None or emp.password_hash != stored:  # changed since the first read
                password_ok = verify_password(password, emp.password_hash)
            if not password_ok:
                emp.failed_signons += 1
                if emp.failed_signons >= MAX_SIGNON_FAILURES:
                    emp.locked = True
                    msg = "INVALID PASSWORD - EMPLOYEE NUMBER NOW LOCKED"
                else:
                    left = MAX_SIGNON_FAILURES - emp.failed_signons
                    msg = f"INVALID PASSWORD - {left} ATTEMPT{'S' if left > 1 else ''} REMAINING"
                self._audit(db, event, emp.idrs, None, outcome=f"SIGN-ON REJECTED: {msg}", violation=True)
                return self._signon_error(msg, "PASSWORD")
            emp.failed_signons = 0
            self.employee_idrs = emp.idrs
            self._employee = emp  # stays readable after the unit of work (expire_on_commit=False)
            self._audit(db, event, emp.idrs, "SINON", outcome="SIGN-ON COMPLETED")
            return cleared_screen(f"SIGN-ON COMPLETED - {emp.name} {emp.idrs}")

    def _signon_error(self, message: str, field_name: str) -> Screen:
        """The sign-on screen again: `*` right of the bad field, the password always blank,
        the employee number kept, and the cursor on the employee number, the first field,
        so that typing "number, Tab, password" again lands where the operator expects."""
        scr = self._signon_screen(message)
        keep = self.screen.field_named("EMPLOYEE-NO")
        fld = scr.field_named("EMPLOYEE-NO")
        if keep is not None and fld is not None and field_name != "EMPLOYEE-NO":
            scr.set_text(fld, self.screen.text_of(keep))
        target = scr.field_named(field_name)
        if target is not None:
            mark_after(scr, target, self._marks)
        first = fld or target
        if first is not None:
            scr.cursor = (first.addr + 1) % SIZE
        return scr

    def sign_off(self, message: str = "SIGN-OFF COMPLETED") -> Screen:
        """End the signed-on session: the screen is cleared back to sign-on."""
        self.employee_idrs = None
        self._employee = None
        self.state = TerminalState()
        self._pages = _Pages()
        self.screen = self._signon_screen(message)
        return self.screen.copy()

    # ---- signed on ---------------------------------------------------------
    def _handle_signed_on(self, event: AidEvent) -> Screen:
        aid = event.aid
        if aid is Aid.CLEAR:
            self._pages = _Pages()
            self._audit(None, event, self.employee_idrs, None, outcome="CLEAR")
            return cleared_screen("")
        if aid in (Aid.PF7, Aid.PF8):
            return self._page(event, forward=aid is Aid.PF8)
        if aid is not Aid.ENTER:
            self._audit(None, event, self.employee_idrs, None, outcome="KEY NOT ACTIVE")
            return with_message(self.screen, f"{aid.value} KEY NOT ACTIVE ON THIS SCREEN")
        return self._enter(event)

    def _enter(self, event: AidEvent) -> Screen:
        lines, offset = command_lines(self.screen)
        if not any(line.strip() for line in lines):
            return with_message(self.screen, "ENTER A COMMAND CODE")
        parsed = parse_command(lines)
        if parsed is None:
            return with_message(self.screen, "ENTER A COMMAND CODE")
        foreign = foreign_character(self.screen, lines, offset)
        if foreign is not None:
            with self.mf.unit_of_work() as db:
                self._audit(db, event, self.employee_idrs, first_word(lines[0]), Typed(typed_tin(lines[0])),
                            outcome=INVALID_CHARACTER)
            return self._refuse(foreign)
        if offset:
            parsed = on_screen(parsed, offset)
        with self.mf.unit_of_work() as db:
            emp = self._employee
            if emp is None or emp.idrs != self.employee_idrs:  # signed on some other way (tests)
                emp = self._employee = db.get(Employee, self.employee_idrs)
            assert emp is not None
            if isinstance(parsed, ParseError):
                parsed = for_code(parsed, first_word(lines[0]))
                # The TIN typed stays on the record (INVALID MFT, TAX PERIOD, NAME CONTROL,
                # DATA): a refused request still accessed it (docs/security.md; issue #16 item 10).
                self._audit(db, event, emp.idrs, first_word(lines[0]), Typed(typed_tin(lines[0])),
                            outcome=parsed.literal)
                return self._refuse(Refusal(parsed.literal, marks=[(parsed.line, parsed.start or parsed.col, parsed.col - 1)]))
            code = commands.resolve(parsed).code
            definition = commands.definitions().get(code)
            handler = commands.handler_for(code)
            if definition is None or handler is None:
                self._audit(db, event, emp.idrs, code, parsed, outcome=INVALID_COMMAND_CODE)
                return self._refuse(Refusal(INVALID_COMMAND_CODE, marks=[_head_span(parsed)]))
            if not definition.takes_definer(parsed.definer):
                # Checked here, for every code, before the role: a typo is not a violation.
                self._audit(db, event, emp.idrs, code, parsed, outcome=INVALID_DEFINER)
                return self._refuse(Refusal(INVALID_DEFINER, marks=[_head_span(parsed)]))
            stray = stray_element(parsed, definition)
            if stray is not None:
                self._audit(db, event, emp.idrs, code, parsed, outcome=stray.message)
                return self._refuse(stray)
            if not definition.allows(emp.roles or []):
                self._audit(db, event, emp.idrs, code, parsed, outcome=UNAUTHORIZED, violation=True)
                return self._refuse(Refusal(UNAUTHORIZED, marks=[_head_span(parsed)]))
            ctx = Context(self.mf, db, emp, self.terminal_id, self.state, parsed, self.screen.values())
            try:
                reply = handler(ctx)
            except Exception:
                # Undo whatever the handler did; the audit record below goes into the
                # fresh transaction the session begins.  (No SAVEPOINT around every
                # handler: it cost two statements on every key for the rare defect.)
                log.exception("handler %s failed", code)
                self._roll_back(db, emp)
                reply = Refusal("SYSTEM ERROR - REQUEST NOT PROCESSED")
            else:
                if isinstance(reply, Refusal):
                    # A refused request changes nothing (issue #16 item 6): whatever the
                    # handler wrote before it refused is undone here, for every command
                    # code, and only the audit record below is kept.
                    self._roll_back(db, emp)
            message = _reply_message(reply)
            self._audit(db, event, emp.idrs, code, parsed, outcome=ctx.outcome or message or code,
                        violation=getattr(reply, "violation", False))
            if code == "SINOF" and isinstance(reply, Cleared):
                return self.sign_off(reply.message or "SIGN-OFF COMPLETED")
            self.state.last_code = code
        return self._show(reply)

    def _roll_back(self, db, emp: Employee) -> None:  # type: ignore[no-untyped-def]
        """Undo the key's writes; the audit record then goes into a fresh transaction."""
        mine = emp in db
        db.rollback()
        if mine:  # expired by the rollback: read again at the next key
            self._employee = None

    # ---- replies -> screens --------------------------------------------
    def _show(self, reply: Reply) -> Screen:
        if isinstance(reply, Refusal):
            return self._refuse(reply)
        if isinstance(reply, Cleared):
            self._pages = _Pages()
            return cleared_screen(reply.message)
        smap = load_map(reply.map)
        continued = reply.continued
        if continued is None and smap.list_rows:
            continued = f"{self.state.last_code or reply.map} CONTINUED BELOW"
        screens = smap.pages(reply.values, reply.lines, continued or "", reply.message)
        self._pages = _Pages(screens, 0)
        return screens[0].copy()

    def _page(self, event: AidEvent, forward: bool) -> Screen:
        pages = self._pages
        self._audit(None, event, self.employee_idrs, self.state.last_code, outcome="PAGE")
        if len(pages.screens) <= 1:
            return with_message(self.screen, "NO MORE PAGES")
        nxt = pages.index + (1 if forward else -1)
        if not 0 <= nxt < len(pages.screens):
            return with_message(self.screen, "LAST PAGE DISPLAYED" if forward else "FIRST PAGE DISPLAYED")
        pages.index = nxt
        return pages.screens[nxt].copy()

    def _refuse(self, refusal: Refusal) -> Screen:
        return refusal_screen(self.screen, refusal, self._marks)

    # ---- audit ---------------------------------------------------------------
    def _audit(self, db, event: AidEvent | None, idrs: str | None, code: str | None, cmd=None,  # type: ignore[no-untyped-def]
               outcome: str | None = None, violation: bool = False) -> None:
        """Append one audit record for this terminal (`session_audit.write_audit`)."""
        write_audit(self.mf, self.terminal_id, db, event, idrs, code, cmd, outcome, violation)


def _reply_message(reply: Reply) -> str:
    return reply.message if hasattr(reply, "message") else ""


def employees(mf: MasterFile) -> list[Employee]:
    with mf.reading() as db:
        return list(db.scalars(select(Employee).order_by(Employee.idrs)))
