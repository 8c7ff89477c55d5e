"""`idrs-sim classroom --web-port` without a browser (tests/test_classroom_browser.py drives
Chromium): browser tabs whose terminal's host is the classroom server's `ClassroomHost`,
reached over the tab socket (`front.web_bridge`).  In process first (the bridge with real
`Terminal`s), then the real command line with tabs speaking textual-serve's WebSocket
protocol beside a TN3270 client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from terminal_helpers import command as _command
from terminal_helpers import sign_on as _signon

from idrs_sim.classroom import Classroom, trainee_number
from idrs_sim.classroom.host import ClassroomHost
from idrs_sim.classroom.serve import host_factory
from idrs_sim.cli import main
from idrs_sim.front.web_bridge import (
    BridgedHost,
    BridgeError,
    HostBridge,
    event_from_wire,
    event_to_wire,
    screen_from_wire,
    screen_to_wire,
)
from idrs_sim.front.web_tab import CLOSED
from idrs_sim.masterfile.dump import dump
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screenmap import load_map
from idrs_sim.terminal.terminal import TERMINAL_ERROR, Terminal

INSTRUCTOR = "1485099999"
TIN = "400-00-1001"
FRM77 = f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850"
ROOT = Path(__file__).resolve().parents[1]


def _inputs_by(mf: Any) -> list[str]:
    """Who typed the pending transactions on TIN's module (the trainees' FRM77s)."""
    data = dump(mf, tin=TIN)
    return [t["idrs"] for e in data["entities"] for m in e.get("modules", []) for t in m.get("transactions", [])
            if t.get("idrs", "").startswith("14851")]


def _wait(test: Any, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not test():
        if time.monotonic() > end:
            raise AssertionError("condition never held")
        time.sleep(0.1)


# ---- in process: the bridge and real Terminals ---------------------------------------------------
@contextlib.contextmanager
def bridge_for(room: Classroom, tmp_path: Path) -> Iterator[tuple[str, HostBridge]]:
    """A `HostBridge` with the classroom's host factory, on its own event loop thread."""
    loop = asyncio.new_event_loop()
    bridge = HostBridge(host_factory(room))
    path = str(tmp_path / "tabs.sock")
    loop.run_until_complete(bridge.start(path))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield path, bridge
    finally:
        asyncio.run_coroutine_threadsafe(bridge.close(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_tabs_sign_on_into_their_own_sandbox_the_one_tn3270_uses(tmp_path: Path) -> None:
    a, b = trainee_number(1), trainee_number(2)
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=3) as room, \
            bridge_for(room, tmp_path) as (path, bridge):
        ta, tb = Terminal(BridgedHost(path, "WEB0001")), Terminal(BridgedHost(path, "WEB0002"))
        assert "EMPLOYEE NUMBER" in ta.screen.text() and ta.host.employee_idrs is None  # the lobby
        assert sorted(bridge.terminals) == ["WEB0001", "WEB0002"]
        assert _signon(ta, a).startswith("SIGN-ON COMPLETED")
        assert _signon(tb, b).startswith("SIGN-ON COMPLETED")
        assert ta.host.employee_idrs == a and tb.host.employee_idrs == b
        assert _command(ta, FRM77) == "REQUEST COMPLETED"
        # isolation: the input is in a's sandbox only
        assert _inputs_by(room.sandbox_of(a).mf) == [a]
        assert _inputs_by(room.sandbox_of(b).mf) == []
        assert room.sandbox_of(a).location != room.sandbox_of(b).location
        # the same sandbox as a TN3270 terminal of that trainee (the same host factory, the same class)
        tn = Terminal(ClassroomHost(room, "TN0001"))
        _signon(tn, a)
        _command(tn, f"TXMODA {TIN} 30 202312")
        assert re.search(r"PN +971 ", tn.screen.text())
        _command(tb, f"TXMODA {TIN} 30 202312")
        assert "TXMODA" in tb.screen.text() and not re.search(r"PN +971 ", tb.screen.text())
        # the instructor's codes from a tab; the tab's status follows its sandbox's clock at once
        ti = Terminal(BridgedHost(path, "WEB0003"))
        _signon(ti, INSTRUCTOR)
        assert _command(ti, "CLASS") == "3 SANDBOXES"
        line = next(row for row in ti.screen.lines() if row.startswith(a))
        assert "FRM77" in line or "TXMOD" in line  # a's last command
        assert _command(ti, "CYCLE ALL") == "2 SANDBOXES POSTED - CYCLE 202426"
        assert ta.host.clock.cycle == "202425"  # as last reported
        ta.clear()
        assert ta.host.clock.cycle == "202426" and ta.host.clock.today().isoformat() == "2024-06-21"
        # sign-off returns to the lobby; the sandbox is kept for the next sign-on
        _command(ta, "SINOF")
        assert ta.host.employee_idrs is None and "EMPLOYEE NUMBER" in ta.screen.text()
        assert _signon(ta, a).startswith("SIGN-ON COMPLETED")
        assert _inputs_by(room.sandbox_of(a).mf) == [a]
        # closing a tab signs off (with the browser's outcome); a tab that vanishes is signed off too
        ta.host.end(CLOSED)
        tb.host.close()  # no "end": the socket just closes
        _wait(lambda: sorted(bridge.terminals) == ["WEB0003"])
        for who, terminal in ((a, "WEB0001"), (b, "WEB0002")):
            trail = [x for x in dump(room.sandbox_of(who).mf, audit=True)["audit"] if x.get("terminal") == terminal]
            assert trail[-1]["command"] == "SINOF" and trail[-1]["outcome"] == CLOSED, trail[-1]
        assert len({row.idrs for row in room.active_sandboxes()}) == len(room.active_sandboxes())  # one each


def test_the_bridge_refuses_what_is_not_a_terminal(tmp_path: Path) -> None:
    with Classroom(f"sqlite:///{tmp_path / 'class.db'}", "training", follow_clock=False, trainees=1) as room, \
            bridge_for(room, tmp_path) as (path, bridge):
        first = BridgedHost(path, "WEB0001")
        first.first_screen()
        with pytest.raises(BridgeError):  # one terminal id, one tab
            BridgedHost(path, "WEB0001").first_screen()
        with pytest.raises(BridgeError):
            BridgedHost(path, "../../x").first_screen()
        with socket.socket(socket.AF_UNIX) as raw:  # garbage and unknown requests get an error line
            raw.connect(path)
            f = raw.makefile("rwb")
            f.write(b'{"terminal":"WEB0009"}\n{"op":"key","aid":"NOPE","cursor":0}\n[1]\n{"op":"zap"}\n')
            f.flush()
            replies = [json.loads(f.readline()) for _ in range(3)]
            assert all("error" in r for r in replies), replies
            f.close()
        t = Terminal(first)
        assert t.screen.message.startswith("ENTER EMPLOYEE NUMBER")
        _wait(lambda: sorted(bridge.terminals) == ["WEB0001"])  # the raw one was forgotten when it closed
    # the server gone: the tab's terminal says so on line 24 and keeps its screen
    t.type_text("1")
    t.enter()
    assert t.screen.message == TERMINAL_ERROR


def test_screens_and_keys_cross_the_wire_unchanged() -> None:
    scr = load_map("signon").render({"date": "06/17/2024", "cycle": "202425", "terminal": "WEB0001"}, message="HI")
    scr.set_text(scr.field_named("EMPLOYEE-NO"), "1485100001")  # type: ignore[arg-type]
    back = screen_from_wire(json.loads(json.dumps(screen_to_wire(scr))))
    assert back == scr
    for event in (AidEvent(Aid.ENTER, 95, {80: "1485100001", 160: "x"}), AidEvent(Aid.CLEAR, 0),
                  AidEvent(Aid.PF8, 5, unformatted="ENMOD".ljust(1920))):
        assert event_from_wire(json.loads(json.dumps(event_to_wire(event)))) == event
    for bad in ({"aid": "ENTER", "cursor": 5000}, {"aid": "ENTER", "cursor": 0, "modified": {"99999": "x"}},
                {"aid": "ENTER", "cursor": 0, "modified": {"1": 7}}, {"aid": "XX", "cursor": 0}):
        with pytest.raises(ValueError):
            event_from_wire(bad)
    with pytest.raises(BridgeError):
        screen_from_wire({"chars": "short", "fields": [], "cursor": 0})


# ---- the command line: TN3270 and browser tabs of one class -----------------------------------
def _start(db: Path, *extra: str) -> tuple[subprocess.Popen[str], int, int]:
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "classroom", "--db", f"sqlite:///{db}",
                             "--lesson", "training", "--port", "0", "--web-port", "0", "--trainees", "3", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    first, second = proc.stdout.readline(), proc.stdout.readline()
    assert re.fullmatch(r"listening on 127\.0\.0\.1:\d+\n", first), (first, second, _err(proc))
    assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+\n", second), (first, second, _err(proc))
    return proc, int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])


