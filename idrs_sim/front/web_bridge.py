"""A host in another process: browser tabs that drive a host living in the server.

`idrs-sim web` gives each browser tab a process (textual-serve runs the Textual app per
connection) with its own `IdrsSession` on a shared master file.  A classroom cannot do
that: a trainee's sign-on decides which sandbox the terminal works in, the sandboxes,
the sign-on throttle and the instructor's codes live in the classroom server, and a
trainee must land in the same sandbox from a browser as over TN3270.  So a classroom
tab does not open any database: its terminal's host is a `BridgedHost`, which hands
every AID key over a local socket to the classroom server, where a `HostBridge` runs it
on the host the server's own factory made for that tab (a `ClassroomHost`, the one the
TN3270 server makes per connection).  One process owns the class; the tabs are screens
and keyboards.

The wire is one JSON object a line over a Unix socket (no pickle: nothing that arrives
is code), in a directory only the server's user can enter:

    tab -> server   {"terminal": "WEB0001"}                      once, first
                    {"op": "first"}
                    {"op": "key", "aid": "ENTER", "cursor": 81, "modified": {"80": "..."},
                     "unformatted": null}
                    {"op": "end", "outcome": "BROWSER TAB CLOSED - SIGNED OFF"}
    server -> tab   {"screen": {...}, "employee": "1485100001" | null,
                     "now": "2024-06-17T08:00:00", "cycle": "202425"}
                    {"error": "..."}                             the host failed on that call

The status (employee, simulated time and cycle) rides with each screen so the tab's
operator line shows the sandbox's date and cycle, not a clock of its own.  A tab that
goes away without "end" (killed) is ended by the server when its socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from ..clock import Clock
from ..terminal.aid import Aid, AidEvent
from ..terminal.screen import SIZE, Field, Screen
from ..terminal.terminal import Terminal

log = logging.getLogger(__name__)

CLOSED = "BROWSER TAB CLOSED - SIGNED OFF"  # the audit outcome when a tab goes away (web_tab.CLOSED)
CALL_TIMEOUT = 300.0  # seconds a tab waits for one answer (a first sign-on copies a sandbox; a busy machine)
_TERMINAL_ID = re.compile(r"[A-Z0-9]{1,8}")
_LINE_LIMIT = 1 << 20  # one message is a screen: ~10 KB


class BridgeError(Exception):
    """The server answered with an error, broke the protocol, or went away."""


class BridgeHost(Protocol):
    """What the server side needs of a host: the TN3270 `Host` protocol plus the clock its
    status line follows and `end` (the terminal went away)."""

    def first_screen(self) -> Screen: ...

    def handle(self, event: AidEvent) -> Screen: ...

    @property
    def employee_idrs(self) -> str | None: ...

    @property
    def clock(self) -> Clock: ...

    def end(self, outcome: str) -> None: ...


# ---- the wire: screens and AID events as JSON ---------------------------------------------
def screen_to_wire(screen: Screen) -> dict[str, Any]:
    fields = [[f.addr, f.protected, f.numeric, f.intensified, f.hidden, f.modified, f.name, f.highlight]
              for f in screen.sorted_fields()]
    return {"chars": "".join(screen.chars), "fields": fields, "cursor": screen.cursor}


def screen_from_wire(data: Any) -> Screen:
    """A screen as sent by `screen_to_wire`; BridgeError when it is not one."""
    try:
        chars = data["chars"]
        if not isinstance(chars, str) or len(chars) != SIZE:
            raise ValueError("chars")
        fields: dict[int, Field] = {}
        for item in data["fields"]:
            addr, protected, numeric, intensified, hidden, modified, name, highlight = item
            if not 0 <= int(addr) < SIZE or not all(isinstance(v, str | None) for v in (name, highlight)):
                raise ValueError("field")
            fields[int(addr)] = Field(int(addr), bool(protected), bool(numeric), bool(intensified), bool(hidden),
                                      bool(modified), name, highlight)
        return Screen(list(chars), fields, int(data["cursor"]) % SIZE)
    except (KeyError, TypeError, ValueError) as exc:
        raise BridgeError(f"not a screen: {exc}") from None


def event_to_wire(event: AidEvent) -> dict[str, Any]:
    return {"op": "key", "aid": event.aid.value, "cursor": event.cursor,
            "modified": {str(a): t for a, t in event.modified.items()}, "unformatted": event.unformatted}


def event_from_wire(data: dict[str, Any]) -> AidEvent:
    """An AID event from a tab; ValueError when it is not one (the tab is then told so)."""
    modified = data.get("modified") or {}
    unformatted = data.get("unformatted")
    if not isinstance(modified, dict) or not all(isinstance(t, str) for t in modified.values()):
        raise ValueError("modified")
    if unformatted is not None and (not isinstance(unformatted, str) or len(unformatted) > SIZE):
        raise ValueError("unformatted")
    cursor = int(data.get("cursor", 0))
    if not 0 <= cursor < SIZE:
        raise ValueError("cursor")
    fields = {int(a): t[:SIZE] for a, t in modified.items()}
    if not all(0 <= a < SIZE for a in fields):
        raise ValueError("modified")
    return AidEvent(Aid(data.get("aid")), cursor, fields, unformatted)


# ---- the tab's side ------------------------------------------------------------------------
class BridgedHost:
    """A `Host` whose keys are answered by the server's host for this terminal (see module doc).

    Blocking calls: the Textual app calls a host from its key handler, as it calls an
    in-process `IdrsSession`.  Any failure raises; the `Terminal` turns that into its
    TERMINAL ERROR message and keeps the screen.
    """

    def __init__(self, path: str, terminal_id: str, *, timeout: float = CALL_TIMEOUT) -> None:
        self.terminal_id = terminal_id
        self.employee_idrs: str | None = None
        self.clock = Clock(dt.datetime(2024, 6, 17, 8, 0))  # set from every answer
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(path)
        except OSError:
            self._sock.close()
            raise
        self._file = self._sock.makefile("rwb")
        self._send({"terminal": terminal_id})
        self.ended = False

    def first_screen(self) -> Screen:
        return self._call({"op": "first"})

    def handle(self, event: AidEvent) -> Screen:
        return self._call(event_to_wire(event))

    @property
    def signed_on(self) -> bool:
        return self.employee_idrs is not None

    def end(self, outcome: str = CLOSED) -> None:
        """The tab is going away: the server signs its employee off (with `outcome` in the
        audit trail) and forgets the terminal."""
        if self.ended:
            return
        self.ended = True
        with contextlib.suppress(OSError, BridgeError, ValueError):
            self._request({"op": "end", "outcome": outcome})
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self._sock.close()

    def _send(self, message: dict[str, Any]) -> None:
        self._file.write(json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n")
        self._file.flush()

    def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            self._send(message)
            line = self._file.readline(_LINE_LIMIT)
        except OSError as exc:  # refused, or the server stopped: broken pipe, reset, timeout
            raise BridgeError(f"the classroom server is not answering: {exc}") from None
        if not line:
            raise BridgeError("the classroom server closed the connection")
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise BridgeError("not an answer")
        if "error" in reply:
            raise BridgeError(str(reply["error"]))
        return reply

    def _call(self, message: dict[str, Any]) -> Screen:
        reply = self._request(message)
        employee = reply.get("employee")
        self.employee_idrs = employee if isinstance(employee, str) else None
        with contextlib.suppress(TypeError, ValueError):
            self.clock.set(dt.datetime.fromisoformat(reply["now"]))
        return screen_from_wire(reply.get("screen"))


class BridgedSimulator:
    """What the tab's Textual app asks of a `Simulator` (`new_terminal`, `clock`, `close`),
    for a terminal whose host is in the server: the operator line shows the clock of the
    sandbox the terminal works in, as the server last reported it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.host: BridgedHost | None = None

    def new_terminal(self, terminal_id: str | None = None) -> Terminal:
        self.host = BridgedHost(self.path, terminal_id or "WEB0001")
        return Terminal(self.host)

    @property
    def clock(self) -> Clock:
        assert self.host is not None
        return self.host.clock

    def close(self) -> None:
        if self.host is not None:
            self.host.close()


