"""One client's telnet session over asyncio streams: option negotiation, reading records
under timeouts, and writing answers (from the event loop, or straight from a host worker).

Plain asyncio streams, as go3270 uses plain `net.Conn`.  The wire itself (option
numbers, parsing, framing) is `telnet`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from .telnet import (
    DO,
    DONT,
    OPT_BINARY,
    OPT_EOR,
    OPT_TTYPE,
    READ_SIZE,
    TTYPE_IS,
    TTYPE_SEND,
    WILL,
    WONT,
    Command,
    ConnectionClosed,
    IdleTimeout,
    NegotiationError,
    Record,
    RecordTimeout,
    Subneg,
    TelnetParser,
    command,
    frame_record,
    option_name,
    subneg,
)


class Interrupted(Exception):
    """`TelnetConnection.interrupt` was called while an interruptible `read_record` waited."""


class TelnetConnection:
    """One client's telnet session over asyncio streams.

    Option state follows the spirit of RFC 1143: we answer only changes, so a client
    that repeats itself (x3270 and tnz both volunteer DO/WILL EOR) cannot start a loop.
    We want the client to WILL TERMINAL-TYPE, EOR and BINARY, and we WILL EOR and
    BINARY; anything else (TN3270E included) is declined.
    """

    WANT_REMOTE = frozenset({OPT_TTYPE, OPT_EOR, OPT_BINARY})
    WANT_LOCAL = frozenset({OPT_EOR, OPT_BINARY})

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        write_timeout: float = 30.0,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.write_timeout = write_timeout
        self.parser = TelnetParser()
        self.terminal_type: str | None = None
        self.remote: set[int] = set()  # options the client WILL do
        self.local: set[int] = set()  # options we WILL do
        self._asked_do: set[int] = set()  # DO sent, answer awaited
        self._asked_will: set[int] = set()
        self._refused: list[str] = []
        self._records: deque[bytes] = deque()
        self._record_started: float | None = None
        self._out = bytearray()
        self._reading: asyncio.Timeout | None = None  # the read now waiting for data, if any
        self._interrupt = False
        # A second handle on the socket, for `direct_sender` (worker threads); None when
        # the stream has no real socket (tests with fake streams).
        self._direct: socket.socket | None = None
        self._direct_lock = threading.Lock()
        raw = writer.get_extra_info("socket")
        if raw is not None:
            try:
                self._direct = socket.socket(fileno=os.dup(raw.fileno()))
            except OSError:
                self._direct = None

    # -- output --
    def _queue(self, data: bytes) -> None:
        self._out += data

    async def flush(self) -> None:
        """Hand the queued bytes to the socket now; wait (up to `write_timeout`) only if
        the socket could not take them all.

        asyncio sends at once when its buffer is empty, so an answer goes out in the same
        loop turn; `drain()` is awaited only while bytes are still buffered (a client that
        is slow to read, or one that stopped reading and will be dropped).
        """
        if self._out:
            data, self._out = bytes(self._out), bytearray()
            self.writer.write(data)
            transport = self.writer.transport
            if transport.is_closing() or transport.get_write_buffer_size():
                async with asyncio.timeout(self.write_timeout):
                    await self.writer.drain()

    async def send_record(self, data: bytes) -> None:
        self._queue(frame_record(data))
        await self.flush()

    def direct_sender(self) -> Callable[[bytes], bytes] | None:
        """A function another thread may call once to send wire bytes straight to the socket.

        It returns what the socket did not take (all of it if the socket is full or
        gone); the caller hands that to `send_wire` on the event loop.  Only offered
        while nothing is queued here or in the transport, so bytes cannot overtake
        each other; the session writes nothing else until the function has returned.
        None when that does not hold.

        Why: a host call runs on a worker thread, and its answer would otherwise wait
        until the event loop thread is scheduled again just to write it.
        """
        if self._direct is None or self._out:
            return None
        transport = self.writer.transport
        if transport.is_closing() or transport.get_write_buffer_size():
            return None
        return self._send_direct

    def _send_direct(self, data: bytes) -> bytes:
        with self._direct_lock:  # close() must not pull the socket away mid-send
            sock = self._direct
            if sock is None:
                return data
            try:
                sent = sock.send(data)
            except OSError:  # full (non-blocking) or broken: the event loop's write says which
                return data
        return data[sent:]

    async def send_plain(self, line: bytes) -> None:
        """Best effort: a line of plain text to a client that is not (yet) in 3270 mode,
        before the connection is closed (it may be gone already)."""
        try:
            self._out.clear()
            self.writer.write(line)
            async with asyncio.timeout(2.0):
                await self.writer.drain()
        except Exception:  # nobody left to tell
            pass

    async def send_wire(self, data: bytes) -> None:
        """Send bytes already framed (the rest of a direct send), before anything queued
        meanwhile: the rest of a record must follow its start on the wire."""
        self._out[:0] = data
        await self.flush()

    def _ask(self, verb: int, option: int) -> None:
        (self._asked_do if verb == DO else self._asked_will).add(option)
        self._queue(command(verb, option))

    # -- input --
    def _handle_command(self, cmd: Command) -> None:
        opt = cmd.option
        if opt is None:
            return  # NOP, AYT, GA...: nothing to answer in 3270 mode
        if cmd.verb == WILL:
            if opt in self.WANT_REMOTE:
                if opt not in self.remote:
                    self.remote.add(opt)
                    if opt not in self._asked_do:
                        self._queue(command(DO, opt))
                self._asked_do.discard(opt)
            else:
                self._queue(command(DONT, opt))
        elif cmd.verb == WONT:
            if opt in self._asked_do or opt in self.remote:
                self._refused.append(f"WONT {option_name(opt)}")
            if opt in self.remote:
                self.remote.discard(opt)
                self._queue(command(DONT, opt))
            self._asked_do.discard(opt)
        elif cmd.verb == DO:
            if opt in self.WANT_LOCAL:
                if opt not in self.local:
                    self.local.add(opt)
                    if opt not in self._asked_will:
                        self._queue(command(WILL, opt))
                self._asked_will.discard(opt)
            else:  # TN3270E, TIMING-MARK, NAWS...: politely no
                self._queue(command(WONT, opt))
        elif cmd.verb == DONT:
            if opt in self._asked_will or opt in self.local:
                self._refused.append(f"DONT {option_name(opt)}")
            if opt in self.local:
                self.local.discard(opt)
                self._queue(command(WONT, opt))
            self._asked_will.discard(opt)

    def _handle_subneg(self, sub: Subneg) -> None:
        p = sub.payload
        if len(p) >= 1 and p[0] == OPT_TTYPE and len(p) >= 2 and p[1] == TTYPE_IS:
            self.terminal_type = p[2:].decode("ascii", "replace").strip() or "UNKNOWN"

    def _absorb(self, data: bytes) -> None:
        was_pending = self.parser.pending
        for ev in self.parser.feed(data):
            if isinstance(ev, Record):
                self._records.append(ev.data)
            elif isinstance(ev, Command):
                self._handle_command(ev)
            else:
                self._handle_subneg(ev)
        if self.parser.pending:
            if not was_pending or self._record_started is None:
                self._record_started = time.monotonic()
        else:
            self._record_started = None

    async def _read_some(self, timeout: float | None, interruptible: bool = False) -> None:
        try:
            async with asyncio.timeout(timeout) as self._reading:  # no extra task per read, unlike wait_for
                try:
                    chunk = await self.reader.read(READ_SIZE)
                finally:
                    self._reading = None
        except TimeoutError:
            if interruptible and self._interrupt:
                self._interrupt = False
                raise Interrupted from None
            raise RecordTimeout(f"no data for {timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise ConnectionClosed(str(exc) or type(exc).__name__) from None
        if not chunk:
            raise ConnectionClosed("client closed the connection")
        self._absorb(chunk)
        if not interruptible:
            await self.flush()  # answers to any option requests

    def interrupt(self) -> None:
        """On the event loop: make an interruptible `read_record` raise `Interrupted`, now
        if it is waiting for data, else when it next would.

        The session calls it when a host worker left something for the event loop (the
        rest of an answer, a host error) while the session was already reading the next
        record.  Cancelling the wait loses no data: what arrived stays in the reader.
        """
        self._interrupt = True
        if self._reading is not None and not self._reading.expired():
            self._reading.reschedule(0)  # expires at once: the pending read raises TimeoutError

    def clear_interrupt(self) -> None:
        """Forget an `interrupt` that is no longer needed (its cause was dealt with)."""
        self._interrupt = False

    # -- negotiation --
    async def negotiate(self, timeout: float = 5.0) -> str:
        """Agree TERMINAL-TYPE, EOR and BINARY both ways; returns the terminal type.

        The sequence is go3270's: DO TTYPE, SB TTYPE SEND, then DO/WILL EOR and
        BINARY, answering whatever the client volunteers meanwhile.  Any terminal type
        is accepted (an unknown one still gets 24x80 through Erase/Write).
        """
        deadline = time.monotonic() + timeout

        async def until(cond, what: str) -> None:
            while not cond():
                if self.terminal_type is None and (self._records or self.parser.has_data):
                    # A 3270 emulator sends nothing but telnet commands until it has a terminal
                    # type; typed text (a telnet client in line mode, nc) means it is not one.
                    raise NegotiationError(f"plain text before TN3270 negotiation while waiting for {what}")
                if self._refused:
                    raise NegotiationError(f"client refused: {', '.join(self._refused)} while waiting for {what}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NegotiationError(f"timed out after {timeout:g} s waiting for {what}")
                try:
                    await self._read_some(left)
                except RecordTimeout:
                    raise NegotiationError(f"timed out after {timeout:g} s waiting for {what}") from None
            if self._refused:
                raise NegotiationError(f"client refused: {', '.join(self._refused)} while waiting for {what}")

        self._ask(DO, OPT_TTYPE)
        await self.flush()
        await until(lambda: OPT_TTYPE in self.remote, "WILL TERMINAL-TYPE")
        self._queue(subneg(bytes((OPT_TTYPE, TTYPE_SEND))))
        await self.flush()
        await until(lambda: self.terminal_type is not None, "TERMINAL-TYPE IS")
        for opt in (OPT_EOR, OPT_BINARY):
            if opt not in self.remote:
                self._ask(DO, opt)
            if opt not in self.local:
                self._ask(WILL, opt)
                self.local.add(opt)  # enabled once the client answers DO
        await self.flush()
        await until(
            lambda: {OPT_EOR, OPT_BINARY} <= self.remote and not (self._asked_will & {OPT_EOR, OPT_BINARY}),
            "EOR and BINARY",
        )
        if self._records:  # 3270 data before 3270 mode: nothing meaningful, drop it
            self._records.clear()
        assert self.terminal_type is not None
        return self.terminal_type

    async def read_record(self, *, idle_timeout: float | None = None, record_timeout: float = 30.0,
                          interruptible: bool = False) -> bytes:
        """The next complete record.

        Between records the client may stay silent for `idle_timeout` (None: forever);
        once a record has started it must end within `record_timeout`, so a client
        that stops mid-record cannot hold its session open.  Raises RecordTimeout or
        ConnectionClosed.

        `interruptible` (while a host worker may still be writing an answer): an
        `interrupt()` makes this raise `Interrupted`, and answers to telnet commands are
        queued, not written, so they cannot land inside the answer; it raises
        `Interrupted` then too, so that the caller finishes the key and flushes them.
        """
        while not self._records:
            if interruptible and self._interrupt:
                self._interrupt = False
                raise Interrupted
            if self._record_started is not None:
                left = self._record_started + record_timeout - time.monotonic()
                if left <= 0:
                    raise RecordTimeout(f"record unfinished after {record_timeout:g} s")
                try:
                    await self._read_some(left, interruptible)
                except RecordTimeout:
                    raise RecordTimeout(f"record unfinished after {record_timeout:g} s") from None
            else:
                try:
                    await self._read_some(idle_timeout, interruptible)
                except RecordTimeout:
                    raise IdleTimeout(f"idle for {idle_timeout:g} s") from None
            if interruptible and self._out and not self._records:
                raise Interrupted  # telnet replies wait for the answer in flight: finish it first
        return self._records.popleft()

    async def close(self) -> None:
        with self._direct_lock:
            if self._direct is not None:
                self._direct.close()
                self._direct = None
        try:
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2.0)
        except (Exception, asyncio.CancelledError):  # already gone; nothing to save
            pass
