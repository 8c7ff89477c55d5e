"""The 3270 data stream as pure functions: screens out, Read Modified replies in.

Nothing here touches a socket or telnet; `telnet.py` frames these bytes into records
and the server (`session.py`, `key.py`) moves them.  Everything is written for the IDRS geometry, 24x80:

* Output always uses **Erase/Write** (0xF5), never Erase/Write Alternate.  Erase/Write
  switches the client to its *default* screen size, which is 24x80 for every 3270
  model, so a client that negotiated a model 4 (43x80, the x3270 default) still shows
  exactly the IDRS screen.  `encode_screen(..., alternate=True)` exists for a future
  larger screen, but nothing in IDRS uses it.
* Addresses go out 12-bit (through the 6-bit graphic translation table), the only
  form a 1920-position buffer needs.  Input accepts 12-bit and 14-bit.
* Text is EBCDIC code page 037 (Python's ``cp037``), which is also x3270's ``cp037``.
  Characters 037 cannot carry, and characters that would land on a 3270 order or
  control byte, go out as ``?``.
"""

from __future__ import annotations

from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screen import SIZE, Screen

ENCODING = "cp037"

# ---- commands, orders, WCC -------------------------------------------------
CMD_WRITE = 0xF1
CMD_ERASE_WRITE = 0xF5
CMD_ERASE_WRITE_ALTERNATE = 0x7E

ORDER_SF = 0x1D  # start field
ORDER_SFE = 0x29  # start field extended
ORDER_SBA = 0x11  # set buffer address
ORDER_SA = 0x28  # set attribute
ORDER_MF = 0x2C  # modify field
ORDER_IC = 0x13  # insert cursor
ORDER_PT = 0x05  # program tab
ORDER_RA = 0x3C  # repeat to address
ORDER_EUA = 0x12  # erase unprotected to address
ORDER_GE = 0x08  # graphic escape

XA_3270 = 0xC0  # SFE type: the basic field attribute
XA_HIGHLIGHTING = 0x41  # SFE type: extended highlighting

HIGHLIGHT = {"default": 0x00, "normal": 0xF0, "blink": 0xF1, "reverse": 0xF2, "underscore": 0xF4}

# WCC bits before graphic translation (GA23-0059 3.2.1).
WCC_RESET = 0x40
WCC_ALARM = 0x04
WCC_KEYBOARD_RESTORE = 0x02
WCC_RESET_MDT = 0x01

# The 6-bit code table: buffer addresses (12-bit form), attribute bytes and the WCC
# carry 6 meaningful bits, sent as these graphic EBCDIC bytes.
CODE_TABLE: tuple[int, ...] = (
    0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7,
    0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
    0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7,
    0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7,
    0xF8, 0xF9, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
)  # fmt: skip


def wcc(*, restore: bool = True, reset_mdt: bool = True, alarm: bool = False) -> int:
    """The Write Control Character byte (after graphic translation).

    The default, 0xC3, is what go3270 sends: unlock the keyboard and reset MDTs (the
    translation also sets the 'reset' bit, which only resets the reply mode).
    """
    bits = (WCC_KEYBOARD_RESTORE if restore else 0) | (WCC_RESET_MDT if reset_mdt else 0)
    bits |= WCC_ALARM if alarm else 0
    return CODE_TABLE[bits]


WCC_DEFAULT = wcc()

# ---- AIDs ------------------------------------------------------------------
AID_BYTES: dict[Aid, int] = {
    Aid.ENTER: 0x7D,
    Aid.CLEAR: 0x6D,
    Aid.PA1: 0x6C,
    Aid.PA2: 0x6E,
    Aid.PA3: 0x6B,
    **{Aid.pf(n): b for n, b in zip(range(1, 13), (0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C))},
    **{Aid.pf(n): b for n, b in zip(range(13, 25), (0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C))},
}
AIDS_BY_BYTE: dict[int, Aid] = {b: a for a, b in AID_BYTES.items()}


class DecodeError(ValueError):
    """An inbound record that is not a Read Modified reply we understand."""


# ---- buffer addresses ------------------------------------------------------
def encode_address(addr: int, *, fourteen_bit: bool = False) -> bytes:
    """Two bytes for a buffer address: 12-bit (graphic) form unless asked for 14-bit.

    12-bit covers 0..4095 and is what every client expects for a 24x80 buffer; 14-bit
    (high two bits 00) covers 0..16383 and is only needed for very large screens.
    """
    if fourteen_bit:
        if not 0 <= addr < 0x4000:
            raise ValueError(f"address {addr} does not fit 14 bits")
        return bytes(((addr >> 8) & 0x3F, addr & 0xFF))
    if not 0 <= addr < 0x1000:
        raise ValueError(f"address {addr} does not fit 12 bits")
    return _ADDRESSES[addr]


