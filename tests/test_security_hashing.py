"""Password hashes (issue 24 items 1 and 8): bounded scrypt concurrency, a salt per
employee, and dumps without hashes unless asked.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from idrs_sim.cli import main as cli_main
from idrs_sim.masterfile import models as m
from idrs_sim.masterfile import security
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import NO_PASSWORD_HASH, load_data, load_fixture
from idrs_sim.masterfile.security import hash_password, verify_password
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.session import IdrsSession

pytestmark = pytest.mark.real_scrypt  # fresh salts per load, real checks: no pooled hashes


# ---- 1. scrypt runs at most MAX_CONCURRENT at once -----------------------------------------
def test_concurrent_checks_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = hash_password("secret")
    lock = threading.Lock()
    running = [0, 0]
    real = security._scrypt

    def counting(password: str, salt: bytes) -> bytes:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        try:
            time.sleep(0.02)  # hold the slot long enough for the others to pile up
            return real(password, salt)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(security, "_scrypt", counting)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(verify_password("secret", stored))) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [True] * 24
    assert 1 <= running[1] <= security.MAX_CONCURRENT <= 4


def test_hash_strength_is_unchanged() -> None:
    stored = hash_password("secret", salt=b"\x00" * 16)
    # scrypt N=2**14, r=8, p=1, 32 bytes: the value any scrypt implementation gives
    import hashlib

    want = hashlib.scrypt(b"secret", salt=b"\x00" * 16, n=2**14, r=8, p=1, dklen=32).hex()
    assert stored == f"scrypt${'00' * 16}${want}"
    assert security.MEMORY_PER_RUN == 16 * 1024 * 1024


# ---- 8. a salt per employee ------------------------------------------------------------------
def _hashes(mf: MasterFile) -> dict[str, str]:
    with mf.reading() as s:
        return {e.idrs: e.password_hash for e in s.query(m.Employee)}


def test_every_employee_gets_a_salt_of_their_own() -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")  # 18 employees, one password
    hashes = _hashes(mf)
    salts = {h.split("$")[1] for h in hashes.values()}
    assert len(hashes) >= 10 and len(salts) == len(hashes)
    assert all(verify_password("train123", h) for h in hashes.values())
    again = MasterFile()
    load_fixture(again, "employees")  # a fresh load: fresh salts
    assert not set(_hashes(again).values()) & set(hashes.values())


# ---- 8. dump omits the hashes unless asked ------------------------------------------------
def test_dump_omits_hashes_and_a_hashless_dump_loads() -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    data = dump(mf)
    assert all("password_hash" not in e and "password" not in e for e in data["employees"])
    assert "scrypt$" not in json.dumps(data)
    again = MasterFile()
    load_data(again, json.loads(json.dumps(data)))
    assert dump(again) == data  # the round trip holds
    hashes = _hashes(again)
    assert set(hashes.values()) == {NO_PASSWORD_HASH}
    assert not any(verify_password(pw, NO_PASSWORD_HASH) for pw in ("train123", "", "scrypt$$"))


def _sign_on(mf: MasterFile, idrs: str = "1485012345", password: str = "train123") -> tuple[str, bool]:
    """Enter on the sign-on screen of a fresh session: (line 24, signed on)."""
    session = IdrsSession(mf, "T1")
    scr = session.first_screen()
    emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
    assert emp is not None and pw is not None
    answer = session.handle(AidEvent(Aid.ENTER, pw.addr + 1, {emp.addr: idrs, pw.addr: password}))
    return answer.row_text(24), session.signed_on


def test_dump_with_hashes_keeps_passwords() -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    data = dump(mf, hashes=True)
    again = MasterFile()
    load_data(again, json.loads(json.dumps(data)))
    assert _hashes(again) == _hashes(mf)
    assert _sign_on(again)[1]


def test_an_employee_without_a_password_cannot_sign_on() -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    assert _sign_on(mf)[1]
    again = MasterFile()
    load_data(again, json.loads(json.dumps(dump(mf))))
    line, signed_on = _sign_on(again)
    assert "INVALID PASSWORD" in line and not signed_on


def test_a_replay_signs_on_to_a_loaded_dump_and_a_terminal_cannot(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """CONTRACT §4 + §2: Load(dump output) reproduces the master file; SignOn(idrs) works on it
    (a password the simulator made and kept); the password is in no file and on no screen."""
    mf = MasterFile()
    load_fixture(mf, "employees")
    (tmp_path / "d.json").write_text(json.dumps(dump(mf)))
    script = tmp_path / "s.txt"
    script.write_text('Load("d.json")\nSignOn(1485012345)\nExpect("SIGN-ON COMPLETED")\n'
                      'String("ENMOD 400-00-1001")\nEnter\nExpectNot("INVALID")\n')
    assert cli_main(["replay", str(script)]) == 0, capsys.readouterr()

    from idrs_sim.simulator import Simulator

    sim = Simulator(fixture=str(tmp_path / "d.json"))
    made = sim.password_for("1485012345")
    assert made and made not in (tmp_path / "d.json").read_text()
    assert _sign_on(sim.mf, password=made)[1]
    assert not _sign_on(sim.mf, password="train123")[1]  # the old password is not restored
    assert "scrypt$" not in json.dumps(sim.dump())


def test_a_fixture_still_needs_a_password() -> None:
    from idrs_sim.masterfile.fixtures import FixtureError

    with pytest.raises(FixtureError, match="password is required"):
        load_data(MasterFile(), {"date": "2024-06-17", "employees": [{"idrs": "1485012345", "name": "X", "roles": []}]})


def test_cli_dump_with_hashes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["dump", "--fixture", "employees"]) == 0
    assert "password_hash" not in capsys.readouterr().out
    assert cli_main(["dump", "--fixture", "employees", "--with-hashes"]) == 0
    out = json.loads(capsys.readouterr().out)
    salts = [e["password_hash"].split("$")[1] for e in out["employees"]]
    assert len(set(salts)) == len(salts) > 1
