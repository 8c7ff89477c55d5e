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
import errno
import logging
import socket
import time

import pytest
from soak.rawclient import RawClient
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
