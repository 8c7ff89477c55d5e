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

Ready-made images of loaded fixtures (`fixture_images`): a new in-memory master file
of a fixture loaded before by this code is copied from the cached image of that load
instead of being loaded from the files again (see that module for when an image is used).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from .clock import Clock
from .fixture_images import copy_image_into, find_image, forget_image, save_image
from .masterfile.db import DEFAULT_URL, MasterFile, get_state, is_memory_url, set_state
from .terminal.session import IDLE_TIMEOUT_MINUTES, IdrsSession
from .terminal.terminal import Terminal

DEFAULT_FIXTURE = "training"
_FIXTURE_KEY = "fixture_source"  # SimState key: where this database's master file came from
log = logging.getLogger(__name__)


class SimulatorError(Exception):
    """A set-up problem a user can fix (unknown fixture, bad database URL, bad date)."""


class CycleCountError(SimulatorError):
    """A cycle count refused before anything ran (it runs past the posting calendar)."""


def parse_date(value: str | dt.date | dt.datetime) -> dt.date:
    """A simulated date from ``YYYY-MM-DD`` (or a date); SimulatorError otherwise."""
    if isinstance(value, dt.datetime):
        return check_date(value.date())
    if isinstance(value, dt.date):
        return check_date(value)
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SimulatorError(f"bad date {value!r}: expected YYYY-MM-DD, e.g. 2024-06-17") from None
    return check_date(day)


