"""The per-user caches that make start-up fast (idrs_sim/cache.py), above all the ready-made
master-file images of loaded fixtures (idrs_sim/fixture_images.py): same data as a load from the
files, rebuilt whenever a fixture file, an include's resolution or the loading code changes,
never shared between fixture files, and never in the way when the cache cannot be used."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from idrs_sim import cache, fixture_images
from idrs_sim.masterfile import models as m
from idrs_sim.masterfile.fixtures import fixture_passwords, fixtures_dir
from idrs_sim.masterfile.security import verify_password
from idrs_sim.replay import Options, run
from idrs_sim.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
HASH = re.compile(r"scrypt\$[0-9a-f]+\$[0-9a-f]+")


def images(where: Path) -> list[Path]:
    return sorted((where / "masterfile").glob("*.image")) if (where / "masterfile").is_dir() else []


def restored(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every image restore (the fixture path) from now on."""
    seen: list[Path] = []
    original = Simulator._restore_image

    def spy(self: Simulator, path: Path) -> bool:
        ok = original(self, path)
        if ok:
            seen.append(path)
        return ok

    monkeypatch.setattr(Simulator, "_restore_image", spy)
    return seen


def sql_text(sim: Simulator) -> list[str]:
    """The whole database as SQL (schema, triggers, rows), password hashes blanked (salted)."""
    raw = sim.mf.engine.raw_connection()
    try:
        return [HASH.sub("HASH", line) for line in raw.driver_connection.iterdump()]
    finally:
        raw.close()


def without_hashes(data: dict) -> dict:
    for e in data["employees"]:
        e.pop("password_hash", None)
    return data


def write_fixture(path: Path, *, include: str | None = "employees", tin: str = "400-00-7001",
                  name: str = "CACHE TEST", extra: str = "") -> Path:
    lines = []
    if include:
        lines.append(f"include: [{include}]")
    lines += [
        "date: 2024-06-17",
        "entities:",
        f"  - tin: {tin}",
        f"    name: {name}",
        "    address: [1 MAIN ST, AUSTIN TX 78701]",
    ]
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


# ---- the image holds exactly what a load from the files makes ---------------------------


