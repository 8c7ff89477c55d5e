"""The TN3270 server: real 3270 clients (x3270, c3270, s3270, tnz, IBM PCOMM...) talk to a Host.

One asyncio task per connection; the keyboard, the field editing and the MDT bits live
in the client, so the server only turns each Read Modified into an `AidEvent`, asks
the connection's `Host` for the next screen and writes it with Erase/Write.

Host calls block (the IDRS host does SQLAlchemy work), so they never run on the event
loop.  Where they run is `ServerOptions.host_threads`:

* ``"pool"`` (the default): every connection's calls go into **one FIFO queue** served by
  `host_workers` threads (default 1).  The IDRS host serialises its units of work on the
  one master file anyway, and its work is Python holding the interpreter lock, so more
  threads cannot do more work at once: they take turns in 5 ms slices of that lock and
  queue on the master-file lock in no particular order.  One worker runs the keys one
  after the other, in the order they arrived, each at full speed.  A call that runs
  longer than `handoff_after` seconds (a stuck or very slow key) stops counting against
  `host_workers` and another thread takes the queue, so one slow session holds up the
  others for at most that long (the event loop times it).  Threads beyond
  `host_workers` exist only while hand-offs need them and end after a few idle seconds.
* ``"per-connection"``: each connection gets its own worker thread, so its calls always
  run on the same thread (thread-bound resources in the host stay valid).
* ``"single"``: every call of every connection on one shared thread, with no hand-off
  (a master file that must only ever be touched from one thread, such as an in-memory
  SQLite database without StaticPool).
* ``"inline"``: the host is called on the event loop (tests and benchmarks of the
  protocol alone).

The worker thread that computed an answer also encodes and writes it (`direct_write`,
see `TelnetConnection.direct_sender`): the screen goes out the moment the host returns,
instead of waiting until the event-loop thread gets the interpreter lock and a core
again (on a busy machine that hand-off cost more than the host work).  Only what the
socket does not take at once is left to the event loop, with the usual write timeout.
Nor does the worker wake the event loop to say the key is done (see `_Key`): the
connection's task went back to reading when it posted the key, and takes the outcome
when the next record arrives.  A key costs the event loop one wake-up (its record), not
two, and the worker goes straight on to the next key instead of waiting for the
interpreter lock while the loop handles the wake-up.

In every mode a connection has at most one host call at a time, and its keys are
answered in the order they were sent: the connection's task decodes and posts the next
record only after the previous key is done (a client that types ahead waits in the
socket and the record queue).  The event loop does the reading, the telnet layer and
the decoding, so while a host call runs (or hangs), other clients still negotiate, get
their bad records answered and are dropped on their timeouts.

Misbehaving clients are contained: a failed negotiation, a record left unfinished, an
idle client past `idle_timeout` or a client that stops reading is dropped with one
log line; a record that does not decode (unknown AID, truncated address) is logged
and answered by re-sending the current screen with the keyboard unlocked.

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
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, cast

from idrs_sim.terminal.aid import AidEvent, Host
from idrs_sim.terminal.screen import Screen

from . import guard
from .codec import DecodeError, decode_read, encode_screen_for, wcc
from .telnet import (
    ConnectionClosed,
    IdleTimeout,
    NegotiationError,
    RecordTimeout,
    TelnetError,
    frame_record,
)
from .telnet_connection import Interrupted, TelnetConnection

log = logging.getLogger("idrs_sim.front.tn3270")

HostFactory = Callable[[str], Host]
HostThreads = Literal["pool", "per-connection", "single", "inline"]
T = TypeVar("T")

WCC_ERROR = wcc(alarm=True)  # re-sent screen after bad input: unlock and beep


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


@dataclass(frozen=True)
class KeyTiming:
    """Where one key's time went, on the server's clock (seconds)."""

    connection: str
    aid: str
    wait: float  # record complete -> its host call started (queued behind other calls)
    host: float  # the host call itself (wall time on its worker thread)
    total: float  # record complete -> answer handed to the socket (by the worker or the event loop)


class _Key:
    """One AID key on its way through a host worker: host call, encoding, answer sent.

    The session posts `run` to the worker and goes back to reading; it does not wait for
    the answer.  In the usual case the worker writes the whole answer itself
    (`direct_write`), and the session learns that the key is done when the client's next
    record arrives, so the event loop is not woken once per key just to hear that the
    answer went out (that wake-up cost CPU on both threads, and the worker then waited
    for the interpreter lock while the loop ran).  The worker wakes the loop only when
    the loop has work left (the rest of an answer the socket did not take, a host
    error) or the session is already waiting for this key (a client that typed ahead).
    """

    __slots__ = ("_handle", "event", "_send", "_loop", "_conn", "_observe", "_cid", "_lock", "_cancelled",
                 "done", "settled", "screen", "rest", "error", "waiter", "finished_at", "times")

    def __init__(self, handle: Callable[[AidEvent], Screen], event: AidEvent, send: Callable[[bytes], bytes] | None,
                 conn: TelnetConnection, observe: Callable[[KeyTiming], None] | None, cid: str) -> None:
        self._handle, self.event, self._send, self._conn = handle, event, send, conn
        self._loop = asyncio.get_running_loop()
        self._observe, self._cid = observe, cid
        self._lock = threading.Lock()
        self._cancelled = False
        self.done = False  # the worker has finished (set under _lock)
        self.settled = False  # the session has taken the outcome (event loop only)
        self.screen: Screen | None = None
        self.rest = b""  # wire bytes the worker could not send
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.finished_at = 0.0  # time.monotonic() when the worker finished
        # record complete, host call started, host returned, answer handed to the socket
        self.times: list[float] | None = [time.perf_counter()] if observe is not None else None

    def cancel(self) -> None:
        """The session ended: a worker that has not started this key skips it."""
        self._cancelled = True

    def cancelled(self) -> bool:
        return self._cancelled

    # -- on the worker thread (or the event loop, "inline") --
    def run(self) -> None:
        times = self.times
        screen: Screen | None = None
        rest = b""
        error: BaseException | None = None
        if times is not None:
            times.append(time.perf_counter())
        try:
            screen = self._handle(self.event)
            if times is not None:
                times.append(time.perf_counter())
            wire = frame_record(encode_screen_for(self._conn.terminal_type, screen))
            rest = wire if self._send is None else self._send(wire)
        except BaseException as exc:  # reported by the session, on the event loop
            error = exc
        if times is not None:
            times.append(time.perf_counter())
        with self._lock:
            self.screen, self.rest, self.error = screen, rest, error
            self.finished_at = time.monotonic()
            self.done = True
            wake = bool(rest) or error is not None or self.waiter is not None
        if not rest:
            self.observe()  # the answer is out (after an error: nothing is reported)
        if wake:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is left to tell
                self._loop.call_soon_threadsafe(self._wake)

    def observe(self) -> None:
        """Report the key's timing, if timed and the answer went out."""
        times = self.times
        if self._observe is not None and times is not None and len(times) == 4 and self.error is None:
            t_in, start, end, sent = times
            self._observe(KeyTiming(self._cid, self.event.aid.value, start - t_in, end - start, sent - t_in))

    # -- on the event loop --
    def _wake(self) -> None:
        if self.settled:
            return
        if self.waiter is not None:
            if not self.waiter.done():
                self.waiter.set_result(None)
        else:  # the session is reading the next record: stop it to deal with this key
            self._conn.interrupt()

    async def finish(self) -> None:
        """Wait until the worker is done with this key (usually it is, long since)."""
        if not self.done:
            with self._lock:
                if not self.done:
                    self.waiter = self._loop.create_future()
            if self.waiter is not None:
                await self.waiter
        self.settled = True


