"""Where host calls run: the host-call threads of the TN3270 server.

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
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar, cast

from .key import Key

log = logging.getLogger("idrs_sim.front.tn3270")

HostThreads = Literal["pool", "per-connection", "single", "inline"]
T = TypeVar("T")


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
        outcome (see `Key`).  Skipped if `token` is cancelled before it starts.

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


class Runner:
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
        self._key: Key | None = None  # the key posted last

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

    def post(self, key: Key, slow: bool = False) -> None:
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
