"""The one signal of a check evaluator: the check does not hold (kept apart so that check kinds
in other modules raise the same exception `checks.evaluate` catches)."""

from __future__ import annotations


class Missed(Exception):
    """Raised inside an evaluator: the check does not hold; the message says what was found."""
