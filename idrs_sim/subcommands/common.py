"""What the subcommands share: the usage error, the simulator of ``--db``/``--fixture``/``--date``,
and telling a database error from a defect (without importing SQLAlchemy)."""

from __future__ import annotations

import argparse
import sys

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem the user can fix by changing the command; one line, exit 2."""


def _simulator(args: argparse.Namespace, follow_clock: bool = False, writes: bool = True):  # type: ignore[no-untyped-def]
    """The simulator of ``--db``/``--fixture``/``--date``; with `writes` (terminals, cycles) a
    read-only database is refused now, in one line, not at the first key."""
    from ..masterfile.db import is_memory_url, sqlite_file
    from ..simulator import DEFAULT_FIXTURE, Simulator, resolve

    fixture = getattr(args, "fixture", None)
    url = getattr(args, "db", None) or "sqlite://"
    if fixture is not None:
        resolve(fixture)  # an unknown fixture is refused before the database is opened (or made)
    if not writes and fixture is None:
        path = sqlite_file(url)
        if path is not None and not path.exists():  # a typo: reading must not create (and fill) it
            raise UsageError(f"no database at {path}")
    if not writes and getattr(args, "date", None) and not is_memory_url(url):
        raise UsageError("--date would move the clock the database keeps, and this command only reads: "
                         "give --date to replay or cycle")
    sim = Simulator(
        url,
        fixture or DEFAULT_FIXTURE,
        getattr(args, "date", None),
        replace=fixture is not None,
        follow_clock=follow_clock,
    )
    if writes:
        try:
            sim.require_writable()
            refuse_classroom_database(sim, url, "this command")
        except BaseException:
            sim.close()
            raise
    return sim


def refuse_classroom_database(sim, url: str, what: str) -> None:  # type: ignore[no-untyped-def]
    """A classroom's database holds its lobby (the sign-on accounts and the class registry),
    not the trainees' work: `cycle` posted the lobby and `reset --discard` took the trainee
    accounts away while every sandbox stood still (review 2026-12-07).  Refused in one line."""
    from ..classroom.models import is_classroom_database

    if is_classroom_database(sim.mf.engine):
        raise UsageError(f"{url} is a classroom database: {what} would change only its lobby, not the "
                         f"trainees' sandboxes; run the class with 'idrs-sim classroom --db {url}' (the "
                         f"instructor's CYCLE, RESET and LESSON codes)")


def employee_number_problem(text: str) -> str | None:
    """What is wrong with an IDRS (employee) number typed as an option, or None: one
    statement for `audit --employee` and `grade --trainee`."""
    from ..digits import is_digits

    return None if is_digits(text, 10) else f"{text!r}: an IDRS (employee) number has 10 digits"


def output_problem(path: str, url: str | None = None) -> str | None:
    """Why `path` must not be written as a report (--html, --report), or None.

    A report never replaces a database: the --db file itself, or any file that is one
    (SQLite's header), is refused, and so is a directory or a missing parent directory,
    in words rather than as an OSError after the work is done."""
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        return f"{path} is a directory: give a file name"
    if not target.parent.is_dir():
        return f"no directory {target.parent} for {path}"
    if url:
        from ..masterfile.db import sqlite_file

        db = sqlite_file(url)
        if db is not None and db.exists() and target.exists() and target.resolve() == db.resolve():
            return f"{path} is the --db database: a report never replaces it"
    try:
        with target.open("rb") as fh:
            if fh.read(16) == b"SQLite format 3\x00":
                return f"{path} is a database: a report never replaces it"
    except OSError:
        pass  # not there (or unreadable): opening it for writing says why
    return None


def _is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy error, checked without importing SQLAlchemy: if it was never imported,
    nothing can have raised one."""
    exc_module = sys.modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.SQLAlchemyError)


__all__ = ["EXIT_USAGE", "UsageError"]
