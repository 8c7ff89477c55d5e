"""`idrs-sim web` without a browser: the page and its assets, the session limit, closing and
idle tabs signing off, the key bar, the command line.  (tests/test_web_browser.py drives
a real Chromium.)  A tab here is a WebSocket client speaking textual-serve's protocol."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from idrs_sim.cli import main
from idrs_sim.front import web
from idrs_sim.front.keybar import HINT, KEY_ACTIONS, KEY_ROWS, WEB_KEY_HELP
from idrs_sim.front.tui import KeyMapScreen, TerminalView
from idrs_sim.front.web_tab import CLOSED, IDLE, WebIdrsApp
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.simulator import Simulator

EMPLOYEE, PASSWORD = "1485012345", "train123"


def _audit(url: str) -> list[tuple[str, str, str, str, str]]:
    with Simulator(url, None) as sim, sim.mf.reading() as s:
        rows = s.execute(select(AuditRecord.terminal, AuditRecord.idrs, AuditRecord.aid, AuditRecord.command,
                                AuditRecord.outcome).order_by(AuditRecord.id)).all()
    return [tuple(v or "" for v in r) for r in rows]  # type: ignore[misc]


def _wait(test: Any, timeout: float = 90.0) -> None:  # a bound, not a timing: a loaded machine is slow
    end = time.monotonic() + timeout
    while not test():
        if time.monotonic() > end:
            raise AssertionError("condition never held")
        time.sleep(0.1)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    Simulator(url, "training").close()
    return url


@contextmanager
def server(tab_command: web.TabCommand, max_sessions: int = 20) -> Iterator[tuple[int, web.WebTerminalServer]]:
    """`serve_web` on a free port in a thread of its own; yields (port, the server)."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    bound: list[int] = []
    made: list[web.WebTerminalServer] = []
    real = web.WebTerminalServer

    class Spy(real):  # type: ignore[misc,valid-type]
        def __init__(self, *a: Any, **k: Any) -> None:
            super().__init__(*a, **k)
            made.append(self)

    async def run() -> None:
        await web.serve_web(tab_command, port=0, max_sessions=max_sessions, ready=lambda h, p: bound.append(p),
                            stop=stop)

    web.WebTerminalServer = Spy  # type: ignore[misc]
    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    try:
        _wait(lambda: bound)
        yield bound[0], made[0]
    finally:
        web.WebTerminalServer = real  # type: ignore[misc]
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        assert not thread.is_alive()


def _tabs(url: str, idle_minutes: float = 15) -> web.TabCommand:
    return lambda terminal_id: web.tab_argv(url, terminal_id, idle_minutes=idle_minutes)


async def _open_tab(session: aiohttp.ClientSession, port: int) -> tuple[aiohttp.ClientWebSocketResponse, list[bytes]]:
    """A tab: the WebSocket, and what the app wrote so far (filled by a reader task)."""
    ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=30")
    out: list[bytes] = []

    async def read() -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                out.append(msg.data)

    asyncio.get_running_loop().create_task(read())
    end = time.monotonic() + 60
    while sum(map(len, out)) < 2000 and time.monotonic() < end:  # the first screen has been drawn
        await asyncio.sleep(0.05)
    return ws, out


async def _sign_on(ws: aiohttp.ClientWebSocketResponse) -> None:
    for keys in (EMPLOYEE, "\t", PASSWORD, "\r"):
        await ws.send_json(["stdin", keys])
        await asyncio.sleep(0.05)


# ---- the page -----------------------------------------------------------------------
def test_page_and_assets_come_from_this_server_only(db_url: str) -> None:
    async def check(port: int) -> None:
        async with aiohttp.ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 200
                page = await r.text()
            # Nothing outside this server: every URL in the page is a path here, or our own WebSocket.
            urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page) + re.findall(r"url\(\"?([^\")]+)", page)
            assert urls and all(u.startswith("/static/") for u in urls), urls
            assert re.findall(r"\b(?:https?|wss?)://[^\s\"'<]+", page) == [f"ws://127.0.0.1:{port}/ws"]
            for u in urls:
                async with s.get(f"http://127.0.0.1:{port}{u}") as r:
                    assert r.status == 200, u
                    body = await r.read()
                if u.endswith(".css"):
                    assert not re.search(rb"url\(\s*['\"]?(?:https?:)?//", body), u
            async with s.get(f"http://127.0.0.1:{port}/static/js/textual.js") as r:
                script = await r.text()
            assert "window.idrsTerminals" in script  # the hook the browser tests read the screen through
            assert "fonts.googleapis" not in page + script

    with server(_tabs(db_url)) as (port, _srv):
        asyncio.run(check(port))


def test_the_script_hook_fails_loudly_if_textual_serve_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert web.patched_script().count(b".push(t);t.fit()") == 1  # the hook, once
    monkeypatch.setattr(web, "_SCRIPT_HOOK", "no such line;")
    with pytest.raises(ValueError, match="textual.js changed"):
        web.patched_script()


