"""One simulated IDRS installation: a master file, its clock, a fixture and terminals.

Every front end (TUI, replay scripts, the pytest API, `idrs-sim dump/cycle/serve`)
builds its world the same way, so they all go through this façade instead of wiring a
`MasterFile`, a fixture and an `IdrsSession` each in their own way.

Which data a `Simulator` starts from:

* an in-memory database (the default) always starts from the fixture (``training``
  unless told otherwise);
* a persistent database (``--db sqlite:///file.db``) that is empty is filled from the
  fixture; one that already holds a master file is used as it is, unless
  ``replace=True`` (the CLI passes it when ``--fixture`` is given explicitly).  The
  audit trail and incident reports are append-only (masterfile.db) and survive a
  reload: a fresh master file, the same record of who did what.

The database keeps only password hashes, so the simulator remembers the passwords of
the fixture it loaded (`password_for`; replay's ``SignOn(idrs)`` needs them) and records
the fixture's path in the database, so a later run on the same ``--db`` knows them too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .clock import Clock
from .masterfile.db import DEFAULT_URL, MasterFile, get_state, set_state
from .masterfile.models import Employee, Entity
from .session import IDLE_TIMEOUT_MINUTES, IdrsSession
from .terminal.terminal import Terminal

DEFAULT_FIXTURE = "training"
_FIXTURE_KEY = "fixture_source"  # SimState key: where this database's master file came from


class SimulatorError(Exception):
    """A set-up problem a user can fix (unknown fixture, bad database URL, bad date)."""


def parse_date(value: str | dt.date | dt.datetime) -> dt.date:
    """A simulated date from ``YYYY-MM-DD`` (or a date); SimulatorError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SimulatorError(f"bad date {value!r}: expected YYYY-MM-DD, e.g. 2024-06-17") from None


