"""`idrs-sim web`: the terminal UI in a browser tab, nothing installed, nothing fetched.

textual-serve does the hard part: its page runs xterm.js, and for every browser
connection (one per tab) it starts the Textual app as a child process and relays the
terminal both ways over a WebSocket.  This module adds what a training room needs:

* **nothing from the internet.**  textual-serve's stock page loads its font from a
  public font service; ours serves the same font (it ships inside textual-serve) from
  this server, and every other asset (xterm.js, its CSS) comes from here as well.
* **one terminal session per tab.**  Each tab's process gets its own terminal id
  (``WEB0001``...), its own sign-on and audit records, and ends (signing off) when the
  tab closes: see `web_tab`.  Which process a tab gets is one callable, `TabCommand`
  (terminal id -> argv): `idrs-sim web` gives every tab the shared master file, and
  the classroom can give each its own sandbox by passing another callable to
  `serve_web`.
* **bounded.**  At most `max_sessions` tabs at once (past that, the page says so and
  no process is started); a tab idle for the idle sign-off time ends itself.
* **tests can read the screen.**  The page keeps the xterm.js terminals it made in
  ``window.idrsTerminals``, so a browser test reads the text through xterm's buffer
  API (the screen is drawn on a canvas, with no text in the page).

Without ``--db`` the master file is an SQLite file in a temporary directory, shared by
every tab (tabs are processes: an in-memory database could not be shared) and deleted
when the server stops, as the in-memory default of the other commands is.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import logging
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from ..terminal.session import IDLE_TIMEOUT_MINUTES

log = logging.getLogger(__name__)

#: Terminal id of a new tab -> the argv of the process that runs its terminal.
TabCommand = Callable[[str], Sequence[str]]

DEFAULT_MAX_SESSIONS = 20
STOP_GRACE = 60.0  # seconds a tab's process gets to sign off and exit before it is killed (a busy machine is slow)
FONT = "fonts/RobotoMono-VariableFont_wght.ttf"
# textual-serve's page script makes one xterm.js terminal per element and keeps it to
# itself; this one change hands it to the page too (see `patched_script`).
_SCRIPT_HOOK = "const t=new w(e,{ping:r});"
_SCRIPT_HOOKED = _SCRIPT_HOOK + "(window.idrsTerminals=window.idrsTerminals||[]).push(t);"


def static_dir() -> Path:
    """textual-serve's own assets: xterm.js with its add-ons, its CSS, the font."""
    return Path(str(resources.files("textual_serve"))) / "static"


