"""Hostile TN3270 clients cost bounded memory and lock no one out (issue 24).

One test (at least) per item of the issue; each fails on the code before the fix:

2. escaped 0xFF bytes count against MAX_RECORD / MAX_SUBNEG;
3. idle timeout, session limit with a message to the refused client, accept back-off
   when the file limit is reached;
5. spare HostPool threads end after `idle_exit`, whatever the queue did meanwhile;
6. bad records: warnings and screen re-sends are rate-limited;
7. a plain telnet client gets one line saying a 3270 emulator is needed.

(1, scrypt concurrency, and 8, salts and dump, are in test_security_hashing.py; 4, the
sign-on audit budget, in test_signon_audit.py.)  All traffic is to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from soak.rawclient import RawClient, screen_text
from soak.serveproc import ServeProcess
from tn3270_helpers import EchoHost, enter_record

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.server import HostPool, ServerOptions, server_in_thread


# ---- 2. escaped IAC bytes are data, and count ---------------------------------------------
def test_escaped_iac_counts_against_the_record_limit() -> None:
    p = telnet.TelnetParser(max_record=100)
    with pytest.raises(telnet.TelnetError, match="record longer"):
        p.feed(b"\xff\xff" * 101)


def test_escaped_iac_flood_is_refused_at_the_default_limit() -> None:
    p = telnet.TelnetParser()
    chunk = b"\xff" * telnet.READ_SIZE  # what a 0xFF flood looks like, read by read
    with pytest.raises(telnet.TelnetError):
        for _ in range(2 * telnet.MAX_RECORD * 2 // len(chunk) + 2):
            p.feed(chunk)


def test_escaped_iac_counts_against_the_subnegotiation_limit() -> None:
    p = telnet.TelnetParser()
    with pytest.raises(telnet.TelnetError, match="subnegotiation"):
        p.feed(b"\xff\xfa\x18" + b"\xff\xff" * (telnet.MAX_SUBNEG + 1))


def test_server_drops_a_0xff_flood_long_before_the_record_timeout(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "idrs_sim.front.tn3270")
    with server_in_thread(EchoHost, options=ServerOptions(record_timeout=30.0)) as (_, port):
        c = RawClient(port)
        try:
            c.sock.settimeout(10.0)
            sent = 0
            with pytest.raises(OSError):  # the server closes; a later send fails
                while sent < 4 * 1024 * 1024:
                    c.sock.sendall(b"\xff" * 65536)
                    sent += 65536
            assert sent < 4 * 1024 * 1024
        finally:
            c.close()
        assert any("record longer" in r.getMessage() for r in caplog.records)


# ---- 5. spare pool threads end ------------------------------------------------------------
def test_spare_threads_end_even_after_waiting_behind_a_full_queue() -> None:
    """Threads started for hand-offs that then found calls they could not start yet (the
    one slot busy) waited without a timeout and never ended."""

    async def main() -> int:
        pool = HostPool(1, handoff_after=0.05, idle_exit=0.3, name="spare-test")
        try:
            calls = [pool.submit(time.sleep, 0.3) for _ in range(3)] + [pool.submit(time.sleep, 0.03) for _ in range(20)]
            await asyncio.gather(*calls)
            for _ in range(300):
                if pool._threads <= 1:
                    break
                await asyncio.sleep(0.01)
            return pool._threads
        finally:
            pool.close()

    assert asyncio.run(asyncio.wait_for(main(), 30)) == 1


# ---- 3. idle timeout, session limit, the file limit ----------------------------------------
def test_serve_has_idle_timeout_and_max_sessions_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from idrs_sim import cli
    from idrs_sim.front.tn3270 import guard, server

    seen: list[ServerOptions] = []
    monkeypatch.setattr(server, "run_server", lambda *a, options=None, **k: seen.append(options) or 0)
    assert cli.main(["serve", "--port", "0"]) == 0
    assert cli.main(["serve", "--port", "0", "--idle-timeout", "0", "--max-sessions", "7"]) == 0
    default, explicit = seen
    assert default.idle_timeout == guard.DEFAULT_IDLE_TIMEOUT == 3600
    assert default.max_sessions == guard.default_max_sessions() and 1 <= default.max_sessions <= guard.SESSION_CAP
    assert explicit.idle_timeout is None and explicit.max_sessions == 7


def test_default_session_limit_stays_under_the_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from idrs_sim.front.tn3270 import guard

    monkeypatch.setattr(guard.resource, "getrlimit", lambda _what: (1024, 4096))
    assert guard.default_max_sessions() == (1024 - guard.FDS_RESERVED) // guard.FDS_PER_SESSION
    monkeypatch.setattr(guard.resource, "getrlimit", lambda _what: (100_000, 100_000))
    assert guard.default_max_sessions() == guard.SESSION_CAP


def test_serve_drops_a_silent_session_after_the_idle_timeout() -> None:
    srv = ServeProcess("--idle-timeout", "1")
    try:
        c = RawClient(srv.port)  # negotiated, first screen received, then silence
        try:
            assert c.wait_closed(30.0)
        finally:
            c.close()
    finally:
        srv.stop()


def test_serve_refuses_past_max_sessions_with_a_message() -> None:
    srv = ServeProcess("--max-sessions", "2")
    try:
        held = [RawClient(srv.port), RawClient(srv.port)]
        extra = RawClient(srv.port, negotiate=False)
        try:
            assert extra.wait_closed(15.0)
            assert b"all 2 sessions are in use; try again later." in bytes(extra.raw)
            assert held[0].enter({}) and held[1].enter({})  # the sessions held still work
        finally:
            for c in (*held, extra):
                c.close()
        for _ in range(100):  # a slot is free again once the server has seen them go
            try:
                RawClient(srv.port).close()
                break
            except AssertionError:  # refused: the server has not yet noticed the closes
                time.sleep(0.1)
        else:
            raise AssertionError("no session slot came free")
    finally:
        srv.stop()
    assert "connection refused: all 2 sessions in use" in srv.stderr_text()


def test_accept_at_the_file_limit_logs_once() -> None:
    """At the file limit asyncio reported every failed accept() with a traceback, a hundred
    a second; now one line, and one more when accepting works again."""
    srv = ServeProcess("--max-sessions", "1000", max_files=48)
    clients: list[socket.socket] = []
    try:
        for _ in range(60):  # more than 48 descriptors' worth; they never negotiate
            clients.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        time.sleep(2.5)  # the accept loop retries every second meanwhile
        for c in clients:
            c.close()
        clients.clear()
        time.sleep(1.5)
        c = RawClient(srv.port, timeout=20)  # served again
        c.close()
    finally:
        for c in clients:
            c.close()
        srv.stop()
    log = srv.stderr_text()
    assert log.count("cannot accept connections") == 1, log[:2000]
    assert "Traceback" not in log and "out of system resource" not in log
    assert "accepting connections again after" in log
    assert len(log) < 20_000


# ---- 6. bad records: rate-limited answers and warnings -------------------------------------
def test_a_flood_of_bad_records_gets_few_answers_and_few_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "idrs_sim.front.tn3270")
    with server_in_thread(EchoHost) as (_, port):
        c = RawClient(port, timeout=30)
        try:
            bad = telnet.frame_record(b"\x00")  # no such AID
            c.sock.sendall(bad * 2000 + enter_record("AFTER"))
            answers = 0
            while True:
                record = c.next_record()
                if "GOT AFTER" in screen_text(record):
                    break
                answers += 1
        finally:
            c.close()
    warnings = [r for r in caplog.records if "bad record" in r.getMessage()]
    assert 1 <= answers < 200  # 2000 before (1,952 bytes each)
    assert 1 <= len(warnings) < 200


def test_budget_allows_a_burst_then_a_rate() -> None:
    from idrs_sim.front.tn3270.guard import Budget

    now = [0.0]
    b = Budget(3, 2.0, clock=lambda: now[0])
    assert [b.take() for _ in range(5)] == [True, True, True, False, False]
    assert b.release_suppressed() == 2 and b.suppressed == 0
    now[0] += 1.0  # two more
    assert [b.take() for _ in range(3)] == [True, True, False]


# ---- 7. a plain telnet client is told what it needs --------------------------------------------
def _refusing_client(port: int) -> bytes:
    """A telnet client that will do none of TN3270's options (WONT/DONT to everything)."""
    c = RawClient(port, negotiate=False)
    try:
        deadline = time.monotonic() + 15
        seen = 0
        while time.monotonic() < deadline:
            if not c.pump(deadline):
                return bytes(c.raw)
            data = bytes(c.raw[seen:])
            seen = len(c.raw)
            for i in range(len(data) - 2):
                if data[i] == telnet.IAC and data[i + 1] in (telnet.DO, telnet.WILL):
                    verb = telnet.WONT if data[i + 1] == telnet.DO else telnet.DONT
                    c.sock.sendall(telnet.command(verb, data[i + 2]))
        raise AssertionError("the server did not close the connection")
    finally:
        c.close()


def test_a_telnet_client_gets_one_line_saying_a_3270_emulator_is_needed() -> None:
    from idrs_sim.front.tn3270.guard import NOT_3270_LINE

    with server_in_thread(EchoHost) as (_, port):
        raw = _refusing_client(port)
    assert raw.count(NOT_3270_LINE) == 1


def test_typed_text_gets_the_line_at_once() -> None:
    from idrs_sim.front.tn3270.guard import NOT_3270_LINE

    with server_in_thread(EchoHost, options=ServerOptions(negotiation_timeout=60)) as (_, port):
        c = RawClient(port, negotiate=False)
        try:
            c.sock.sendall(b"hello\r\n")
            assert c.wait_closed(20.0)  # well before the 60 s negotiation timeout
        finally:
            c.close()
    assert bytes(c.raw).endswith(NOT_3270_LINE)
