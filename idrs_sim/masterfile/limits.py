"""Limits on what a fixture or dump file may be, checked before it is built into objects.

Why (issue #16 item 11): a fixture is data a user hands the simulator, and bad data must
get one clear line, never `internal error`, a hang or a MemoryError.  Seen in practice:
bad UTF-8, `amount: "1e400"`, a 5,000-digit integer (Python refuses to convert it), JSON
nested 100,000 deep (RecursionError), a YAML alias bomb (minutes, then MemoryError) and a
4.3 GB file.  The limits are far above any real fixture (the shipped ones: 350 KB in all,
nested 8 deep, no aliases):

* size: `MAX_BYTES` per file (IDRS_SIM_FIXTURE_MAX_BYTES overrides it);
* nesting: `MAX_DEPTH` levels of mappings and lists;
* YAML aliases: at most `MAX_ALIASES`, and the document with every alias expanded at most
  `MAX_NODES` values (what an alias bomb multiplies);
* whole numbers: at most `MAX_DIGITS` digits (money has 15; quote longer text);
* JSON: no duplicate keys (YAML already refuses them), no NaN/Infinity.

Pure: no SQLAlchemy; PyYAML only when a YAML text is checked.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1000
MAX_NODES = 2_000_000
MAX_DIGITS = 30

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_DIGITS", "MAX_NODES", "LimitError",
           "check_size", "check_yaml_shape", "decode", "load_json"]


class LimitError(ValueError):
    """A file over a limit: `line` (1-based, 0 unknown) and a message for one line."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def max_bytes() -> int:
    try:
        return max(1, int(os.environ.get("IDRS_SIM_FIXTURE_MAX_BYTES", MAX_BYTES)))
    except ValueError:
        return MAX_BYTES


def check_size(path: Path) -> None:
    """Refuse a file larger than the limit before reading it (OSError passes through)."""
    size = path.stat().st_size
    limit = max_bytes()
    if size > limit:
        raise LimitError(f"the file is {size:,} bytes; fixtures and dumps are limited to {limit:,} "
                         f"(IDRS_SIM_FIXTURE_MAX_BYTES)")


def decode(data: bytes) -> str:
    """The text of a fixture file: UTF-8, or a LimitError naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LimitError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}", line) from None


def check_yaml_shape(text: str, loader_class: Any) -> None:
    """Walk the YAML event stream (libyaml's parser: no recursion) and refuse a document
    nested deeper than MAX_DEPTH, with more than MAX_ALIASES aliases, or whose aliases
    expand it past MAX_NODES values -- before anything is constructed."""
    import yaml

    sizes: dict[str, int] = {}  # anchor -> values it stands for, expanded
    stack: list[list[Any]] = [[None, 0]]  # [anchor, values so far] per open collection
    aliases = 0
    total = 0
    for event in yaml.parse(text, Loader=loader_class):
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) > MAX_DEPTH:
                raise LimitError(f"nested more than {MAX_DEPTH} levels deep", line)
            stack.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
            stack[-1][1] += count
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            stack[-1][1] += 1
            total += 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise LimitError(f"more than {MAX_ALIASES} YAML aliases (*name)", line)
            size = 1 if event.anchor is None else sizes.get(event.anchor, 1)
            stack[-1][1] += size
            total += size
        if total > MAX_NODES or stack[-1][1] > MAX_NODES:
            raise LimitError(f"the document expands to more than {MAX_NODES:,} values (YAML aliases?)", line)


def _int(text: str) -> int:
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise LimitError(f"a number of {len(digits)} digits (at most {MAX_DIGITS}; quote it if it is text)")
    return int(text)


def _constant(name: str) -> Any:
    raise LimitError(f"{name} is not a value a fixture can hold")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise LimitError(f"duplicate key {key!r}")
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """`json.loads` with the limits above: duplicate keys, huge numbers, NaN and deep
    nesting are LimitErrors (JSON syntax errors stay json.JSONDecodeError).  The json module
    tells no position for the first two kinds: `_json_line` finds it, so the problem line
    names its line as a YAML file's does."""
    try:
        data = json.loads(text, parse_int=_int, parse_constant=_constant, object_pairs_hook=_pairs)
    except RecursionError:
        raise LimitError(f"nested more than {MAX_DEPTH} levels deep") from None
    except LimitError as exc:
        if not exc.line:
            exc.line = _json_line(text)
        raise
    check_depth(data)
    return data


_JSON_COLON = re.compile(r"[ \t\r\n]*:")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|-?Infinity|NaN|\n')


def _json_line(text: str) -> int:
    """The line of the first duplicate key or NaN/Infinity in JSON text that is otherwise
    well formed (0 if there is none): a scan of its tokens with one key set per object."""
    line = 1
    objects: list[set[str] | None] = []  # the keys seen so far in each open object (None: an array)
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok == "\n":
            line += 1
        elif tok in ("{", "["):
            objects.append(set() if tok == "{" else None)
        elif tok in ("}", "]"):
            if objects:
                objects.pop()
        elif tok[0] != '"':
            return line  # NaN, Infinity, -Infinity outside a string
        else:
            keys = objects[-1] if objects else None
            if keys is not None and _JSON_COLON.match(text, m.end()):
                if tok in keys:
                    return line
                keys.add(tok)
            line += tok.count("\n")
    return 0


def check_depth(data: Any) -> None:
    """Refuse data nested deeper than MAX_DEPTH (iteratively: no recursion to overflow)."""
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise LimitError(f"nested more than {MAX_DEPTH} levels deep")
            children = value.values() if isinstance(value, dict) else value
            todo.extend((child, depth + 1) for child in children)
