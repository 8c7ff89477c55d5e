"""The fast codec paths give exactly the bytes and events of the plain implementations.

`encode_screen` converts the whole buffer with translation tables and slices it per
field, and `decode_read` lays an unformatted reply as string slices; the reference
functions below are the straightforward versions they replaced (the charmap codec,
position-by-position laying).  Random screens and records, with characters outside
code page 037 and Latin-1, NULs, order bytes, highlighting and fields that wrap, must
come out identical.
"""

from __future__ import annotations

import random

import pytest

from idrs_sim.front.tn3270 import codec
from idrs_sim.front.tn3270.codec import decode_read, encode_screen
from idrs_sim.terminal.aid import AidEvent
from idrs_sim.terminal.screen import SIZE, Field, Screen

pytestmark = pytest.mark.tn3270

ALPHABET = "ABCXYZ abc019-/*?\0\0\0   \x01\x1d\x7f\xa0\xe9\xff\u0100\u20ac\u4e2d\U0001f600[]^"


# ---- the reference implementations --------------------------------------------------------
def ref_encode_text(text: str) -> bytes:
    return text.encode("cp037", "replace").translate(codec._SANITIZE)


def ref_decode_text(data: bytes) -> str:
    return data.replace(b"\x00", b"").translate(codec._SANITIZE).decode("cp037")


def ref_encode_screen(screen: Screen, wcc: int = codec.WCC_DEFAULT, alternate: bool = False,
                      highlight: dict[int, str] | None = None) -> bytes:
    out = bytearray((codec.CMD_ERASE_WRITE_ALTERNATE if alternate else codec.CMD_ERASE_WRITE, wcc))
    if not screen.fields:
        out.append(codec.ORDER_SBA)
        out += codec.encode_address(0)
        out += ref_encode_text("".join(screen.chars).replace("\0", " "))
    else:
        addrs = sorted(screen.fields)
        twice = "".join(screen.chars) * 2
        for i, a in enumerate(addrs):
            out.append(codec.ORDER_SBA)
            out += codec.encode_address(a)
            attr = codec.CODE_TABLE[screen.fields[a].attribute_bits()]
            hl = (highlight or {}).get(a)
            if hl is not None:
                out += bytes((codec.ORDER_SFE, 2, codec.XA_3270, attr, codec.XA_HIGHLIGHTING, codec.HIGHLIGHT[hl]))
            else:
                out += bytes((codec.ORDER_SF, attr))
            nxt = addrs[i + 1] if i + 1 < len(addrs) else addrs[0] + SIZE
            out += ref_encode_text(twice[a + 1 : nxt].rstrip("\0"))
    out.append(codec.ORDER_SBA)
    out += codec.encode_address(screen.cursor % SIZE)
    out.append(codec.ORDER_IC)
    return bytes(out)


def ref_lay(event: AidEvent, data: bytes) -> str:
    """The unformatted buffer, laid position by position from the record's runs."""
    buf = [" "] * SIZE
    pos, i = 0, 3
    run = bytearray()

    def flush(pos: int) -> None:
        for ch in ref_decode_text(bytes(run)):
            buf[pos % SIZE] = ch
            pos += 1

    while i < len(data):
        b = data[i]
        if b == codec.ORDER_SBA:
            flush(pos)
            run.clear()
            pos = codec.decode_address(data[i + 1], data[i + 2])
            i += 3
        elif b == codec.ORDER_SA:
            i += 3
        elif b == codec.ORDER_GE:
            run.append(codec._QUESTION)
            i += 2
        else:
            run.append(b)
            i += 1
    flush(pos)
    return "".join(buf)


# ---- random inputs ----------------------------------------------------------------------
def random_screen(rng: random.Random) -> Screen:
    scr = Screen()
    scr.chars = [rng.choice(ALPHABET) for _ in range(SIZE)]
    for a in rng.sample(range(SIZE), rng.choice((0, 0, 1, 2, 5, 40))):
        scr.add_field(Field.from_bits(a, rng.randrange(64) & 0x3D))
    for a in scr.fields:  # some fields end in NULs, some are all NULs
        for k in range(rng.choice((0, 3, 90))):
            scr.chars[(a - k - 1) % SIZE] = "\0" if (a - k - 1) % SIZE not in scr.fields else " "
    scr.cursor = rng.randrange(SIZE * 2)
    return scr


def test_encode_text_matches_the_charmap_codec_for_every_latin1_character() -> None:
    every = "".join(chr(c) for c in range(256))
    assert codec.encode_text(every) == ref_encode_text(every)
    data = bytes(range(256))
    assert codec.decode_text(data) == ref_decode_text(data)
    assert codec.encode_text(ALPHABET) == ref_encode_text(ALPHABET)


def test_encode_screen_matches_the_reference_on_random_screens() -> None:
    rng = random.Random(3270)
    for _ in range(400):
        scr = random_screen(rng)
        hl = {a: rng.choice(list(codec.HIGHLIGHT)) for a in scr.fields if rng.random() < 0.3} or None
        wcc = rng.choice((codec.WCC_DEFAULT, codec.wcc(alarm=True)))
        alternate = rng.random() < 0.1
        got = encode_screen(scr, wcc=wcc, alternate=alternate, highlight=hl)
        assert got == ref_encode_screen(scr, wcc, alternate, hl)


def test_encode_screen_of_a_malformed_buffer_is_unchanged() -> None:
    scr = Screen()
    scr.add_field(Field(5, protected=True))
    scr.add_field(Field(100))
    scr.chars[7] = "ab"  # two characters in one position: positions shift, as they always did
    assert encode_screen(scr) == ref_encode_screen(scr)
    scr.chars = scr.chars[:1000]
    assert encode_screen(scr) == ref_encode_screen(scr)


def random_record(rng: random.Random) -> bytes:
    out = bytearray((0x7D,)) + codec.encode_address(rng.randrange(SIZE))
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.3:
            out.append(codec.ORDER_SBA)
            out += codec.encode_address(rng.randrange(SIZE))
        elif kind < 0.4:
            out += bytes((codec.ORDER_SA, 0x41, 0xF1))
        elif kind < 0.5:
            out += bytes((codec.ORDER_GE, 0xAD))
        else:
            out += bytes(rng.choice((0x00, 0x40, 0xC1, 0xF9, 0x4A, 0x3F, 0xFF, 0x7F, 0x05))
                         for _ in range(rng.choice((0, 1, 17, 80, 1919, 1920, 2500, 4000))))
    return bytes(out)


def test_decode_read_lays_unformatted_replies_as_the_reference() -> None:
    rng = random.Random(1920)
    for _ in range(600):
        rec = random_record(rng)
        ev = decode_read(rec, formatted=False)
        assert ev.unformatted == ref_lay(ev, rec)
