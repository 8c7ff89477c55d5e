"""One TN3270 connection's session: negotiate, start the host, then answer records until
the client goes.

In every mode a connection has at most one host call at a time, and its keys are
answered in the order they were sent: the connection's task decodes and posts the next
record only after the previous key is done (a client that types ahead waits in the
socket and the record queue).  The event loop does the reading, the telnet layer and
the decoding, so while a host call runs (or hangs), other clients still negotiate, get
their bad records answered and are dropped on their timeouts.

Misbehaving clients are contained: a failed negotiation, a record left unfinished, an
idle client past `idle_timeout` or a client that stops reading is dropped with one
log line; a record that does not decode (unknown AID, truncated address) is logged
and answered by re-sending the current screen with the keyboard unlocked, within a
budget (per connection for the re-sent screens, per server for the log lines).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from idrs_sim.ratelimit import Budget
from idrs_sim.terminal.aid import AidEvent, Host
from idrs_sim.terminal.screen import Screen

from . import guard
from .codec import DecodeError, decode_read, encode_screen_for, wcc
from .host_threads import Runner
from .key import Key
from .telnet import ConnectionClosed, IdleTimeout, NegotiationError, RecordTimeout, TelnetError
from .telnet_connection import Interrupted, TelnetConnection

if TYPE_CHECKING:
    from .server import ServerOptions

log = logging.getLogger("idrs_sim.front.tn3270")

HostFactory = Callable[[str], Host]

WCC_ERROR = wcc(alarm=True)  # re-sent screen after bad input: unlock and beep
#: The audit outcome of the sign-off when a TN3270 client goes without SINOF.
DISCONNECTED = "TERMINAL DISCONNECTED - SIGNED OFF"
#: ... and when the server stops (SIGTERM) with the employee still signed on.
STOPPED = "SERVER STOPPED - SIGNED OFF"
#: How long the sign-off waits for a key still in flight when the client went (seconds).
END_WAIT = 5.0


@dataclass
class Line:
    """One connection's state between keys: the screen the client shows, the key in flight."""

    screen: Screen
    key: Key | None = None


class SessionLoop:
    """What each connection of one server runs, with the server's host factory, options
    and log budget for bad records (shared by all its connections)."""

    def __init__(self, host_factory: HostFactory, options: ServerOptions, bad_log: Budget) -> None:
        self.host_factory = host_factory
        self.options = options
        self._bad_log = bad_log

    async def run(self, cid: str, peer: str, conn: TelnetConnection, runner: Runner) -> None:
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

        line = Line(screen)
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
                line.key = Key(host.handle, event, sender, conn, observe, cid)
                runner.post(line.key, slow=bool(slow_key is not None and slow_key(event)))
        except asyncio.CancelledError:  # the server is stopping (SIGTERM): sign off, then go
            await self._sign_off(cid, host, line, runner, STOPPED)
            raise
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
        await self._sign_off(cid, host, line, runner, DISCONNECTED)

    async def _sign_off(self, cid: str, host: Host, line: Line, runner: Runner, outcome: str) -> None:
        """The client went (disconnected, dropped, idle): a signed-on employee is signed off
        with a SINOF audit record (`IdrsSession.end`), as a closed browser tab is -- an
        instructor reading the trail must not see a session that nobody can reach as still
        open.  The key in flight, if any, finishes first (the session takes one call at a
        time); one that does not finish within END_WAIT seconds leaves the session as it is."""
        end: Callable[[str], None] | None = getattr(host, "end", None)
        if end is None:
            return
        try:
            if line.key is not None:
                await asyncio.wait_for(line.key.finish(), END_WAIT)
            await runner.call(end, outcome)
        except Exception:
            log.exception("tn3270 %s: could not sign off after the client went", cid)

    async def _next_record(self, cid: str, conn: TelnetConnection, line: Line) -> bytes:
        """The client's next record, with the key before it finished first.

        The reading starts while that key is still with a worker; it is interrupted
        when the worker leaves something for the event loop (see `Key`).
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

    async def _finish_key(self, cid: str, conn: TelnetConnection, line: Line) -> float:
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
