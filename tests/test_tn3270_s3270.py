"""The TN3270 server against real 3270 clients: s3270 (x3270's scripting build) and tnz.

Everything runs on 127.0.0.1 with port 0 and a small fake Host defined here, so these
tests check the protocol, not IDRS.  Every wait has a timeout; a broken server fails a
test, it never hangs the run.  The skip when s3270 is missing is a local convenience
only: CI installs it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.codec import encode_address
from idrs_sim.front.tn3270.server import ServerOptions, server_in_thread
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screen import Screen, address

pytestmark = pytest.mark.tn3270
needs_s3270 = pytest.mark.skipif(shutil.which("s3270") is None, reason="s3270 not installed (CI installs it)")
REPO = Path(__file__).resolve().parents[1]


# ---- a fake host: a sign-on-like screen that echoes what it got on line 24 ---------------
class FakeHost:
    """Sign-on screen with an employee-number field and a hidden password field.

    Enter/PF/PA answer with the AID and the field values on line 24; Clear gives an
    unformatted screen, and Enter there echoes the first line typed.  Typing SLOW makes
    the host take 2 s, to show a slow session does not hold up others.
    """

    EMP = address(5, 20) - 1  # attribute addresses of the two input fields
    PW = address(6, 20) - 1

    def __init__(self, connection_id: str) -> None:
        self.connection_id = connection_id
        self.values = {"emp": "", "pw": ""}

    def sign_on(self, message: str = "") -> Screen:
        s = Screen()
        s.add_protected(1, 2, 30, intensified=True)
        s.put(1, 2, "IDRS TEST SIGN-ON")
        s.add_protected(5, 2, 16)
        s.put(5, 2, "EMPLOYEE NUMBER:")
        s.add_protected(6, 2, 16)
        s.put(6, 2, "PASSWORD:")
        s.add_input(5, 20, 10, name="emp", value=self.values["emp"])
        s.add_input(6, 20, 8, name="pw", hidden=True)
        s.add_protected(24, 2, 78)
        s.put(24, 2, message[:78])
        s.cursor = address(5, 20)
        return s

    def first_screen(self) -> Screen:
        return self.sign_on()

    def handle(self, event: AidEvent) -> Screen:
        if event.aid is Aid.CLEAR:
            return Screen.unformatted(cursor=0)
        if event.unformatted is not None:
            return self.sign_on(f"{event.aid.value} UNFORMATTED:{event.unformatted[:80].strip()}")
        if self.EMP in event.modified:
            self.values["emp"] = event.modified[self.EMP]
        if self.PW in event.modified:
            self.values["pw"] = event.modified[self.PW]
        if self.values["emp"] == "SLOW":
            time.sleep(2)
        return self.sign_on(f"{event.aid.value} EMP={self.values['emp']} PW={self.values['pw']}")


# ---- driving s3270 ----------------------------------------------------------------------
class S3270Error(AssertionError):
    pass


class S3270:
    """One s3270 process driven over stdin/stdout (the peer-script protocol)."""

    def __init__(self, model: str = "3279-2", *extra: str) -> None:
        self.proc = subprocess.Popen(
            ["s3270", "-model", model, "-codepage", "cp037", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._buf = b""
        self.status: list[str] = []

    def _line(self, deadline: float) -> str:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise S3270Error("s3270 did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise S3270Error("s3270 exited")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def do(self, action: str, timeout: float = 10.0) -> list[str]:
        """Run one action; returns its data lines, raises S3270Error on `error`."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(action.encode() + b"\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        data: list[str] = []
        while True:
            line = self._line(deadline)
            if line.startswith("data: ") or line == "data:":
                data.append(line[6:])
            elif line in ("ok", "error"):
                if line == "error":
                    raise S3270Error(f"{action}: {' '.join(data)}")
                return data
            else:
                self.status = line.split()

    def text(self, row: int, col: int = 1, length: int = 80) -> str:
        return self.do(f"Ascii1({row},{col},{length})")[0]

    def connect(self, port: int) -> None:
        self.do(f"Connect(127.0.0.1:{port})", timeout=15)
        self.do("Wait(10,InputField)", timeout=15)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.do("Disconnect", timeout=3)
                self.do("Quit", timeout=3)
        except (S3270Error, OSError):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def server():
    with server_in_thread(FakeHost, options=ServerOptions(negotiation_timeout=2.0)) as (_, port):
        yield port


