"""`idrs-sim classroom`: the class's TN3270 server (the server of `idrs-sim serve`, with a
host factory that makes a `ClassroomHost` per connection) and, with ``--web-port``, the
terminal UI in browser tabs.

A browser tab is a process of its own (textual-serve), but its terminal's host is made
by the same factory, in this process: the tab hands each key over a local socket
(`front.web_bridge`) to a `ClassroomHost`.  So a trainee signs on in a tab exactly as
over TN3270, lands in the same sandbox, and the instructor's codes work from a tab; one
process owns the class, and nothing about sandboxes is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .classroom import Classroom
from .host import ClassroomHost

DEFAULT_DB = "sqlite:///classroom.db"
DEFAULT_WEB_SESSIONS = 20  # `idrs-sim web`'s default: each tab is a process of ~55 MB (make bench)


def host_factory(room: Classroom):  # type: ignore[no-untyped-def]
    """The TN3270 server's factory: one classroom terminal per connection."""

    def make(terminal_id: str) -> ClassroomHost:
        return ClassroomHost(room, terminal_id)

    return make


def run(url: str | None, lesson: str | None, host: str, port: int, trainees: int, *,
        web_port: int | None = None, max_web_sessions: int = DEFAULT_WEB_SESSIONS,
        instructor_password: str | None = None) -> int:
    """Open (or start) the class and serve it until SIGTERM/Ctrl+C; the exit status."""
    from ..front.tn3270.server import run_server
    from ..gcpause import freeze_long_lived

    url = url or DEFAULT_DB
    with Classroom(url, lesson, trainees=trainees, instructor_password=instructor_password) as room:

        def announce() -> None:
            if room.note:
                _say(room.note)
            current = room.current_lesson()
            _say(f"database {url}, lesson {current.name if current else '?'}; trainees sign on "
                 f"as 1485100001..{1485100000 + room.trainees} (password train123)")
            if instructor_password is None:
                _say("the instructor signs on with the training password too: any trainee could run CLASS, "
                     "RESET and LESSON; give --instructor-password (or IDRS_SIM_INSTRUCTOR_PASSWORD)")

        freeze_long_lived()
        if web_port is None:
            return run_server(host_factory(room), host, port, prog="idrs-sim classroom", before_listening=announce)
        return asyncio.run(_serve_with_web(room, host, port, web_port, max_web_sessions, announce))


async def _serve_with_web(room: Classroom, host: str, port: int, web_port: int, max_web_sessions: int,
                          announce: Callable[[], None]) -> int:
    """The TN3270 server and the browser tabs, on one event loop, until SIGTERM/SIGINT.

    Both ports are bound before anything is said, so a busy --port or --web-port is
    one line on stderr and exit status 2.  At the end the tabs go first (each signs
    off through its host), then the tab socket, then TN3270.
    """
    from ..front.tn3270.server import Tn3270Server
    from ..front.web import bridged_tab_argv, serve_web
    from ..front.web_bridge import HostBridge

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    make = host_factory(room)
    tn3270 = Tn3270Server(make, host, port)
    try:
        bound = await tn3270.start()
    except OSError as exc:
        _say(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return 2
    with tempfile.TemporaryDirectory(prefix="idrs-sim-class-") as scratch:  # mode 0700: this user only
        tab_socket = str(Path(scratch) / "tabs.sock")
        bridge = HostBridge(make, workers=max_web_sessions)
        await bridge.start(tab_socket)
        web_stop = asyncio.Event()
        web_bound: asyncio.Future[int] = loop.create_future()

        def tab(terminal_id: str) -> list[str]:
            return bridged_tab_argv(tab_socket, terminal_id)

        web = asyncio.create_task(serve_web(tab, host, web_port, max_sessions=max_web_sessions,
                                            ready=lambda _h, p: web_bound.set_result(p), stop=web_stop))
        try:
            starting: set[asyncio.Future[Any]] = {web_bound, web}
            await asyncio.wait(starting, return_when=asyncio.FIRST_COMPLETED)
            if not web_bound.done():
                failed = web.exception()
                if not isinstance(failed, OSError):
                    raise failed if failed is not None else RuntimeError("the web server ended at start")
                _say(f"cannot listen on http://{host}:{web_port} (--web-port): {failed.strerror or failed}")
                return 2
            announce()
            print(f"listening on {bound[0]}:{bound[1]}", flush=True)
            shown = f"[{host}]" if ":" in host else host
            print(f"listening on http://{shown}:{web_bound.result()}", flush=True)
            await stop.wait()
            return 0
        finally:
            web_stop.set()
            with contextlib.suppress(Exception):
                await web  # every tab ends and signs off through the bridge
            await bridge.close()
            await tn3270.close()


def _say(line: str) -> None:
    print(f"idrs-sim classroom: {line}", file=sys.stderr, flush=True)