# ---- tabs: sessions, limit, sign-off -----------------------------------------------------
def test_closing_a_tab_signs_off_and_each_tab_is_its_own_terminal(db_url: str) -> None:
    async def two_tabs(port: int, srv: web.WebTerminalServer) -> None:
        async with aiohttp.ClientSession() as s:
            (a, _), (b, _) = await asyncio.gather(_open_tab(s, port), _open_tab(s, port))
            assert sorted(srv.sessions) == ["WEB0001", "WEB0002"]
            await asyncio.gather(_sign_on(a), _sign_on(b))
            await asyncio.to_thread(_wait, lambda: sum(r[3] == "SINON" for r in _audit(db_url)) == 2)
            await a.close()
            await asyncio.to_thread(_wait, lambda: any(r[4] == CLOSED for r in _audit(db_url)))
            await asyncio.to_thread(_wait, lambda: "WEB0001" not in srv.sessions)
            assert list(srv.sessions) == ["WEB0002"]  # the other tab is still there
            await b.close()

    with server(_tabs(db_url)) as (port, srv):
        asyncio.run(two_tabs(port, srv))
        _wait(lambda: not srv.sessions)
    audit = _audit(db_url)
    assert {(r[0], r[3], r[4]) for r in audit if r[3] == "SINON"} == {
        ("WEB0001", "SINON", "SIGN-ON COMPLETED"), ("WEB0002", "SINON", "SIGN-ON COMPLETED")}
    offs = [r for r in audit if r[3] == "SINOF"]
    assert sorted(r[0] for r in offs) == ["WEB0001", "WEB0002"]
    assert all(r[1] == EMPLOYEE and r[2] == "" and r[4] == CLOSED for r in offs)  # no key: the tab went away


def test_session_limit_gives_a_clear_page_and_starts_no_process(db_url: str) -> None:
    async def full(port: int, srv: web.WebTerminalServer) -> None:
        async with aiohttp.ClientSession() as s:
            first, _ = await _open_tab(s, port)
            async with s.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 503
                text = await r.text()
            assert "All 1 terminal sessions are in use" in text
            late = await s.ws_connect(f"http://127.0.0.1:{port}/ws")  # a page opened before it filled up
            msg = await late.receive()
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert late.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
            assert list(srv.sessions) == ["WEB0001"]
            await first.close()
            await asyncio.to_thread(_wait, lambda: not srv.sessions)
            async with s.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 200

    with server(_tabs(db_url), max_sessions=1) as (port, srv):
        asyncio.run(full(port, srv))


def test_an_idle_tab_signs_off_and_ends(db_url: str) -> None:
    async def idle(port: int, srv: web.WebTerminalServer) -> None:
        async with aiohttp.ClientSession() as s:
            ws, _ = await _open_tab(s, port)
            await _sign_on(ws)
            await asyncio.to_thread(_wait, lambda: any(r[3] == "SINON" for r in _audit(db_url)))
            end = time.monotonic() + 60
            while not ws.closed and time.monotonic() < end:  # the server closes the tab's socket
                await asyncio.sleep(0.1)
            assert ws.closed
            await asyncio.to_thread(_wait, lambda: not srv.sessions)

    with server(_tabs(db_url, idle_minutes=0.05), max_sessions=2) as (port, srv):  # 3 s
        asyncio.run(idle(port, srv))
    assert [r[4] for r in _audit(db_url) if r[3] == "SINOF"] == [IDLE]


# ---- the key bar (Textual's Pilot) ---------------------------------------------------------
class Recorder:
    """Stands for the Terminal: records which keys arrived, in order; the rest is the real one's."""

    KEYS = {"pf", "pa", "clear", "reset", "erase_eof", "tab", "backtab", "enter"}

    def __init__(self, real: Any) -> None:
        self.real = real
        self.keys: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in self.KEYS:
            return lambda *args: self.keys.append(name + "".join(str(a) for a in args))
        return getattr(self.real, name)


def test_every_key_of_the_bar_reaches_the_terminal_and_the_focus_stays() -> None:
    sim = Simulator()
    app = WebIdrsApp(sim, "WEB0001")
    async def run() -> None:
        async with app.run_test(size=(80, 30)) as pilot:
            recorder = Recorder(app.terminal)
            recorders.append(recorder)
            app.terminal = app.view.terminal = recorder  # type: ignore[assignment]
            for key in KEY_ACTIONS:
                if KEY_ACTIONS[key] is not None:
                    await pilot.click(f"#key-{key}")
                    await pilot.pause()
                    assert isinstance(app.focused, TerminalView), key

    recorders: list[Recorder] = []
    asyncio.run(run())
    recorder = recorders[0]
    want = [*(f"pf{n}" for n in range(1, 25)), "pa1", "pa2", "pa3", "clear", "reset", "erase_eof", "tab",
            "backtab", "enter"]
    assert recorder.keys == want
    labels = [label for row in KEY_ROWS for _k, label, _a in row]
    assert len(HINT) <= 80  # the hint line is as wide as the screen
    assert {"PF1", "PF24", "PA3", "Clear", "Reset", "ErEOF", "Tab"} <= set(labels)
    sim.close()


