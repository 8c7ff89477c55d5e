"""Telnet for TN3270 (RFC 1576), the wire: commands, options, IAC escaping and EOR framing.

The telnet needs of a 3270 session are three options (TERMINAL-TYPE, END-OF-RECORD,
BINARY) and record framing, not a general telnet stack.  TN3270E (option 40) is
refused; every 3270 client falls back to plain TN3270, which carries everything IDRS
needs.

Pure (bytes in, events out; no sockets), so the framing and its limits can be tested
alone: `TelnetParser` splits what a client sends, `frame_record` / `command` /
`subneg` build what goes back.  `telnet_connection.TelnetConnection` adds the stream,
the option negotiation and the timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass

IAC = 0xFF
DONT = 0xFE
DO = 0xFD
WONT = 0xFC
WILL = 0xFB
SB = 0xFA
GA = 0xF9
NOP = 0xF1
SE = 0xF0
EOR = 0xEF

OPT_BINARY = 0x00
OPT_TTYPE = 0x18
OPT_EOR = 0x19
OPT_TN3270E = 0x28

TTYPE_IS = 0x00
TTYPE_SEND = 0x01

VERB_NAMES = {DO: "DO", DONT: "DONT", WILL: "WILL", WONT: "WONT"}
OPTION_NAMES = {OPT_BINARY: "BINARY", OPT_TTYPE: "TERMINAL-TYPE", OPT_EOR: "EOR", OPT_TN3270E: "TN3270E"}


def option_name(opt: int) -> str:
    return OPTION_NAMES.get(opt, str(opt))

READ_SIZE = 16 * 1024  # one read takes a whole Read Modified (an unformatted 24x80 screen is ~2 KiB)
MAX_RECORD = 64 * 1024  # a 24x80 Read Modified is under 2 KiB; anything near this is abuse
MAX_SUBNEG = 1024


class TelnetError(Exception):
    """The peer broke the telnet protocol or refused what a 3270 session needs."""


class NegotiationError(TelnetError):
    """The client did not agree to TERMINAL-TYPE, EOR and BINARY."""


class RecordTimeout(TelnetError):
    """A record was started but not finished in time (or the client went idle too long)."""


class IdleTimeout(RecordTimeout):
    """The client sent nothing for `idle_timeout` between records."""


class ConnectionClosed(TelnetError):
    """The client closed the connection."""


# ---- pure parsing -----------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """IAC <verb> [option]: option negotiation (DO/DONT/WILL/WONT) or a bare command (NOP, AYT...)."""

    verb: int
    option: int | None = None


@dataclass(frozen=True)
class Subneg:
    """IAC SB ... IAC SE, payload unescaped (first byte is the option)."""

    payload: bytes


@dataclass(frozen=True)
class Record:
    """One 3270 data-stream record: bytes up to IAC EOR, IAC IAC unescaped."""

    data: bytes


Event = Command | Subneg | Record

_DATA, _IAC, _OPT, _SB, _SB_IAC = range(5)


class TelnetParser:
    """Splits an inbound byte stream into telnet commands, subnegotiations and records."""

    def __init__(self, max_record: int = MAX_RECORD) -> None:
        self._state = _DATA
        self._verb = 0
        self._record = bytearray()
        self._sub = bytearray()
        self._max_record = max_record

    @property
    def has_data(self) -> bool:
        """True once data bytes (not telnet commands) of an unfinished record have arrived."""
        return bool(self._record)

    @property
    def pending(self) -> bool:
        """True while a record, command or subnegotiation has started but not ended."""
        return bool(self._record) or self._state != _DATA

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        i, n = 0, len(data)
        record = self._record
        while i < n:
            st = self._state
            if st == _DATA:
                # The bulk of a record is plain data: copy everything up to the next IAC at once.
                j = data.find(b"\xff", i)
                end = n if j < 0 else j
                if end > i:
                    record += data[i:end]
                    if len(record) > self._max_record:
                        raise TelnetError(f"record longer than {self._max_record} bytes")
                if j < 0:
                    break
                self._state = _IAC
                i = j + 1
                continue
            b = data[i]
            i += 1
            if st == _IAC:
                if b == IAC:  # escaped 0xFF data byte: counts against the limit like any other
                    record.append(IAC)
                    if len(record) > self._max_record:
                        raise TelnetError(f"record longer than {self._max_record} bytes")
                    self._state = _DATA
                elif b == EOR:
                    events.append(Record(bytes(record)))
                    record.clear()
                    self._state = _DATA
                elif b == SB:
                    self._sub.clear()
                    self._state = _SB
                elif b in (DO, DONT, WILL, WONT):
                    self._verb = b
                    self._state = _OPT
                else:  # NOP, GA, AYT, ...: no option byte
                    events.append(Command(b))
                    self._state = _DATA
            elif st == _OPT:
                events.append(Command(self._verb, b))
                self._state = _DATA
            elif st == _SB:
                if b == IAC:
                    self._state = _SB_IAC
                else:
                    self._sub.append(b)
                    if len(self._sub) > MAX_SUBNEG:
                        raise TelnetError("subnegotiation too long")
            else:  # _SB_IAC
                if b == SE:
                    events.append(Subneg(bytes(self._sub)))
                    self._state = _DATA
                elif b == IAC:
                    self._sub.append(IAC)
                    if len(self._sub) > MAX_SUBNEG:
                        raise TelnetError("subnegotiation too long")
                    self._state = _SB
                else:  # IAC <other> inside SB: malformed; keep reading the subnegotiation
                    self._state = _SB
        return events


def escape_iac(data: bytes) -> bytes:
    """Double every 0xFF so data cannot be read as a telnet command."""
    return data.replace(b"\xff", b"\xff\xff")


def frame_record(data: bytes) -> bytes:
    """A 3270 record as it goes on the wire: escaped, then IAC EOR."""
    return escape_iac(data) + bytes((IAC, EOR))


def command(verb: int, option: int) -> bytes:
    return bytes((IAC, verb, option))


def subneg(payload: bytes) -> bytes:
    return bytes((IAC, SB)) + escape_iac(payload) + bytes((IAC, SE))
