"""What the command parser gives back: a `Command` split into IDRS data elements, the
`Span` where each element stands on the screen, or a `ParseError` saying why IDRS refuses
the input, with the line-24 literals the parser may produce.

Plain data, no Lark: handlers, the host session and the tests use these types without
loading the parser (`idrs_sim.cc.parse`, which also exports every name here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

# Line-24 literals.  The parser never produces any other.
INVALID_COMMAND_CODE = "INVALID COMMAND CODE"
INVALID_TIN = "INVALID TIN"
INVALID_MFT = "INVALID MFT"
INVALID_TAX_PERIOD = "INVALID TAX PERIOD"
INVALID_NAME_CONTROL = "INVALID NAME CONTROL"
INVALID_DATA = "INVALID DATA"

TinKind = Literal["SSN", "EIN"]


class Span(NamedTuple):
    """Where an element stands on the screen: 1-origin line and columns.

    `end` is the first column after the element, which is exactly where IDRS writes the
    ``*`` when the element is bad; ``start == end`` for an empty field value.
    """

    line: int
    start: int
    end: int


@dataclass
class Command:
    """One Enter's worth of typed input, split into IDRS data elements.

    Every string is upper case.  Elements that were not typed are None (or empty
    containers).  `spans` maps element names to screen positions so that a handler that
    rejects an element can mark it: keys are ``code``, ``definer``, ``modifier``,
    ``tin``, ``file_source``, ``mft``, ``period``, ``name_control``, ``seq``,
    ``args[i]``, ``text[i]``, ``LABEL>`` (the value of that field; first occurrence),
    ``control`` (the C# line), ``control.activity``, ``control.status``,
    ``control.category``, ``control.idrs`` and ``assignee`` (the IDRS-number line).
    """

    code: str
    definer: str | None = None
    modifier: str | None = None
    tin: str | None = None
    tin_kind: TinKind | None = None
    file_source: str | None = None  # "" = blank (valid); None = no TIN typed
    mft: str | None = None
    period: str | None = None
    name_control: str | None = None
    seq: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    field_list: list[tuple[str, str]] = field(default_factory=list)
    control: dict[str, str] | None = None
    args: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def head(self) -> str:
        """The code as typed with its definer and modifier, e.g. ``TXMODA`` or ``UPCASD4``."""
        return self.code + (self.definer or "") + (self.modifier or "")


@dataclass(frozen=True)
class ParseError:
    """Why the input was refused, as IDRS shows it.

    `literal` goes on line 24; `col` is where the ``*`` goes (the column right of the bad
    element) and `start` is the first column of the bad element, where the cursor goes.
    For a missing element both point at the place where it was expected.
    """

    literal: str
    line: int
    col: int
    start: int = 0

    @property
    def cursor_col(self) -> int:
        """Column for the cursor: on the bad element."""
        return self.start or max(1, self.col - 1)

    @property
    def span(self) -> Span:
        return Span(self.line, self.cursor_col, self.col)

    def __str__(self) -> str:
        return f"{self.literal} (line {self.line}, column {self.cursor_col})"
