"""UP 299: an identity theft return too old to move to MFT 32 (IRM 25.25.6, Unpostable Code
299 Listing).  Instead of moving, the return goes unpostable 299 and a control base opens
to RIVO (IDRS 1485000004); RIVO then records its determination on the case (UPCASZ
"126 DELETE" / "126 GOOD TAXPAYER") and closes the control "GOODRTN" or "IDTRTN".

Which years: `rules.mft32.move_to_32_refusal`.  Every move to MFT 32 is checked here: the
batch closure by TC 971 AC 111 (`tpp_mft32.move_mft32`), a released return an AC 111
diverts (`tpp_mft32.divert_ac111_return`), both through `moves.move_returns`, and URC 6
CCC 3 (`unpostables`, through `moves.move_return`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert

from ..masterfile.models import ControlBase
from ..rules import mft32
from . import calendar as cal
from .codes import UPC_IDT_RETURN_TOO_OLD
from .context import CycleContext

__all__ = ["open_rivo_controls", "too_old_to_move", "unpost_too_old"]


def too_old_to_move(ctx: CycleContext, to_mft: str, period: str | None) -> str | None:
    """The UP 299 literal when a return of tax period `period` moving to `to_mft` in this
    run may not (only moves to MFT 32 are checked), else None."""
    if to_mft != "32":
        return None
    return mft32.move_to_32_refusal(mft32.tax_year_of(period), cal.cycle_year(ctx.cycle))


def open_rivo_controls(ctx: CycleContext, where: Sequence[tuple[int, int | None]]) -> None:
    """One control base to RIVO per (entity, module) in `where`, as Submission Processing
    opens it for a UP 299 (one statement)."""
    if not where:
        return
    category, activity = mft32.UP299_CONTROL
    day = ctx.run_date
    rows: list[dict[str, Any]] = [
        {"entity_id": entity_id, "module_id": module_id, "category": category, "status": "A", "activity": activity,
         "idrs": mft32.UP299_RIVO_IDRS, "received_date": day, "opened_date": day, "status_date": day,
         "opened_by": None}
        for entity_id, module_id in dict.fromkeys(where)
    ]
    ctx.session.flush()
    table = ControlBase.__table__
    assert isinstance(table, Table)
    ctx.session.connection().execute(insert(table), rows)
    ctx.session.expire_all()


def unpost_too_old(ctx: CycleContext, refused: Sequence[tuple[int, str]]) -> None:
    """Send the returns `refused` (transaction id, literal) to UP 299, assigned to RIVO,
    and open RIVO's control bases: a fixed number of statements however many there are."""
    from .bulk import Unpost, rows_by_id, unpost_rows

    if not refused:
        return
    literal = dict(refused)
    rows = rows_by_id(ctx, list(literal))
    unpost_rows(ctx, [Unpost(r, *UPC_IDT_RETURN_TOO_OLD, mft32.UP299_RIVO_IDRS, literal[r.id][:60]) for r in rows])
    open_rivo_controls(ctx, [(r.entity_id, r.module_id) for r in rows])
