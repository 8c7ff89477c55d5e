"""The TN3270 server: real 3270 clients (x3270, c3270, s3270, tnz, IBM PCOMM...) talk to a Host.

One asyncio task per connection; the keyboard, the field editing and the MDT bits live
in the client, so the server only turns each Read Modified into an `AidEvent`, asks
the connection's `Host` for the next screen and writes it with Erase/Write.

Host calls block (the IDRS host does SQLAlchemy work), so they never run on the event
loop.  By default each connection gets **its own worker thread**: its calls are
serialized and always on the same thread, which keeps thread-bound resources (SQLite
connections, `scoped_session`) valid, while a slow call in one session never delays
another.  `host_threads="single"` runs every host call of every connection on one
shared thread (for a master file that must only ever be touched from one thread, such
as an in-memory SQLite database without StaticPool); `"inline"` calls the host on the
event loop (tests and benchmarks of the protocol alone).

Misbehaving clients are contained: a failed negotiation, a record left unfinished, an
idle client past `idle_timeout` or a client that stops reading is dropped with one
log line; a record that does not decode (unknown AID, truncated address) is logged
and answered by re-sending the current screen with the keyboard unlocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal, TypeVar

from idrs_sim.terminal.aid import Host

from .codec import DecodeError, decode_read, encode_screen, wcc
from .telnet import ConnectionClosed, NegotiationError, RecordTimeout, TelnetConnection, TelnetError

log = logging.getLogger("idrs_sim.front.tn3270")

HostFactory = Callable[[str], Host]
HostThreads = Literal["per-connection", "single", "inline"]
T = TypeVar("T")

WCC_ERROR = wcc(alarm=True)  # re-sent screen after bad input: unlock and beep


@dataclass(frozen=True)
class ServerOptions:
    """Timeouts (seconds) and threading; defaults suit people at real terminals."""

    negotiation_timeout: float = 5.0
    record_timeout: float = 30.0  # a started record must end within this
    idle_timeout: float | None = None  # silence allowed between records; None = forever
    write_timeout: float = 30.0  # a client that stops reading is dropped after this
    host_threads: HostThreads = "per-connection"


class _Runner:
    """Where one connection's host calls run (see the module docstring)."""

    def __init__(self, mode: HostThreads, shared: ThreadPoolExecutor | None, name: str) -> None:
        self.mode = mode
        self._own: ThreadPoolExecutor | None = None
        if mode == "per-connection":
            self._own = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tn3270-{name}")
            self._executor: ThreadPoolExecutor | None = self._own
        else:
            self._executor = shared

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        if self.mode == "inline":
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        if self._own is not None:
            self._own.shutdown(wait=False, cancel_futures=True)


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
        self._shared: ThreadPoolExecutor | None = None
        if self.options.host_threads == "single":
            self._shared = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tn3270-host")

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
        if self._shared is not None:
            self._shared.shutdown(wait=False, cancel_futures=True)

    # ---- one connection --------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cid = f"TN{next(self._ids):04d}"  # also the terminal id the host may show
        task = asyncio.current_task()
        assert task is not None
        self._sessions[cid] = task
        peer = writer.get_extra_info("peername")
        peer_s = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        conn = TelnetConnection(reader, writer, write_timeout=self.options.write_timeout)
        runner = _Runner(self.options.host_threads, self._shared, cid)
        try:
            await self._session(cid, peer_s, conn, runner)
        except asyncio.CancelledError:
            log.info("tn3270 %s closed: server shutting down", cid)
        except Exception:  # a bug here must cost one session, not the server
            log.exception("tn3270 %s dropped: internal error", cid)
        finally:
            self._sessions.pop(cid, None)
            runner.close()
            await conn.close()

    async def _session(self, cid: str, peer: str, conn: TelnetConnection, runner: _Runner) -> None:
        opts = self.options
        try:
            ttype = await conn.negotiate(opts.negotiation_timeout)
        except (NegotiationError, TelnetError, asyncio.TimeoutError, OSError) as exc:
            log.warning("tn3270 %s from %s dropped: negotiation failed: %s", cid, peer, exc)
            return
        log.info("tn3270 %s from %s connected as %s", cid, peer, ttype)

        try:
            host = await runner.call(self.host_factory, cid)
            screen = await runner.call(host.first_screen)
        except Exception:
            log.exception("tn3270 %s dropped: the host could not start a session", cid)
            return

        try:
            await conn.send_record(encode_screen(screen))
            while True:
                record = await conn.read_record(idle_timeout=opts.idle_timeout, record_timeout=opts.record_timeout)
                try:
                    event = decode_read(record, formatted=screen.formatted)
                except DecodeError as exc:
                    log.warning("tn3270 %s sent a bad record (%s): %s; screen re-sent", cid, exc, record[:32].hex())
                    await conn.send_record(encode_screen(screen, wcc=WCC_ERROR))
                    continue
                try:
                    screen = await runner.call(host.handle, event)
                except Exception:
                    log.exception("tn3270 %s: host failed on %s; screen re-sent", cid, event.aid.value)
                    await conn.send_record(encode_screen(screen, wcc=WCC_ERROR))
                    continue
                await conn.send_record(encode_screen(screen))
        except ConnectionClosed as exc:
            log.info("tn3270 %s closed: %s", cid, exc)
        except RecordTimeout as exc:
            log.warning("tn3270 %s from %s dropped: %s", cid, peer, exc)
        except TelnetError as exc:
            log.warning("tn3270 %s from %s dropped: protocol error: %s", cid, peer, exc)
        except (asyncio.TimeoutError, OSError) as exc:
            log.warning("tn3270 %s from %s dropped: write failed: %s", cid, peer, str(exc) or f"no progress in {opts.write_timeout:g} s")


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
) -> int:
    """Blocking entry for `idrs-sim serve`: prints `listening on HOST:PORT`, returns 0 on SIGTERM/SIGINT.

    A port that cannot be bound prints one line on stderr and returns 2.
    """

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

        def ready(h: str, p: int) -> None:
            print(f"listening on {h}:{p}", flush=True)

        try:
            await serve(host_factory, host, port, options=options, ready=ready, stop=stop)
        except OSError as exc:
            print(f"idrs-sim serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr, flush=True)
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