# ---- the server's side ----------------------------------------------------------------------
class HostBridge:
    """A Unix-socket server in the server's event loop: one host (from `factory`) per tab.

    Host calls run on worker threads (a sign-on checks a password and may copy a
    sandbox), one call at a time per tab, beside the TN3270 server's own workers.
    """

    def __init__(self, factory: Callable[[str], BridgeHost], *, workers: int = 32) -> None:
        self.factory = factory
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="web-host")
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.terminals: dict[str, BridgeHost] = {}  # terminal id -> its host, while the tab is connected

    async def start(self, path: str) -> None:
        self._server = await asyncio.start_unix_server(self._accept, path, limit=_LINE_LIMIT)

    async def close(self) -> None:
        """Stop listening; end every tab still connected (each signs off), then the workers."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=30.0)
        self._executor.shutdown(wait=False, cancel_futures=True)  # a stuck call must not hold up the stop

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        terminal_id = "?"
        host: BridgeHost | None = None
        ended = False
        try:
            hello = json.loads(await reader.readline() or b"null")
            asked = hello.get("terminal") if isinstance(hello, dict) else None
            if not isinstance(asked, str) or not _TERMINAL_ID.fullmatch(asked) or asked in self.terminals:
                log.warning("web tab bridge: refused a connection with terminal id %r", asked)
                return
            terminal_id = asked
            host = await self._run(self.factory, terminal_id)
            self.terminals[terminal_id] = host
            while line := await reader.readline():
                reply, ended = await self._answer(host, terminal_id, line)
                writer.write(json.dumps(reply, separators=(",", ":")).encode("utf-8") + b"\n")
                await writer.drain()
                if ended:
                    break
        except (asyncio.CancelledError, ConnectionError, ValueError, asyncio.LimitOverrunError):
            pass  # the server stopping, or a tab gone or broken: end its host below
        finally:
            if host is not None:
                if not ended:  # the tab went away without saying so (killed, server stopping)
                    with contextlib.suppress(Exception):
                        await asyncio.shield(self._run(host.end, CLOSED))
                self.terminals.pop(terminal_id, None)
            writer.close()
            self._tasks.discard(task)

    async def _answer(self, host: BridgeHost, terminal_id: str, line: bytes) -> tuple[dict[str, Any], bool]:
        """One request from a tab: the reply, and whether the tab has ended."""
        try:
            request = json.loads(line)
            op = request.get("op") if isinstance(request, dict) else None
            if op == "end":
                outcome = str(request.get("outcome") or CLOSED)[:60]
                await self._run(host.end, outcome)
                return {"ended": True}, True
            if op == "first":
                screen = await self._run(host.first_screen)
            elif op == "key":
                screen = await self._run(host.handle, event_from_wire(request))
            else:
                return {"error": f"unknown request {op!r}"}, False
            return {"screen": screen_to_wire(screen), **(await self._run(_status, host))}, False
        except (ValueError, TypeError) as exc:
            return {"error": f"bad request: {exc}"}, False
        except Exception as exc:  # one tab's trouble must not reach the others: the tab shows TERMINAL ERROR
            log.exception("web %s: host failed", terminal_id)
            return {"error": f"host failed: {type(exc).__name__}"}, False


def _status(host: BridgeHost) -> dict[str, Any]:
    clock = host.clock
    return {"employee": host.employee_idrs, "now": clock.now().isoformat(), "cycle": clock.cycle}


__all__ = ["BridgeError", "BridgeHost", "BridgedHost", "BridgedSimulator", "HostBridge", "event_from_wire",
           "event_to_wire", "screen_from_wire", "screen_to_wire"]
