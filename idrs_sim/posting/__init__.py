"""Posting: the cycle calendar and the posting run.

`run_cycle`, `advance_and_post`, `due_cycle_for` and `CycleReport` are loaded lazily:
`idrs_sim.clock` imports `idrs_sim.posting.calendar`, and the run imports the master
file (which imports the clock), so an eager import here would be circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import CycleReport
    from .run import advance_and_post, due_cycle_for, run_cycle

__all__ = ["run_cycle", "advance_and_post", "due_cycle_for", "CycleReport"]


def __getattr__(name: str) -> Any:
    if name in ("run_cycle", "advance_and_post", "due_cycle_for"):
        from . import run

        return getattr(run, name)
    if name == "CycleReport":
        from .context import CycleReport

        return CycleReport
    raise AttributeError(f"module 'idrs_sim.posting' has no attribute {name!r}")
