"""The TN3270 server: real 3270 clients (x3270, c3270, s3270, tnz, IBM PCOMM...) talk to a Host.

One asyncio task per connection; the keyboard, the field editing and the MDT bits live
in the client, so the server only turns each Read Modified into an `AidEvent`, asks
the connection's `Host` for the next screen and writes it with Erase/Write.

This module listens, accepts and ends connections and holds the entry points; the jobs
of one connection are apart:

* `session` - one connection's session: negotiate, start the host, answer records,
  drop a misbehaving client with one log line;
* `key` - one AID key on a host worker: host call, encoding, the answer written by the
  worker itself;
* `host_threads` - where host calls run (`ServerOptions.host_threads`: one FIFO pool
  with hand-off by default, a thread per connection, one thread, or inline);
* `telnet_connection` / `telnet` - the telnet stream and wire; `codec` - the 3270 data
  stream.

What a hostile client can cost is bounded (issue 24, `guard.py`): at most `max_sessions`
connections (the next one gets one line saying so and is closed), a client that does not
negotiate TN3270 gets one line saying a 3270 emulator is needed, bad records are answered
and logged only within a budget (per connection for the re-sent screens, per server for
the log lines, which then say how many were left out), and at the file limit the accept
loop logs once instead of a traceback per attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import guard
from .host_threads import HostPool, HostThreads, Runner
from .key import KeyTiming
from .session import HostFactory, SessionLoop
from .telnet_connection import TelnetConnection

log = logging.getLogger("idrs_sim.front.tn3270")


@dataclass(frozen=True)
class ServerOptions:
    """Timeouts (seconds) and threading; defaults suit people at real terminals."""

    negotiation_timeout: float = 5.0
    record_timeout: float = 30.0  # a started record must end within this
    idle_timeout: float | None = None  # silence allowed between records; None = forever
    write_timeout: float = 30.0  # a client that stops reading is dropped after this
    host_threads: HostThreads = "pool"
    host_workers: int = 1  # "pool": host calls that run at once (slow ones handed off not counted)
    handoff_after: float | None = 0.2  # "pool": a call running longer than this frees its worker slot; None: never
    max_host_threads: int = 32  # "pool": threads at most, hand-offs included
    # Called after each answered key (benchmarks), on the thread that finished sending it: the
    # host worker, or the event loop when it wrote part of the answer.  Keep it cheap and
    # thread-safe (list.append is).  None: nothing is timed.
    observer: Callable[[KeyTiming], None] | None = None
    direct_write: bool = True  # the worker thread writes the answer itself (see TelnetConnection.direct_sender)
    max_sessions: int | None = None  # connections at once (negotiating ones included); None: no limit
    # Bad records: re-sent screens per connection (burst, then per second), warnings per server.
    bad_record_replies: tuple[float, float] = (5, 1.0)
    bad_record_warnings: tuple[float, float] = (20, 1 / 3)


class Tn3270Server:
    """A listening TN3270 server; `start()` binds, `close()` ends every session."""

    def __init__(self, host_factory: HostFactory, host: str = "127.0.0.1", port: int = 3270, options: ServerOptions | None = None) -> None:
        self.host_factory = host_factory
        self.bind_host = host
        self.bind_port = port
        self.options = options or ServerOptions()
        self._server: asyncio.Server | None = None
        self._sessions: dict[str, asyncio.Task[None]] = {}
        self._connections: dict[str, TelnetConnection] = {}
        self._ids = itertools.count(1)
        self._shared: HostPool | None = None
        opts = self.options
        self._sessions_loop = SessionLoop(host_factory, opts, guard.Budget(*opts.bad_record_warnings))
        self._refused_log = guard.Budget(1, 1 / 60)  # "sessions all in use": a line a minute at most
        self._accept_guard: guard.AcceptGuard | None = None
        self.refused = 0  # connections turned away at max_sessions
        if opts.host_threads == "pool":
            self._shared = HostPool(opts.host_workers, opts.handoff_after, opts.max_host_threads)
        elif opts.host_threads == "single":
            self._shared = HostPool(1, handoff_after=None)
        elif opts.host_threads not in ("per-connection", "inline"):
            raise ValueError(f"host_threads: {opts.host_threads!r}")

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) actually bound; the port is real even when 0 was asked."""
        assert self._server is not None, "server not started"
        sock = self._server.sockets[0]
        name = sock.getsockname()
        return name[0], name[1]

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    async def start(self) -> tuple[str, int]:
        self._accept_guard = guard.AcceptGuard(asyncio.get_running_loop())
        self._accept_guard.install()
        self._server = await asyncio.start_server(self._accept, self.bind_host, self.bind_port, reuse_address=True)
        return self.address

    async def close(self) -> None:
        """Stop listening, end every session, release the worker threads."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._sessions.values())
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
        if self._accept_guard is not None:
            self._accept_guard.uninstall()
        if self._shared is not None:
            self._shared.close()
            # Let a unit of work already running finish (briefly) before the caller tears
            # the master file down; a stuck call is left behind on its daemon thread.
            deadline = time.monotonic() + 2.0
            while self._shared.busy() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)

    # ---- one connection --------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._accept_guard is not None:
            self._accept_guard.accepted()
        limit = self.options.max_sessions
        if limit is not None and len(self._sessions) >= limit:
            await self._refuse(writer, limit)
            return
        cid = f"TN{next(self._ids):04d}"  # also the terminal id the host may show
        task = asyncio.current_task()
        assert task is not None
        self._sessions[cid] = task
        sock = writer.get_extra_info("socket")
        if sock is not None:  # asyncio sets it too; a screen must never wait for Nagle
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = writer.get_extra_info("peername")
        peer_s = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        conn = TelnetConnection(reader, writer, write_timeout=self.options.write_timeout)
        runner = Runner(self.options.host_threads, self._shared, cid)
        self._connections[cid] = conn
        try:
            await self._sessions_loop.run(cid, peer_s, conn, runner)
        except asyncio.CancelledError:
            log.info("tn3270 %s closed: server shutting down", cid)
        except Exception:  # a bug here must cost one session, not the server
            log.exception("tn3270 %s dropped: internal error", cid)
        finally:
            self._sessions.pop(cid, None)
            self._connections.pop(cid, None)
            runner.close()
            await conn.close()

    async def _refuse(self, writer: asyncio.StreamWriter, limit: int) -> None:
        """All sessions in use: one line to the client, then close (a line a minute in the log)."""
        self.refused += 1
        if self._refused_log.take():
            log.warning("tn3270: connection refused: all %d sessions in use%s", limit,
                        guard.more(self._refused_log.release_suppressed()))
        with contextlib.suppress(Exception):
            writer.write(guard.refused_line(limit))
            writer.close()
            await asyncio.wait_for(writer.wait_closed(), 2.0)



# ---- entry points -------------------------------------------------------------
async def serve(
    host_factory: HostFactory,
    host: str = "127.0.0.1",
    port: int = 3270,
    *,
    options: ServerOptions | None = None,
    ready: Callable[[str, int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set (or the task is cancelled), then close every session.

    `ready(host, port)` is called once listening, with the real port when 0 was asked.
    """
    server = Tn3270Server(host_factory, host, port, options)
    bound = await server.start()
    if ready is not None:
        ready(*bound)
    try:
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        await server.close()