def test_image_gives_the_same_master_file(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = restored(monkeypatch)
    first = Simulator()  # loads the files, writes the image
    assert not seen and len(images(cache_at)) == 1
    second = Simulator()  # from the image (process memory)
    cache._ENTRIES.clear()
    third = Simulator()  # from the image (disk)
    assert len(seen) == 2
    try:
        assert sql_text(second) == sql_text(first) == sql_text(third)
        assert without_hashes(second.dump()) == without_hashes(first.dump()) == without_hashes(third.dump())
        assert second.passwords == first.passwords == fixture_passwords("training")
        assert second.fixture_source == first.fixture_source
        assert second.clock.now() == first.clock.now() and not second.clock.is_following
        with second.mf.reading() as db:
            for emp in db.query(m.Employee):
                assert verify_password(second.passwords[emp.idrs], emp.password_hash)
                assert not verify_password("wrong", emp.password_hash)
    finally:
        for sim in (first, second, third):
            sim.close()


def test_restored_master_file_still_enforces_its_rules(cache_at: Path) -> None:
    Simulator().close()
    sim = Simulator()
    try:
        from sqlalchemy import text
        from sqlalchemy.exc import DatabaseError

        with pytest.raises(DatabaseError, match="append-only"):  # the audit trigger came along
            with sim.mf.unit_of_work() as db:
                db.add(m.AuditRecord(at=sim.clock.now(), idrs="1485012345", outcome="X"))
                db.flush()
                db.execute(text("UPDATE audit SET outcome = 'Y'"))
        with sim.mf.reading() as db:  # the failed unit of work was rolled back; foreign keys are on
            assert db.query(m.AuditRecord).count() == 0
            assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        sim.close()


def test_replays_print_the_same_with_and_without_images(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = [str(ROOT / "examples" / n) for n in ("signon.txt", "research.txt", "cycle.txt")]

    def replay() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run(scripts, Options(trace=True), out, err)
        return code, out.getvalue(), err.getvalue()

    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", "off")
    plain = replay()
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", str(cache_at))
    seen = restored(monkeypatch)
    replay()  # writes the image
    cached = replay()
    assert len(seen) >= len(scripts)
    assert cached == plain and plain[0] == 0


def test_load_action_and_a_running_clock_use_the_image_too(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()
    seen = restored(monkeypatch)
    sim = Simulator(follow_clock=True)
    try:
        assert seen and sim.clock.is_following
        with sim.mf.reading() as db:
            saved = db.get(m.SimState, "clock").value
        assert saved.startswith("2024-06-17T08:00")
        sim.load("training")  # replay's Load: a new in-memory master file
        assert len(seen) == 2
    finally:
        sim.close()


# ---- invalidation ---------------------------------------------------------------------


def test_a_changed_fixture_file_is_loaded_again(cache_at: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen = restored(monkeypatch)
    top = write_fixture(tmp_path / "top.yaml", name="FIRST NAME")
    with Simulator("sqlite://", top) as sim:
        assert sim.dump("400-00-7001")["entities"][0]["name"] == ["FIRST NAME"]
    with Simulator("sqlite://", top) as sim:
        assert seen and sim.dump("400-00-7001")["entities"][0]["name"] == ["FIRST NAME"]
    write_fixture(top, name="SECOND NAME")
    with Simulator("sqlite://", top) as sim:
        assert sim.dump("400-00-7001")["entities"][0]["name"] == ["SECOND NAME"]
    assert len(seen) == 1
    with Simulator("sqlite://", top) as sim:  # the entry was rewritten for the new content
        assert sim.dump("400-00-7001")["entities"][0]["name"] == ["SECOND NAME"]
    assert len(seen) == 2
    assert len(images(cache_at)) == 1  # one entry per fixture file


def test_a_changed_included_file_is_loaded_again(cache_at: Path, tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text(
        'employees:\n  - {idrs: "1485070001", name: "A ONE", roles: [tpp-assistor], password: first1}\n')
    top = write_fixture(tmp_path / "top.yaml", include="people")
    with Simulator("sqlite://", top) as sim:
        assert sim.passwords == {"1485070001": "first1"}
    (tmp_path / "people.yaml").write_text(
        'employees:\n  - {idrs: "1485070001", name: "A ONE", roles: [tpp-assistor], password: second2}\n')
    with Simulator("sqlite://", top) as sim:
        assert sim.passwords == {"1485070001": "second2"}
        with sim.mf.reading() as db:
            assert verify_password("second2", db.get(m.Employee, "1485070001").password_hash)


def test_a_new_file_that_changes_an_include_is_noticed(cache_at: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # `include: [employees]` finds fixtures/employees.yaml, after trying the including
    # file's own directory.  A new employees.yaml there changes what the include means.
    seen = restored(monkeypatch)
    top = write_fixture(tmp_path / "top.yaml")
    with Simulator("sqlite://", top) as sim:
        assert "1485012345" in sim.passwords
    with Simulator("sqlite://", top) as sim:
        assert "1485012345" in sim.passwords and len(seen) == 1
    (tmp_path / "employees.yaml").write_text(
        'employees:\n  - {idrs: "1485070002", name: "B TWO", roles: [tpp-assistor], password: local22}\n')
    with Simulator("sqlite://", top) as sim:
        assert sim.passwords == {"1485070002": "local22"}
    assert len(seen) == 1


def test_two_fixture_files_never_share_an_image(cache_at: Path, tmp_path: Path) -> None:
    one = write_fixture(tmp_path / "one.yaml", tin="400-00-7001")
    two = write_fixture(tmp_path / "two.yaml", tin="400-00-7002")
    same = tmp_path / "same.yaml"
    same.write_bytes(one.read_bytes())  # same content, another file
    for _ in range(2):
        for path, tin in ((one, "400-00-7001"), (two, "400-00-7002"), (same, "400-00-7001")):
            with Simulator("sqlite://", path) as sim:
                assert [e["tin"] for e in sim.dump()["entities"]] == [tin]
                assert sim.fixture_source == str(path.resolve())
                with sim.mf.reading() as db:
                    assert db.get(m.SimState, "fixture_source").value == str(path.resolve())[:200]
    assert len(images(cache_at)) == 3


def test_a_new_code_version_rebuilds_the_entry(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = restored(monkeypatch)
    Simulator().close()
    monkeypatch.setattr(fixture_images, "_code_tag", lambda: "another version of the code")
    Simulator().close()
    Simulator().close()
    assert len(seen) == 1 and len(images(cache_at)) == 1  # rebuilt once, in the same entry


def test_a_file_changed_during_the_load_does_not_label_the_image(cache_at: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    top = write_fixture(tmp_path / "top.yaml", name="AS LOADED")
    original = Simulator._save_image

    def edit_then_save(self: Simulator, path: Path, composition: object) -> None:
        write_fixture(top, name="EDITED MEANWHILE")  # after the files were read, before the image
        original(self, path, composition)

    monkeypatch.setattr(Simulator, "_save_image", edit_then_save)
    with Simulator("sqlite://", top) as sim:
        assert sim.dump("400-00-7001")["entities"][0]["name"] == ["AS LOADED"]
    monkeypatch.setattr(Simulator, "_save_image", original)
    with Simulator("sqlite://", top) as sim:
        assert sim.dump("400-00-7001")["entities"][0]["name"] == ["EDITED MEANWHILE"]


def test_code_edited_after_import_turns_the_images_off(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()
    assert len(images(cache_at)) == 1
    seen = restored(monkeypatch)
    monkeypatch.setattr(fixture_images, "_CODE_AT_IMPORT", (("idrs_sim/masterfile/models.py", 0, 0),))
    cache._ENTRIES.clear()
    for entry in images(cache_at):
        entry.unlink()
    Simulator().close()
    Simulator().close()
    assert not seen and not images(cache_at) and not cache._ENTRIES


def test_every_module_a_load_imports_is_part_of_the_code_version() -> None:
    probe = (
        "import sys, json\n"
        "from idrs_sim.masterfile.db import MasterFile\n"
        "from idrs_sim.masterfile.fixtures import load_fixture\n"
        "load_fixture(MasterFile(), 'training')\n"
        "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items())"
        " if n.split('.')[0] == 'idrs_sim' and getattr(m, '__file__', None))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "IDRS_SIM_CACHE_DIR": "off"}, check=True)
    imported = {str(Path(p).resolve()) for p in json.loads(done.stdout.splitlines()[-1])}
    tagged = {str(p.resolve()) for p in fixture_images.loading_code_files()}
    assert imported <= tagged, f"add to fixture_images._LOADING_CODE: {sorted(imported - tagged)}"
    for table in ("codes.yaml", "misc_rules.yaml", "input_values.yaml", "ics_lists.yaml", "ftd_alert_model.yaml",
                  "unax.yaml"):
        assert str((fixtures_dir().parent / "tables" / table).resolve()) in tagged, table


def test_the_disk_keeps_a_bounded_number_of_images(cache_at: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fixture_images, "_IMAGES_KEPT", 3)
    paths = [write_fixture(tmp_path / f"f{i}.yaml", tin=f"400-00-70{i:02d}") for i in range(5)]
    for path in paths[:3]:
        Simulator("sqlite://", path).close()
    cache._ENTRIES.clear()
    Simulator("sqlite://", paths[0]).close()  # read from disk: now the most recently used
    for path in paths[3:]:
        Simulator("sqlite://", path).close()
    kept = images(cache_at)
    assert len(kept) == 3
    names = {fixture_images._image_name(str(p.resolve())) for p in (paths[0], paths[3], paths[4])}
    assert {p.name for p in kept} == names


# ---- the cache is never in the way ------------------------------------------------------


def test_a_damaged_entry_is_ignored_and_rewritten(cache_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()
    (entry,) = images(cache_at)
    whole = entry.read_bytes()
    seen = restored(monkeypatch)
    for damaged in (whole[: len(whole) // 2], b"garbage", whole[:-10] + b"0123456789", b""):
        entry.write_bytes(damaged)
        cache._ENTRIES.clear()
        with Simulator() as sim:
            assert sim.password_for("1485012345") == "train123"
            assert sim.dump("400-00-1001")["entities"]
    assert not seen
    assert entry.read_bytes()[:40] == whole[:40]  # rewritten by the last load
    cache._ENTRIES.clear()
    Simulator().close()
    assert len(seen) == 1


def test_an_unusable_cache_directory_falls_back_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    monkeypatch.setattr(cache, "_ENTRIES", {})
    assert cache.cache_dir() is None
    with Simulator() as a:
        expected = without_hashes(a.dump())
    with Simulator() as b:  # the image kept in process memory only
        assert without_hashes(b.dump()) == expected
    assert blocker.read_text() == "not a directory"
    assert capsys.readouterr() == ("", "")


def test_cache_off_means_no_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", "off")
    monkeypatch.setattr(cache, "_ENTRIES", {})
    seen = restored(monkeypatch)
    Simulator().close()
    Simulator().close()
    assert not seen and not cache._ENTRIES


def test_a_database_file_is_always_filled_from_the_files(cache_at: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    Simulator().close()
    seen = restored(monkeypatch)
    with Simulator(f"sqlite:///{tmp_path / 'class.db'}", replace=True) as sim:
        assert sim.password_for("1485012345") == "train123"
    assert not seen


# ---- replay scripts -----------------------------------------------------------------------


def test_parsed_scripts_are_cached_but_errors_are_not(cache_at: Path, tmp_path: Path) -> None:
    from idrs_sim.replay import compile_script

    text = 'SignOn(1485012345)\nExpect("SIGN-ON COMPLETED")  # note\nCycle\n'
    first = compile_script(text, "a.txt")
    cache._MEMORY.clear()
    again = compile_script(text, "b.txt")  # from disk; the file name is not part of the result
    assert again == first and [s.source for s in again] == [s.source for s in first]
    from idrs_sim.replay import ScriptProblem

    for name in ("x.txt", "y.txt"):
        with pytest.raises(ScriptProblem, match=rf"^{name}:1: "):
            compile_script("PF(25)\n", name)
