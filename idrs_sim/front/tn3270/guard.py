"""What keeps a hostile or broken client from costing the TN3270 server more than a bounded
amount of memory, log or traffic (issue 24): rate budgets, the session limit's default,
the lines sent to clients that cannot be served, and the accept loop's quiet back-off.

Pure helpers (no sockets); `server.py` (limits, accept loop) and `session.py` (bad records) apply them.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

from idrs_sim.ratelimit import Budget, more

log = logging.getLogger("idrs_sim.front.tn3270")

# Sent (as plain text, before or instead of 3270 mode) to a client that is not a 3270
# emulator: a telnet client, nc, a browser.  One line, then the connection is closed.
NOT_3270_LINE = (b"idrs-sim: this is a TN3270 server; connect with a 3270 emulator "
                 b"(x3270, c3270, s3270, wc3270, tn3270).\r\n")

DEFAULT_IDLE_TIMEOUT = 3600.0  # seconds of silence before `serve` drops a connection
SESSION_CAP = 500  # `serve`'s default --max-sessions, when the file limit allows it
FDS_PER_SESSION = 2  # the socket and its duplicate for direct writes (telnet_connection.TelnetConnection)
FDS_RESERVED = 64  # the master file, the log, the listening socket, threads' pipes...


def refused_line(limit: int) -> bytes:
    return f"idrs-sim: all {limit} sessions are in use; try again later.\r\n".encode()


def default_max_sessions() -> int:
    """`serve`'s default session limit: SESSION_CAP, or less when the process's file limit
    would be reached first (each session holds FDS_PER_SESSION descriptors)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return SESSION_CAP
    return max(1, min(SESSION_CAP, (soft - FDS_RESERVED) // FDS_PER_SESSION))


class AcceptGuard:
    """The loop's exception handler while the server runs: at the file limit, asyncio's
    accept loop reports every failed accept() with a traceback, about a hundred a second
    (the same report repeated; CPython issue 151615), which filled 130 MB of log in 100 s.

    Here the first one is logged as one line, the rest only counted until an accept
    succeeds again (`accepted`), which logs how many there were.  Right at the limit
    accepting fails and works by turns, so each of those two lines goes out at most once a
    minute (the next says how many were left out).  asyncio itself waits a second before it
    tries to accept again.  Anything else goes to the previous handler.
    """

    MESSAGE = "socket.accept() out of system resource"

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.previous = loop.get_exception_handler()
        self.failing = 0  # failed accepts since the last success
        self.episodes = 0  # times the limit was reached
        self._failed_log = Budget(1, 1 / 60)
        self._recovered_log = Budget(1, 1 / 60)

    def install(self) -> None:
        self.loop.set_exception_handler(self._handle)

    def uninstall(self) -> None:
        if self.loop.get_exception_handler() == self._handle:
            self.loop.set_exception_handler(self.previous)

    def _handle(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == self.MESSAGE:
            if self.failing == 0:
                self.episodes += 1
                if self._failed_log.take():
                    exc = context.get("exception")
                    log.error("tn3270: cannot accept connections: %s; new connections wait (lower --max-sessions "
                              "or raise the open-file limit, ulimit -n)%s", getattr(exc, "strerror", None) or exc,
                              more(self._failed_log.release_suppressed()))
            self.failing += 1
            return
        if self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def accepted(self) -> None:
        """A connection was accepted: if accepting had failed, say it works again."""
        if self.failing:
            if self._recovered_log.take():
                log.warning("tn3270: accepting connections again after %d failed attempts%s", self.failing,
                            more(self._recovered_log.release_suppressed()))
            self.failing = 0
