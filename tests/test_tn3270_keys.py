"""A key's way through the server when the event loop does not wait for the worker.

The session posts each key to a host worker and goes back to reading; the worker writes
the answer and the session takes the outcome when the next record arrives (`key.Key`).
These tests pin down what must still hold, with raw sockets and small fake hosts:

* a host error is logged and the previous screen re-sent with the alarm, and the next key works;
* telnet commands that arrive while a key is in flight are answered after the screen,
  never inside it;
* a host call slower than `idle_timeout` does not get its client dropped; silence is
  counted from the answer;
* every answered key is reported to the observer once;
* a pool thread started for a hand-off ends when it is no longer needed, even while
  calls keep coming (the newest idle thread takes the next call).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.codec import WCC_DEFAULT, wcc
from idrs_sim.front.tn3270.server import HostPool, KeyTiming, ServerOptions, server_in_thread
from idrs_sim.front.tn3270.telnet_connection import TelnetConnection
from idrs_sim.terminal.aid import AidEvent

from test_tn3270_s3270 import RawClient
from tn3270_helpers import FIELD, EchoHost, enter_record as _enter

pytestmark = pytest.mark.tn3270


def _says(record: bytes, text: str) -> bool:
    return text.encode("cp037") in record


class KeyHost(EchoHost):
    """BOOM raises, SLOW takes 0.6 s, WAIT blocks until released; anything else echoes."""

    title = "KEYS TEST"
    release = threading.Event()
    started = threading.Event()

    def before_answer(self, key: str) -> None:
        if key == "BOOM":
            raise ValueError("host defect")
        if key == "SLOW":
            time.sleep(0.6)
        if key == "WAIT":
            self.started.set()
            assert self.release.wait(10)


def test_a_host_error_resends_the_screen_with_the_alarm_and_the_next_key_works(caplog) -> None:
    caplog.set_level(logging.INFO, logger="idrs_sim.front.tn3270")
    with server_in_thread(KeyHost) as (_, port):
        c = RawClient(port)
        first = c.negotiate()
        c.sock.sendall(_enter("ONE"))
        one = c.next_record()
        assert _says(one, "GOT ONE")
        c.sock.sendall(_enter("BOOM"))
        again = c.next_record()
        assert again[1] == wcc(alarm=True) and again[2:] == one[2:]  # the same screen, with the alarm
        c.sock.sendall(_enter("TWO"))
        two = c.next_record()
        assert two[1] == WCC_DEFAULT and _says(two, "GOT TWO")
        assert first[2:] != two[2:]
        c.close()
    failed = [r for r in caplog.records if "host failed on ENTER" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None


def test_telnet_reply_is_not_inside_the_answer_bytes() -> None:
    KeyHost.release.clear()
    KeyHost.started.clear()
    with server_in_thread(KeyHost) as (_, port):
        c = RawClient(port)
        c.negotiate()
        c.sock.sendall(_enter("WAIT"))
        assert KeyHost.started.wait(5)
        c.sock.sendall(telnet.command(telnet.DO, 6))  # DO TIMING-MARK: the server says WONT
        time.sleep(0.2)
        KeyHost.release.set()
        data = bytearray()
        wont = telnet.command(telnet.WONT, 6)
        c.sock.settimeout(5)
        while wont not in data:
            chunk = c.sock.recv(4096)
            assert chunk
            data += chunk
        eor = bytes((telnet.IAC, telnet.EOR))
        assert data.index(eor) < data.index(wont)  # the whole screen first, then the reply
        events = telnet.TelnetParser().feed(bytes(data))
        records = [e.data for e in events if isinstance(e, telnet.Record)]
        assert len(records) == 1 and _says(records[0], "GOT WAIT")
        c.close()


class SignOnHost(KeyHost):
    """Says WAIT is slow (`Host.slow_key`), as a session says of a sign-on's Enter."""

    def slow_key(self, event: AidEvent) -> bool:
        return event.modified.get(FIELD, "") == "WAIT"


def test_a_key_the_host_calls_slow_does_not_hold_up_other_terminals() -> None:
    """One worker, hand-off only after 30 s: the other terminal's key is answered while
    the slow one is still running, because it was handed off as it started."""
    KeyHost.release.clear()
    KeyHost.started.clear()
    with server_in_thread(SignOnHost, options=ServerOptions(host_workers=1, handoff_after=30)) as (_, port):
        slow, other = RawClient(port), RawClient(port)
        slow.negotiate()
        other.negotiate()
        slow.sock.sendall(_enter("WAIT"))
        assert KeyHost.started.wait(5)
        other.sock.sendall(_enter("QUICK"))
        assert _says(other.next_record(5), "GOT QUICK")
        KeyHost.release.set()
        assert _says(slow.next_record(5), "GOT WAIT")
        slow.close()
        other.close()


