"""Per-user caches of work that every process would otherwise redo: parsers and parsed files.

Why: `idrs-sim replay` and every new simulator used to rebuild the same things from the
same files.  Building an LALR parser from a ``.lark`` file cost about a third of a second
on the development machines (Lark's own grammar-of-grammars and the terminal-collision
check that strict mode runs), and the training fixture is 35 YAML files.  Loaded from a
pickle they take milliseconds.

Where: ``$IDRS_SIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/idrs-sim``, else
``~/.cache/idrs-sim``, created with mode 0700 (a private directory: the entries are
pickles).  ``IDRS_SIM_CACHE_DIR=off`` turns the disk cache off; so does a directory that
cannot be created or written.  Nothing ever depends on the cache being there.

Validity: entries are named by content, never by time stamps.

* `open_lark`: Lark's own ``cache=`` file starts with the SHA-256 of the grammar text,
  the options, the Lark and Python versions (and checks imported grammar files); a
  changed grammar is rebuilt and the file rewritten.  A strict grammar is only written
  after it passed the strict build, so loading one skips no check that ever failed.
* `cached_parse`: the key is the SHA-256 of the text itself plus what the parse depends
  on besides the text (the caller's `context`); the result is kept as pickled bytes in
  memory as well, and every call unpickles a fresh copy, so callers may change what they
  get without touching the cache.
* `read_entry` / `write_entry`: named blobs for callers that check validity themselves.
  The simulator keeps ready-made SQLite images of loaded fixtures this way (see
  `idrs_sim.simulator`: the entry records the content hash of every fixture file and of
  the loading code, and is used only when all of them still match).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_MEMORY: dict[str, bytes] = {}
_MEMORY_LIMIT = 512  # entries; the training fixture is 35 files


def cache_dir(sub: str = "") -> Path | None:
    """The per-user cache directory (or a subdirectory), created if needed; None when off."""
    if disabled():
        return None
    configured = os.environ.get("IDRS_SIM_CACHE_DIR")
    if configured:
        base = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "idrs-sim"
    if sub:
        base = base / sub
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(base, os.W_OK | os.X_OK):
            return None
    except (OSError, RuntimeError):  # RuntimeError: no home directory to expand
        return None
    return base


def open_lark(path: str | Path, **options: Any) -> Any:
    """`lark.Lark.open(path, **options)`, loaded from the per-user cache when it is there."""
    from lark import Lark

    path = Path(path)
    where = cache_dir()
    if where is not None and options.get("parser") == "lalr":
        # One file per grammar file (Lark checks the content hash inside it); the name also
        # carries the path, so two checkouts with different grammars do not overwrite each
        # other's entry on every start.
        tag = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        options = dict(options, cache=str(where / f"{path.stem}-{tag}.lark.pickle"))
    return Lark.open(str(path), **options)


def cached_parse(kind: str, text: str, context: str, parse: Callable[[str], T]) -> T:
    """`parse(text)`, or a copy of the result kept from an earlier call on the same text.

    `kind` names the parser (and its version: change it when the parse result changes
    shape), `context` is whatever else the result depends on (e.g. the file name the
    parser writes into its nodes).  Exceptions from `parse` are not cached.
    """
    key = hashlib.sha256(f"{kind}\0{context}\0{text}".encode()).hexdigest()
    blob = _MEMORY.get(key)
    where = None
    if blob is None:
        where = cache_dir("parsed")
        if where is not None:
            try:
                blob = (where / f"{key}.pickle").read_bytes()
            except OSError:
                blob = None
    if blob is not None:
        try:
            result = pickle.loads(blob)
        except Exception:  # a damaged entry: parse again and replace it
            blob = None
        else:
            _remember(key, blob)
            return result
    result = parse(text)
    try:
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # not picklable: nothing to cache
        return result
    _remember(key, blob)
    if where is not None:
        _write_atomically(where / f"{key}.pickle", blob)
    return result


def _remember(key: str, blob: bytes) -> None:
    if len(_MEMORY) >= _MEMORY_LIMIT:
        _MEMORY.clear()
    _MEMORY[key] = blob


def _write_atomically(target: Path, blob: bytes) -> None:
    """Write to a temporary file beside `target`, then rename: readers never see half a file."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        pass