def run_server(
    host_factory: HostFactory,
    host: str = "127.0.0.1",
    port: int = 3270,
    *,
    options: ServerOptions | None = None,
    prog: str = "idrs-sim serve",
    before_listening: Callable[[], None] | None = None,
) -> int:
    """Blocking entry for `idrs-sim serve`: prints `listening on HOST:PORT`, returns 0 on SIGTERM/SIGINT.

    A port that cannot be bound prints one line on stderr (`prog: cannot listen ...`) and
    returns 2; `before_listening` runs once the port is bound, before the listening line
    (the classroom's banner: nothing is said for a server that never listened).
    """

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

        def ready(h: str, p: int) -> None:
            if before_listening is not None:
                before_listening()
            print(f"listening on {h}:{p}", flush=True)

        try:
            await serve(host_factory, host, port, options=options, ready=ready, stop=stop)
        except OSError as exc:
            print(f"{prog}: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr, flush=True)
            return 2
        return 0

    return asyncio.run(main())


@contextlib.contextmanager
def server_in_thread(
    host_factory: HostFactory,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    options: ServerOptions | None = None,
    start_timeout: float = 10.0,
) -> Iterator[tuple[str, int]]:
    """Run a server on a background event loop for tests and benchmarks; yields (host, port).

    Leaving the block closes every session and joins the thread.
    """
    bound: list[tuple[str, int]] = []
    failure: list[BaseException] = []
    started = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            stop = asyncio.Event()
            holder["loop"], holder["stop"] = asyncio.get_running_loop(), stop

            def ready(h: str, p: int) -> None:
                bound.append((h, p))
                started.set()

            await serve(host_factory, host, port, options=options, ready=ready, stop=stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=run, name="tn3270-server", daemon=True)
    thread.start()
    if not started.wait(start_timeout) or not bound:
        raise RuntimeError(f"TN3270 server did not start: {failure[0] if failure else 'timeout'}")
    try:
        yield bound[0]
    finally:
        loop, stop = holder.get("loop"), holder.get("stop")
        if loop is not None and stop is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        thread.join(15.0)