def test_the_bar_drives_a_real_session_and_ctrl_k_shows_the_browser_keys() -> None:
    sim = Simulator()
    app = WebIdrsApp(sim, "WEB0001")

    async def run() -> None:
        async with app.run_test(size=(80, 30)) as pilot:
            t = app.terminal
            t.type_text(EMPLOYEE)
            t.tab()
            t.type_text(PASSWORD)
            await pilot.click("#key-enter")
            assert "SIGN-ON COMPLETED" in app.screen_text()
            t.type_text("TXMODA 400-00-1001 30 202312")
            t.enter()
            assert "PAGE>001/002" in app.screen_text()
            await pilot.click("#key-pf8")
            assert "PAGE>002/002" in app.screen_text()
            await pilot.click("#key-clear")
            assert "TXMODA" not in app.screen_text()
            await pilot.press("ctrl+k")
            assert isinstance(app.screen, KeyMapScreen) and app.screen.text == WEB_KEY_HELP
            assert "Ctrl+W" in WEB_KEY_HELP and "Click the keys under the screen" in WEB_KEY_HELP
            await pilot.press("x")
            await pilot.click("#key-keys")
            assert isinstance(app.screen, KeyMapScreen)

    asyncio.run(run())
    app.ending = CLOSED
    app.end_session()  # what the tab's process does at its end
    assert not app.terminal.host.signed_on  # type: ignore[attr-defined]
    with sim.mf.reading() as s:
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(1)).one()
    assert (last.command, last.aid, last.outcome, last.terminal) == ("SINOF", None, CLOSED, "WEB0001")
    sim.close()


def test_end_leaves_no_record_when_nobody_is_signed_on() -> None:
    with Simulator() as sim:
        session = sim.new_session("WEB0009")
        session.end(CLOSED)
        with sim.mf.reading() as s:
            assert s.scalars(select(AuditRecord).where(AuditRecord.terminal == "WEB0009")).first() is None


# ---- the command line --------------------------------------------------------------------
def test_cli_refuses_an_in_memory_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--db", "sqlite://", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "in-memory database cannot be shared" in err[0]


def test_cli_unknown_fixture_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--fixture", "no-such-fixture", "--port", "0"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_cli_serves_signs_off_open_tabs_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.db'}"
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "web", "--port", "0", "--db", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+\n", line), line
        port = int(line.rsplit(":", 1)[1])

        async def tab() -> None:
            async with aiohttp.ClientSession() as s:
                ws, _ = await _open_tab(s, port)
                await _sign_on(ws)
                await asyncio.to_thread(_wait, lambda: any(r[3] == "SINON" for r in _audit(url)))
                proc.send_signal(signal.SIGTERM)  # the tab is still open
                await asyncio.to_thread(proc.wait, 90)

        asyncio.run(tab())
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [(r[0], r[3], r[4]) for r in _audit(url) if r[3] == "SINOF"] == [("WEB0001", "SINOF", CLOSED)]


# What xterm.js in Chromium sends for each key (measured in headless Chromium 156 through
# xterm's onData), through Textual's own input parser and the TUI's key map: which 3270
# keys the keyboard delivers in a browser, and that the key bar has every one that it does not.
XTERM_SENDS = {
    **{f"PF{n}": s for n, s in zip(range(1, 13), ["\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~",
                                                     "\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~",
                                                     "\x1b[24~"], strict=True)},
    **{f"PF{n + 12}": s for n, s in zip(range(1, 13), ["\x1b[1;2P", "\x1b[1;2Q", "\x1b[1;2R", "\x1b[1;2S",
                                                          "\x1b[15;2~", "\x1b[17;2~", "\x1b[18;2~", "\x1b[19;2~",
                                                          "\x1b[20;2~", "\x1b[21;2~", "\x1b[23;2~", "\x1b[24;2~"],
                                        strict=True)},
    "PA1": "\x1b[1;3P", "PA2": "\x1b[1;3Q", "PA3": "\x1b[1;3R",  # Alt+F1..F3
    "Clear": "\x1b", "Reset": "\x12", "Erase EOF": "\x05", "Tab": "\t",
}


def test_which_keys_a_browser_keyboard_delivers_and_the_bar_has_the_rest() -> None:
    from textual import events as ev
    from textual._xterm_parser import XTermParser

    from idrs_sim.front.tui import KEYS

    delivered = set()
    for key, seq in XTERM_SENDS.items():
        parser = XTermParser()
        got = [e for e in [*parser.feed(seq), *parser.feed("")] if isinstance(e, ev.Key)]
        if len(got) == 1 and got[0].key in KEYS and KEYS[got[0].key][0].startswith(key):
            delivered.add(key)
    # Shift+F3 and Alt+F3 read like a cursor-position report (ESC [ 1 ; n R): lost before the app.
    assert set(XTERM_SENDS) - delivered == {"PF15", "PA3"}
    bar = {label for row in KEY_ROWS for _k, label, _a in row}
    assert {"PF15", "PA3"} <= bar and {f"PF{n}" for n in range(1, 25)} <= bar


def test_cli_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["web", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"idrs-sim web: cannot listen on 127.0.0.1:{port}")
