"""Pausing Python's cyclic garbage collector around bulk work.

Why: loading a fixture, dumping a master file and a posting run each make millions of
small objects (rows, dicts, report tuples).  Every 700 allocations the collector starts a
pass, and its full passes over a heap that keeps growing cost more than the work itself
(two thirds of post_due's Python time at 100k modules).  Nothing built there is cyclic
garbage that must go before the work ends; the collector runs as usual afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it only if it was on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def freeze_long_lived() -> None:
    """Collect once, then move every object alive now out of the collector's sight.

    For a long-running front end (the TN3270 server, the TUI) once its master file is
    loaded: the loaded rows, screen maps, grammar and mappers live as long as the process,
    yet each full pass walked them all (a 50 ms pause in the middle of 50 terminals'
    keys on the benchmark machine).  `gc.freeze` keeps later passes to what was made since.
    """
    gc.collect()
    gc.freeze()
