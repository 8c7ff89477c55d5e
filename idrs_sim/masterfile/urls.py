"""What a database URL names: the SQLite file behind it, and SQLite's URI form.

Kept apart from `db` (the engine and units of work): the command line asks these before
it opens anything, so that reading a missing file never creates it and `?mode=ro` holds.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["sqlite_file"]


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (`sqlite:///x.db`, `sqlite:///file:x.db?mode=ro&uri=true`),
    None for memory and for other databases.  Commands that only read ask whether it exists:
    opening a missing one would create it (and fill it from the training file)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: opening it says why
        return None
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:"):
        return None
    if name.startswith("file:"):
        name = name.removeprefix("file:").split("?")[0]
        if not name or name == ":memory:" or parsed.query.get("mode") == "memory":
            return None
    return Path(name)


def _sqlite_uri_form(url: str) -> str:
    """`sqlite:///x.db?mode=ro` as SQLite's URI form (`sqlite:///file:x.db?mode=ro&uri=true`).

    pysqlite passes a plain file name on, so its `?mode=ro` was ignored with a warning and
    the file written: a user who asked for read-only got writes.  SQLite's own URI
    parameters (mode, cache, immutable, nolock, vfs) make the URL a URI, so they hold."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - opening it says why
        return url
    name, query = parsed.database or "", dict(parsed.query)
    uri_keys = {"mode", "cache", "immutable", "nolock", "vfs", "psow", "modeof"}
    if name in ("", ":memory:") or name.startswith("file:") or "uri" in query or not uri_keys & query.keys():
        return url
    return parsed.set(database=f"file:{name}", query={**query, "uri": "true"}).render_as_string(hide_password=False)