@dataclass
class _Line:
    """One connection's state between keys: the screen the client shows, the key in flight."""

    screen: Screen
    key: _Key | None = None


# ---- where host calls run ----------------------------------------------------------
class _Cancellable(Protocol):
    def cancel(self) -> Any: ...

    def cancelled(self) -> bool: ...


class _Call:
    """One queued host call; its answer goes back to the event loop that asked (`deliver`),
    or the call reports its own outcome (`HostPool.post`)."""

    __slots__ = ("fn", "args", "loop", "future", "deliver", "slow", "started")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], loop: asyncio.AbstractEventLoop,
                 future: _Cancellable, deliver: bool = True, slow: bool = False) -> None:
        self.fn, self.args, self.loop, self.future, self.deliver = fn, args, loop, future, deliver
        self.slow = slow  # known to be long: handed off as it starts (see HostPool.post)
        self.started = 0.0


def _deliver(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    """On the event loop: complete the caller's future (unless it was cancelled meanwhile)."""
    if not future.done():
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class _LifoCondition(threading.Condition):
    """A condition whose `notify` wakes the thread that started waiting last.

    The pool's idle threads wait on it: the thread that went idle last takes the next
    call (its stack and data are still in the CPU caches), and threads started for a
    hand-off really do sit idle and end after `idle_exit`.  With the first-come wake-ups
    of `threading.Condition` every idle thread got a call in turn, so under a steady
    load none ever ended and each call ran on a different thread.
    """

    def notify(self, n: int = 1) -> None:
        waiters = getattr(self, "_waiters", None)
        if waiters is None:  # not CPython's Condition: first-come order then
            super().notify(n)
            return
        if not self._is_owned():  # type: ignore[attr-defined]
            raise RuntimeError("cannot notify on un-acquired lock")
        while waiters and n > 0:
            waiter = waiters.pop()  # the newest waiter; it no longer removes itself
            try:
                waiter.release()
            except RuntimeError:  # already released: it is not waiting any more
                continue
            n -= 1


class HostPool:
    """A FIFO queue of host calls served by a few threads.

    At most `workers` calls run at once, not counting calls that have run for longer
    than `handoff_after` seconds (None: never hand off): calls start strictly in the
    order they were submitted.  Threads start when needed; those beyond `workers` (for
    hand-offs) end after `idle_exit` seconds without work; at most `max_threads`.

    The hand-off is timed on the submitting event loop (`call_later`), not by a thread
    waiting with a timeout: a thread woken just to set a timer would have to take the
    interpreter lock from the busy worker every time a call has to queue.
    """

    def __init__(self, workers: int = 1, handoff_after: float | None = 0.2, max_threads: int = 32,
                 name: str = "tn3270-host", idle_exit: float = 5.0) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.handoff_after = handoff_after
        self.max_threads = max(workers, max_threads if handoff_after is not None else workers)
        self.name = name
        self.idle_exit = idle_exit
        self._cv = _LifoCondition(threading.Lock())
        self._queue: deque[_Call] = deque()
        self._running: list[_Call] = []
        self._threads = 0
        self._idle = 0  # threads waiting for work
        self._wakes = 0  # of those, notified and not yet running
        self._starting = 0  # threads started and not yet running
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._names = itertools.count(1)
        self.handoffs = 0  # calls started beside one that ran past handoff_after

    # -- on the event loop --
    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._cv:
            if self._closed:
                raise RuntimeError("host pool closed")
            self._queue.append(_Call(fn, args, loop, future))
            self._dispatch(loop)
        return future

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.submit(fn, *args)

    def post(self, fn: Callable[[], None], token: _Cancellable, slow: bool = False) -> None:
        """Queue `fn()` with no future and no answer to deliver: it reports its own
        outcome (see `_Key`).  Skipped if `token` is cancelled before it starts.

        `slow`: the call is known to take long without needing the interpreter (a
        sign-on's password check): it starts in its turn but is handed off at once, so
        the calls behind it do not wait for it (with `handoff_after` None it is not).
        """
        loop = asyncio.get_running_loop()
        with self._cv:
            if self._closed:
                raise RuntimeError("host pool closed")
            self._queue.append(_Call(fn, (), loop, token, deliver=False, slow=slow))
            self._dispatch(loop)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:  # on the loop, with self._cv held
        """Get the first queued call started if a slot is free, else time its hand-off.

        A free slot may be taken by a call queued earlier whose thread is still on its
        way (just started or just woken): then this call waits behind it, and its
        hand-off is timed too, or a stuck call ahead of it would hold it for good.
        """
        ok, wait = self._slot_free(time.monotonic())
        if ok:
            self._wake_one()
            if len(self._queue) > 1 and self.handoff_after is not None:
                wait = self.handoff_after
        if wait is not None and self._timer is None:
            self._timer = loop.call_later(wait, self._handoff_due, loop)

    def _handoff_due(self, loop: asyncio.AbstractEventLoop) -> None:  # on the loop
        with self._cv:
            self._timer = None
            if self._queue and not self._closed:
                self._dispatch(loop)  # hands off, or waits for the next running call's turn

    def close(self) -> None:
        """Start no more calls; threads end once their current call (if any) returns."""
        with self._cv:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            for c in self._queue:
                with contextlib.suppress(RuntimeError):  # that loop is closed already
                    c.loop.call_soon_threadsafe(c.future.cancel)
            self._queue.clear()
            self._cv.notify_all()

    def busy(self) -> int:
        """Calls queued or running."""
        with self._cv:
            return len(self._queue) + len(self._running)

    # -- the threads --
    def _wake_one(self) -> None:  # with self._cv held, a call queued and a slot free
        """Make sure one more thread is on its way to the queue."""
        if self._idle > self._wakes:  # an idle thread not yet told
            self._wakes += 1
            self._cv.notify()
        elif self._starting == 0 and self._threads < self.max_threads:
            self._threads += 1
            self._starting += 1
            t = threading.Thread(target=self._work, name=f"{self.name}-{next(self._names)}", daemon=True)
            t.start()

    def _slot_free(self, now: float) -> tuple[bool, float | None]:
        """(may a call start now, else how long until a running call is handed off)."""
        if self.handoff_after is None:
            return len(self._running) < self.workers, None
        limit = now - self.handoff_after
        fast = [c.started for c in self._running if c.started > limit]
        if len(fast) < self.workers:
            return True, None
        return False, min(fast) - limit

    def _next(self) -> _Call | None:  # with self._cv held; None: this thread ends
        idle_since = time.monotonic()
        while True:
            if self._closed:
                return None
            now = time.monotonic()
            wait: float | None = None
            if self._queue:
                if self._slot_free(now)[0]:
                    call = self._queue.popleft()
                    if call.future.cancelled():  # its connection went away while it queued
                        continue
                    if len(self._running) >= self.workers:
                        self.handoffs += 1
                    # a slow call counts as handed off from its start: it holds no slot
                    call.started = now - self.handoff_after if call.slow and self.handoff_after is not None else now
                    self._running.append(call)
                    if self._queue and self._slot_free(now)[0]:
                        self._wake_one()  # more than one slot was free
                    return call
            if self._threads > self.workers:  # started for a hand-off; not needed now
                # Timed whether or not calls queue: a thread that found the queue full of
                # calls it could not start yet, and then was never the newest idle thread
                # again, waited for good (the running threads drain the queue themselves).
                wait = idle_since + self.idle_exit - now
                if wait <= 0:
                    return None
            self._idle += 1
            try:
                woken = self._cv.wait(wait)
            finally:
                self._idle -= 1
            if woken and self._wakes:
                self._wakes -= 1
            # A wait that timed out just as `notify` picked it returns False with the wake
            # spent: without this the count would stay high and idle threads go unused.
            self._wakes = min(self._wakes, self._idle)

    def _work(self) -> None:
        with self._cv:
            self._starting -= 1
            call = self._next()
        while call is not None:
            try:
                ok, value = True, call.fn(*call.args)
            except BaseException as exc:  # goes to the caller; this thread serves on
                ok, value = False, exc
            if call.deliver:
                with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits
                    # deliver=True only for `submit`, whose token is the caller's asyncio future
                    call.loop.call_soon_threadsafe(_deliver, cast("asyncio.Future[Any]", call.future), ok, value)
            elif not ok:  # a posted call reports its own errors; this is a defect in it
                log.error("tn3270 host call failed", exc_info=value)
            del value
            with self._cv:  # and straight on to the next call, if one may start
                self._running.remove(call)
                call = self._next()
        with self._cv:
            self._threads -= 1


class _Runner:
    """Where one connection's host calls run (see the module docstring)."""

    def __init__(self, mode: HostThreads, shared: HostPool | None, name: str) -> None:
        self.mode = mode
        self._own: HostPool | None = None
        if mode == "per-connection":
            self._own = HostPool(1, handoff_after=None, name=f"tn3270-{name}", idle_exit=0.0)
            self._pool: HostPool | None = self._own
        else:
            self._pool = shared
        self._busy = False
        self._key: _Key | None = None  # the key posted last

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        # One call at a time per connection: the session awaits each answer before it
        # reads the next record, so this only guards against a future change breaking it.
        assert not self._busy, "a second host call on one connection"
        self._busy = True
        try:
            if self._pool is None:
                return fn(*args)
            return await self._pool.submit(fn, *args)
        finally:
            self._busy = False

    def post(self, key: _Key, slow: bool = False) -> None:
        """Start `key` without waiting for it; inline, it has run when this returns."""
        assert self._key is None or self._key.settled, "a second host call on one connection"
        self._key = key
        if self._pool is None:
            key.run()
        else:
            self._pool.post(key.run, key, slow)

    def close(self) -> None:
        if self._key is not None:
            self._key.cancel()
        if self._own is not None:
            self._own.close()


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
        self._bad_log = guard.Budget(*opts.bad_record_warnings)
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
        runner = _Runner(self.options.host_threads, self._shared, cid)
        self._connections[cid] = conn
        try:
            await self._session(cid, peer_s, conn, runner)
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

    async def _session(self, cid: str, peer: str, conn: TelnetConnection, runner: _Runner) -> None:
        """Negotiate, start the host, then answer records until the client goes."""
        opts = self.options
        observe = opts.observer
        try:
            ttype = await conn.negotiate(opts.negotiation_timeout)
        except (TimeoutError, NegotiationError, TelnetError, OSError) as exc:
            log.warning("tn3270 %s from %s dropped: negotiation failed: %s", cid, peer, exc)
            if not isinstance(exc, (ConnectionClosed, OSError)):  # a telnet client, nc...: say what is needed
                await conn.send_plain(guard.NOT_3270_LINE)
            return
        log.info("tn3270 %s from %s connected as %s", cid, peer, ttype)

        try:
            host = await runner.call(self.host_factory, cid)
            screen = await runner.call(host.first_screen)
        except Exception:
            log.exception("tn3270 %s dropped: the host could not start a session", cid)
            return

        line = _Line(screen)
        replies = guard.Budget(*opts.bad_record_replies)
        slow_key: Callable[[AidEvent], bool] | None = getattr(host, "slow_key", None)  # optional (see Host)
        try:
            await conn.send_record(encode_screen_for(conn.terminal_type, screen))
            while True:
                record = await self._next_record(cid, conn, line)
                try:
                    event = decode_read(record, formatted=line.screen.formatted)
                except DecodeError as exc:
                    answer = replies.take()  # a flood of bad records gets a few answers, not one each
                    if self._bad_log.take():
                        log.warning("tn3270 %s sent a bad record (%s): %s; %s%s", cid, exc, record[:32].hex(),
                                    "screen re-sent" if answer else "not answered (too many)",
                                    guard.more(self._bad_log.release_suppressed()))
                    if answer:
                        await conn.send_record(encode_screen_for(conn.terminal_type, line.screen, wcc=WCC_ERROR))
                    continue
                sender = conn.direct_sender() if opts.direct_write else None
                line.key = _Key(host.handle, event, sender, conn, observe, cid)
                runner.post(line.key, slow=bool(slow_key is not None and slow_key(event)))
        except ConnectionClosed as exc:
            log.info("tn3270 %s closed: %s", cid, exc)
        except IdleTimeout as exc:
            log.info("tn3270 %s from %s dropped: %s", cid, peer, exc)
        except RecordTimeout as exc:
            log.warning("tn3270 %s from %s dropped: %s", cid, peer, exc)
        except TelnetError as exc:
            log.warning("tn3270 %s from %s dropped: protocol error: %s", cid, peer, exc)
        except (TimeoutError, OSError) as exc:
            log.warning("tn3270 %s from %s dropped: write failed: %s", cid, peer, str(exc) or f"no progress in {opts.write_timeout:g} s")

    async def _next_record(self, cid: str, conn: TelnetConnection, line: _Line) -> bytes:
        """The client's next record, with the key before it finished first.

        The reading starts while that key is still with a worker; it is interrupted
        when the worker leaves something for the event loop (see `_Key`).
        """
        opts = self.options
        idle = opts.idle_timeout
        while True:
            try:
                record = await conn.read_record(idle_timeout=idle, record_timeout=opts.record_timeout,
                                                interruptible=line.key is not None)
            except Interrupted:  # the rest of an answer, a host error, held telnet replies
                await self._finish_key(cid, conn, line)
                continue
            except IdleTimeout:
                if line.key is None or opts.idle_timeout is None:  # None: idle is None too
                    raise
                # Silence counts from the answer, not from the key: read on for what is
                # left of the idle time after the worker finished.
                finished = await self._finish_key(cid, conn, line)
                idle = opts.idle_timeout - (time.monotonic() - finished)
                if idle <= 0:
                    raise IdleTimeout(f"idle for {opts.idle_timeout:g} s") from None
                continue
            await self._finish_key(cid, conn, line)
            return record

    async def _finish_key(self, cid: str, conn: TelnetConnection, line: _Line) -> float:
        """Take the outcome of `line.key` (if any) on the event loop; returns when its worker finished.

        Writes what the worker could not (the rest of the answer, then any telnet replies
        held back meanwhile); after a host error, logs it and re-sends the previous
        screen with the keyboard unlocked.
        """
        key, line.key = line.key, None
        if key is None:
            return time.monotonic()
        await key.finish()
        conn.clear_interrupt()
        error = key.error
        if error is not None:
            if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit...: not ours to swallow
                raise error
            log.error("tn3270 %s: host failed on %s; screen re-sent", cid, key.event.aid.value, exc_info=error)
            await conn.send_record(encode_screen_for(conn.terminal_type, line.screen, wcc=WCC_ERROR))
            return key.finished_at
        if key.rest:
            await conn.send_wire(key.rest)
            if key.times is not None and len(key.times) == 4:
                key.times[3] = time.perf_counter()
            key.observe()
        else:
            await conn.flush()  # telnet replies held back while the worker was writing
        assert key.screen is not None
        line.screen = key.screen
        return key.finished_at


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