def test_idrs_session_calls_the_sign_on_enter_slow() -> None:
    from idrs_sim.simulator import Simulator
    from idrs_sim.terminal.aid import Aid

    with Simulator() as sim:
        session = sim.new_session()
        assert session.slow_key(AidEvent(Aid.ENTER, 0, {}))
        assert not session.slow_key(AidEvent(Aid.CLEAR, 0, {}))
        term = sim.new_terminal()
        term.fill("EMPLOYEE NUMBER", "1485012345")
        term.fill("PASSWORD", "train123")
        term.enter()
        assert term.host.employee_idrs == "1485012345"
        assert not term.host.slow_key(AidEvent(Aid.ENTER, 0, {}))


def test_a_host_call_slower_than_the_idle_timeout_keeps_its_client() -> None:
    with server_in_thread(KeyHost, options=ServerOptions(idle_timeout=0.4)) as (_, port):
        c = RawClient(port)
        c.negotiate()
        c.sock.sendall(_enter("SLOW"))  # 0.6 s in the host, longer than the idle timeout
        assert _says(c.next_record(3), "GOT SLOW")
        time.sleep(0.2)  # silence after the answer, shorter than the timeout
        c.sock.sendall(_enter("AFTER"))
        assert _says(c.next_record(3), "GOT AFTER")
        assert c.closed_by_server(3.0)  # and silence past the timeout still drops it
        c.close()


def _await_timings(seen: list[KeyTiming], n: int) -> None:
    """The observer runs on the thread that sent the answer: give it up to a second to
    report the last of `n` keys after the client has read them all."""
    for _ in range(100):
        if len(seen) >= n:
            return
        time.sleep(0.01)


def test_every_answered_key_is_observed_once() -> None:
    seen: list[KeyTiming] = []
    with server_in_thread(KeyHost, options=ServerOptions(observer=seen.append)) as (_, port):
        c = RawClient(port)
        c.negotiate()
        for i in range(5):
            c.sock.sendall(_enter(f"K{i}"))
            assert _says(c.next_record(), f"GOT K{i}")
        c.sock.sendall(b"".join(_enter(f"T{i}") for i in range(5)))  # typed ahead
        for i in range(5):
            assert _says(c.next_record(), f"GOT T{i}")
        c.close()
        _await_timings(seen, 10)
    assert len(seen) == 10
    assert all(t.aid == "ENTER" and t.wait >= 0 and t.host >= 0 and t.total >= t.host for t in seen)


def test_a_spare_pool_thread_ends_while_calls_keep_coming() -> None:
    gate = threading.Event()

    async def main() -> None:
        pool = HostPool(1, handoff_after=0.05, idle_exit=0.3, name="spare-test")
        try:
            slow = pool.submit(gate.wait, 10)
            assert await pool.call(lambda: 1) == 1  # handed off: a second thread
            assert pool._threads == 2
            gate.set()
            await slow
            for _ in range(300):  # a steady stream of calls, one at a time
                await pool.call(time.sleep, 0.002)
                if pool._threads == 1:
                    break
            assert pool._threads == 1
        finally:
            pool.close()

    asyncio.run(asyncio.wait_for(main(), 30))


def test_the_rest_of_a_partly_sent_answer_goes_out_while_the_session_reads(monkeypatch) -> None:
    """The worker's direct send took only part of the answer and the client sends nothing
    until it has all of it: the event loop must stop reading and write the rest."""
    real = TelnetConnection._send_direct

    def half(self: TelnetConnection, data: bytes) -> bytes:
        cut = len(data) // 2
        rest = real(self, data[:cut])
        return rest + data[cut:]

    monkeypatch.setattr(TelnetConnection, "_send_direct", half)
    seen: list[KeyTiming] = []
    with server_in_thread(KeyHost, options=ServerOptions(observer=seen.append)) as (_, port):
        c = RawClient(port)
        c.negotiate()
        for i in range(3):
            c.sock.sendall(_enter(f"P{i}"))
            assert _says(c.next_record(5), f"GOT P{i}")
        c.close()
        _await_timings(seen, 3)
    assert len(seen) == 3


def test_a_call_queued_behind_a_call_not_yet_started_is_still_handed_off() -> None:
    gate = threading.Event()

    async def main() -> None:
        pool = HostPool(1, handoff_after=0.05, name="race-test")
        try:
            slow = pool.submit(gate.wait, 10)  # no thread exists yet: it is being started
            assert await asyncio.wait_for(pool.call(lambda: "quick"), 5) == "quick"
            assert not slow.done()
            gate.set()
            assert await slow is True
        finally:
            pool.close()

    asyncio.run(asyncio.wait_for(main(), 30))