def decode_address(b1: int, b2: int) -> int:
    """Buffer address from two bytes; the top two bits of the first say which form."""
    if b1 & 0xC0 == 0x00:  # 14-bit binary
        return ((b1 & 0x3F) << 8) | b2
    return ((b1 & 0x3F) << 6) | (b2 & 0x3F)


# Every 12-bit address, encoded once: a screen sends one per field.
_ADDRESSES: tuple[bytes, ...] = tuple(bytes((CODE_TABLE[a >> 6], CODE_TABLE[a & 0x3F])) for a in range(0x1000))
_SBA_AT: tuple[bytes, ...] = tuple(bytes((ORDER_SBA,)) + _ADDRESSES[a] for a in range(SIZE))


# ---- text ------------------------------------------------------------------
_QUESTION = "?".encode(ENCODING)[0]
# Bytes 0x01-0x3F are orders and controls and 0xFF is EO: text must never become one.
_SANITIZE = bytes(b if b == 0x00 or 0x40 <= b < 0xFF else _QUESTION for b in range(256))

# Code page 037 is a permutation of Latin-1 (256 bytes <-> U+0000..U+00FF), so the text of
# a screen converts with one `bytes.translate` and the Latin-1 codec, both C loops over the
# buffer, instead of the charmap codec.  The tables fold `_SANITIZE` in, so the results are
# exactly those of ``text.encode("cp037", "replace").translate(_SANITIZE)`` and back.
_TO_037 = bytes(_SANITIZE[chr(c).encode(ENCODING)[0]] for c in range(256))
_TO_037_BLANK_NUL = b"\x40" + _TO_037[1:]  # an unformatted screen sends NULs as blanks
_SANITIZE_BLANK_NUL = b"\x40" + _SANITIZE[1:]
_FROM_037 = bytes(ord(bytes((_SANITIZE[b],)).decode(ENCODING)) for b in range(256))


def encode_text(text: str) -> bytes:
    """EBCDIC bytes for screen text; NUL stays NUL, anything unsendable becomes '?'."""
    return _encode(text, _TO_037)


def _encode(text: str, table: bytes) -> bytes:
    """`text` in EBCDIC through `table` (`_TO_037` or `_TO_037_BLANK_NUL`): one byte per character."""
    try:
        return text.encode("latin-1").translate(table)
    except UnicodeEncodeError:  # beyond Latin-1: the codec's '?' for what 037 lacks
        return text.encode(ENCODING, "replace").translate(_SANITIZE if table is _TO_037 else _SANITIZE_BLANK_NUL)



def decode_text(data: bytes | bytearray) -> str:
    """Text from inbound EBCDIC bytes, NULs removed; control bytes become '?'."""
    return data.replace(b"\x00", b"").translate(_FROM_037).decode("latin-1")


# ---- screens out -----------------------------------------------------------
_ORDER_IC = bytes((ORDER_IC,))
_SF_ATTRIBUTE: tuple[bytes, ...] = tuple(bytes((ORDER_SF, CODE_TABLE[bits])) for bits in range(64))


