"""The real IDRS host over TN3270, driven by real 3270 clients (s3270 and tnz).

The other TN3270 tests use a small fake host to pin the protocol down; these prove the
whole path a trainee uses: sign on, ENMOD and TXMODA on a fixture account, REQ77 -> FRM77
filled in and `REQUEST COMPLETED`, PF keys and Clear.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from idrs_sim.front.tn3270.server import server_in_thread
from idrs_sim.simulator import Simulator

from test_tn3270_s3270 import S3270, drive_tnz

TRAINEE = "1485012345"
TIN = "400-00-1001"
needs_s3270 = pytest.mark.skipif(shutil.which("s3270") is None, reason="s3270 not installed (CI installs it)")


@pytest.fixture()
def idrs_port() -> Iterator[tuple[int, Simulator]]:
    sim = Simulator(fixture="training")
    with server_in_thread(lambda conn_id: sim.new_session(conn_id)) as (_, port):
        yield port, sim


def _screen(c: S3270) -> str:
    return "\n".join(c.do("Ascii1(1,1,24,80)"))


@needs_s3270
def test_s3270_works_a_case_on_the_idrs_host(idrs_port: tuple[int, Simulator]) -> None:
    port, sim = idrs_port
    c = S3270()
    try:
        c.connect(port)
        assert "EMPLOYEE NUMBER>" in _screen(c)
        for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter",
                       "Wait(10,Unlock)"):
            c.do(action)
        assert c.text(24).startswith("SIGN-ON COMPLETED")

        c.do("Clear")
        c.do(f'String("ENMOD {TIN}")')
        c.do("Enter")
        c.do("Wait(10,Unlock)")
        assert "JOHN A SMITH" in _screen(c) and TIN in c.text(1)

        c.do("Clear")
        c.do(f'String("TXMODA {TIN} 30 202312")')
        c.do("Enter")
        c.do("Wait(10,Unlock)")
        screen = _screen(c)
        assert "MFT>30" in screen and "U126 0" in screen, screen
        c.do("PF(8)")
        c.do("Wait(10,Unlock)")
        c.do("PF(7)")
        c.do("Wait(10,Unlock)")
        assert "MFT>30" in _screen(c)
        c.do("PF(3)")
        c.do("Wait(10,Unlock)")
        assert "PF3 KEY NOT ACTIVE" in c.text(24)

        c.do("Clear")
        c.do(f'String("REQ77 {TIN} 30 202312")')
        c.do("Enter")
        c.do("Wait(10,Unlock)")
        assert c.text(1).startswith("FRM77"), _screen(c)
        # the cursor starts in TC>; Tab moves from field to field as on any 3270
        for action in ('String("971")', "Tab", 'String("850")', "Enter", "Wait(10,Unlock)"):
            c.do(action)
        assert c.text(24).startswith("REQUEST COMPLETED"), _screen(c)

        c.do("Clear")
        c.do("Wait(10,Unlock)")
        assert _screen(c).strip() == ""
    finally:
        c.close()
    dump = sim.dump(tin=TIN)
    pending = [t for m in dump["entities"][0]["modules"] for t in m["transactions"]
               if t["tc"] == 971 and t.get("ac") == 850 and t["status"] == "pending"]
    assert len(pending) == 1  # the input reached the shared master file


@needs_s3270
def test_a_pa_key_leaves_the_cursor_in_its_field(idrs_port: tuple[int, Simulator]) -> None:
    """A short read carries no cursor: after PA1 the cursor stays where it was, so an s3270
    script's Wait(InputField) and String go on (a review found the cursor on address 0, the
    keyboard locked)."""
    port, sim = idrs_port
    c = S3270()
    try:
        c.connect(port)
        for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter",
                       "Wait(10,Unlock)"):
            c.do(action)
        c.do("PA(1)")
        c.do("Wait(10,Unlock)")
        assert "PA1 KEY NOT ACTIVE" in c.text(24)
        c.do("Wait(5,InputField)")
        c.do(f'String("ENMOD {TIN}")')
        c.do("Enter")
        c.do("Wait(10,Unlock)")
        assert "JOHN A SMITH" in _screen(c)
    finally:
        c.close()


def test_tnz_works_a_case_on_the_idrs_host(idrs_port: tuple[int, Simulator], monkeypatch) -> None:
    port, sim = idrs_port
    monkeypatch.setenv("SESSION_SSL", "0")
    seen: dict[str, object] = {}

    def script(tn, wait_for) -> None:  # type: ignore[no-untyped-def]
        def screen() -> str:
            return tn.scrstr(0, 0)

        def line24() -> str:
            return tn.scrstr(23 * 80, 0).strip()

        def unlocked() -> bool:  # the host answered and restored the keyboard
            return not tn.pwait and not tn.system_lock_wait

        wait_for(lambda: "EMPLOYEE NUMBER>" in screen() and unlocked())
        tn.key_data(TRAINEE)
        tn.key_tab()
        tn.key_data(sim.password_for(TRAINEE))
        tn.enter()
        wait_for(lambda: line24().startswith("SIGN-ON COMPLETED") and unlocked())
        for command, expect in ((f"ENMOD {TIN}", "JOHN A SMITH"), (f"TXMODA {TIN} 30 202312", "U126 0")):
            tn.clear()
            wait_for(lambda: screen().strip() == "" and unlocked())
            tn.key_data(command)
            tn.enter()
            wait_for(lambda: expect in screen() and unlocked())
        tn.pf3()
        wait_for(lambda: "PF3 KEY NOT ACTIVE" in line24() and unlocked())
        tn.clear()
        wait_for(lambda: screen().strip() == "" and unlocked())
        tn.key_data(f"REQ77 {TIN} 30 202312")
        tn.enter()
        wait_for(lambda: screen().startswith("FRM77") and unlocked())
        tn.key_data("971")
        tn.key_tab()
        tn.key_data("850")
        tn.enter()
        wait_for(lambda: line24().startswith("REQUEST COMPLETED") or "*" in screen())
        seen["line24"] = line24()

    drive_tnz(port, script, wait_timeout=10.0, hang_after=60.0)
    assert str(seen["line24"]).startswith("REQUEST COMPLETED")


def _trail(sim: Simulator) -> list[tuple[str | None, str | None, str | None]]:
    from sqlalchemy import select

    from idrs_sim.masterfile.models import AuditRecord

    with sim.mf.reading() as db:
        return [(r.terminal, r.command, r.outcome) for r in db.scalars(select(AuditRecord).order_by(AuditRecord.id))]


@needs_s3270
@pytest.mark.parametrize("how", ["disconnect", "kill"])
def test_a_client_that_goes_without_sinof_is_signed_off_in_the_audit_trail(
        idrs_port: tuple[int, Simulator], how: str) -> None:
    """A review (2026-12-08) found SINON and ENMOD in the trail and nothing after for a
    3270 session ended by Disconnect or a killed client: an instructor could not tell it
    from one still open.  It now ends as a closed browser tab does, with a SINOF record."""
    import time

    from idrs_sim.front.tn3270.session import DISCONNECTED

    port, sim = idrs_port
    c = S3270()
    try:
        c.connect(port)
        for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter",
                       "Wait(10,Unlock)", "Clear", f'String("ENMOD {TIN}")', "Enter", "Wait(10,Unlock)"):
            c.do(action)
        assert "JOHN A SMITH" in _screen(c)
        if how == "disconnect":
            c.do("Disconnect")
        else:
            c.proc.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _trail(sim)[-1][1] != "SINOF":
            time.sleep(0.05)
        terminal, command, outcome = _trail(sim)[-1]
        assert (command, outcome) == ("SINOF", DISCONNECTED)
        assert terminal == _trail(sim)[0][0]  # the same terminal's record
    finally:
        c.close()


@needs_s3270
def test_stopping_the_server_signs_off_who_is_signed_on() -> None:
    from idrs_sim.front.tn3270.session import STOPPED

    sim = Simulator(fixture="training")
    c = S3270()
    try:
        with server_in_thread(lambda conn_id: sim.new_session(conn_id)) as (_, port):
            c.connect(port)
            for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter",
                           "Wait(10,Unlock)"):
                c.do(action)
            assert c.text(24).startswith("SIGN-ON COMPLETED")
        assert _trail(sim)[-1][1:] == ("SINOF", STOPPED)
    finally:
        c.close()
        sim.close()