def _err(proc: subprocess.Popen[str]) -> str:
    return proc.stderr.read() if proc.poll() is not None and proc.stderr else ""


def _audits(db: Path) -> list[tuple[str, str, str, str, str]]:
    """Every sandbox's audit trail as (sandbox file, terminal, idrs, command, outcome), read-only."""
    rows = []
    for f in sorted((db.parent / f"{db.name}-sandboxes").glob("sandbox-*.db")):
        with contextlib.closing(sqlite3.connect(f"file:{f}?mode=ro", uri=True, timeout=30)) as conn:
            rows += [(f.name, *(v or "" for v in r)) for r in
                     conn.execute("SELECT terminal, idrs, command, outcome FROM audit ORDER BY id")]
    return rows  # type: ignore[return-value]


async def _tab(session: aiohttp.ClientSession, port: int) -> aiohttp.ClientWebSocketResponse:
    """A browser tab (textual-serve's protocol), once its first screen has been drawn."""
    ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=30")
    out: list[bytes] = []

    async def read() -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                out.append(msg.data)

    asyncio.get_running_loop().create_task(read())
    end = time.monotonic() + 90
    while sum(map(len, out)) < 2000 and time.monotonic() < end:
        await asyncio.sleep(0.05)
    return ws


async def _keys(ws: aiohttp.ClientWebSocketResponse, *keys: str) -> None:
    for k in keys:
        await ws.send_json(["stdin", k])
        await asyncio.sleep(0.3 if k == "\x1b" else 0.05)  # a lone Escape is Clear once nothing follows it


