"""Digits typed at the terminal: ASCII 0-9 only, checked in one place.

Why: Python's `str.isdigit()` is true for `²`, `³` and `¹` (typeable on code page 037),
and `int('²')` then raises -- FRM49 `CC>`, ICSFV `RESULT>` and ICSAP `REASON>` answered
SYSTEM ERROR (issue #16 item 7).  `\\d` in a regular expression also matches other
scripts' digits.  Every place that parses digits from input asks this module instead.
"""

from __future__ import annotations

import re

__all__ = ["DIGITS", "digits_only", "digits_value", "is_digits", "typed_tin"]

DIGITS = "0123456789"
_DIGITS = frozenset(DIGITS)


def is_digits(text: str | None, size: int | None = None) -> bool:
    """True when `text` is one or more ASCII digits (exactly `size` of them when given)."""
    if not text or not all(ch in _DIGITS for ch in text):
        return False
    return size is None or len(text) == size


def digits_value(text: str | None, size: int | None = None) -> int | None:
    """The whole number `text` spells in ASCII digits; None when it is anything else."""
    return int(text) if text is not None and is_digits(text, size) else None


def digits_only(text: str | None) -> str:
    """The ASCII digits of `text`, in order (a TIN typed with or without dashes)."""
    return "".join(ch for ch in (text or "") if ch in _DIGITS)


def ascii_pattern(pattern: str) -> re.Pattern[str]:
    """A regular expression whose `\\d`, `\\w` and `\\s` mean ASCII only."""
    return re.compile(pattern, re.ASCII)


_TIN = re.compile(r"(?<![0-9-])([0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{2}-[0-9]{7}|[0-9]{9})(?![0-9-])")


def typed_tin(line: str) -> str | None:
    """The first TIN-shaped element of a command line (SSN or EIN, dashed or not), as
    typed; None when there is none.  For the audit record of a line the parser refused."""
    found = _TIN.search(line or "")
    return found.group(1) if found else None