def encode_screen(
    screen: Screen,
    *,
    wcc: int = WCC_DEFAULT,
    alternate: bool = False,
    highlight: dict[int, str] | None = None,
) -> bytes:
    """One Erase/Write record that draws `screen` and puts the cursor where it says.

    Each field is SBA + SF(attribute) + its data (SFE with extended highlighting when
    `highlight` maps its attribute address to a HIGHLIGHT name).  A screen without
    fields is written as one run of 1920 characters (NULs as blanks), so a Read
    Modified of it comes back with every position in place.  The record ends with SBA + IC at the cursor.
    The bytes are not telnet-escaped; `telnet.frame_record` does that.

    Every key's answer goes through here, so the orders are ready-made byte strings and
    the buffer is converted to EBCDIC once, as a whole, and then sliced per field.
    """
    head = bytes((CMD_ERASE_WRITE_ALTERNATE if alternate else CMD_ERASE_WRITE, wcc))
    tail = _SBA_AT[screen.cursor % SIZE] + _ORDER_IC
    text = "".join(screen.chars)
    fields = screen.fields
    if not fields:
        # NULs go out as blanks: a client leaves NULs out of its reply, which would
        # shift everything after them.
        return b"".join((head, _SBA_AT[0], _encode(text, _TO_037_BLANK_NUL), tail))
    addrs = sorted(fields)
    if len(text) != SIZE or addrs[0] < 0 or addrs[-1] >= SIZE:  # not a well-formed buffer
        return _encode_fields_slowly(screen, head, tail, text, addrs, highlight)
    ebcdic = encode_text(text)  # one byte per character: buffer positions index it
    parts = [head]
    last = len(addrs) - 1
    for i, a in enumerate(addrs):
        parts.append(_SBA_AT[a])
        parts.append(_start_field(fields[a].attribute_bits(), highlight.get(a) if highlight else None))
        nxt = addrs[i + 1] if i < last else addrs[0] + SIZE
        data = ebcdic[a + 1 : nxt] if nxt <= SIZE else ebcdic[a + 1 :] + ebcdic[: nxt - SIZE]  # wraps to the start
        # Trailing NULs need not be written: Erase/Write already filled the buffer with them.
        parts.append(data.rstrip(b"\x00"))
    parts.append(tail)
    return b"".join(parts)


def extended_attributes(terminal_type: str | None) -> bool:
    """Whether a client takes extended field attributes (SFE): its terminal type ends in
    ``-E`` (``IBM-3278-2-E``, ``IBM-3279-4-E``), as x3270, c3270, s3270 and tnz report them."""
    return bool(terminal_type) and str(terminal_type).upper().endswith("-E")


def field_highlighting(screen: Screen) -> dict[int, str]:
    """Extended highlighting for each field that has any: input fields underscored (as
    the TUI draws them; `Field.underlined`), or what the host set in `Field.highlight`."""
    out: dict[int, str] = {}
    for a, fld in screen.fields.items():
        if fld.underlined:
            out[a] = "underscore"
        elif fld.highlight not in (None, "normal", "default") and fld.highlight in HIGHLIGHT:
            out[a] = fld.highlight
    return out


def encode_screen_for(terminal_type: str | None, screen: Screen, *, wcc: int = WCC_DEFAULT) -> bytes:
    """`encode_screen` for a client of this terminal type: input fields go out underlined
    (SFE with extended highlighting) when it takes extended attributes, else as plain SF."""
    highlight = field_highlighting(screen) if extended_attributes(terminal_type) else None
    return encode_screen(screen, wcc=wcc, highlight=highlight)


def _start_field(bits: int, hl: str | None) -> bytes:
    """SF with the attribute, or SFE with it and extended highlighting."""
    if hl is None:
        return _SF_ATTRIBUTE[bits]
    return bytes((ORDER_SFE, 2, XA_3270, CODE_TABLE[bits], XA_HIGHLIGHTING, HIGHLIGHT[hl]))


def _encode_fields_slowly(screen: Screen, head: bytes, tail: bytes, text: str, addrs: list[int],
                          highlight: dict[int, str] | None) -> bytes:
    """The formatted screen position by position in text (a buffer with other than 1920
    characters, or fields off it): what `encode_screen` always did, raising as it did."""
    out = bytearray(head)
    twice = text * 2  # slices across the end of the buffer wrap to its start
    for i, a in enumerate(addrs):
        out.append(ORDER_SBA)
        out += encode_address(a)
        out += _start_field(screen.fields[a].attribute_bits(), (highlight or {}).get(a))
        nxt = addrs[i + 1] if i + 1 < len(addrs) else addrs[0] + SIZE
        out += encode_text(twice[a + 1 : nxt].rstrip("\0"))
    out += tail
    return bytes(out)


# ---- Read Modified in ------------------------------------------------------
_INBOUND_ORDERS = (bytes((ORDER_SBA,)), bytes((ORDER_SA,)), bytes((ORDER_GE,)))  # orders in a reply


def _next_order(data: bytes, start: int, end: int) -> int:
    """Position of the first inbound order in data[start:end], or `end`.

    One `bytes.find` (memchr) per order byte, each bounded by the best so far: a regex
    character class walks an unformatted Enter's 1,920 bytes ten times slower.
    """
    for order in _INBOUND_ORDERS:
        k = data.find(order, start, end)
        if k >= 0:
            end = k
    return end


