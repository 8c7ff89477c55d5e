"""The host of one classroom terminal: sign-on in the lobby, then the trainee's own sandbox.

`ClassroomHost` is what the TN3270 server's host factory makes for each connection (the
server is the one of `idrs-sim serve`, unchanged).  Before sign-on it is an `IdrsSession`
on the lobby: the class's employees, their failed sign-ons and lockouts, as IDRS does it.
A connection that keeps failing is slowed down (`rules.signon_throttle`), so nobody who
can reach the port locks the class out.  Signed on, every key goes to an `IdrsSession` on
the trainee's sandbox (made at the first sign-on, kept afterwards).  Before each key the
host reads the sandbox's saved clock (another process or the instructor may have run a
cycle: the terminal follows at once) and whether the sandbox was retired (RESET, LESSON:
the trainee moves to the fresh one).  Sign-off, or an idle timeout, returns to the lobby.

EXER NAME makes the trainee a fresh sandbox on the exercise's fixture
(`classroom.exercise`); the host moves there after that key, signed on as the exercise's
employee.  In an exercise sandbox sign-off stays in the sandbox: its own sign-on screen
takes the other employees the exercise names, as the procedure signs on as them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import insert

from ..clock import Clock
from ..masterfile.models import AuditRecord
from ..rules.signon_throttle import SignonThrottle
from ..terminal.aid import Aid, AidEvent
from ..terminal.screen import Screen
from ..terminal.session import IDLE_TIMEOUT_MINUTES, IdrsSession
from ..terminal.session_screen import with_message
from .classroom import CLOCK_KEY, RETIRED_KEY, Classroom, SandboxHandle

_REJECTED = ("INVALID", "EMPLOYEE NUMBER LOCKED")  # the sign-on literals of a failed attempt


#: Line 24 when someone else signs on inside a trainee's exercise sandbox.
EXERCISE_SIGNON_ONLY = "IN THIS EXERCISE SIGN ON AS YOURSELF OR ITS EMPLOYEES"


class ClassroomHost:
    """One terminal of the class (the `Host` protocol: first_screen, handle, slow_key)."""

    def __init__(self, room: Classroom, terminal_id: str, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.room = room
        self.terminal_id = terminal_id
        self._monotonic = monotonic
        self.idle = IDLE_TIMEOUT_MINUTES if room.follow_clock else None
        self.lobby = IdrsSession(room.lobby.mf, terminal_id, idle_timeout_minutes=None)
        self.session: IdrsSession | None = None  # signed on: the session on the sandbox
        self.sandbox: SandboxHandle | None = None
        self.trainee: str | None = None  # who signed on in the lobby: the sandbox's owner
        self.in_exercise = False  # the sandbox was made by EXER: sign-on stays inside it
        self.throttle = SignonThrottle()
        self._seen_clock: str | None = None

    # ---- Host protocol -------------------------------------------------------------
    def first_screen(self) -> Screen:
        return self.lobby.first_screen()

    def slow_key(self, event: AidEvent) -> bool:
        """The password check (scrypt), the first sign-on's sandbox copy, EXER NAME's fresh
        sandbox (a fixture load, seconds), GRADE (posting on a copy) and the instructor's CLASS
        (a grade per trainee) run beside other keys."""
        if event.aid is not Aid.ENTER:
            return False
        if self.session is None:
            return True
        typed = event.unformatted if event.unformatted is not None else " ".join(event.modified.values())
        return typed.lstrip().upper().startswith(("EXER ", "GRADE", "CLASS"))

    def handle(self, event: AidEvent) -> Screen:
        if self.session is None:
            return self._signon(event)
        moved = self._follow()
        if moved is not None:
            return moved
        was_signed_on = self.session.signed_on
        screen = self.session.handle(event)
        assert self.trainee is not None
        if self.in_exercise and not was_signed_on and self.session.signed_on:
            screen = self._exercise_signon(screen)
        exercise = self.room.moved.pop(self.trainee, None)
        if exercise is not None:  # EXER NAME made a fresh sandbox: the next key works there
            self._enter_sandbox(exercise, self.trainee)
            self.room.audit_signon(exercise, self.session.employee_idrs or self.trainee, self.terminal_id)
            self.session.screen = screen.copy()
            return screen
        if not self.session.signed_on and not self.in_exercise:  # SINOF or the idle timeout
            self._to_lobby(screen)
        return screen

    @property
    def employee_idrs(self) -> str | None:
        return self.session.employee_idrs if self.session is not None else None

    @property
    def clock(self) -> Clock:
        """The clock this terminal's status line shows: its sandbox's once signed on, the lobby's before."""
        return self.sandbox.mf.clock if self.sandbox is not None else self.room.lobby.clock

    def end(self, outcome: str) -> None:
        """The terminal went away (a browser tab closed): a signed-on trainee is signed off
        with an audit record in their sandbox (`IdrsSession.end`), and the terminal is back in the lobby."""
        if self.session is not None:
            self.session.end(outcome)
            self._to_lobby(self.lobby.first_screen())

    # ---- sign-on -------------------------------------------------------------------
    def _signon(self, event: AidEvent) -> Screen:
        if event.aid is Aid.ENTER:
            wait = self.throttle.remaining(self._monotonic())
            if wait > 0:
                self.room.lobby.mf.write_one(insert(AuditRecord), {
                    "at": self.room.lobby.clock.now(), "idrs": None, "terminal": self.terminal_id, "aid": event.aid.value,
                    "command": None, "tin": None, "mft": None, "period": None, "violation": True,
                    "outcome": f"SIGN-ON DELAYED: {self.throttle.failures} FAILURES ON THIS CONNECTION"})
                screen = with_message(self.lobby.first_screen(), f"SIGN-ON DELAYED - TRY AGAIN IN {int(wait) + 1} SECOND{'S' if int(wait) + 1 != 1 else ''}")
                self.lobby.screen = screen.copy()
                return screen
        screen = self.lobby.handle(event)
        if not self.lobby.signed_on:
            if event.aid is Aid.ENTER and screen.message.startswith(_REJECTED):
                self.throttle.failed(self._monotonic())
            return screen
        idrs = self.lobby.employee_idrs
        assert idrs is not None
        self.throttle.succeeded()
        self.lobby.sign_off()  # the lobby session waits for this terminal's next sign-on
        self.trainee = idrs
        handle = self.room.sandbox_for(idrs)
        if handle is None:  # cannot happen: the lobby knows the employee
            return self._lobby_message("NO SANDBOX FOR THIS EMPLOYEE - SEE YOUR INSTRUCTOR")
        self._enter_sandbox(handle, idrs)
        assert self.session is not None
        self.room.audit_signon(handle, self.session.employee_idrs or idrs, self.terminal_id)
        self.session.screen = screen.copy()
        return screen

    def _exercise_signon(self, screen: Screen) -> Screen:
        """In an exercise sandbox the terminal signs on again only as its trainee or as an
        employee the exercise's procedure signs on as (decision GRADE-9): a trainee who
        signed off there and signed on as the instructor ran CLASS, RESET and LESSON
        (review 2026-12-07)."""
        from .exercise import exercise_employees

        assert self.session is not None and self.sandbox is not None and self.trainee is not None
        if self.session.employee_idrs in exercise_employees(self.sandbox.mf, self.trainee):
            return screen
        return self.session.sign_off(EXERCISE_SIGNON_ONLY)

    def _enter_sandbox(self, handle: SandboxHandle, idrs: str) -> None:
        """Work in `handle` as trainee `idrs` (or as the employee of the exercise started there)."""
        from .exercise import played_employee

        self.room.follow(handle)
        session = IdrsSession(handle.mf, self.terminal_id, idle_timeout_minutes=self.idle)
        played = played_employee(handle.mf, idrs)
        self.in_exercise = played is not None
        session.employee_idrs = played or idrs
        session.last_activity = handle.mf.clock.now()
        self.session, self.sandbox = session, handle
        self._seen_clock = handle.applied_clock

    def _to_lobby(self, screen: Screen) -> None:
        self.session, self.sandbox, self.in_exercise = None, None, False
        self.lobby.screen = screen.copy()

    def _lobby_message(self, message: str) -> Screen:
        self.session, self.sandbox, self.in_exercise = None, None, False
        screen = with_message(self.lobby.first_screen(), message)
        self.lobby.screen = screen.copy()
        return screen

    # ---- following the sandbox -----------------------------------------------------------
    def _follow(self) -> Screen | None:
        """Before a key: take the sandbox's clock as saved (a cycle run elsewhere shows at
        once, and is not mistaken for idle time); move to a fresh sandbox if this one was
        retired (the key is not run: the trainee sees why and types it again)."""
        assert self.sandbox is not None and self.session is not None
        state = self.room.follow(self.sandbox)
        saved = state.get(CLOCK_KEY)
        if saved != self._seen_clock:
            self._seen_clock = saved
            self.session.last_activity = self.sandbox.mf.clock.now()
        reason = state.get(RETIRED_KEY)
        if reason is None:
            return None
        idrs = self.trainee
        assert idrs is not None
        handle = self.room.sandbox_for(idrs)
        if handle is None:
            return self._lobby_message(f"{reason} - SIGN ON AGAIN")
        self._enter_sandbox(handle, idrs)
        self.room.audit_signon(handle, self.session.employee_idrs or idrs, self.terminal_id)
        screen = with_message(Screen.unformatted(), f"{reason} - NEW SANDBOX, ENTER YOUR COMMAND AGAIN")
        assert self.session is not None
        self.session.screen = screen.copy()
        return screen