@pytest.fixture
def s3270():
    clients: list[S3270] = []

    def make(model: str = "3279-2", *extra: str) -> S3270:
        c = S3270(model, *extra)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


# ---- s3270 -------------------------------------------------------------------------------
@needs_s3270
def test_sign_on_fields_and_enter(server: int, s3270) -> None:
    c = s3270()
    c.connect(server)
    assert c.status[0] == "U" and c.status[1] == "F"  # keyboard unlocked, formatted screen
    assert (c.status[8], c.status[9]) == ("4", "19")  # cursor in the employee-number field
    assert c.text(1).strip() == "IDRS TEST SIGN-ON"
    c.do("MoveCursor1(1,5)")
    assert c.status[2] == "P"  # literal text is protected
    c.do("MoveCursor1(5,20)")
    assert c.status[2] == "U"
    c.do('String("12345")')
    c.do("Tab")
    c.do('String("SECRET")')
    assert c.text(6, 20, 8) == " " * 8  # the password field is non-display
    c.do("Enter")
    assert c.status[0] == "U"
    assert c.text(24).strip() == "ENTER EMP=12345 PW=SECRET"
    assert c.text(5, 20, 10).strip() == "12345"
    fields = " ".join(c.do("ReadBuffer(Ascii)"))
    assert "SF(c0=e8)" in fields  # the intensified protected title
    assert "SF(c0=cc" in fields  # the hidden input field (non-display; underscored when extended)


@needs_s3270
def test_a_full_field_leaves_the_cursor_where_our_terminal_does(server: int, s3270) -> None:
    """Typing fills the employee-number field: s3270 puts the cursor past the attribute that
    ends it (never on an attribute byte); the in-process `Terminal` (replay, TUI, pytest)
    must say the same, and both refuse the next character."""
    from idrs_sim.terminal.terminal import Terminal

    c = s3270()
    c.connect(server)
    c.do('String("1485012345")')
    theirs = (int(c.status[8]) + 1, int(c.status[9]) + 1)  # s3270's status is 0-origin
    term = Terminal(FakeHost("T"))
    assert term.type_text("1485012345")
    ours = (term.cursor // 80 + 1, term.cursor % 80 + 1)
    assert ours == theirs == (5, 31)
    with pytest.raises(S3270Error):
        c.do('String("6")')
    assert not term.type_text("6") and term.keyboard == "X PROT"


@needs_s3270
def test_pf_pa_and_clear_to_unformatted(server: int, s3270) -> None:
    c = s3270()
    c.connect(server)
    for action, name in [("PF(3)", "PF3"), ("PF(12)", "PF12"), ("PF(13)", "PF13"), ("PF(24)", "PF24"), ("PA(1)", "PA1"), ("PA(2)", "PA2")]:
        c.do(action)
        assert c.text(24).strip().startswith(name + " "), action
    c.do("Clear")
    assert c.status[1] == "U"  # unformatted after Clear, as on IDRS
    assert c.text(1).strip() == ""
    c.do('String("TXMOD 400-00-6789")')
    c.do("Enter")
    assert c.status[1] == "F"
    assert c.text(24).strip() == "ENTER UNFORMATTED:TXMOD 400-00-6789"


@needs_s3270
@pytest.mark.parametrize("model", ["3278-2", "3279-2-E", "3279-4-E", "3278-5"])
def test_every_model_gets_24x80(server: int, s3270, model: str) -> None:
    c = s3270(model)
    c.connect(server)
    assert (c.status[6], c.status[7]) == ("24", "80")  # Erase/Write forces the default size
    c.do('String("M")')
    c.do("Enter")
    assert c.text(24).strip() == "ENTER EMP=M PW="


@needs_s3270
def test_twenty_concurrent_sessions(s3270) -> None:
    with server_in_thread(FakeHost) as (_, port):
        clients = [s3270() for _ in range(20)]

        def drive(i: int) -> str:
            c = clients[i]
            c.connect(port)
            for round_ in range(5):
                c.do("MoveCursor1(5,20)")
                c.do("EraseEOF")
                c.do(f'String("U{i}R{round_}")')
                c.do("Enter")
                line = c.text(24).strip()
                assert line == f"ENTER EMP=U{i}R{round_} PW=", line
            return "done"

        with ThreadPoolExecutor(20) as pool:
            assert list(pool.map(drive, range(20), timeout=60)) == ["done"] * 20


@needs_s3270
def test_slow_host_call_does_not_block_other_sessions(server: int, s3270) -> None:
    slow, fast = s3270(), s3270()
    slow.connect(server)
    fast.connect(server)
    slow.do('String("SLOW")')
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slow.do, "Enter", 10)
        time.sleep(0.3)  # the slow host call is now running
        t0 = time.monotonic()
        fast.do('String("QUICK")')
        fast.do("Enter")
        took = time.monotonic() - t0
        assert fast.text(24).strip() == "ENTER EMP=QUICK PW="
        assert not pending.done()
        pending.result(timeout=10)
    assert took < 1.0
    assert slow.text(24).strip() == "ENTER EMP=SLOW PW="


