"""Fixtures shared by several test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from idrs_sim import cache


@pytest.fixture
def cache_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory for the test, with the process-memory entries forgotten."""
    where = tmp_path / "cache"
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", str(where))
    monkeypatch.setattr(cache, "_ENTRIES", {})
    return where


# ---- PostgreSQL: a real server for the master-file, posting and classroom tests ----------
# The tests start their own server (tests/pg_server.py: Debian's initdb/pg_ctl on a free
# port, as the `postgres` user when run as root) once per test process.  Without
# PostgreSQL installed they are skipped, saying so; IDRS_SIM_TEST_PG=off skips them too.
import itertools
import os

import mf_builders
import pg_server as _pg

_PG_NAMES = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throw-away PostgreSQL server for this test process."""
    if os.environ.get("IDRS_SIM_TEST_PG", "").lower() in ("off", "0", "no"):
        pytest.skip("PostgreSQL tests turned off (IDRS_SIM_TEST_PG=off)")
    if _pg.pg_bin() is None:
        pytest.skip("PostgreSQL (pg_ctl) is not installed")
    server = _pg.start()
    yield server
    server.stop()


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """A new, empty PostgreSQL database; its SQLAlchemy URL."""
    return pg_cluster.create_database(f"t{os.getpid()}_{next(_PG_NAMES)}")


@pytest.fixture(scope="session")
def _pg_schemas(pg_cluster):
    """One database whose schemas hold the master files of `new_mf` on PostgreSQL."""
    url = pg_cluster.create_database(f"mf{os.getpid()}")
    from sqlalchemy import create_engine

    engine = create_engine(url)
    counter = itertools.count(1)

    def new_url() -> str:
        name = f"mf_{next(counter)}"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        from idrs_sim.classroom.spaces import PostgresSpaces

        return PostgresSpaces(url).url(name)

    yield new_url
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, monkeypatch) -> str:
    """Run the test on SQLite and on PostgreSQL: `mf_builders.new_mf` makes its master
    files on the engine of this parameter."""
    if request.param == "postgresql":
        monkeypatch.setattr(mf_builders, "URL_FACTORY", request.getfixturevalue("_pg_schemas"))
    return str(request.param)
