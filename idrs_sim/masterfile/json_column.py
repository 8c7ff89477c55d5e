"""How JSON column values are read back: the empty ones most rows carry without the parser.

Every transaction, entity and control row has JSON columns (`extra`, `poa`, `address`...)
and most hold `{}`, `[]` or `null`; decoding those through `json.loads` was the largest
single cost of reading a module for a research display (about 15 values per TXMOD).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_EMPTY: dict[str, Callable[[], Any]] = {"{}": dict, "[]": list, "null": lambda: None}


def read_json(text: str) -> Any:
    """`json.loads`, short-cut for the empty values (each call returns a fresh object)."""
    make = _EMPTY.get(text)
    return make() if make is not None else json.loads(text)
