"""What a database holds, counted by kind: what a fixture load would discard or keep.

Why: `--fixture` with `--db` used to replace whatever the database held, silently, on
every command (issue #16 item 1).  Now a fixture fills only an empty database, and a
fresh start (`idrs-sim reset --discard`) says exactly what it throws away.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from . import models as m
from .incident_models import IncidentReport

#: What a reset replaces (the master file) -- in the order people think of it.
DISCARDED = ("employees", "entities", "tax modules", "pending inputs", "posted transactions",
             "unpostables", "control bases", "cycle runs")
#: What a reset keeps: the record of what people did is append-only.
KEPT = ("audit records", "incident reports")


def count_holdings(db: Session) -> dict[str, int]:
    """Rows per kind (see DISCARDED and KEPT)."""
    def count(model: type[m.Base], *where: ColumnElement[bool]) -> int:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return {
        "employees": count(m.Employee),
        "entities": count(m.Entity),
        "tax modules": count(m.TaxModule),
        "pending inputs": count(m.Transaction, m.Transaction.status == m.PENDING),
        "posted transactions": count(m.Transaction, m.Transaction.status != m.PENDING),
        "unpostables": count(m.Unpostable),
        "control bases": count(m.ControlBase),
        "cycle runs": count(m.CycleRun),
        "audit records": count(m.AuditRecord),
        "incident reports": count(IncidentReport),
    }


def describe(counts: dict[str, int]) -> str:
    """'12 entities, 3 pending inputs, 57 audit records' (kinds with none left out)."""
    return ", ".join(f"{n} {kind if n != 1 else _singular(kind)}" for kind, n in counts.items() if n)


def _singular(kind: str) -> str:
    words = kind.split(" ")
    last = words[-1]
    words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
    return " ".join(words)