def test_cli_tabs_and_tn3270_share_the_class_and_sigterm_exits_0(tmp_path: Path) -> None:
    from bench.tn3270 import Client
    from idrs_sim.front.tn3270.codec import encode_read

    db = tmp_path / "class.db"
    a, b = trainee_number(1), trainee_number(2)
    proc, tn_port, web_port = _start(db)
    try:
        async def tabs() -> None:
            async with aiohttp.ClientSession() as s:
                ta, tb = await asyncio.gather(_tab(s, web_port), _tab(s, web_port))
                await asyncio.gather(_keys(ta, a, "\t", "train123", "\r"), _keys(tb, b, "\t", "train123", "\r"))
                await asyncio.to_thread(_wait, lambda: sum(r[3] == "SINON" and r[1] > "WEB" for r in _audits(db)) == 2)
                await _keys(ta, "\x1b", FRM77, "\r")
                await asyncio.to_thread(_wait, lambda: any(r[3] == "FRM77" for r in _audits(db)))
                proc.send_signal(signal.SIGTERM)  # both tabs still open
                await asyncio.to_thread(proc.wait, 120)

        # a TN3270 terminal of trainee a, before and beside the tabs
        scr = load_map("signon").render({"date": "", "cycle": "", "terminal": ""}, message="")
        emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
        assert emp is not None and pw is not None
        c = Client(tn_port)
        _, answer = c.key(encode_read(AidEvent(Aid.ENTER, pw.addr + 1, {emp.addr: a, pw.addr: "train123"})))
        assert "SIGN-ON COMPLETED".encode("cp037") in answer
        asyncio.run(tabs())
        c.close()
        assert proc.returncode == 0, _err(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    audit = _audits(db)
    mine = {r[0] for r in audit if r[2] == a}
    assert len(mine) == 1  # one sandbox for a: the tab and the TN3270 terminal both worked in it
    assert {(r[1], r[3]) for r in audit if r[0] in mine} >= {("TN0001", "SINON"), ("WEB0001", "SINON"),
                                                              ("WEB0001", "FRM77")}
    assert not any(r[3] == "FRM77" for r in audit if r[0] not in mine)  # b's sandbox has no input
    offs = sorted((r[1], r[2], r[4]) for r in audit if r[3] == "SINOF")
    # the server stopping closed both tabs, and signed off the TN3270 terminal still signed on
    assert offs == [("TN0001", a, "SERVER STOPPED - SIGNED OFF"), ("WEB0001", a, CLOSED), ("WEB0002", b, CLOSED)]
    with Classroom(f"sqlite:///{db}", None, follow_clock=False, trainees=3) as room:
        assert _inputs_by(room.sandbox_of(a).mf) == [a] and _inputs_by(room.sandbox_of(b).mf) == []


def test_cli_busy_web_port_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["classroom", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--lesson", "training", "--trainees",
                     "1", "--port", "0", "--web-port", str(port)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"idrs-sim classroom: cannot listen on http://127.0.0.1:{port}")
    assert "listening on" not in captured.out  # neither server said it was ready


def test_cli_web_port_equal_to_port_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classroom", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--lesson", "training",
                 "--port", "3999", "--web-port", "3999"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--web-port 3999" in err[0] and "TN3270 port" in err[0]
    assert not (tmp_path / "c.db").exists()  # refused before the class was opened


def test_a_tab_that_cannot_reach_its_classroom_says_so(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "idrs_sim.front.web_tab", "--host-socket",
                           str(tmp_path / "none.sock"), "--terminal", "WEB0001"],
                          check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    want = f"idrs_sim.front.web_tab: cannot reach the classroom server at {tmp_path / 'none.sock'}: "
    assert done.stderr.strip().splitlines() == [want + "No such file or directory"]


def test_a_classroom_tab_never_imports_the_master_file() -> None:
    """The tab's process is a screen and a keyboard: no SQLAlchemy, no session (a faster start
    and less memory per tab); its idle time is still the session's."""
    probe = ("import sys, idrs_sim.front.web_tab, idrs_sim.front.web_bridge; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' or m == 'idrs_sim.terminal.session'))")
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
    from idrs_sim.front import web_tab
    from idrs_sim.terminal.session import IDLE_TIMEOUT_MINUTES

    assert web_tab.IDLE_TIMEOUT_MINUTES == IDLE_TIMEOUT_MINUTES
