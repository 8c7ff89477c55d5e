"""Ready-made master-file images of loaded fixtures.

Why: `idrs-sim replay` starts a fresh in-memory master file for every script, and
reading, validating and inserting the training fixture, with a scrypt hash per employee,
cost about a quarter of a second each time and more since every employee gets a salt of
their own.  After an in-memory load the whole SQLite database is kept in the per-user
cache (`idrs_sim.cache`, entry ``masterfile/<name>.image``) together with the fixture's
passwords and clock.  The next in-memory load of the same fixture copies that image into
the new database (SQLite's backup API) instead of loading the files.  The image carries
the schema too (tables, indexes, the audit trail's append-only triggers), so such a
master file is opened without `create_all` (`MasterFile(schema=False)`); an image lacking
any of them is not used.  The entry is used only when

* it was made for this fixture file (its resolved path names the entry) by this code: a
  hash of the loading code (every module of `idrs_sim.masterfile`, the clock, the posting
  calendar, the simulator, this module, the cache, the reference tables of `tables/`) and the Python,
  SQLAlchemy, SQLite and PyYAML versions;
* and every file the fixture was composed from still has the content hash recorded in
  the entry, and every path that include resolution tried and found missing is still
  missing (a new file there would change what an include means).

Otherwise the fixture is loaded from its files as before and the entry rewritten.  One
entry per fixture file: two fixtures never share one, and old versions do not pile up;
at most `_IMAGES_KEPT` entries stay on disk (the least recently used go first).
The file digests are those of the texts as they were read for the load, so a file edited
during a load cannot label the image as its new content; and nothing is read or written
once the loading code on disk differs from what this process imported.  Images are made
only with a fixed clock (not the TUI's running clock) and only for in-memory databases;
a ``--db`` file is always filled from the files.  A cache that is off
(``IDRS_SIM_CACHE_DIR=off``) means no image at all; one that is missing, unwritable or
damaged means the normal load (an unwritable one keeps the image in process memory),
silently.  Decision: the image holds the employees' password hashes, so their salts are
the same for every master file made from one image (until the fixture or code changes),
instead of new per process.  The passwords hashed are the fixture's own training
passwords, which stand in clear in the fixture files; scrypt and its parameters
(masterfile/security.py) are unchanged, and the cache directory is private (0700).

`Simulator` asks `find_image` before it loads a fixture into a new in-memory database
and gives each fresh load to `save_image`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .masterfile.db import MasterFile, sqlite_schema_missing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedImage:
    """A valid cached image of one fixture file, ready to be copied into a new master file."""

    name: str  # the cache entry
    top: str  # the fixture file, resolved
    image: bytes  # the SQLite database
    clock: dt.datetime
    passwords: dict[str, str]


def find_image(path: Path) -> CachedImage | None:
    """The valid cached image of this fixture file made by this code; None when there is none."""
    from . import cache as _cache

    if _cache.disabled() or not _code_unchanged():
        return None
    try:
        top = str(path.resolve())
        name = _image_name(top)
        blob = _cache.read_entry(_IMAGE_SUB, name)
        if blob is None:
            return None
        found = _read_image(blob, top)
        if found is None:
            _cache.forget_entry(_IMAGE_SUB, name)
            return None
        header, image = found
        if not _sources_unchanged(header):
            return None  # the fixture changed: loaded from its files, the entry rewritten
        clock = dt.datetime.fromisoformat(header["clock"])
        passwords = {str(k): str(v) for k, v in header["passwords"].items()}
    except Exception:  # noqa: BLE001  a damaged entry never stops a load
        log.debug("master-file image for %s not usable", path, exc_info=True)
        return None
    return CachedImage(name, top, image, clock, passwords)


def forget_image(found: CachedImage) -> None:
    """Drop an entry whose image could not be restored."""
    from . import cache as _cache

    _cache.forget_entry(_IMAGE_SUB, found.name)


def save_image(mf: MasterFile, path: Path, composition: Any, passwords: dict[str, str]) -> None:
    """Keep this freshly loaded master file as the image of its fixture (never fails)."""
    from . import cache as _cache

    if _cache.disabled():  # an unwritable directory still keeps the image in process memory
        return
    try:
        top = str(path.resolve())
        # The digests of the texts as they were read and loaded (not read again now: a
        # file changed meanwhile must not label this image as its new content).
        files = sorted([real, digest] for real, digest in composition.digests.items())
        missing = sorted({_absolute(p) for p in composition.missing})
        image = mf.image()
        if not files or top not in composition.digests or not _code_unchanged():
            return
        header = {
            "format": _IMAGE_FORMAT_VERSION,
            "top": top,
            "code": _code_tag(),
            "files": files,
            "missing": missing,
            "passwords": passwords,
            "clock": mf.clock.now().isoformat(),
            "image_sha256": hashlib.sha256(image).hexdigest(),
        }
        head = json.dumps(header, sort_keys=True).encode()
        blob = _IMAGE_MAGIC + len(head).to_bytes(8, "big") + head + image
        _cache.write_entry(_IMAGE_SUB, _image_name(top), blob, keep=_IMAGES_KEPT)
    except Exception:  # noqa: BLE001  the cache is an optimisation only
        log.debug("master-file image for %s not written", path, exc_info=True)


_IMAGE_SUB = "masterfile"
_IMAGE_MAGIC = b"idrs-sim master-file image\n"
_IMAGE_FORMAT_VERSION = 1
_IMAGES_KEPT = 32  # on disk, least recently used first out (the training image is ~0.4 MB)
_PKG = Path(__file__).resolve().parent

# The code a loaded master file depends on besides the fixture files (tests/test_cache.py
# checks that every idrs_sim module a fixture load imports is listed).
_LOADING_CODE = (
    "__init__.py", "cache.py", "clock.py", "digits.py", "gcpause.py", "resources.py", "simulator.py",
    "fixture_images.py", "masterfile/**/*.py", "posting/__init__.py", "posting/calendar.py",
    "rules/*.py",  # the fixture checks of appeals and acds_cases use the pure Appeals rules (issues 25, 26)
)


def loading_code_files() -> list[Path]:
    """The files whose content names the image cache entries (code and code tables)."""
    from .rules import tables

    files: list[Path] = []
    for pattern in _LOADING_CODE:
        files.extend(sorted(_PKG.glob(pattern)))
    files.extend(p for p in tables.paths() if p.is_file())  # every table: a fixture load may read any of them
    return files


@cache
def _code_tag() -> str:
    """What every image depends on besides its fixture files; computed once per process."""
    import sqlite3

    import sqlalchemy

    from .masterfile.fixtures import _yaml_version_tag

    h = hashlib.sha256(f"{_IMAGE_FORMAT_VERSION}\0{sys.version}\0{sqlalchemy.__version__}\0"
                       f"{sqlite3.sqlite_version}\0".encode())
    h.update(_yaml_version_tag())
    for path in loading_code_files():
        h.update(f"\0{path.relative_to(_PKG.parent) if path.is_relative_to(_PKG.parent) else path}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _image_name(top: str) -> str:
    """One entry per fixture file (its resolved path): a new code version overwrites the
    entry of the old one instead of leaving it behind (the header names the code)."""
    return hashlib.sha256(f"{_IMAGE_FORMAT_VERSION}\0{top}".encode()).hexdigest()[:40] + ".image"


def _read_image(blob: bytes, top: str) -> tuple[dict[str, Any], bytes] | None:
    """(header, SQLite image) of a well-formed entry for this fixture and code; None otherwise."""
    if not blob.startswith(_IMAGE_MAGIC):
        return None
    at = len(_IMAGE_MAGIC)
    size = int.from_bytes(blob[at:at + 8], "big")
    header = json.loads(blob[at + 8:at + 8 + size])
    image = blob[at + 8 + size:]
    if (not isinstance(header, dict) or header.get("format") != _IMAGE_FORMAT_VERSION or header.get("top") != top
            or header.get("code") != _code_tag()
            or header.get("image_sha256") != hashlib.sha256(image).hexdigest()):
        return None
    return header, image


def _sources_unchanged(header: dict[str, Any]) -> bool:
    """Every fixture file as it was when the image was made, every missing path still missing."""
    from .masterfile.fixtures import fixture_digest

    if not header["files"]:
        return False
    for missing in header["missing"]:
        if Path(missing).is_file():
            return False
    return all(fixture_digest(path) == digest for path, digest in header["files"])


def _stat_code() -> tuple[tuple[str, int, int], ...] | None:
    try:
        return tuple((str(p), st.st_mtime_ns, st.st_size) for p in loading_code_files() for st in (p.stat(),))
    except OSError:
        return None


def _code_unchanged() -> bool:
    """Whether the loading code on disk is still the code this process imported.

    Why: the code tag hashes the files; if they were edited after this process imported
    them (a long test run while someone edits the tree), an image made or read now would
    carry the new code's tag but the old code's data.  Python itself judges its byte-code
    caches by modification time and size; so does this check.
    """
    return _CODE_AT_IMPORT is not None and _stat_code() == _CODE_AT_IMPORT


def _absolute(path: Path) -> str:
    import os

    return os.path.abspath(path)


_CODE_AT_IMPORT = _stat_code()  # the loading code as this process imported it


def copy_image_into(mf: MasterFile, image: bytes) -> None:
    """Fill the (new, empty) in-memory master file from the image (`MasterFile.restore`).

    The image brings the schema with it (tables, indexes, the audit trail's append-only
    triggers: the master file is opened without `create_all`); an image that lacks any of
    them raises, and the caller loads normally.
    """
    mf.restore(image)
    raw = mf.engine.raw_connection()
    try:
        missing = sqlite_schema_missing(raw.driver_connection)
    finally:
        raw.close()
    if missing:
        raise ValueError(f"master-file image lacks {', '.join(missing)}")


__all__ = ["CachedImage", "copy_image_into", "find_image", "forget_image", "loading_code_files", "save_image"]
