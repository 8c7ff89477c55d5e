"""One AID key on its way through a host worker: the host call, the encoding, the answer sent.

The worker thread that computed an answer also encodes and writes it (`direct_write`,
see `TelnetConnection.direct_sender`): the screen goes out the moment the host returns,
instead of waiting until the event-loop thread gets the interpreter lock and a core
again (on a busy machine that hand-off cost more than the host work).  Only what the
socket does not take at once is left to the event loop, with the usual write timeout.
Nor does the worker wake the event loop to say the key is done (see `Key`): the
connection's task went back to reading when it posted the key, and takes the outcome
when the next record arrives.  A key costs the event loop one wake-up (its record), not
two, and the worker goes straight on to the next key instead of waiting for the
interpreter lock while the loop handles the wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from idrs_sim.terminal.aid import AidEvent
from idrs_sim.terminal.screen import Screen

from .codec import encode_screen_for
from .telnet import frame_record
from .telnet_connection import TelnetConnection


@dataclass(frozen=True)
class KeyTiming:
    """Where one key's time went, on the server's clock (seconds)."""

    connection: str
    aid: str
    wait: float  # record complete -> its host call started (queued behind other calls)
    host: float  # the host call itself (wall time on its worker thread)
    total: float  # record complete -> answer handed to the socket (by the worker or the event loop)


class Key:
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