def check_date(day: dt.date) -> dt.date:
    """`day`, if the posting calendar has a cycle for it and for the week after (a Cycle
    from it must work); SimulatorError otherwise -- checked BEFORE anything is saved
    (issue #16 item 8: a saved out-of-range date broke every later command)."""
    from .posting import calendar as cal

    try:
        cal.add_cycles(cal.cycle_of(day), 1)
    except ValueError:
        first, last = cal.year_start(cal.MIN_YEAR), cal.year_start(cal.MAX_YEAR + 1) - dt.timedelta(days=8)
        raise SimulatorError(f"date {day.isoformat()} is outside the simulated posting calendar "
                             f"({first.isoformat()} to {last.isoformat()})") from None
    return day


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
        # A new in-memory database that a fixture fills gets its schema from the fixture's
        # ready-made image when there is one (`_load_into` creates it otherwise).
        self.mf = _open(url, follow_clock, schema=not (self.in_memory and fixture is not None))
        self._terminals = 0
        try:
            # A new in-memory database is always empty: no need to ask it.  `replace` (an
            # explicit --fixture) never overwrites a database that holds anything: that is
            # `reset --discard`'s job (issue #16 item 1, docs/decisions.md).
            if fixture is not None and (self.in_memory or self.is_empty()):
                self._load_into(fixture)
            else:
                if replace and fixture is not None:
                    raise SimulatorError(self._refusal_to_replace(fixture))
                self._recall_fixture()
            if date is not None:
                self.set_date(date)
        except BaseException:
            self.mf.dispose()
            raise

    # ---- data --------------------------------------------------------------
    def is_empty(self) -> bool:
        """True when the database holds nothing at all: no master file, no audit trail,
        no cycle run.  Only such a database is filled from a fixture without asking."""
        return not any(self.holdings().values())

    def holdings(self) -> dict[str, int]:
        """What the database holds, by kind: what a fixture load would discard or keep."""
        from .masterfile.holdings import count_holdings

        with self.mf.reading() as db:
            return count_holdings(db)

    def _refusal_to_replace(self, fixture: str | Path) -> str:
        from .masterfile.holdings import describe

        return (f"--fixture {fixture} refused: the database already holds {describe(self.holdings())}; "
                f"to use it as it is, leave out --fixture; to start afresh from the fixture, "
                f"run 'idrs-sim reset --db URL --fixture {fixture} --discard'")

    def reset(self, fixture: str | Path) -> dict[str, int]:
        """Replace the master file by a fixture on purpose (`idrs-sim reset --discard`);
        what was discarded.  The audit trail and incident reports stay (append-only); a
        system audit record says that the master file was reset, from what, and what went."""
        from sqlalchemy import insert as _insert

        from .masterfile.holdings import DISCARDED
        from .masterfile.models import AuditRecord

        before = self.holdings()
        self._load_into(fixture)
        gone = {k: v for k, v in before.items() if k in DISCARDED}
        name = Path(str(fixture)).name
        with self.mf.unit_of_work() as db:
            db.execute(_insert(AuditRecord), {
                "at": self.mf.clock.now(), "idrs": None, "terminal": "SYSTEM", "aid": None, "command": "RESET",
                "outcome": (f"MASTER FILE RESET FROM {name}: DISCARDED {gone.get('entities', 0)} ENT "
                            f"{gone.get('pending inputs', 0)} PENDING {gone.get('cycle runs', 0)} CYCLES").upper()[:80],
                "violation": False})
        return gone

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
        self.mf = _open(self.url, self.follow_clock, schema=False)  # _load_into makes it
        try:
            self._load_into(path)
        except BaseException:
            self.mf.dispose()
            self.mf = old
            raise
        old.dispose()

    @property
    def in_memory(self) -> bool:
        return is_memory_url(self.url)

    def _load_into(self, fixture: str | Path) -> None:
        path = resolve(fixture)
        # In memory, self.mf is always a database made just now (__init__, load()): the
        # ready-made image of this fixture, when there is a valid one, is the same data.
        if self.in_memory and self._restore_image(path):
            return
        self.mf.ensure_schema()  # no image: the database was opened without its schema
        from .masterfile.fixtures import FixtureError, load_fixture
        from .masterfile.fixtures import fixture_passwords as passwords_of

        try:
            composition = load_fixture(self.mf, path, replace=True)
            self.passwords = passwords_of(composition)  # the files just read, not read again
        except FixtureError as exc:
            raise SimulatorError(_first_problem(exc)) from None
        from .masterfile.fixture_load import give_passwords_to_the_hashless

        self.passwords.update(give_passwords_to_the_hashless(self.mf))  # a dump's people (SRV-6)
        self.fixture_source = str(path.resolve())
        with self.mf.unit_of_work() as db:
            set_state(db, _FIXTURE_KEY, self.fixture_source[:200])
        self.mf.save_clock()
        if self.in_memory and not self.follow_clock:
            self._save_image(path, composition)

    def require_writable(self) -> None:
        """SimulatorError (one line) when the database cannot be written: a terminal writes
        an audit record at every key and a cycle posts, so this is a usage error, told
        before the first key rather than as a SYSTEM ERROR on it."""
        if self.in_memory:
            return
        reason = self.mf.read_only_reason()
        if reason is not None:
            raise SimulatorError(f"database {_without_password(self.url)!r} is read-only ({reason}): "
                                 f"idrs-sim needs to write to it (an audit record at every key, the posting runs)")

    # ---- ready-made images (see the module docstring) --------------------------------
    # ---- ready-made images (idrs_sim.fixture_images) ----------------------------------
    def _restore_image(self, path: Path) -> bool:
        """Fill the new in-memory master file from a valid cached image; False when there is none."""
        found = find_image(path)
        if found is None:
            return False
        try:
            copy_image_into(self.mf, found.image)
        except Exception:  # noqa: BLE001
            log.debug("master-file image for %s could not be restored", path, exc_info=True)
            forget_image(found)
            self.mf.dispose()  # start again on a clean database, the normal way
            self.mf = _open(self.url, self.follow_clock, schema=False)  # _load_into makes it
            return False
        self.mf.mark_schema_ready()
        self.passwords = found.passwords
        self.fixture_source = found.top
        self.mf.clock.set(found.clock)
        if self.mf.clock.is_following:  # the normal load saves the running clock last
            self.mf.save_clock()
        return True

    def _save_image(self, path: Path, composition: Any) -> None:
        """Keep this freshly loaded master file as the image of its fixture (never fails)."""
        save_image(self.mf, path, composition, self.passwords)

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

    def cycle(self, count: int = 1, on_commit: Any = None) -> list[Any]:
        """Advance to the next posting cycle and run posting, `count` times; the reports.

        `on_commit(report)` is called as each cycle commits.  The end of the posting
        calendar is a SimulatorError (cycles before it stay committed)."""
        if count < 1:
            raise SimulatorError(f"cycle count must be 1 or more, not {count}")
        from .posting import calendar as cal
        from .posting.run import advance_and_post

        # Refused before anything commits: a count that runs off the calendar would commit
        # cycles up to its end and then stop (found by a review: --count 100000).
        self.mf.refresh_clock()
        room = cal.cycles_after(self.clock.cycle) - 1  # each run needs the cycle after it
        if count > room:
            raise CycleCountError(f"cycle count {count} is too many: the simulated posting calendar ends in "
                                 f"{cal.MAX_YEAR}, at most {max(room, 0)} more from cycle {self.clock.cycle}; "
                                 "nothing was posted")
        done: list[Any] = []

        def committed(report: Any) -> None:
            done.append(report)
            if on_commit is not None:
                on_commit(report)

        for _ in range(count):
            self.mf.refresh_clock()
            try:
                cal.add_cycles(cal.add_cycles(self.clock.cycle, 1), 1)
            except ValueError:
                raise SimulatorError(f"no posting cycle after {self.clock.today().isoformat()}: the simulated "
                                     f"posting calendar ends in {cal.MAX_YEAR}"
                                     + (f" ({len(done)} cycle{'s' if len(done) != 1 else ''} ran first)"
                                        if done else "")) from None
            advance_and_post(self.mf, 1, on_commit=committed)
        return done

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

    def dump(self, tin: str | None = None, *, hashes: bool = False) -> dict[str, Any]:
        from .masterfile.dump import dump

        return dump(self.mf, tin=tin, hashes=hashes)

    def close(self) -> None:
        self.mf.dispose()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- helpers -------------------------------------------------------------------
def _open(url: str, follow_clock: bool, *, schema: bool = True) -> MasterFile:
    """A MasterFile for `url`, turning driver and URL errors into one readable line.
    `schema=False` (in memory only) leaves the schema to an image or `ensure_schema()`."""
    clock = Clock.following(dt.datetime(2024, 6, 17, 8, 0)) if follow_clock else None
    shown = _without_password(url)
    try:
        return MasterFile(url, clock, schema=schema)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise SimulatorError(f"cannot open database {shown!r}: {reason}") from None
    except (ValueError, ImportError) as exc:  # e.g. a URL naming a driver that is not installed
        raise SimulatorError(f"cannot open database {shown!r}: {exc}") from None


def _without_password(url: str) -> str:
    """The URL as an error line may show it: a password it carries is masked."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        return url if parsed.password is None else parsed.render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: nothing in it can be told apart
        return url


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
