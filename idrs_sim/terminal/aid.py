"""Attention identifiers (AID keys) and what a terminal sends the host when one is pressed.

The event carries what a 3270 Read Modified carries: the AID, the cursor address and the
modified fields.  The in-process `Terminal` and the TN3270 server build the same event,
so the host cannot tell which front end is attached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from .screen import Screen


class Aid(str, Enum):
    ENTER = "ENTER"
    CLEAR = "CLEAR"
    PA1 = "PA1"
    PA2 = "PA2"
    PA3 = "PA3"
    PF1 = "PF1"
    PF2 = "PF2"
    PF3 = "PF3"
    PF4 = "PF4"
    PF5 = "PF5"
    PF6 = "PF6"
    PF7 = "PF7"
    PF8 = "PF8"
    PF9 = "PF9"
    PF10 = "PF10"
    PF11 = "PF11"
    PF12 = "PF12"
    PF13 = "PF13"
    PF14 = "PF14"
    PF15 = "PF15"
    PF16 = "PF16"
    PF17 = "PF17"
    PF18 = "PF18"
    PF19 = "PF19"
    PF20 = "PF20"
    PF21 = "PF21"
    PF22 = "PF22"
    PF23 = "PF23"
    PF24 = "PF24"

    @classmethod
    def pf(cls, n: int) -> Aid:
        if not 1 <= n <= 24:
            raise ValueError(f"PF{n}: PF keys run from 1 to 24")
        return cls(f"PF{n}")

    @classmethod
    def pa(cls, n: int) -> Aid:
        if not 1 <= n <= 3:
            raise ValueError(f"PA{n}: PA keys run from 1 to 3")
        return cls(f"PA{n}")

    @property
    def short_read(self) -> bool:
        """Clear and the PA keys send no field data (a 3270 'short read')."""
        return self in (Aid.CLEAR, Aid.PA1, Aid.PA2, Aid.PA3)


@dataclass(frozen=True)
class AidEvent:
    """What the host receives when a key with an AID is pressed.

    `modified` maps the attribute address of each field whose modified data tag is set
    to its text (trailing blanks and nulls dropped).  On an unformatted screen there are
    no fields, so `unformatted` carries the whole buffer (1920 characters) instead.
    Short reads (Clear, PA1-PA3) carry neither.
    """

    aid: Aid
    cursor: int
    modified: dict[int, str] = field(default_factory=dict)
    unformatted: str | None = None


class Host(Protocol):
    """The other end of a terminal: takes an AID event, answers with the next screen.

    A host may also have ``slow_key(event) -> bool``: True when answering `event` will
    take long without needing the interpreter (the TN3270 server then runs it beside
    other terminals' keys instead of in the queue's one worker slot).
    """

    def handle(self, event: AidEvent) -> Screen: ...

    def first_screen(self) -> Screen: ...
