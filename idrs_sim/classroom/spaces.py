"""Where a lesson's untouched copy and the trainees' sandboxes live, per database engine.

Chosen by measurement (docs/decisions.md, "Classroom"): a sandbox is a whole master file
in a space of its own, because every query of the simulator is written for one master
file; keying every table by sandbox id would have touched them all.

* **SQLite** (`--db sqlite:///class.db`): the lobby (sign-on, lockouts, the class
  registry) is `class.db`; each lesson copy and each sandbox is an SQLite file in the
  folder `class.db-sandboxes/` beside it.  A sandbox is made by copying the lesson's file
  (about 5 ms for the training master file) under a temporary name and renaming it, so a
  crash never leaves half a sandbox.
* **PostgreSQL**: one database.  The lobby is the URL's own schema (``public``), each
  lesson copy the schema ``lesson_N`` and each sandbox the schema ``sb_N``; a sandbox is
  made in one transaction (CREATE SCHEMA, the master file's tables, INSERT..SELECT from
  the lesson's schema, about 80 ms), together with its registry row.  A sandbox's master
  file is opened on the same URL with ``search_path`` set to its schema, so the whole
  simulator runs on it unchanged, and ``idrs-sim dump`` can read it the same way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Connection, Engine, event, make_url

from ..masterfile.db import _APPEND_ONLY_POSTGRES, is_memory_url
from ..masterfile.models import AuditRecord, Base

# Not copied into a sandbox: the lesson copy's own audit trail (empty anyway: nobody signs
# on to it) is no part of a trainee's work.
_NOT_CLONED = {AuditRecord.__tablename__}


class Spaces:
    """Engine-specific storage of lesson copies and sandboxes; see the module docstring."""

    engine_name = ""

    def url(self, location: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def lesson_location(self, no: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def sandbox_location(self, sandbox_id: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class SqliteSpaces(Spaces):
    engine_name = "sqlite"

    def __init__(self, lobby_url: str) -> None:
        database = make_url(lobby_url).database
        if is_memory_url(lobby_url) or not database:
            raise ValueError("a classroom needs a database file (--db sqlite:///class.db), not memory")
        path = Path(database).resolve()
        self.folder = path.parent / f"{path.name}-sandboxes"
        self.folder.mkdir(parents=True, exist_ok=True)

    def url(self, location: str) -> str:
        return f"sqlite:///{self.folder / location}"

    def path(self, location: str) -> Path:
        return self.folder / location

    def lesson_location(self, no: int) -> str:
        return f"lesson-{no}.db"

    def sandbox_location(self, sandbox_id: int) -> str:
        return f"sandbox-{sandbox_id}.db"

    def exists(self, location: str) -> bool:
        return self.path(location).is_file()

    def clone(self, lesson_location: str, location: str) -> None:
        """Copy the lesson's file to the sandbox's, atomically (temporary name, then rename)."""
        target = self.path(location)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(self.path(lesson_location), tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)


class PostgresSpaces(Spaces):
    engine_name = "postgresql"

    def __init__(self, lobby_url: str) -> None:
        self.base = make_url(lobby_url)

    def url(self, location: str) -> str:
        query = dict(self.base.query)
        query["options"] = f"-csearch_path={location}"
        return self.base.set(query=query).render_as_string(hide_password=False)

    def lesson_location(self, no: int) -> str:
        return f"lesson_{no}"

    def sandbox_location(self, sandbox_id: int) -> str:
        return f"sb_{sandbox_id}"

    @staticmethod
    def schema_engine(shared: Engine, location: str) -> Engine:
        """An engine on `shared`'s pool whose every transaction works in the schema `location`
        (`SET LOCAL`: the connection goes back to the pool as it came)."""
        engine = shared.execution_options()

        @event.listens_for(engine, "begin")
        def _search_path(conn: Connection) -> None:
            conn.exec_driver_sql(f'SET LOCAL search_path TO "{location}"')

        return engine

    @staticmethod
    def create_schema(conn: Connection, location: str) -> None:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{location}"')

    @staticmethod
    def clone(conn: Connection, lesson_location: str, location: str) -> None:
        """In the caller's transaction: the master file's schema in `location`, filled from the lesson's."""
        conn.exec_driver_sql(f'CREATE SCHEMA "{location}"')
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{location}"')
        Base.metadata.create_all(conn, checkfirst=False)  # a new schema: nothing to check
        for sql in _APPEND_ONLY_POSTGRES:
            conn.exec_driver_sql(sql)
        for table in Base.metadata.sorted_tables:
            if table.name in _NOT_CLONED:
                continue
            conn.exec_driver_sql(f'INSERT INTO "{location}".{table.name} SELECT * FROM "{lesson_location}".{table.name}')
            if "id" in table.c and table.c.id.primary_key:  # an integer key from a sequence
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{location}\".{table.name}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{location}\".{table.name}")
        conn.exec_driver_sql("SET LOCAL search_path TO DEFAULT")


def spaces_for(lobby_url: str, dialect: str) -> Spaces:
    if dialect == "sqlite":
        return SqliteSpaces(lobby_url)
    if dialect == "postgresql":
        return PostgresSpaces(lobby_url)
    raise ValueError(f"a classroom runs on SQLite or PostgreSQL, not {dialect}")