# ---- misbehaving clients next to a good one ----------------------------------------------------
class RawClient:
    """A hand-rolled TN3270 client on a raw socket, to misbehave on purpose."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.parser = telnet.TelnetParser()
        self.records: list[bytes] = []
        self.commands: list[telnet.Command] = []

    def negotiate(self, ttype: bytes = b"IBM-3278-2", refuse: frozenset[int] = frozenset()) -> bytes:
        """Say yes to everything the server asks (except `refuse`); returns the first screen record."""
        deadline = time.monotonic() + 5
        try:
            while not self.records:
                assert time.monotonic() < deadline, "no first screen"
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                data = self.sock.recv(4096)
                assert data, "server closed the connection"
                for ev in self.parser.feed(data):
                    if isinstance(ev, telnet.Command) and ev.option is not None:
                        self.commands.append(ev)
                        answer = {telnet.DO: telnet.WILL, telnet.WILL: telnet.DO}.get(ev.verb)
                        if answer and ev.option in refuse:
                            answer = {telnet.WILL: telnet.WONT, telnet.DO: telnet.DONT}[answer]
                        if answer:
                            self.sock.sendall(telnet.command(answer, ev.option))
                    elif isinstance(ev, telnet.Subneg) and ev.payload == b"\x18\x01":
                        self.sock.sendall(telnet.subneg(b"\x18\x00" + ttype))
                    elif isinstance(ev, telnet.Record):
                        self.records.append(ev.data)
        except (BrokenPipeError, ConnectionResetError) as exc:
            # The server may drop us (a refused option) while we still answer the rest of
            # its requests; with unread bytes in its buffer the close arrives as a reset.
            raise AssertionError(f"server closed the connection ({exc})") from None
        return self.records.pop(0)

    def next_record(self, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not self.records:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(4096)
            assert data, "server closed the connection"
            self.records += [e.data for e in self.parser.feed(data) if isinstance(e, telnet.Record)]
        return self.records.pop(0)

    def closed_by_server(self, timeout: float) -> bool:
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(4096):
                pass
            return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionError:
            return True

    def close(self) -> None:
        self.sock.close()


@needs_s3270
def test_misbehaving_clients_are_dropped_and_good_client_keeps_working(s3270, caplog) -> None:
    caplog.set_level(logging.INFO, logger="idrs_sim.front.tn3270")
    opts = ServerOptions(negotiation_timeout=1.0, record_timeout=1.0)
    with server_in_thread(FakeHost, options=opts) as (_, port):
        good = s3270()
        good.connect(port)

        silent = RawClient(port)  # never negotiates
        noisy = RawClient(port)  # sends garbage instead of negotiating
        noisy.sock.sendall(bytes(range(256)) * 4 + b"\xff\xfa" + b"x" * 2000)
        halfway = RawClient(port)  # negotiates, then stops mid-record
        halfway.negotiate()
        halfway.sock.sendall(b"\x7d" + encode_address(0) + b"\x11")
        badaid = RawClient(port)  # negotiates, then sends records that are not Read Modified
        first = badaid.negotiate()
        badaid.sock.sendall(telnet.frame_record(b"\x00garbage") + telnet.frame_record(b"\x7d\x40"))
        again = badaid.next_record()
        assert again[0] == 0xF5 and again[1] == 0xC7  # screen re-sent, keyboard restored, alarm
        assert again[2:] == first[2:]
        assert badaid.next_record()[2:] == first[2:]

        for i in range(6):  # the good client keeps working while the others misbehave
            good.do("MoveCursor1(5,20)")
            good.do("EraseEOF")
            good.do(f'String("G{i}")')
            good.do("Enter", timeout=5)
            assert good.text(24).strip() == f"ENTER EMP=G{i} PW="
            time.sleep(0.25)

        assert silent.closed_by_server(3.0)
        assert noisy.closed_by_server(3.0)
        assert halfway.closed_by_server(3.0)
        badaid.sock.sendall(telnet.frame_record(b"\x7d" + encode_address(0)))
        assert badaid.next_record()[1] == 0xC3  # still served after its bad records
        for c in (silent, noisy, halfway, badaid):
            c.close()

        good.do("Enter")
        assert good.text(24).strip() == "ENTER EMP=G5 PW="

    messages = [r.getMessage() for r in caplog.records]
    assert sum("dropped: negotiation failed" in m for m in messages) >= 2, messages
    assert any("dropped: record unfinished" in m for m in messages), messages
    assert sum("sent a bad record" in m for m in messages) == 2, messages


@pytest.mark.parametrize("ttype", [b"IBM-3278-2-E", b"IBM-3279-2", b"IBM-3278-4", b"IBM-DYNAMIC", b"VT100", b""])
def test_any_terminal_type_is_accepted(server: int, ttype: bytes) -> None:
    raw = RawClient(server)
    first = raw.negotiate(ttype=ttype)
    assert first[:2] == b"\xf5\xc3"  # Erase/Write: 24x80 whatever the type
    raw.close()


def test_tn3270e_is_refused_and_plain_tn3270_follows(server: int) -> None:
    raw = RawClient(server)
    # A client that volunteers TN3270E both ways, and EOR before being asked.
    raw.sock.sendall(telnet.command(telnet.WILL, telnet.OPT_TN3270E) + telnet.command(telnet.DO, telnet.OPT_TN3270E))
    raw.sock.sendall(telnet.command(telnet.DO, telnet.OPT_EOR) + telnet.command(telnet.WILL, telnet.OPT_EOR))
    first = raw.negotiate()
    assert telnet.Command(telnet.DONT, telnet.OPT_TN3270E) in raw.commands
    assert telnet.Command(telnet.WONT, telnet.OPT_TN3270E) in raw.commands
    # No loops: the volunteered EOR was agreed once each way, never re-asked.
    assert raw.commands.count(telnet.Command(telnet.WILL, telnet.OPT_EOR)) == 1
    assert raw.commands.count(telnet.Command(telnet.DO, telnet.OPT_EOR)) == 1
    assert first[0] == 0xF5
    raw.sock.sendall(telnet.frame_record(b"\x7d" + encode_address(0) + b"\x11" + encode_address(FakeHost.EMP + 1) + b"\xc1\xc2"))
    assert "ENTER EMP=AB".encode("cp037") in raw.next_record()
    raw.close()


@pytest.mark.parametrize("option", [telnet.OPT_TTYPE, telnet.OPT_EOR, telnet.OPT_BINARY])
def test_client_refusing_3270_options_is_dropped(option: int, caplog) -> None:
    caplog.set_level(logging.INFO, logger="idrs_sim.front.tn3270")
    with server_in_thread(FakeHost, options=ServerOptions(negotiation_timeout=2.0)) as (_, port):
        raw = RawClient(port)
        with pytest.raises(AssertionError, match="closed"):
            raw.negotiate(refuse=frozenset({option}))
        raw.close()
    assert any("negotiation failed: client refused" in r.getMessage() for r in caplog.records)


def test_client_that_stops_reading_is_dropped(caplog) -> None:
    caplog.set_level(logging.INFO, logger="idrs_sim.front.tn3270")
    with server_in_thread(FakeHost, options=ServerOptions(write_timeout=1.0)) as (_, port):
        raw = RawClient(port)
        raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.negotiate()
        enter = telnet.frame_record(b"\x7d" + encode_address(0))
        deadline = time.monotonic() + 10
        raw.sock.settimeout(0.05)
        dropped = False
        while time.monotonic() < deadline and not dropped:  # press Enter, never read a screen
            try:
                raw.sock.sendall(enter * 50)
            except (socket.timeout, TimeoutError):
                pass
            except ConnectionError:
                dropped = True
            dropped = dropped or any("write failed" in r.getMessage() for r in caplog.records)
        raw.close()
    assert dropped


@needs_s3270
def test_idle_timeout_drops_quiet_client_but_not_by_default(s3270) -> None:
    with server_in_thread(FakeHost, options=ServerOptions(idle_timeout=0.5)) as (_, port):
        c = s3270()
        c.connect(port)
        c.do("Wait(5,Disconnect)", timeout=8)
        assert c.status[3] == "N"  # dropped by the server after 0.5 s of silence
    with server_in_thread(FakeHost) as (_, port):
        raw = RawClient(port)
        raw.negotiate()
        assert not raw.closed_by_server(1.0)  # silence between records is fine
        raw.close()


# ---- tnz (IBM's pure-Python client) ----------------------------------------------------------------
def drive_tnz(port: int, script, wait_timeout: float = 5.0, hang_after: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Run `script(tn, wait_for)` with a tnz client connected to `port`.

    tnz drives its own event loop, so it gets a thread of its own; an error in the script
    is raised again here, and a client that hangs fails the test.  `wait_for(pred)` waits
    until `pred()` holds, failing with the screen when it does not in `wait_timeout` s.
    """
    tnz_mod = pytest.importorskip("tnz.tnz")
    failure: list[BaseException] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        tn = tnz_mod.Tnz()
        tn.encoding = "cp037"
        try:
            tn.connect("127.0.0.1", port)

            def wait_for(pred, timeout: float = wait_timeout) -> None:  # type: ignore[no-untyped-def]
                end = time.monotonic() + timeout
                while not pred():
                    left = end - time.monotonic()
                    if left <= 0 or tn.seslost:
                        raise AssertionError(f"tnz: timed out; screen:\n{tn.scrstr(0, 0)}")
                    tn.wait(left)

            script(tn, wait_for)
        except BaseException as exc:  # surfaced in the test thread
            failure.append(exc)
        finally:
            tn.close()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(hang_after)
    assert not t.is_alive(), "tnz client hung"
    if failure:
        raise failure[0]


