"""The 3270 data stream codec and the telnet framing, without sockets.

The Erase/Write parser below is deliberately tiny and independent of codec.py (its own
address decoding, its own order handling), so a round trip through it checks the
encoder against the 3270 rules rather than against itself.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idrs_sim.front.tn3270 import codec, telnet
from idrs_sim.front.tn3270.codec import DecodeError, decode_address, decode_read, encode_address, encode_read, encode_screen
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screen import SIZE, Field, Screen, address

# ---- a test-side Erase/Write parser -----------------------------------------------
_TABLE = [
    0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
]  # fmt: skip


def _addr(b1: int, b2: int) -> int:
    if b1 >> 6 == 0:
        return ((b1 & 0x3F) << 8) | b2
    return ((b1 & 0x3F) << 6) | (b2 & 0x3F)


def parse_erase_write(data: bytes) -> tuple[list[str], dict[int, int], int, int]:
    """(chars, {attr address: 6 attribute bits}, cursor, wcc) drawn by an Erase/Write record."""
    assert data[0] == 0xF5, f"not Erase/Write: {data[0]:02X}"
    wcc = data[1]
    chars = ["\0"] * SIZE
    attrs: dict[int, int] = {}
    ba, cursor, i = 0, 0, 2
    while i < len(data):
        b = data[i]
        if b == 0x11:  # SBA
            ba = _addr(data[i + 1], data[i + 2])
            i += 3
        elif b == 0x1D:  # SF
            attrs[ba] = _TABLE.index(data[i + 1])
            chars[ba] = " "
            ba, i = (ba + 1) % SIZE, i + 2
        elif b == 0x29:  # SFE: count, then type/value pairs
            n = data[i + 1]
            pairs = dict(zip(data[i + 2 : i + 2 + 2 * n : 2], data[i + 3 : i + 3 + 2 * n : 2]))
            attrs[ba] = _TABLE.index(pairs.get(0xC0, 0x40))
            chars[ba] = " "
            ba, i = (ba + 1) % SIZE, i + 2 + 2 * n
        elif b == 0x13:  # IC
            cursor = ba
            i += 1
        else:
            assert b == 0x00 or b >= 0x40, f"unexpected order {b:02X} at {i}"
            chars[ba] = "\0" if b == 0 else bytes((b,)).decode("cp037")
            ba, i = (ba + 1) % SIZE, i + 1
    return chars, attrs, cursor, wcc


# ---- addresses ----------------------------------------------------------------------
def test_known_addresses() -> None:
    # Values every 3270 programmer knows: row 1 col 1, row 24 col 80, and (2,1).
    assert encode_address(0) == b"\x40\x40"
    assert encode_address(80) == b"\xc1\x50"
    assert encode_address(1919) == b"\x5d\x7f"
    assert encode_address(1919, fourteen_bit=True) == b"\x07\x7f"
    assert decode_address(0x5D, 0x7F) == 1919
    assert decode_address(0x07, 0x7F) == 1919


@given(st.integers(0, SIZE - 1))
def test_every_address_round_trips_12_bit(addr: int) -> None:
    enc = encode_address(addr)
    assert all(b in _TABLE for b in enc)
    assert decode_address(*enc) == addr == _addr(*enc)


@given(st.integers(0, SIZE - 1))
def test_every_address_round_trips_14_bit(addr: int) -> None:
    enc = encode_address(addr, fourteen_bit=True)
    assert enc[0] >> 6 == 0
    assert decode_address(*enc) == addr


def test_all_1920_addresses_exhaustively() -> None:
    for a in range(SIZE):
        assert decode_address(*encode_address(a)) == a
        assert decode_address(*encode_address(a, fourteen_bit=True)) == a


def test_address_out_of_range() -> None:
    with pytest.raises(ValueError):
        encode_address(4096)
    with pytest.raises(ValueError):
        encode_address(-1)


# ---- screens out ------------------------------------------------------------------------
SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;-/*()$#@&%'=+<>?!|_\"\0"


@st.composite
def screens(draw: st.DrawFn) -> Screen:
    scr = Screen()
    scr.chars = [draw(st.sampled_from([" ", "\0"]))] * SIZE
    # Random runs of text laid anywhere (wrapping), cheaper to draw than 1920 characters.
    for start, text in draw(st.lists(st.tuples(st.integers(0, SIZE - 1), st.text(alphabet=SAFE, max_size=120)), max_size=30)):
        for k, ch in enumerate(text):
            scr.chars[(start + k) % SIZE] = ch
    n = draw(st.integers(0, 40))
    for a in draw(st.lists(st.integers(0, SIZE - 1), min_size=n, max_size=n, unique=True)):
        scr.add_field(Field.from_bits(a, draw(st.integers(0, 0x3F)) & 0x3D))  # any valid bits
    scr.cursor = draw(st.integers(0, SIZE - 1))
    return scr


@settings(max_examples=150, deadline=None)
@given(screens())
def test_random_screens_round_trip(scr: Screen) -> None:
    chars, attrs, cursor, wcc = parse_erase_write(encode_screen(scr))
    assert wcc == 0xC3
    assert cursor == scr.cursor
    assert attrs == {a: f.attribute_bits() for a, f in scr.fields.items()}
    expected = scr.chars if scr.fields else [c.replace("\0", " ") for c in scr.chars]
    for a in range(SIZE):
        if a not in attrs:
            assert chars[a] == expected[a], a


def test_screen_layout_is_go3270_shaped() -> None:
    scr = Screen()
    scr.add_input(5, 20, 10, name="emp", value="12345")
    scr.cursor = address(5, 20)
    data = encode_screen(scr)
    # Erase/Write, WCC C3, SBA(5,19) SF(unprotected) then the value.
    assert data[:2] == b"\xf5\xc3"
    assert data[2:7] == b"\x11" + encode_address(address(5, 19)) + b"\x1d\x40"
    assert data[7:12] == "12345".encode("cp037")
    assert data.endswith(b"\x11" + encode_address(address(5, 20)) + b"\x13")


def test_unencodable_and_order_like_characters_become_question_marks() -> None:
    scr = Screen.unformatted("A€B\x11C\x1dD\u4e2d")
    chars, _, _, _ = parse_erase_write(encode_screen(scr))
    assert "".join(chars[:8]) == "A?B?C?D?"


def test_erase_write_alternate_and_extended_highlighting() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 5, name="t")
    data = encode_screen(scr, alternate=True, highlight={0: "reverse"})
    assert data[0] == 0x7E
    assert b"\x29\x02\xc0\x60\x41\xf2" in data  # SFE(3270=protected, highlighting=reverse)


def test_wcc_values() -> None:
    assert codec.wcc() == 0xC3
    assert codec.wcc(alarm=True) == 0xC7
    assert codec.wcc(reset_mdt=False) == 0xC2


# ---- Read Modified in -----------------------------------------------------------------------
def test_enter_with_two_fields() -> None:
    rec = b"\x7d" + encode_address(339) + b"\x11" + encode_address(339) + "12345".encode("cp037")
    rec += b"\x11" + encode_address(420) + "SECRET  ".encode("cp037") + b"\x00\x00"
    ev = decode_read(rec, formatted=True)
    assert ev == AidEvent(Aid.ENTER, 339, {338: "12345", 419: "SECRET"})


def test_field_data_at_address_zero_belongs_to_attribute_1919() -> None:
    rec = b"\xf3" + encode_address(0) + b"\x11" + encode_address(0) + b"\xc1"
    assert decode_read(rec, formatted=True).modified == {1919: "A"}


def test_fourteen_bit_addresses_accepted() -> None:
    rec = b"\x7d" + encode_address(100, fourteen_bit=True) + b"\x11" + encode_address(101, fourteen_bit=True) + b"\xc1"
    ev = decode_read(rec, formatted=True)
    assert (ev.cursor, ev.modified) == (100, {100: "A"})


@pytest.mark.parametrize(
    "byte,aid",
    [(0x6D, Aid.CLEAR), (0x6C, Aid.PA1), (0x6E, Aid.PA2), (0x6B, Aid.PA3)],
)
def test_short_reads(byte: int, aid: Aid) -> None:
    ev = decode_read(bytes((byte,)), formatted=True)
    assert ev.aid is aid and ev.modified == {} and ev.unformatted is None


def test_every_aid_byte_maps() -> None:
    pf = [0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C]
    pf += [0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C]
    for n, b in enumerate(pf, start=1):
        assert decode_read(bytes((b,)) + encode_address(0), formatted=True).aid is Aid.pf(n)
    assert len(codec.AIDS_BY_BYTE) == 29


def test_no_modified_fields() -> None:
    ev = decode_read(b"\x7d" + encode_address(5), formatted=True)
    assert ev == AidEvent(Aid.ENTER, 5)


def test_unformatted_reply_without_sbas_is_laid_from_zero() -> None:
    text = "TXMOD 400-00-6789".ljust(80) + " " * (SIZE - 80)
    rec = b"\x7d" + encode_address(17) + text.encode("cp037")
    ev = decode_read(rec, formatted=False)
    assert ev.unformatted is not None and len(ev.unformatted) == SIZE
    assert ev.unformatted[:17] == "TXMOD 400-00-6789"
    assert ev.modified == {}


def test_unformatted_reply_with_sba_and_nulls() -> None:
    rec = b"\x7d" + encode_address(0) + b"\x11" + encode_address(160) + b"\xc1\x00\xc2"
    ev = decode_read(rec, formatted=False)
    assert ev.unformatted is not None
    assert ev.unformatted[160:162] == "AB" and ev.unformatted[:160].strip() == ""


@pytest.mark.parametrize(
    "rec,why",
    [
        (b"", "empty"),
        (b"\x00\x40\x40", "unknown AID"),
        (b"\x88\x00\x05", "unknown AID"),  # a query reply we never asked for
        (b"\x7d\x40", "truncated cursor"),
        (b"\x7d\x40\x40\x11\x40", "truncated SBA"),
        (b"\x7d\x40\x40\xc1", "data without an SBA"),
        (b"\x7d\x3f\xff", "off the 24x80 screen"),
    ],
)
def test_garbage_raises_decode_error(rec: bytes, why: str) -> None:
    with pytest.raises(DecodeError):
        decode_read(rec, formatted=True)


FIELD_TEXT = st.text(alphabet=SAFE.replace("\0", ""), max_size=79).map(lambda s: s.rstrip(" "))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([a for a in Aid if not a.short_read]),
    st.integers(0, SIZE - 1),
    st.dictionaries(st.integers(0, SIZE - 1), FIELD_TEXT, max_size=10),
)
def test_read_modified_round_trips(aid: Aid, cursor: int, modified: dict[int, str]) -> None:
    ev = AidEvent(aid, cursor, modified)
    assert decode_read(encode_read(ev), formatted=True) == ev


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=SAFE.replace("\0", ""), min_size=SIZE, max_size=SIZE), st.integers(0, SIZE - 1))
def test_unformatted_round_trips(buffer: str, cursor: int) -> None:
    ev = AidEvent(Aid.ENTER, cursor, unformatted=buffer)
    assert decode_read(encode_read(ev), formatted=False) == ev


# ---- telnet framing ------------------------------------------------------------------------
def test_iac_escaping_round_trips_through_the_parser() -> None:
    payload = bytes(range(256)) * 3
    p = telnet.TelnetParser()
    events = p.feed(telnet.frame_record(payload))
    assert events == [telnet.Record(payload)]
    assert not p.pending


@given(st.binary(max_size=300), st.integers(1, 50))
def test_records_survive_any_chunking(payload: bytes, chunk: int) -> None:
    wire = telnet.frame_record(payload) + telnet.frame_record(payload[::-1])
    p = telnet.TelnetParser()
    got: list[telnet.Event] = []
    for i in range(0, len(wire), chunk):
        got += p.feed(wire[i : i + chunk])
    assert got == [telnet.Record(payload), telnet.Record(payload[::-1])]


def test_parser_commands_subnegotiation_and_pending() -> None:
    p = telnet.TelnetParser()
    ev = p.feed(b"\xff\xfb\x18\xff\xfa\x18\x00IBM-3278-2-E\xff\xf0\xff\xf1\x7d\x40")
    assert ev == [telnet.Command(telnet.WILL, 0x18), telnet.Subneg(b"\x18\x00IBM-3278-2-E"), telnet.Command(telnet.NOP)]
    assert p.pending  # a record has started
    assert p.feed(b"\x40\xff\xef") == [telnet.Record(b"\x7d\x40\x40")]
    assert not p.pending


def test_parser_rejects_endless_records() -> None:
    p = telnet.TelnetParser(max_record=100)
    with pytest.raises(telnet.TelnetError):
        p.feed(b"x" * 101)
