"""One classroom program per SQLite class database.

Why: SQLite cannot serialise two programs' class registries (decision in docs/decisions.md,
"Classroom in a browser"), and a review found two `idrs-sim classroom` programs on one file
both saying `listening`: a trainee signed on to each at once typed into a sandbox the
registry had already retired, which no CLASS or `grade` reads.  The second program is now
refused at start.  PostgreSQL serialises the registry itself; several programs may share it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["ProgramLock"]


class ProgramLock:
    """An exclusive lock on `<db>.classroom-lock` beside a SQLite class database, held
    while the classroom is open (the kernel drops it if the program dies)."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".classroom-lock")
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
