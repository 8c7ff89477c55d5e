"""A one-field test screen, the Enter record that fills it and an echo host, for the TN3270
server tests.

The hosts of the scheduling and key tests answer ``GOT <what was typed>`` on line 24; the
tests send `enter_record(...)` (a framed 3270 read, as a client's Enter) and look for it.
"""

from __future__ import annotations

from idrs_sim.front.tn3270 import telnet
from idrs_sim.front.tn3270.codec import encode_read
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.screen import Screen, address

FIELD = address(5, 20) - 1  # attribute address of the one input field


def one_field_screen(title: str, message: str) -> Screen:
    """A title on line 1, one 10-character input field on line 5, `message` on line 24."""
    s = Screen()
    s.add_protected(1, 2, 30)
    s.put(1, 2, title)
    s.add_input(5, 20, 10, name="key")
    s.add_protected(24, 2, 78)
    s.put(24, 2, message)
    s.cursor = address(5, 20)
    return s


def enter_record(text: str) -> bytes:
    """The framed record of Enter with `text` typed into the field."""
    return telnet.frame_record(encode_read(AidEvent(Aid.ENTER, FIELD + 1, {FIELD: text})))


class EchoHost:
    """A test host on the one-field screen: READY first, then ``GOT <key>`` for each Enter.

    Subclasses say what happens before the answer (`before_answer`: sleep, block, raise).
    """

    title = "ECHO TEST"

    def __init__(self, cid: str) -> None:
        self.cid = cid

    def first_screen(self) -> Screen:
        return one_field_screen(self.title, "READY")

    def handle(self, event: AidEvent) -> Screen:
        key = event.modified.get(FIELD, "")
        self.before_answer(key)
        return one_field_screen(self.title, f"GOT {key}")

    def before_answer(self, key: str) -> None:
        """What the host does with `key` before it answers (nothing)."""
