"""Where and in which order the TN3270 server runs host calls, and the telnet fast path.

The server hands every host call to a `HostPool` (by default one FIFO queue, one worker
thread, slow calls handed off).  These tests pin the guarantees down with raw sockets and
small fake hosts, no s3270 needed:

* the keys of one connection are answered in the order sent, and its host never runs two
  calls at once, in every `host_threads` mode, even when a client sends many records in
  one write;
* a slow or stuck host call holds up the I/O of no other connection (negotiation, bad
  records, timeouts), and in the default mode it holds up other sessions' host calls for
  at most `handoff_after`;
* the worker thread writes the answer itself (`direct_write`), so it does not wait for
  the event loop; what the socket cannot take goes through the loop;
* the pool itself: FIFO starts, the worker limit, hand-offs, errors, cancellation, close;
* `TelnetParser` gives the same events as the byte-by-byte parser it replaced.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import threading
import time
from collections import defaultdict

import pytest

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.server import HostPool, ServerOptions, Tn3270Server, server_in_thread
from idrs_sim.front.tn3270.telnet_connection import TelnetConnection
from idrs_sim.terminal.aid import AidEvent
from idrs_sim.terminal.screen import Screen

from test_tn3270_s3270 import RawClient
from tn3270_helpers import FIELD, EchoHost, enter_record as _enter, one_field_screen

pytestmark = pytest.mark.tn3270


def _screen(message: str) -> Screen:
    return one_field_screen("SCHEDULING TEST", message)


def _line24(record: bytes) -> str:
    """The message an answer carries on line 24 (``GOT <key>``)."""
    m = re.search(r"GOT [0-9A-Z]*", record.decode("cp037", "replace"))
    return m.group(0) if m else f"no message in {record!r}"


class OrderHost:
    """Records, per connection, the keys it was given and whether two ever overlapped."""

    lock = threading.Lock()
    active: set[str] = set()
    seen: dict[str, list[str]] = defaultdict(list)
    threads: dict[str, set[int]] = defaultdict(set)
    overlaps: list[str] = []

    def __init__(self, cid: str) -> None:
        self.cid = cid
        self.rng = random.Random(cid)

    @classmethod
    def reset(cls) -> None:
        cls.active, cls.seen, cls.threads, cls.overlaps = set(), defaultdict(list), defaultdict(set), []

    def first_screen(self) -> Screen:
        return _screen("READY")

    def handle(self, event: AidEvent) -> Screen:
        with self.lock:
            if self.cid in self.active:
                self.overlaps.append(self.cid)
            self.active.add(self.cid)
            self.threads[self.cid].add(threading.get_ident())
        try:
            time.sleep(self.rng.uniform(0, 0.003))  # lets other calls (and threads) interleave
            key = event.modified.get(FIELD, "")
            self.seen[self.cid].append(key)
            return _screen(f"GOT {key}")
        finally:
            with self.lock:
                self.active.discard(self.cid)


@pytest.mark.parametrize("options", [
    ServerOptions(),
    ServerOptions(host_workers=3),
    ServerOptions(host_workers=1, handoff_after=0.001),  # hand-offs all the time
    ServerOptions(host_threads="per-connection"),
    ServerOptions(host_threads="single"),
], ids=["pool", "pool-3-workers", "pool-constant-handoff", "per-connection", "single"])
def test_keys_of_one_connection_stay_in_order_and_never_overlap(options: ServerOptions) -> None:
    OrderHost.reset()
    keys = 25
    with server_in_thread(OrderHost, options=options) as (_, port):
        clients = [RawClient(port) for _ in range(6)]
        for c in clients:
            c.negotiate()
        for n, c in enumerate(clients):  # every key of a client in one write: the server must not overlap them
            c.sock.sendall(b"".join(_enter(f"C{n}K{i}") for i in range(keys)))
        for n, c in enumerate(clients):
            answers = [_line24(c.next_record(10)) for _ in range(keys)]
            assert answers == [f"GOT C{n}K{i}" for i in range(keys)]
            c.close()
    assert not OrderHost.overlaps
    assert sorted(OrderHost.seen.values()) == sorted([f"C{n}K{i}" for i in range(keys)] for n in range(6))
    if options.host_threads == "single":
        assert len(set().union(*OrderHost.threads.values())) == 1
    if options.host_threads == "per-connection":
        assert all(len(t) == 1 for t in OrderHost.threads.values())


class StallHost:
    """Typing STALL blocks the host call until the test releases it."""

    release = threading.Event()
    stalled = threading.Event()

    def __init__(self, cid: str) -> None:
        self.cid = cid

    def first_screen(self) -> Screen:
        return _screen("READY")

    def handle(self, event: AidEvent) -> Screen:
        key = event.modified.get(FIELD, "")
        if key == "STALL":
            self.stalled.set()
            assert self.release.wait(20)
        return _screen(f"GOT {key}")


@pytest.mark.parametrize("mode", ["pool", "single", "per-connection"])
def test_a_stuck_host_call_holds_up_no_other_connections_io(mode: str) -> None:
    StallHost.release.clear()
    StallHost.stalled.clear()
    opts = ServerOptions(host_threads=mode, handoff_after=0.1, negotiation_timeout=1.0)  # type: ignore[arg-type]
    with server_in_thread(StallHost, options=opts) as (_, port):
        stuck, other = RawClient(port), RawClient(port)
        stuck.negotiate()
        first = other.negotiate()
        try:
            stuck.sock.sendall(_enter("STALL"))
            assert StallHost.stalled.wait(5)

            t0 = time.monotonic()
            other.sock.sendall(telnet.frame_record(b"\x00garbage"))  # answered on the event loop
            again = other.next_record(2)
            assert again[2:] == first[2:] and time.monotonic() - t0 < 1.0

            newcomer = RawClient(port)  # negotiation needs no host call
            newcomer.sock.settimeout(2)
            assert newcomer.sock.recv(64).startswith(bytes((telnet.IAC, telnet.DO, telnet.OPT_TTYPE)))
            silent = RawClient(port)  # and the negotiation timeout still drops a silent client
            assert silent.closed_by_server(3.0)

            if mode != "single":  # pool: handed off after 0.1 s; per-connection: its own thread
                t0 = time.monotonic()
                other.sock.sendall(_enter("QUICK"))
                assert _line24(other.next_record(3)) == "GOT QUICK"
                assert time.monotonic() - t0 < 1.0
            else:  # one thread for every call, by definition: the answer waits for the stuck call
                other.sock.sendall(_enter("QUICK"))
                with pytest.raises((socket.timeout, TimeoutError)):
                    other.next_record(0.5)
        finally:
            StallHost.release.set()
        assert _line24(stuck.next_record(5)) == "GOT STALL"
        if mode == "single":
            assert _line24(other.next_record(5)) == "GOT QUICK"
        for c in (stuck, other, newcomer, silent):
            c.close()


def test_server_sockets_have_nodelay() -> None:
    async def main() -> None:
        server = Tn3270Server(OrderHost, port=0, options=ServerOptions(negotiation_timeout=1.0))
        _, port = await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if server._connections:
                    break
                await asyncio.sleep(0.01)
            (conn,) = server._connections.values()
            sock = conn.writer.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            writer.close()
        finally:
            await server.close()
        assert not server._connections

    asyncio.run(main())


class SlowishHost(EchoHost):
    """Takes 0.1 s per key and says when a key has started."""

    title = "SCHEDULING TEST"
    started = threading.Event()

    def before_answer(self, key: str) -> None:
        self.started.set()
        time.sleep(0.1)


@pytest.mark.parametrize("direct", [True, False])
def test_the_worker_writes_the_answer_even_while_the_event_loop_is_busy(direct: bool) -> None:
    """With direct_write the answer leaves when the host returns, not when the event-loop
    thread next runs; without it, it waits for the loop."""
    got: dict[str, float] = {}

    def client(port: int, ready: threading.Event) -> None:
        c = RawClient(port)
        c.negotiate()
        ready.set()
        t0 = time.monotonic()
        c.sock.sendall(_enter("A1"))
        assert _line24(c.next_record(5)) == "GOT A1"
        got["answer"] = time.monotonic() - t0
        c.close()

    async def main() -> None:
        SlowishHost.started.clear()
        server = Tn3270Server(SlowishHost, port=0, options=ServerOptions(direct_write=direct))
        _, port = await server.start()
        ready = threading.Event()
        t = threading.Thread(target=client, args=(port, ready), daemon=True)
        t.start()
        try:
            while not SlowishHost.started.is_set():
                await asyncio.sleep(0.005)
            time.sleep(1.0)  # the event loop is stuck in a long callback meanwhile
            await asyncio.to_thread(t.join, 5)
        finally:
            await server.close()

    _run(main())
    if direct:
        assert got["answer"] < 0.8
    else:
        assert got["answer"] >= 0.9


def test_direct_send_leaves_what_the_socket_does_not_take_to_the_event_loop() -> None:
    data = bytes(range(256)) * 4000  # 1 MB: more than the socket buffers hold
    received = bytearray()

    async def main() -> None:
        a, b = socket.socketpair()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        reader, writer = await asyncio.open_connection(sock=a)
        conn = TelnetConnection(reader, writer, write_timeout=10)
        send = conn.direct_sender()
        assert send is not None
        rest = await asyncio.to_thread(send, data)  # from another thread, as a worker does
        assert 0 < len(rest) < len(data)

        def drain() -> None:
            b.settimeout(10)
            while len(received) < len(data):
                chunk = b.recv(65536)
                if not chunk:
                    break
                received.extend(chunk)

        reading = threading.Thread(target=drain, daemon=True)
        reading.start()
        await conn.send_wire(rest)
        await asyncio.to_thread(reading.join, 10)
        assert bytes(received) == data
        await conn.close()
        assert send(b"after close") == b"after close"  # nothing sent, nothing raised
        assert conn.direct_sender() is None
        b.close()

    _run(main())


# ---- the pool on its own ----------------------------------------------------------------------
def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_pool_starts_calls_in_fifo_order_one_at_a_time() -> None:
    order: list[int] = []
    running = [0, 0]  # now, most at once

    def work(i: int) -> int:
        running[0] += 1
        running[1] = max(running[1], running[0])
        order.append(i)
        time.sleep(0.001)
        running[0] -= 1
        return i * i

    async def main() -> list[int]:
        pool = HostPool(1, handoff_after=0.5)
        try:
            return list(await asyncio.gather(*(pool.call(work, i) for i in range(40))))
        finally:
            pool.close()

    assert _run(main()) == [i * i for i in range(40)]
    assert order == list(range(40))
    assert running[1] == 1


def test_pool_runs_at_most_workers_calls_at_once() -> None:
    lock = threading.Lock()
    running = [0, 0]

    def work() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    async def main() -> None:
        pool = HostPool(3, handoff_after=5.0)
        try:
            await asyncio.gather(*(pool.call(work) for _ in range(30)))
            assert pool.handoffs == 0
        finally:
            pool.close()

    _run(main())
    assert running[1] == 3


def test_pool_hands_off_past_a_slow_call_and_ends_spare_threads() -> None:
    gate = threading.Event()

    async def main() -> None:
        pool = HostPool(1, handoff_after=0.1, idle_exit=0.2, name="handoff-test")
        try:
            slow = pool.submit(gate.wait, 10)
            await asyncio.sleep(0.02)
            t0 = time.monotonic()
            assert await pool.call(lambda: "quick") == "quick"
            assert 0.05 < time.monotonic() - t0 < 1.0  # waited for the hand-off, not for the slow call
            assert pool.handoffs == 1
            assert not slow.done()
            gate.set()
            assert await slow is True
            for _ in range(200):  # the thread started for the hand-off ends after idle_exit
                if pool._threads == 1:
                    break
                await asyncio.sleep(0.01)
            assert pool._threads == 1
        finally:
            pool.close()

    _run(main())


def test_pool_without_handoff_waits_for_the_slow_call() -> None:
    gate = threading.Event()

    async def main() -> None:
        pool = HostPool(1, handoff_after=None)
        try:
            slow = pool.submit(gate.wait, 10)
            quick = pool.submit(lambda: "quick")
            await asyncio.sleep(0.3)
            assert not quick.done()
            gate.set()
            assert await quick == "quick" and await slow is True
            assert pool._threads == 1
        finally:
            pool.close()

    _run(main())


def test_pool_errors_reach_the_caller_and_the_worker_goes_on() -> None:
    def boom() -> None:
        raise ValueError("host defect")

    async def main() -> None:
        pool = HostPool(1)
        try:
            with pytest.raises(ValueError, match="host defect"):
                await pool.call(boom)
            assert await pool.call(lambda: 42) == 42
        finally:
            pool.close()

    _run(main())


def test_pool_skips_cancelled_calls_and_close_cancels_the_queue() -> None:
    gate = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        pool = HostPool(1, handoff_after=None)
        blocker = pool.submit(gate.wait, 10)
        cancelled = pool.submit(ran.append, "cancelled")
        cancelled.cancel()
        kept = pool.submit(ran.append, "kept")
        gate.set()
        await blocker
        await kept
        assert ran == ["kept"]

        gate.clear()
        blocker = pool.submit(gate.wait, 10)
        queued = pool.submit(ran.append, "after close")
        await asyncio.sleep(0.05)
        pool.close()
        await asyncio.sleep(0.05)
        assert queued.cancelled()
        gate.set()
        await blocker  # the running call finishes and is delivered
        with pytest.raises(RuntimeError):
            pool.submit(ran.append, "closed")
        for _ in range(200):
            if pool._threads == 0:
                break
            await asyncio.sleep(0.01)
        assert pool._threads == 0
        assert ran == ["kept"]

    _run(main())


def test_server_close_lets_a_running_call_finish() -> None:
    done = threading.Event()

    class SlowOnce:
        def __init__(self, cid: str) -> None:
            pass

        def first_screen(self) -> Screen:
            return _screen("READY")

        def handle(self, event: AidEvent) -> Screen:
            time.sleep(0.3)
            done.set()
            return _screen("DONE")

    with server_in_thread(SlowOnce) as (_, port):
        c = RawClient(port)
        c.negotiate()
        c.sock.sendall(_enter("X"))
        time.sleep(0.1)
    assert done.is_set()  # leaving the block waited for the unit of work in progress
    c.close()


# ---- the telnet parser's fast path ---------------------------------------------------------------
class ByteParser:
    """The byte-at-a-time parser `TelnetParser` replaced: the reference for its results."""

    def __init__(self, max_record: int = telnet.MAX_RECORD) -> None:
        self._state, self._verb = 0, 0
        self._record, self._sub = bytearray(), bytearray()
        self._max_record = max_record

    def feed(self, data: bytes) -> list[telnet.Event]:
        t = telnet
        events: list[t.Event] = []
        for b in data:
            st = self._state
            if st == 0:
                if b == t.IAC:
                    self._state = 1
                else:
                    self._record.append(b)
                    if len(self._record) > self._max_record:
                        raise t.TelnetError("too long")
            elif st == 1:
                if b == t.IAC:
                    self._record.append(t.IAC)
                    if len(self._record) > self._max_record:
                        raise t.TelnetError("too long")
                    self._state = 0
                elif b == t.EOR:
                    events.append(t.Record(bytes(self._record)))
                    self._record.clear()
                    self._state = 0
                elif b == t.SB:
                    self._sub.clear()
                    self._state = 3
                elif b in (t.DO, t.DONT, t.WILL, t.WONT):
                    self._verb, self._state = b, 2
                else:
                    events.append(t.Command(b))
                    self._state = 0
            elif st == 2:
                events.append(t.Command(self._verb, b))
                self._state = 0
            elif st == 3:
                if b == t.IAC:
                    self._state = 4
                else:
                    self._sub.append(b)
                    if len(self._sub) > t.MAX_SUBNEG:
                        raise t.TelnetError("subnegotiation too long")
            else:
                if b == t.SE:
                    events.append(t.Subneg(bytes(self._sub)))
                    self._state = 0
                elif b == t.IAC:
                    self._sub.append(t.IAC)
                    if len(self._sub) > t.MAX_SUBNEG:
                        raise t.TelnetError("subnegotiation too long")
                    self._state = 3
                else:
                    self._state = 3
        return events


def _random_stream(rng: random.Random) -> bytes:
    t = telnet
    parts: list[bytes] = []
    for _ in range(rng.randint(1, 30)):
        kind = rng.random()
        if kind < 0.4:
            parts.append(t.frame_record(bytes(rng.choice((rng.randrange(256), 0x40, 0xFF)) for _ in range(rng.randint(0, 300)))))
        elif kind < 0.6:
            parts.append(t.command(rng.choice((t.DO, t.DONT, t.WILL, t.WONT)), rng.randrange(256)))
        elif kind < 0.75:
            parts.append(t.subneg(bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))))
        elif kind < 0.85:
            parts.append(bytes((t.IAC, rng.choice((t.NOP, t.GA, 0xF6)))))
        else:  # noise, IAC in odd places included
            parts.append(bytes(rng.choice((rng.randrange(256), 0xFF)) for _ in range(rng.randint(1, 40))))
    return b"".join(parts)


def test_telnet_parser_matches_the_byte_at_a_time_parser() -> None:
    rng = random.Random(3270)
    for _ in range(600):
        data = _random_stream(rng)
        max_record = rng.choice((telnet.MAX_RECORD, 200))
        fast, ref = telnet.TelnetParser(max_record), ByteParser(max_record)
        i = 0
        while i < len(data):
            j = min(len(data), i + rng.choice((1, 2, 3, 7, 64, 1000, len(data))))
            chunk = data[i:j]
            try:
                want: object = ref.feed(chunk)
            except telnet.TelnetError:
                want = telnet.TelnetError
            try:
                got: object = fast.feed(chunk)
            except telnet.TelnetError:
                got = telnet.TelnetError
            assert got == want, (data.hex(), i)
            if want is telnet.TelnetError:
                break
            assert fast.pending == (bool(ref._record) or ref._state != 0)
            i = j
