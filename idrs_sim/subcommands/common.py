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
    from ..simulator import DEFAULT_FIXTURE, Simulator

    fixture = getattr(args, "fixture", None)
    url = getattr(args, "db", None) or "sqlite://"
    if not writes and fixture is None:
        from ..masterfile.db import sqlite_file

        path = sqlite_file(url)
        if path is not None and not path.exists():  # a typo: reading must not create (and fill) it
            raise UsageError(f"no database at {path}")
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
        except BaseException:
            sim.close()
            raise
    return sim


def _is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy error, checked without importing SQLAlchemy: if it was never imported,
    nothing can have raised one."""
    exc_module = sys.modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.SQLAlchemyError)


__all__ = ["EXIT_USAGE", "UsageError"]
