"""Fixtures as text: the YAML reader that keeps the line of every mapping and key, the
`Problem` / `FixtureError` a fixture reports, digests, and finding fixtures by name.

Part of `idrs_sim.masterfile.fixtures` (read / compose / validate / load / docs); import the
public names from there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..cache import cached_parse
from ..resources import data_dir
from . import (
    limits,
)

FIXTURE_SUFFIXES = (".yaml", ".yml", ".json")
DATA_SOURCE = "<data>"

# ---------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a fixture, where it was written.  `lint` problems do not stop a load."""

    file: str
    line: int
    message: str
    lint: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FixtureError(Exception):
    """A fixture or dump that cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem] | Problem | str, file: str = DATA_SOURCE, line: int = 0) -> None:
        if isinstance(problems, str):
            problems = [Problem(file, line, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        first = self.problems[0] if self.problems else Problem(file, line, "fixture error")
        self.file, self.line = first.file, first.line
        shown = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            shown.append(f"... and {len(self.problems) - 20} more")
        super().__init__("\n".join(shown))


# ---------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------


class Node(dict):  # type: ignore[type-arg]
    """A mapping read from YAML that remembers its file, its line and each key's line."""

    file: str = DATA_SOURCE
    line: int = 0

    def key_line(self, key: Any) -> int:
        lines = getattr(self, "key_lines", None)
        return lines.get(key, self.line) if lines else self.line


class NodeList(list):  # type: ignore[type-arg]
    """A sequence read from YAML that remembers its file and line."""

    file: str = DATA_SOURCE
    line: int = 0


@cache
def _loader_class() -> Any:
    """The YAML loader class, built on first use.

    Why lazily: PyYAML is only needed when a fixture file is actually parsed; a simulator
    started from the per-user caches (parsed files, ready-made master-file images) never
    imports it, which keeps `idrs-sim replay` start-up down.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: 5-10x faster

    class _Loader(base):  # type: ignore[valid-type,misc]
        """SafeLoader with YAML 1.2-style scalars and line-numbered mappings.

        Why not plain YAML 1.1: `seq: 000000101` would be octal 65, `mft: 01` the integer 1 and
        `time: 08:30` a sexagesimal 510.  Here a number with a leading zero stays a string, only
        `true`/`false` are booleans, and duplicate keys are errors instead of silent overwrites.
        """

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+0123456789."),
    )
    _Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
    return _Loader


def _construct_mapping(loader: Any, node: Any) -> Node:
    from yaml.constructor import ConstructorError

    loader.flatten_mapping(node)
    data = Node()
    data.file = loader.name
    data.line = node.start_mark.line + 1
    data.key_lines = {}  # type: ignore[attr-defined]
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark) from None
        if key in data:
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {data.key_lines[key]})", key_node.start_mark  # type: ignore[attr-defined]
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1  # type: ignore[attr-defined]
    return data


def _construct_int(loader: Any, node: Any) -> int:
    """A whole number of at most limits.MAX_DIGITS digits (Python refuses to convert some
    thousands of digits, and no fixture field needs more than 30)."""
    from yaml.constructor import ConstructorError

    text = str(node.value).replace("_", "")
    if len(text.lstrip("+-")) > limits.MAX_DIGITS:
        raise ConstructorError(None, None, f"a number of {len(text.lstrip('+-'))} digits (at most "
                               f"{limits.MAX_DIGITS}; quote it if it is text)", node.start_mark)
    return int(text)


def _construct_sequence(loader: Any, node: Any) -> NodeList:
    data = NodeList(loader.construct_object(child, deep=True) for child in node.value)
    data.file = loader.name
    data.line = node.start_mark.line + 1
    return data


def _construct_timestamp(loader: Any, node: Any) -> Any:
    """Dates and times; an impossible date (2024-02-30) is a problem on its line, not a crash."""
    from yaml.constructor import ConstructorError, SafeConstructor

    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark) from None


def _resolved(path: Path | str) -> Path:
    """`Path(path).resolve()`, remembered per working directory.

    Why: composing the training fixture resolved the same few dozen paths hundreds of
    times (each a chain of lstat calls), a tenth of the cost of every new simulator.
    """
    return _resolved_in(str(path), os.getcwd())


@lru_cache(maxsize=4096)
def _resolved_in(path: str, cwd: str) -> Path:
    return Path(cwd, path).resolve()


def _display(path: Path) -> str:
    """A path as problems show it: relative to the working directory when it is below it."""
    try:
        return str(_resolved(path).relative_to(_resolved(os.getcwd())))
    except ValueError:
        return str(path)


def read_fixture(path: Path | str, digests: dict[str, str] | None = None) -> Any:
    """Parse one fixture file (YAML, or JSON for `.json`) without composing includes.

    Raises FixtureError with the file and line of a syntax error.  `digests`, when given,
    receives the file's resolved path -> `text_digest` of the very text parsed (what the
    master-file image cache checks a file against later: see `fixture_digest`).
    """
    path = Path(path)
    shown = _display(path)
    try:
        limits.check_size(path)  # before reading: a 4 GB file is refused, not read
        text = limits.decode(path.read_bytes())
    except OSError as exc:
        raise FixtureError(f"cannot read fixture: {exc.strerror or exc}", shown) from None
    except limits.LimitError as exc:
        raise FixtureError(str(exc), shown, exc.line) from None
    if digests is not None:
        digests[str(_resolved(path))] = text_digest(text)
    if path.suffix.lower() == ".json":
        try:
            return limits.load_json(text)
        except json.JSONDecodeError as exc:
            raise FixtureError(f"invalid JSON: {exc.msg}", shown, exc.lineno) from None
        except limits.LimitError as exc:
            raise FixtureError(f"invalid JSON: {exc}", shown, exc.line) from None
    # The parse of the same text is kept (in memory and in the per-user cache, keyed by the
    # text itself): YAML construction was most of the cost of every new simulator.
    return cached_parse("fixture-yaml", text, f"{_loader_tag()}\0{shown}", lambda t: _parse_yaml(t, shown))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def fixture_digest(path: Path | str) -> str | None:
    """`text_digest` of a fixture file read as `read_fixture` reads it; None if it cannot be."""
    try:
        return text_digest(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _parse_yaml(text: str, shown: str) -> Any:
    import yaml

    try:  # the shape first: depth, aliases, expanded size (issue #16 item 11)
        limits.check_yaml_shape(text, _loader_class())
    except limits.LimitError as exc:
        raise FixtureError(f"invalid YAML: {exc}", shown, exc.line) from None
    except yaml.MarkedYAMLError:
        pass  # reported with its line by the load below
    except yaml.YAMLError as exc:
        raise FixtureError(f"invalid YAML: {_one_line(exc)}", shown) from None
    loader = _loader_class()(text)
    loader.name = shown  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise FixtureError(f"invalid YAML: {exc.problem or exc.context}", shown, line) from None
    except yaml.YAMLError as exc:
        raise FixtureError(f"invalid YAML: {_one_line(exc)}", shown) from None
    finally:
        loader.dispose()


def _one_line(exc: Exception) -> str:
    """PyYAML's reader errors span lines ('...\\n  in "<unicode string>", position 0')."""
    return " ".join(str(exc).replace('in "<unicode string>", ', "at ").split())


