"""Input fields are underlined over TN3270 as in the TUI: SFE with extended highlighting
(type 0x41, value 0xF4 underscore) for clients that take extended attributes."""

from __future__ import annotations

from idrs_sim.front.tn3270 import codec
from idrs_sim.terminal.screen import Field, Screen, address
from idrs_sim.terminal.screenmap import load_map
from idrs_sim.terminal.session import cleared_screen

SFE_UNDERSCORE = bytes((codec.ORDER_SFE, 2, codec.XA_3270))  # then the attribute, 0x41, 0xF4


def sfe_fields(record: bytes) -> list[tuple[int, int]]:
    """(attribute byte, highlight) of every SFE in an outbound record."""
    out = []
    i = record.find(bytes((codec.ORDER_SFE,)))
    while i >= 0:
        if record[i + 1] == 2 and record[i + 2] == codec.XA_3270 and record[i + 4] == codec.XA_HIGHLIGHTING:
            out.append((record[i + 3], record[i + 5]))
        i = record.find(bytes((codec.ORDER_SFE,)), i + 1)
    return out


def test_extended_attributes_only_for_terminal_types_ending_in_e() -> None:
    for ttype in ("IBM-3278-2-E", "IBM-3279-4-E", "ibm-3279-2-e"):
        assert codec.extended_attributes(ttype)
    for ttype in ("IBM-3278-2", "IBM-3279-2", "", None, "IBM-DYNAMIC"):
        assert not codec.extended_attributes(ttype)


def test_sign_on_fields_go_out_underscored_to_an_extended_client() -> None:
    scr = load_map("signon").render({}, message="HELLO")
    record = codec.encode_screen_for("IBM-3279-2-E", scr)
    sfe = sfe_fields(record)
    assert len(sfe) == 2 and {hl for _, hl in sfe} == {codec.HIGHLIGHT["underscore"]}
    numeric_input = codec.CODE_TABLE[0x10]  # EMPLOYEE NUMBER>: unprotected numeric
    hidden_input = codec.CODE_TABLE[0x0C]  # PASSWORD>: unprotected non-display
    assert {attr for attr, _ in sfe} == {numeric_input, hidden_input}
    # the same screen, byte for byte, to a client without extended attributes: plain SF only
    assert codec.encode_screen_for("IBM-3278-2", scr) == codec.encode_screen(scr)
    assert not sfe_fields(codec.encode_screen_for("IBM-3278-2", scr))


def test_the_cleared_screen_is_not_underlined_and_a_host_highlight_is_kept() -> None:
    assert not sfe_fields(codec.encode_screen_for("IBM-3279-2-E", cleared_screen("SIGN-ON COMPLETED")))
    scr = Screen()
    scr.add_field(Field(address(3, 1), protected=True, highlight="reverse"))
    scr.add_input(5, 10, 4, name="X")
    record = codec.encode_screen_for("IBM-3279-2-E", scr)
    assert sorted(hl for _, hl in sfe_fields(record)) == [codec.HIGHLIGHT["reverse"], codec.HIGHLIGHT["underscore"]]


def test_an_underscored_screen_reads_back_the_same() -> None:
    """A client's Read Modified does not depend on how the fields were started."""
    scr = load_map("signon").render({}, message="")
    emp = scr.field_named("EMPLOYEE-NO")
    assert emp is not None
    reply = codec.encode_read(codec.AidEvent(codec.Aid.ENTER, emp.addr + 3, {emp.addr: "1485"}))
    event = codec.decode_read(reply, formatted=True)
    assert event.modified == {emp.addr: "1485"}
