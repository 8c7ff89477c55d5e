"""What a command-code handler receives and what it may answer.

A handler is `fn(ctx: Context) -> Reply`.  It reads and changes the master file through
`ctx.db` (one unit of work per AID key, committed by the session when the handler
returns), and answers with a `Display` (a screen map filled with data, paged when its
list is long), a `Refusal` (the user's own screen kept, `*` right of each bad field and
an IDRS literal on line 24) or a `Cleared` screen.  Handlers never raise to the user:
anything unexpected becomes a line-24 message in the session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..masterfile.db import MasterFile
from ..masterfile.loading import ENTITY_BY_TIN, module_of
from ..masterfile.models import Employee, Entity, TaxModule

REQUEST_COMPLETED = "REQUEST COMPLETED"


@dataclass
class Display:
    """A screen map filled with values; `lines` fill the map's list rows, paged with PF7/PF8."""

    map: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    message: str = ""
    continued: str | None = None  # the literal on the last list row when more pages follow


@dataclass
class Refusal:
    """Keep the user's screen; mark the bad fields (by label) or typed positions; say why."""

    message: str
    fields: list[str] = field(default_factory=list)
    marks: list[tuple[int, int, int]] = field(default_factory=list)  # (row, start col, end col), 1-origin


def violation(refusal: Refusal) -> Refusal:
    """Mark a refusal as an authorisation violation for the audit record (the session reads it)."""
    refusal.violation = True  # type: ignore[attr-defined]
    return refusal


@dataclass
class Cleared:
    """An unformatted screen (as after Clear) with a message on line 24."""

    message: str = ""


Reply = Display | Refusal | Cleared


@dataclass
class TerminalState:
    """What one terminal remembers between command codes (IDRS prerequisites).

    `last_module` is the (tin, mft, period) of the last research code on a module (REQ54
    and ACTON need one), `last_code` the last command code run, `last_case` the
    unpostable case last displayed (UPDIS precedes UPRES), `scratch` free per-code memory.
    """

    last_code: str | None = None
    last_tin: str | None = None
    last_module: tuple[str, str, str] | None = None
    last_case: str | None = None
    scratch: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Everything a handler may use, for one AID key."""

    mf: MasterFile
    db: Session
    employee: Employee
    terminal: str
    state: TerminalState
    cmd: Any  # idrs_sim.cc.parse.Command
    screen_values: dict[str, str] = field(default_factory=dict)
    outcome: str | None = None  # what the audit record says happened, when not the line-24 text

    @property
    def today(self) -> dt.date:
        return self.mf.clock.today()

    @property
    def now(self) -> dt.datetime:
        return self.mf.clock.now()

    @property
    def cycle(self) -> str:
        return self.mf.clock.cycle

    @property
    def idrs(self) -> str:
        return self.employee.idrs

    def value(self, label: str) -> str:
        """An input element by its label: typed as `LABEL>value` on the command line, else
        the screen field of that label; blank when neither has it."""
        typed = (getattr(self.cmd, "fields", None) or {}).get(label)
        if typed is not None:
            return typed.strip()
        return (self.screen_values.get(label) or "").strip()

    def entity(self, tin: str | None) -> Entity | None:
        if not tin:
            return None
        return self.db.scalar(ENTITY_BY_TIN, {"tin": tin})

    def module(self, tin: str | None, mft: str | None, period: str | None) -> TaxModule | None:
        ent = self.entity(tin)
        if ent is None or not mft or not period:
            return None
        return module_of(self.db, ent, mft, period)
