"""A minimal blocking TN3270 client on a raw socket, for the hardening tests and the soak suite.

It negotiates as a 3278-2 (TERMINAL-TYPE, EOR, BINARY), reads records up to IAC EOR and
sends Read Modified replies built with the project's own codec.  Every socket call has a
timeout, so a test can never hang on it.  Only 127.0.0.1 is ever dialled.
"""

from __future__ import annotations

import socket
import time

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.codec import decode_text, encode_read
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screen import address

T = telnet


class RawClient:
    """One TN3270 connection to 127.0.0.1:`port`; `records` collects what the server sent."""

    def __init__(self, port: int, timeout: float = 10.0, negotiate: bool = True) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.parser = T.TelnetParser(max_record=1 << 20)
        self.records: list[bytes] = []
        self.raw = bytearray()  # everything received, for clients that never negotiate
        if negotiate:
            self.negotiate()

    def _answer(self, ev: telnet.Event) -> None:
        if isinstance(ev, T.Command) and ev.option is not None:
            if ev.verb == T.DO:
                self.sock.sendall(T.command(T.WILL, ev.option))
            elif ev.verb == T.WILL:
                self.sock.sendall(T.command(T.DO, ev.option))
        elif isinstance(ev, T.Subneg) and ev.payload == bytes((T.OPT_TTYPE, T.TTYPE_SEND)):
            self.sock.sendall(T.subneg(bytes((T.OPT_TTYPE, T.TTYPE_IS)) + b"IBM-3278-2"))
        elif isinstance(ev, T.Record):
            self.records.append(ev.data)

    def pump(self, deadline: float) -> bool:
        """Read once (until `deadline`); False when the server closed the connection."""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        self.raw += chunk
        for ev in self.parser.feed(chunk):
            self._answer(ev)
        return True

    def negotiate(self) -> None:
        """Answer the server until the first screen has arrived."""
        self.next_record()

    def next_record(self) -> bytes:
        """The next 3270 record from the server (AssertionError on close or timeout)."""
        deadline = time.monotonic() + self.timeout
        while not self.records:
            if time.monotonic() > deadline:
                raise AssertionError("no record from the server in time")
            if not self.pump(deadline):
                raise AssertionError("the server closed the connection")
        return self.records.pop(0)

    def send_record(self, data: bytes) -> None:
        self.sock.sendall(T.frame_record(data))

    def enter(self, fields: dict[int, str], cursor: int = 0) -> bytes:
        """Press Enter with `fields` (attribute address -> text) modified; returns the answer."""
        self.send_record(encode_read(AidEvent(Aid.ENTER, cursor, fields)))
        return self.next_record()

    def wait_closed(self, timeout: float = 10.0) -> bool:
        """Read until the server closes the connection; False if it is still open at `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pump(deadline):
                return True
        return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def screen_text(record: bytes) -> str:
    """The printable text of an Erase/Write record (orders and addresses show as noise)."""
    return decode_text(record[2:])


# The sign-on map's input fields (screens/signon.map): attribute addresses.
def signon_fields(employee: str, password: str) -> dict[int, str]:
    from idrs_sim.terminal.screenmap import load_map

    scr = load_map("signon").render({"date": "", "cycle": "", "terminal": ""}, message="")
    emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
    assert emp is not None and pw is not None
    return {emp.addr: employee, pw.addr: password}


__all__ = ["RawClient", "address", "screen_text", "signon_fields"]
