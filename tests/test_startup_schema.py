"""Start-up: an in-memory master file restored from a ready-made image skips the DDL.

The image carries the schema (tables, indexes, the audit trail's append-only triggers), so
`create_all` and the trigger statements run only when there is no usable image, for a
`--db` file, and for a simulator without a fixture.  An image that lacks part of the schema
is not used: the master file is loaded from the fixture files, as for any damaged entry.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from idrs_sim import cache, fixture_images
from idrs_sim.masterfile import db as mfdb
from idrs_sim.masterfile import models as m
from idrs_sim.masterfile.db import MasterFile, sqlite_schema_missing
from idrs_sim.simulator import Simulator


@pytest.fixture
def ddl_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every `create_all` and every run of the audit-trail trigger statements."""
    seen: list[str] = []
    create_all = m.Base.metadata.create_all
    protect = mfdb._protect_audit_trail

    def spy_create_all(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append("create_all")
        return create_all(*args, **kwargs)

    def spy_protect(engine):  # type: ignore[no-untyped-def]
        seen.append("triggers")
        return protect(engine)

    monkeypatch.setattr(m.Base.metadata, "create_all", spy_create_all)
    monkeypatch.setattr(mfdb, "_protect_audit_trail", spy_protect)
    return seen


def restores(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The outcome of every image restore attempt from now on."""
    seen: list[bool] = []
    original = Simulator._restore_image

    def spy(self: Simulator, path: Path) -> bool:
        ok = original(self, path)
        seen.append(ok)
        return ok

    monkeypatch.setattr(Simulator, "_restore_image", spy)
    return seen


def the_entry(where: Path) -> Path:
    (entry,) = sorted((where / "masterfile").glob("*.image"))
    return entry


def rewrite_image(entry: Path, change: bytes | str) -> None:
    """Replace the SQLite image inside a valid entry, keeping its header valid (the digest of
    the new image): `change` is an SQL statement run on the image, or the new bytes."""
    blob = entry.read_bytes()
    at = len(fixture_images._IMAGE_MAGIC)
    top = json.loads(blob[at + 8:at + 8 + int.from_bytes(blob[at:at + 8], "big")])["top"]
    found = fixture_images._read_image(blob, top)
    assert found is not None
    header, image = found
    if isinstance(change, bytes):
        new = change
    else:
        con = sqlite3.connect(":memory:")
        con.deserialize(image)
        con.execute(change)
        new = bytes(con.serialize())
        con.close()
    header["image_sha256"] = hashlib.sha256(new).hexdigest()
    head = json.dumps(header, sort_keys=True).encode()
    entry.write_bytes(fixture_images._IMAGE_MAGIC + len(head).to_bytes(8, "big") + head + new)
    cache._ENTRIES.clear()


def assert_append_only(sim: Simulator) -> None:
    """The audit trail accepts new records and refuses changes, in the database itself."""
    with sim.mf.unit_of_work() as db:
        db.add(m.AuditRecord(at=sim.clock.now(), idrs="1485012345", outcome="X"))
    for sql in ("UPDATE audit SET outcome = 'Y'", "DELETE FROM audit"):
        with pytest.raises(DatabaseError, match="append-only"):
            with sim.mf.unit_of_work() as db:
                db.execute(text(sql))
    with sim.mf.reading() as db:
        assert db.query(m.AuditRecord).filter_by(outcome="X").count() == 1


def test_a_restored_image_runs_no_ddl_and_works(cache_at: Path, ddl_runs: list[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()  # no image yet: the schema is made, the fixture loaded, the image kept
    assert ddl_runs == ["create_all", "triggers"]
    ddl_runs.clear()
    outcomes = restores(monkeypatch)
    with Simulator() as sim:
        assert outcomes == [True]
        assert ddl_runs == []  # the image brought the schema
        assert sim.mf.schema_ready
        raw = sim.mf.engine.raw_connection()
        try:
            assert sqlite_schema_missing(raw.driver_connection) == []
        finally:
            raw.close()
        term = sim.new_terminal()  # sign on and research: the ORM works on the restored schema
        term.type_text("1485012345")
        term.tab()
        term.type_text(sim.password_for("1485012345") or "")
        term.enter()
        assert "SIGN-ON COMPLETED" in term.screen.text()
        term.clear()
        term.type_text("ENMOD 400-00-1001")
        term.enter()
        assert "JOHN A SMITH" in term.screen.text()
        assert_append_only(sim)
        sim.mf.ensure_schema()  # a no-op now
    assert ddl_runs == []


def test_an_image_without_its_triggers_is_not_used(cache_at: Path, ddl_runs: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()
    entry = the_entry(cache_at)
    rewrite_image(entry, "DROP TRIGGER audit_no_update")
    outcomes = restores(monkeypatch)
    ddl_runs.clear()
    with Simulator() as sim:
        assert outcomes == [False]  # refused, loaded from the files
        assert ddl_runs == ["create_all", "triggers"]
        assert sim.password_for("1485012345") == "train123"
        assert sim.dump("400-00-1001")["entities"]
        assert_append_only(sim)
    cache._ENTRIES.clear()
    with Simulator() as sim:  # the entry was rewritten by that load: usable again
        assert outcomes == [False, True]
        assert_append_only(sim)


@pytest.mark.parametrize("change", ["DROP TABLE incident_report", "DROP INDEX ix_txn_input_date",
                                    b"not an SQLite database" * 50])
def test_an_incomplete_or_broken_image_falls_back(cache_at: Path, monkeypatch: pytest.MonkeyPatch,
                                                  change: str | bytes) -> None:
    Simulator().close()
    rewrite_image(the_entry(cache_at), change)
    outcomes = restores(monkeypatch)
    with Simulator() as sim:
        assert outcomes == [False]
        raw = sim.mf.engine.raw_connection()
        try:
            assert sqlite_schema_missing(raw.driver_connection) == []
        finally:
            raw.close()
        assert sim.dump("400-00-1001")["entities"]
        assert_append_only(sim)


def test_without_a_usable_image_the_schema_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   ddl_runs: list[str]) -> None:
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", "off")
    with Simulator() as sim:  # the cache off: loaded from the files
        assert ddl_runs == ["create_all", "triggers"]
        assert_append_only(sim)
    ddl_runs.clear()
    with Simulator(fixture=None) as sim:  # no fixture: an empty master file, with its schema
        assert ddl_runs == ["create_all", "triggers"]
        assert sim.is_empty()
        assert_append_only(sim)
    ddl_runs.clear()
    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Simulator(url) as sim:  # a file: always made by create_all (a no-op when it exists)
        assert ddl_runs == ["create_all", "triggers"]
        assert_append_only(sim)


def test_master_file_schema_flag(tmp_path: Path) -> None:
    bare = MasterFile(schema=False)  # in memory: nothing until ensure_schema()
    try:
        raw = bare.engine.raw_connection()
        try:
            assert "audit" in sqlite_schema_missing(raw.driver_connection)
            bare.ensure_schema()
            assert sqlite_schema_missing(raw.driver_connection) == []
        finally:
            raw.close()
    finally:
        bare.dispose()
    url = f"sqlite:///{tmp_path / 'f.db'}"
    first = MasterFile(url)
    first.set_date(first.clock.now().replace(year=2025, month=3, day=4))
    first.dispose()
    again = MasterFile(url, schema=False)  # ignored for a file: its schema and clock are read
    try:
        assert again.schema_ready
        assert again.clock.now().date().isoformat() == "2025-03-04"
    finally:
        again.dispose()