def patched_script() -> bytes:
    """textual-serve's page script with the hook that exposes its terminals; ValueError
    when a new textual-serve changed the line it hooks (a test says so at once)."""
    text = (static_dir() / "js" / "textual.js").read_text(encoding="utf-8")
    if text.count(_SCRIPT_HOOK) != 1:
        raise ValueError("textual-serve's textual.js changed: the terminal hook no longer applies")
    return text.replace(_SCRIPT_HOOK, _SCRIPT_HOOKED).encode("utf-8")


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<style>
@font-face {{ font-family: "Roboto Mono"; src: url("/static/{font}") format("truetype"); }}
html, body {{ margin: 0; height: 100%; background: #000000; }}
#terminal {{ position: absolute; inset: 0; }}
.closed {{ display: none; position: absolute; inset: 0; z-index: 10; align-items: center;
  justify-content: center; background: rgba(0, 0, 0, 0.8); }}
body.-closed .closed {{ display: flex; }}
.box {{ font: 16px "Roboto Mono", monospace; color: #ccffcc; background: #002200;
  border: 1px solid #33dd33; padding: 24px 32px; text-align: center; }}
button {{ font: inherit; color: #000000; background: #33dd33; border: none; padding: 8px 24px; margin-top: 16px;
  cursor: pointer; }}
</style>
<script src="/static/js/textual.js"></script>
</head>
<body>
<div class="closed"><div class="box">
<div>Session ended: you are signed off.</div>
<button type="button" onclick="window.location.reload()">New session</button>
</div></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{websocket}" data-font-size="{font_size}"></div>
</body>
</html>
"""

FULL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}: all sessions in use</title>
<style>body {{ font: 16px monospace; color: #ccffcc; background: #000000; padding: 48px; }}</style></head>
<body>
<h1>All {limit} terminal sessions are in use</h1>
<p>This idrs-sim server takes at most {limit} browser sessions at once, and all of them are open now.
Close a tab you no longer use, or ask your instructor, then reload this page.</p>
</body>
</html>
"""


class TabService(AppService):
    """textual-serve's app service, starting the tab's process from an argv (no shell) and
    making sure it is gone after `stop()`: a process that will not sign off and exit in
    `STOP_GRACE` seconds is killed."""

    def __init__(self, argv: Sequence[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        env = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the process's output; once it has ended (signed off, idle, crashed), close the
        tab's WebSocket so the page says the session ended instead of freezing."""
        try:
            await super().run()
        finally:
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def on_data(self, payload: bytes) -> None:
        """Relay output to the page; once the page has gone, drop it but keep reading.  Why: an
        error here ended the relay, `stop()` then took the process for finished and killed it
        while it was still signing off (the audit lost its SINOF), and a process whose output
        nobody reads can block on a full pipe before it signs off."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_data(payload)

    async def _quit_and_wait(self) -> None:
        await super().stop()
        if self._process is not None:
            await self._process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the process to quit and wait until it has exited (it signs off on its way out),
        at most `STOP_GRACE` seconds; then it is killed."""
        try:
            await asyncio.wait_for(asyncio.shield(self._quit_and_wait()), STOP_GRACE)
        except TimeoutError:
            log.warning("web tab %s did not end in %g s: killed", self.pid, STOP_GRACE)
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class WebTerminalServer:
    """The aiohttp application: the page, its assets and one WebSocket (one process) per tab."""

    def __init__(self, tab_command: TabCommand, *, max_sessions: int = DEFAULT_MAX_SESSIONS,
                 title: str = "idrs-sim", font_size: int = 16) -> None:
        self.tab_command = tab_command
        self.max_sessions = max_sessions
        self.title = title
        self.font_size = font_size
        self.sessions: dict[str, TabService] = {}  # terminal id -> its running tab
        self._ids = itertools.count(1)
        self._script: bytes | None = None
        self.download_manager = DownloadManager()

    def make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/", self.handle_index),
            web.get("/ws", self.handle_websocket),
            web.get("/static/js/textual.js", self.handle_script),
            web.static("/static", static_dir()),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    async def handle_index(self, request: web.Request) -> web.Response:
        title = html.escape(self.title)
        if self.full:
            return web.Response(status=503, content_type="text/html",
                                text=FULL_PAGE.format(title=title, limit=self.max_sessions))
        scheme = "wss" if request.secure else "ws"
        websocket = html.escape(f"{scheme}://{request.host}/ws", quote=True)
        return web.Response(content_type="text/html", headers={"Cache-Control": "no-store"},
                            text=PAGE.format(title=title, font=FONT, websocket=websocket, font_size=self.font_size))

    async def handle_script(self, request: web.Request) -> web.Response:
        if self._script is None:
            self._script = patched_script()
        return web.Response(body=self._script, content_type="application/javascript")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.full:  # a page opened while there was room, connecting once there is none
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"all sessions in use")
            return websocket
        terminal_id = f"WEB{next(self._ids):04d}"
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        service = TabService(self.tab_command(terminal_id), write_bytes=websocket.send_bytes,
                             write_str=websocket.send_str, close=websocket.close,
                             download_manager=self.download_manager)
        self.sessions[terminal_id] = service
        log.info("web %s opened from %s", terminal_id, request.remote)
        try:
            await service.start(width, height)
            async for message in websocket:
                if message.type == web.WSMsgType.TEXT:
                    await self._relay(websocket, service, message.json())
        except asyncio.CancelledError:
            pass
        except Exception:  # one tab's trouble must not reach the others
            log.exception("web %s: internal error", terminal_id)
        finally:
            await service.stop()
            self.sessions.pop(terminal_id, None)
            log.info("web %s closed", terminal_id)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: TabService, envelope: Any) -> None:
        """One message from the page: keys, a new size, a ping, focus changes."""
        if not isinstance(envelope, list) or not envelope:
            return
        kind = envelope[0]
        data = envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await service.send_bytes(data.encode("utf-8"))
        elif kind == "resize" and isinstance(data, dict):
            await service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await service.blur()
        elif kind == "focus":
            await service.focus()

    async def close_sessions(self) -> None:
        """End every tab (each signs off), in parallel."""
        await asyncio.gather(*(s.stop() for s in list(self.sessions.values())), return_exceptions=True)

    async def on_shutdown(self, app: web.Application) -> None:
        await self.close_sessions()


def _int(value: Any, default: int) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return default


async def serve_web(
    tab_command: TabCommand,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    ready: Callable[[str, int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve browser terminals until `stop` is set (or the task is cancelled), then end every tab.

    `tab_command(terminal_id)` gives the argv of a new tab's process (see `tab_argv`);
    `ready(host, port)` is called once listening, with the real port when 0 was asked.
    """
    server = WebTerminalServer(tab_command, max_sessions=max_sessions)
    runner = web.AppRunner(server.make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        if ready is not None:
            addresses = runner.addresses  # the real port when 0 was asked
            ready(host, int(addresses[0][1]) if addresses else port)
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        await server.close_sessions()
        await runner.cleanup()


def tab_argv(db_url: str, terminal_id: str, *, clock: str | None = None,
             idle_minutes: float = IDLE_TIMEOUT_MINUTES) -> list[str]:
    """The argv of a tab's process on the master file `db_url` (see `web_tab`)."""
    argv = [sys.executable, "-m", "idrs_sim.front.web_tab", "--db", db_url, "--terminal", terminal_id,
            "--idle-minutes", f"{idle_minutes:g}"]
    if clock is not None:
        argv += ["--clock", clock]
    return argv


def bridged_tab_argv(host_socket: str, terminal_id: str, *, idle_minutes: float = IDLE_TIMEOUT_MINUTES) -> list[str]:
    """The argv of a classroom tab's process: its host is the classroom server's, reached over
    `host_socket` (see `web_bridge`); it opens no database of its own."""
    return [sys.executable, "-m", "idrs_sim.front.web_tab", "--host-socket", host_socket, "--terminal", terminal_id,
            "--idle-minutes", f"{idle_minutes:g}"]


def run_web(
    db: str | None,
    fixture: str | None,
    date: str | None,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    idle_minutes: float = IDLE_TIMEOUT_MINUTES,
) -> int:
    """Blocking entry for `idrs-sim web`: prints ``listening on http://HOST:PORT``; 0 on SIGTERM/SIGINT.

    The master file is opened (and filled from the fixture) here, before listening, so
    a bad --db or --fixture is a usage error and the tabs only ever open a ready one.
    """
    from ..masterfile.db import is_memory_url
    from ..simulator import DEFAULT_FIXTURE, Simulator, SimulatorError

    if db is not None and is_memory_url(db):
        raise SimulatorError("an in-memory database cannot be shared by browser tabs (each tab is a process): "
                             "give a file, e.g. --db sqlite:///class.db, or leave --db out")
    with tempfile.TemporaryDirectory(prefix="idrs-sim-web-") as scratch:
        url = db or f"sqlite:///{Path(scratch) / 'masterfile.db'}"
        with Simulator(url, fixture or DEFAULT_FIXTURE, date, replace=fixture is not None,
                       follow_clock=True) as sim:
            sim.require_writable()

            def tab(terminal_id: str) -> list[str]:
                return tab_argv(url, terminal_id, clock=sim.clock.now().isoformat(), idle_minutes=idle_minutes)

            return _run_until_signal(tab, host, port, max_sessions)


def _run_until_signal(tab: TabCommand, host: str, port: int, max_sessions: int) -> int:
    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

        def ready(h: str, p: int) -> None:
            shown = f"[{h}]" if ":" in h else h
            print(f"listening on http://{shown}:{p}", flush=True)

        try:
            await serve_web(tab, host, port, max_sessions=max_sessions, ready=ready, stop=stop)
        except OSError as exc:
            print(f"idrs-sim web: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0

    return asyncio.run(main())


__all__ = ["TabCommand", "TabService", "WebTerminalServer", "bridged_tab_argv", "patched_script", "run_web",
           "serve_web", "tab_argv"]
