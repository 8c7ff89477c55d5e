"""The audit trail of the host session: one record per AID key (docs/security.md).

Every key leaves one -- sign-ons, commands, refusals, Clear, paging, sign-off -- with the
employee, terminal, AID, command code, TIN/MFT/period and outcome; passwords never.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert

from ..masterfile.db import MasterFile
from ..masterfile.models import AuditRecord
from .aid import AidEvent

_AUDIT_INSERT = insert(AuditRecord)  # executed on the Connection: a plain Core INSERT


def write_audit(mf: MasterFile, terminal: str, db, event: AidEvent | None, idrs: str | None,  # type: ignore[no-untyped-def]
                code: str | None, cmd=None, outcome: str | None = None, violation: bool = False) -> None:
    """Append one audit record (every AID key leaves one; passwords never appear).

    A Core INSERT on the unit of work's connection (same transaction, committed or
    rolled back with it): the record is never read back as an object here, and the
    ORM's flush of one new object cost more than the rest of a Clear key.  With no
    unit of work (`db` None: a key that only leaves its record) it is written in a
    transaction of its own (`MasterFile.write_one`).
    """
    row = dict(
        at=mf.clock.now(),
        idrs=idrs,
        terminal=terminal,
        aid=event.aid.value if event is not None else None,  # None: no key (the terminal went away)
        command=(code or "")[:8] or None,
        tin=getattr(cmd, "tin", None),
        mft=getattr(cmd, "mft", None),
        period=getattr(cmd, "period", None),
        outcome=(outcome or "")[:80] or None,
        violation=violation,
    )
    if db is None:
        mf.write_one(_AUDIT_INSERT, row)
    else:
        db.connection().execute(_AUDIT_INSERT, row)


@dataclass(frozen=True)
class Typed:
    """The TIN read off a line the parser refused, for its audit record."""

    tin: str | None


def first_word(line: str) -> str | None:
    """The command code as typed (five characters at most), for the audit record of a refused line."""
    word = line.strip().split(" ")[0][:5].upper() if line.strip() else ""
    return word or None