class Simulator:
    """A master file (with its clock) plus the fixture it came from; makes terminals.

    `fixture` is a shipped fixture name (``training``), a path to a YAML fixture or
    JSON dump, or None for no data at all.  `date` moves the simulated clock after the
    fixture has set its own.  `follow_clock` makes simulated time run on at real speed
    from there (the TUI: audit records get distinct times); scripts and tests keep it
    standing still so their results never depend on when they run.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        fixture: str | Path | None = DEFAULT_FIXTURE,
        date: str | dt.date | None = None,
        *,
        replace: bool = False,
        follow_clock: bool = False,
    ) -> None:
        self.url = url
        self.follow_clock = follow_clock
        self.passwords: dict[str, str] = {}
        self.fixture_source: str | None = None
        self.mf = _open(url, follow_clock)
        self._terminals = 0
        try:
            if fixture is not None and (replace or self.is_empty()):
                self._load_into(fixture)
            else:
                self._recall_fixture()
            if date is not None:
                self.set_date(date)
        except BaseException:
            self.mf.dispose()
            raise

    # ---- data --------------------------------------------------------------
    def is_empty(self) -> bool:
        """True when the database holds no employees and no entities yet."""
        with self.mf.reading() as db:
            return db.scalar(select(Employee.idrs).limit(1)) is None and db.scalar(select(Entity.id).limit(1)) is None

    def load(self, fixture: str | Path) -> None:
        """Replace the whole master file with a fixture (replay ``Load``).

        In memory, the master file is simply a new database.  A persistent database is
        refilled in place; its audit trail is kept (it is append-only).  A fixture that does not load leaves the master
        file as it was.  Terminals made before keep their old session, so callers make
        a new terminal afterwards.
        """
        if not self.in_memory:
            self._load_into(fixture)
            return
        path = resolve(fixture)
        old = self.mf
        self.mf = _open(self.url, self.follow_clock)
        try:
            self._load_into(path)
        except BaseException:
            self.mf.dispose()
            self.mf = old
            raise
        old.dispose()

    @property
    def in_memory(self) -> bool:
        return self.url in ("sqlite://", "sqlite:///:memory:")

    def _load_into(self, fixture: str | Path) -> None:
        from .masterfile.fixtures import FixtureError, fixture_passwords as passwords_of, load_fixture

        path = resolve(fixture)
        try:
            composition = load_fixture(self.mf, path, replace=True)
            self.passwords = passwords_of(composition)  # the files just read, not read again
        except FixtureError as exc:
            raise SimulatorError(_first_problem(exc)) from None
        self.fixture_source = str(path.resolve())
        with self.mf.unit_of_work() as db:
            set_state(db, _FIXTURE_KEY, self.fixture_source[:200])
        self.mf.save_clock()

    def _recall_fixture(self) -> None:
        """On a database filled earlier, find the fixture again for its passwords."""
        with self.mf.reading() as db:
            source = get_state(db, _FIXTURE_KEY)
        if source and Path(source).is_file():
            from .masterfile.fixtures import FixtureError, fixture_passwords

            self.fixture_source = source
            try:
                self.passwords = fixture_passwords(Path(source))
            except FixtureError:  # the file changed since; SignOn then needs a password
                self.passwords = {}

    def password_for(self, idrs: str) -> str | None:
        """The fixture password of an employee (None when the fixture did not give one)."""
        return self.passwords.get(str(idrs))

    # ---- time --------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        return self.mf.clock

    def set_date(self, when: str | dt.date) -> None:
        """Stand the simulated clock on a date (08:00); persisted with the database."""
        self.mf.set_date(parse_date(when))

    def cycle(self, count: int = 1) -> list[Any]:
        """Advance to the next posting cycle and run posting, `count` times; the reports."""
        if count < 1:
            raise SimulatorError(f"cycle count must be 1 or more, not {count}")
        from .posting import advance_and_post

        return list(advance_and_post(self.mf, count))

    # ---- terminals -----------------------------------------------------------
    def new_session(self, terminal_id: str | None = None) -> IdrsSession:
        """A host session (one per terminal or TN3270 connection) on this master file."""
        self._terminals += 1
        # Idle sign-off is about a person walking away: it applies where simulated time runs
        # at real speed (TUI, serve), not to scripts whose clock only moves by Cycle/Date.
        idle = IDLE_TIMEOUT_MINUTES if self.follow_clock else None
        return IdrsSession(self.mf, terminal_id or f"TERM{self._terminals:02d}", idle_timeout_minutes=idle)

    def new_terminal(self, terminal_id: str | None = None) -> Terminal:
        """An in-process 3270 terminal showing the sign-on screen."""
        return Terminal(self.new_session(terminal_id))

    def dump(self, tin: str | None = None) -> dict[str, Any]:
        from .masterfile.dump import dump

        return dump(self.mf, tin=tin)

    def close(self) -> None:
        self.mf.dispose()

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- helpers -------------------------------------------------------------------
def _open(url: str, follow_clock: bool) -> MasterFile:
    """A MasterFile for `url`, turning driver and URL errors into one readable line."""
    clock = Clock.following(dt.datetime(2024, 6, 17, 8, 0)) if follow_clock else None
    try:
        return MasterFile(url, clock)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise SimulatorError(f"cannot open database {url!r}: {reason}") from None
    except (ValueError, ImportError) as exc:  # e.g. a URL naming a driver that is not installed
        raise SimulatorError(f"cannot open database {url!r}: {exc}") from None


def resolve(fixture: str | Path) -> Path:
    """The file of a shipped fixture name or a path; SimulatorError if there is none."""
    from .masterfile.fixtures import FixtureError, resolve_fixture

    try:
        return Path(resolve_fixture(fixture))
    except FixtureError as exc:
        raise SimulatorError(_first_problem(exc)) from None


def _first_problem(exc: Exception) -> str:
    """One line for a fixture error that may list many problems."""
    problems = getattr(exc, "problems", None) or []
    if not problems:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    first = problems[0]
    more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}: idrs-sim fixtures check {first.file})" \
        if len(problems) > 1 else ""
    text = f"{first.file}:{first.line}: {first.message}" if first.line else f"{first.file}: {first.message}"
    if first.file == "<data>" or not first.file:
        text = first.message
    return text + more


__all__ = ["DEFAULT_FIXTURE", "Simulator", "SimulatorError", "parse_date", "resolve"]
