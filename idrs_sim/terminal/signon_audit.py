"""How many rejected sign-ons go into the audit trail (issue 24, docs/security.md).

Every AID key leaves an audit record, but two kinds of rejected sign-on can be repeated
by anyone, without limit and without signing on: an employee number that does not exist,
and any number of an employee who is locked.  One client pressing Enter in a loop added
about 1.3 GB of audit records an hour.  These two kinds are recorded within a budget per
master file (all terminals together, so reconnecting does not reset it): the first
`BURST` at once, then `PER_MINUTE` a minute.  Those left out are counted, and the next
one recorded says how many (``(+N NOT RECORDED)``), so the trail still shows that the
flood happened, from which terminal it started and how big it was.

Not budgeted: a wrong password for a real employee (security needs every one, and the
lock after MAX_SIGNON_FAILURES bounds them), and everything after sign-on.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from ..ratelimit import Budget

BURST = 30
PER_MINUTE = 30

clock: Callable[[], float] = time.monotonic  # tests replace it
_budgets: weakref.WeakKeyDictionary[Any, Budget] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def admit(master_file: Any) -> str | None:
    """None: leave this rejection out of the trail; else the text to add to its outcome
    (empty, or how many were left out before it)."""
    with _lock:
        budget = _budgets.get(master_file)
        if budget is None:
            budget = _budgets[master_file] = Budget(BURST, PER_MINUTE / 60, clock=lambda: clock())
        if not budget.take():
            return None
        left_out = budget.release_suppressed()
    return f" (+{left_out} NOT RECORDED)" if left_out else ""