def test_tnz_client(server: int, monkeypatch) -> None:
    monkeypatch.setenv("SESSION_SSL", "0")
    result: dict[str, object] = {}

    def script(tn, wait_for) -> None:  # type: ignore[no-untyped-def]
        wait_for(lambda: "IDRS TEST SIGN-ON" in tn.scrstr(0, 0))
        result["cursor"] = tn.curadd
        result["size"] = (tn.maxrow, tn.maxcol)
        tn.key_data("98765")
        tn.enter()
        wait_for(lambda: "ENTER EMP=" in tn.scrstr(23 * 80, 0))
        result["enter"] = tn.scrstr(23 * 80, 0).strip()
        tn.pf7()
        wait_for(lambda: "PF7" in tn.scrstr(23 * 80, 0))
        result["pf7"] = tn.scrstr(23 * 80, 0).strip()

    drive_tnz(server, script)
    assert result["cursor"] == address(5, 20)
    assert result["size"] == (24, 80)
    assert result["enter"] == "ENTER EMP=98765 PW="
    assert result["pf7"] == "PF7 EMP=98765 PW="


# ---- the blocking entry point ---------------------------------------------------------------------
SERVER_SCRIPT = """
import sys
sys.path.insert(0, {repo!r})
sys.path.insert(0, {tests!r})
from test_tn3270_s3270 import FakeHost
from idrs_sim.front.tn3270.server import run_server
sys.exit(run_server(FakeHost, "127.0.0.1", 0))
"""


@needs_s3270
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_server_prints_address_and_exits_0_on_signal(s3270, sig: signal.Signals) -> None:
    code = SERVER_SCRIPT.format(repo=str(REPO), tests=str(REPO / "tests"))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        assert ready, "server printed nothing"
        line = proc.stdout.readline().rstrip("\n")
        m = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert m, line
        port = int(m.group(1))
        assert port != 0
        c = s3270()
        c.connect(port)
        c.do('String("SIG")')
        c.do("Enter")
        assert c.text(24).strip() == "ENTER EMP=SIG PW="
        proc.send_signal(sig)
        assert proc.wait(10) == 0
        c.do("Wait(5,Disconnect)")
        assert c.status[3] == "N"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_run_server_port_in_use_is_one_line_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = SERVER_SCRIPT.format(repo=str(REPO), tests=str(REPO / "tests")).replace('"127.0.0.1", 0', f'"127.0.0.1", {port}')
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "cannot listen on" in done.stderr