def decode_aid(byte: int) -> Aid:
    try:
        return AIDS_BY_BYTE[byte]
    except KeyError:
        raise DecodeError(f"unknown AID byte 0x{byte:02X}") from None


def decode_read(data: bytes, *, formatted: bool) -> AidEvent:
    """The AidEvent carried by a Read Modified reply (one inbound record, unescaped).

    `formatted` says whether the screen on the client had fields: the reply has the
    same bytes either way, but on a formatted screen each SBA names the first *data*
    position of a modified field (so its attribute is at SBA-1), while on an
    unformatted screen the data is the buffer itself.  A client sends an unformatted
    buffer without SBAs and with NULs left out; we lay it from address 0 (and honour
    any SBA a client does send), which is exact because `encode_screen` writes blanks,
    not NULs, across an unformatted screen.

    Raises DecodeError for an empty record, an unknown AID or a truncated address.
    """
    if not data:
        raise DecodeError("empty record")
    aid = decode_aid(data[0])
    if aid.short_read:
        # Clear and PA keys: only the AID (a few clients add the cursor; ignore it).
        return AidEvent(aid=aid, cursor=0)
    if len(data) < 3:
        if len(data) == 1:  # some clients send a bare AID for a key with nothing to say
            return AidEvent(aid=aid, cursor=0, unformatted=None if formatted else " " * SIZE)
        raise DecodeError("truncated cursor address")
    cursor = decode_address(data[1], data[2])
    if cursor >= SIZE:
        raise DecodeError(f"cursor address {cursor} is off the 24x80 screen")

    # Split the rest into (address or None, raw bytes) runs at each SBA.  The data between
    # two orders is copied as one slice (an unformatted Enter carries 1,920 bytes).
    runs: list[tuple[int | None, bytearray]] = [(None, bytearray())]
    i, n = 3, len(data)
    while i < n:
        j = _next_order(data, i, n)
        if j > i:
            runs[-1][1].extend(data[i:j])
        if j >= n:
            break
        b = data[j]
        if b == ORDER_SBA:
            if j + 2 >= n:
                raise DecodeError("truncated SBA address")
            addr = decode_address(data[j + 1], data[j + 2])
            if addr >= SIZE:
                raise DecodeError(f"SBA address {addr} is off the 24x80 screen")
            runs.append((addr, bytearray()))
            i = j + 3
        elif b == ORDER_SA:  # character reply mode attribute; we never ask for it
            i = j + 3
        else:  # ORDER_GE, graphic escape: the next byte is from another set
            runs[-1][1].append(_QUESTION)
            i = j + 2

    if formatted:
        modified: dict[int, str] = {}
        for start, raw in runs:
            if start is None:
                if raw.strip(b"\x00"):
                    raise DecodeError("field data without an SBA on a formatted screen")
                continue
            modified[(start - 1) % SIZE] = decode_text(raw).rstrip(" ")
        return AidEvent(aid=aid, cursor=cursor, modified=modified)

    buf = _BLANK_BUFFER
    for start, raw in runs:
        buf = _lay(buf, 0 if start is None else start, decode_text(raw))
    return AidEvent(aid=aid, cursor=cursor, unformatted=buf)


_BLANK_BUFFER = " " * SIZE


def _lay(buf: str, pos: int, text: str) -> str:
    """`buf` with `text` written from `pos` on, wrapping at the end of the buffer (as a
    terminal lays it, so of a text longer than the buffer the last SIZE characters stay)."""
    if len(text) > SIZE:
        pos, text = (pos + len(text) - SIZE) % SIZE, text[-SIZE:]
    end = pos + len(text)
    if end <= SIZE:
        return buf[:pos] + text + buf[end:]
    first = SIZE - pos
    return text[first:] + buf[end - SIZE : pos] + text[:first]


# ---- the client's side, for tests and tools -------------------------------
def encode_read(event: AidEvent) -> bytes:
    """The Read Modified reply a client would send for `event` (tests and benchmarks).

    Modified fields are sent at attribute+1; an unformatted buffer is sent whole
    without SBAs, as x3270 does.
    """
    out = bytearray((AID_BYTES[event.aid],))
    if event.aid.short_read:
        return bytes(out)
    out += encode_address(event.cursor)
    if event.unformatted is not None:
        out += encode_text(event.unformatted.replace("\0", ""))
    for attr, text in sorted(event.modified.items()):
        out.append(ORDER_SBA)
        out += encode_address((attr + 1) % SIZE)
        out += encode_text(text.replace("\0", ""))
    return bytes(out)