# ---- named entries (the caller checks what they depend on) ---------------------------

_ENTRIES: dict[tuple[str, str], bytes] = {}  # process memory: (sub, name) -> blob
_ENTRIES_LIMIT = 16


def disabled() -> bool:
    """True when ``IDRS_SIM_CACHE_DIR`` turns the caches off."""
    configured = os.environ.get("IDRS_SIM_CACHE_DIR")
    return configured is not None and configured.strip().lower() in ("", "0", "off", "no", "none")


def read_entry(sub: str, name: str) -> bytes | None:
    """The blob stored under `name` (process memory first, then the per-user directory)."""
    blob = _ENTRIES.get((sub, name))
    if blob is not None:
        return blob
    where = cache_dir(sub)
    if where is None:
        return None
    try:
        blob = (where / name).read_bytes()
    except OSError:
        return None
    _mark_most_recent(where / name)  # recently used: `keep` removes the least recently used first
    _remember_entry(sub, name, blob)
    return blob


def write_entry(sub: str, name: str, blob: bytes, keep: int | None = None) -> None:
    """Keep `blob` under `name`, in memory and (atomically) on disk when the cache is writable.

    `keep` bounds the subdirectory: beyond that many entries the least recently used
    (written or read) are removed.  Why: entries are named by what they were made from
    (e.g. a fixture's path), and test runs make new temporary paths every time.
    """
    _remember_entry(sub, name, blob)
    where = cache_dir(sub)
    if where is not None:
        _write_atomically(where / name, blob)
        if keep is not None:
            _mark_most_recent(where / name)
            _prune(where, keep)


def _mark_most_recent(target: Path) -> None:
    """Give `target` a modification time later than every other entry beside it.

    Why not just `os.utime`: file times advance in clock ticks of several milliseconds, so
    an entry read and another written within one tick would tie, and `_prune` would then
    drop one of the two most recently used entries instead of the least recently used.
    """
    try:
        os.utime(target)
        mine = target.stat().st_mtime_ns
        newest = 0
        with os.scandir(target.parent) as entries:
            for entry in entries:
                if entry.name != target.name and not entry.name.startswith(".tmp-"):
                    try:
                        newest = max(newest, entry.stat().st_mtime_ns)
                    except OSError:  # removed meanwhile by another process
                        continue
        if newest >= mine:
            os.utime(target, ns=(newest + 1, newest + 1))
    except OSError:
        pass


def _prune(where: Path, keep: int) -> None:
    entries = []
    try:
        for entry in where.iterdir():
            if entry.name.startswith(".tmp-"):
                continue
            try:
                entries.append((entry.stat().st_mtime_ns, entry))
            except OSError:  # removed meanwhile by another process
                continue
    except OSError:
        return
    entries.sort()
    for _, entry in entries[: max(0, len(entries) - keep)]:
        try:
            entry.unlink()
        except OSError:
            pass


def forget_entry(sub: str, name: str) -> None:
    """Drop an entry found invalid, from memory and disk, so that it is rebuilt."""
    _ENTRIES.pop((sub, name), None)
    where = cache_dir(sub)
    if where is not None:
        try:
            (where / name).unlink()
        except OSError:
            pass


def _remember_entry(sub: str, name: str, blob: bytes) -> None:
    if len(_ENTRIES) >= _ENTRIES_LIMIT:
        _ENTRIES.clear()
    _ENTRIES[(sub, name)] = blob


def _yaml_safe_load(text: str) -> Any:
    """PyYAML's safe loader, its C build when there is one (ten times faster)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_yaml(path: str | Path) -> Any:
    """A data file of the package (commands/*.yaml...) parsed once per content: the parsed
    data comes from this cache when the file's text was seen before (`cached_parse`)."""
    text = Path(path).read_text(encoding="utf-8")
    return cached_parse("yaml-safe-1", text, "", _yaml_safe_load)