@lru_cache(maxsize=1)
def _loader_tag() -> str:
    """What a cached parse depends on besides the text: this module (its loader, resolvers and
    node classes) and PyYAML; any change to either invalidates every cached fixture parse."""
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + _yaml_version_tag()).hexdigest()[:16]


def _yaml_version_tag() -> bytes:
    """PyYAML's version and build, without importing it (a cached parse must not need it):
    its package's __init__.py (which holds __version__) and the names of its files (whether
    the libyaml extension is there)."""
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    if spec is None or not spec.origin:
        return b"no-yaml"
    init = Path(spec.origin)
    try:
        names = sorted(p.name for p in init.parent.iterdir())
        return init.read_bytes() + "\0".join(names).encode()
    except OSError:
        return b"yaml-unreadable"


# ---------------------------------------------------------------------------------------
# Finding fixtures
# ---------------------------------------------------------------------------------------


def fixtures_dir() -> Path:
    return data_dir("fixtures")


def resolve_fixture(name_or_path: str | Path, relative_to: Path | None = None,
                    missing: list[Path] | None = None) -> Path:
    """The fixture file for a path or a name under the fixtures directory.

    `tpp/valid_return_up126`, `tpp/valid_return_up126.yaml`, `training` and `./my.yaml` all
    work.  An existing path wins (relative to `relative_to`, the including file's directory,
    when given); otherwise the name is looked up in the fixtures directory with and without
    a suffix.  Raises FixtureError naming what was tried.  `missing`, when given, collects
    the candidates tried before the one found (they did not exist): creating one of them
    would change the answer, which the master-file image cache checks (Simulator).
    """
    raw = Path(name_or_path)
    tried: list[Path] = []
    bases: list[Path | None] = [relative_to] if relative_to is not None else [None]
    if not raw.is_absolute():
        bases.append(fixtures_dir())
    for base in bases:
        candidate = raw if base is None else base / raw
        variants = [candidate] if candidate.suffix.lower() in FIXTURE_SUFFIXES else []
        variants += [candidate.with_name(candidate.name + s) for s in FIXTURE_SUFFIXES]
        for variant in variants:
            tried.append(variant)
            if variant.is_file():
                return variant
            if missing is not None:
                missing.append(variant)
    given = raw if relative_to is None or raw.is_absolute() else relative_to / raw
    if given.exists():  # there, but not a fixture file: say what is wrong with it
        raise FixtureError(f"{_display(given)}: {not_a_fixture_file(given)}")
    raise FixtureError(f"no fixture {str(name_or_path)!r} (looked for {', '.join(_display(t) for t in tried[:4])})")


def not_a_fixture_file(path: Path) -> str:
    """Why an existing `path` is not read as a fixture (a directory, a device, a file whose
    name does not say YAML or JSON)."""
    if path.is_dir():
        return "is a directory (a fixture is a file)"
    if not path.is_file():
        return "is not a regular file"
    return f"a fixture file's name ends in {', '.join(FIXTURE_SUFFIXES)} (it says YAML or JSON)"


def list_fixtures() -> list[Path]:
    """Every shipped fixture file, sorted (training.yaml, employees.yaml, tpp/*, ftd/*...)."""
    root = fixtures_dir()
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in FIXTURE_SUFFIXES and p.is_file())


def fixture_name(path: Path) -> str:
    """`tpp/valid_return_up126` for a shipped fixture, else the path as given."""
    try:
        rel = _resolved(path).relative_to(_resolved(fixtures_dir()))
    except ValueError:
        return _display(path)
    return str(rel.with_suffix("")).replace("\\", "/")
