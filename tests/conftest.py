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


# ---- scrypt: real hashes, reused --------------------------------------------------------------
# Loading a fixture hashes every employee's password with scrypt (about 60 ms of a core
# each) and every sign-on checks one; the suite loads fixtures and signs on thousands of
# times.  In-process tests therefore take real scrypt hashes (the same parameters, so any
# process, a CLI subprocess included, verifies them) from a per-process pool: within one
# load the n-th employee with a password gets the n-th pooled hash of it, so every
# employee still has a salt of their own; two loads share salts, as two master files made
# from one fixture image do (fixture_images.py).  A check of the same password against the
# same stored hash is computed once.  Tests of the hashing itself are marked `real_scrypt`.
import functools
from collections import Counter

from idrs_sim.masterfile import fixture_load as _fixture_load
from idrs_sim.masterfile import security as _security
from idrs_sim.terminal import session as _session

_POOLED: dict[str, list[str]] = {}


def _pooled_hashes(passwords):  # type: ignore[no-untyped-def]
    wanted = list(passwords)
    need = Counter(wanted)
    missing = [pw for pw, n in need.items() for _ in range(n - len(_POOLED.get(pw, [])))]
    for pw, stored in zip(missing, _security.hash_passwords(missing)):
        _POOLED.setdefault(pw, []).append(stored)
    seen: Counter[str] = Counter()
    out = []
    for pw in wanted:
        out.append(_POOLED[pw][seen[pw]])
        seen[pw] += 1
    return out


@functools.lru_cache(maxsize=4096)
def _verified(password: str, stored: str) -> bool:
    return _security.verify_password(password, stored)


@pytest.fixture(autouse=True)
def _scrypt_hashes_reused(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_scrypt"):
        return
    monkeypatch.setattr(_fixture_load, "hash_passwords", _pooled_hashes)
    monkeypatch.setattr(_session, "verify_password", _verified)


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
