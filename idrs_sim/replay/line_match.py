"""ExpectMatch's regular expressions, with a time bound (issue #16 item 12).

Python's `re` backtracks without limit: `ExpectMatch(1, "(A|AA)+B")` on a line of A's ran
for minutes.  CONTRACT §2 says the pattern is a Python regular expression (`re.search`),
so a pattern is first checked with `re` (same syntax, same error messages), then matched
with the `regex` package -- a superset of `re`'s syntax in its compatible mode (V0) that
can stop a search after a time limit.  A search that runs out of time is a problem of the
script (exit 2), named with the pattern, never a hang.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import regex

#: Seconds one ExpectMatch may search a line (80 characters: a sane pattern takes microseconds).
MATCH_SECONDS = 1.0

__all__ = ["MATCH_SECONDS", "MatchTimeout", "check_pattern", "line_matches"]


class MatchTimeout(Exception):
    """The search ran past MATCH_SECONDS (catastrophic backtracking)."""


def check_pattern(pattern: str) -> None:
    """Raise `re.error` (or OverflowError/RecursionError) for a pattern `re` refuses, and
    `re.error` for one the time-bounded engine cannot run."""
    re.compile(pattern)
    _compiled(pattern)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, ValueError) as exc:
        raise re.error(f"not supported by the time-bounded matcher: {exc}") from None


def line_matches(pattern: str, line: str, seconds: float = MATCH_SECONDS) -> bool:
    """`re.search(pattern, line)` is not None, within `seconds`; MatchTimeout otherwise."""
    try:
        return _compiled(pattern).search(line, timeout=seconds) is not None
    except TimeoutError:
        raise MatchTimeout(f"the regular expression ran longer than {seconds:g} s on this line "
                           f"(nested repetition such as (A+)+ backtracks without end); simplify it") from None
