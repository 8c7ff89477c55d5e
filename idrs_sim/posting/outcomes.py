"""The lines of one kind a posting run reports (what posted, went unpostable, refunded...),
kept out of memory: counted by key as they come, and spooled to a temporary file.

Why (issue 19): a 1M-module run posts 1.5 million lines; held as tuples they were a third
of the run's peak memory, yet `idrs-sim cycle` prints only their counts unless asked for
every line (`--report FILE`, `-v`), which it writes after the cycle has committed -- in
the order of the outcomes (every posting, then every unpostable...), not in the order the
rules made them.  So each kind is written, in blocks, to its own temporary file as the
rules add lines, and read back, block by block, by whoever iterates over it.  The file is
open only while a block is written or read (a report holds no file descriptor: `cycle
--count 200` on a big file keeps 200 reports of 8 kinds), and removed when its
`Outcomes` goes away or the process exits.  A process killed outright (SIGKILL) leaves its
spill files, named ``idrs-sim-report-*``, in the temporary directory: the price of holding
no descriptor (an unlinked temporary file lives only as long as one).

`Outcomes` behaves as the list it replaces for what callers do with a report: `append`,
`extend`, `len`, iteration, `in`, indexing and `==` with a list (tests compare a small
run's lines).  A run that adds fewer than `BLOCK` lines never touches the disk.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

__all__ = ["BLOCK", "KEYS", "Outcomes"]

#: Lines held in memory before a block goes to the temporary file.
BLOCK = 20_000

#: What each kind of report line is counted by (the summary of `idrs-sim cycle`): the
#: TC of a posting, TC/UPC/RC of an unpostable, the refund method, the freeze holding a
#: credit, the URC of a release, the MFTs of a move, the TC resequenced.  Alerts are only
#: counted.  The line shapes are CycleReport's (posting/context.py).
KEYS: dict[str, Callable[[Any], Any] | None] = {
    "posted": itemgetter(3),
    "unposted": itemgetter(3, 4, 5),
    "refunds": itemgetter(4),
    "held": itemgetter(3),
    "released": itemgetter(1),
    "resequenced": itemgetter(3),
    "moved": itemgetter(3, 4),
    "alerts": None,
}


class Outcomes:
    """A spooled list of report lines (tuples) with their counts by `key` (a summary key
    such as the TC of a posting: an `operator.itemgetter`, so counting costs no Python
    call per line)."""

    __slots__ = ("_key", "_counts", "_buffer", "_path", "_blocks", "_len", "__weakref__")

    def __init__(self, key: Callable[[Any], Any] | None = None, lines: Iterable[Any] = ()) -> None:
        self._key = key
        self._counts: Counter[Any] = Counter()
        self._buffer: list[Any] = []
        self._path: str | None = None  # the spill file, once a block went to disk
        self._blocks = 0
        self._len = 0
        self.extend(lines)

    # -- adding ---------------------------------------------------------------------------
    def append(self, line: Any) -> None:
        self._buffer.append(line)
        self._len += 1
        if self._key is not None:
            self._counts[self._key(line)] += 1
        if len(self._buffer) >= BLOCK:
            self._spill()

    def extend(self, lines: Iterable[Any]) -> None:
        new = lines if isinstance(lines, list) else list(lines)
        if not new:
            return
        self._buffer.extend(new)
        self._len += len(new)
        if self._key is not None:
            self._counts.update(map(self._key, new))
        if len(self._buffer) >= BLOCK:
            self._spill()

    def _spill(self) -> None:
        if self._path is None:
            fd, path = tempfile.mkstemp(prefix="idrs-sim-report-")
            os.close(fd)
            self._path = path
            weakref.finalize(self, _remove, path)
        with open(self._path, "ab") as f:
            pickle.dump(self._buffer, f, protocol=pickle.HIGHEST_PROTOCOL)
        self._blocks += 1
        self._buffer = []

    # -- reading --------------------------------------------------------------------------
    def counts(self) -> Counter[Any]:
        """The lines counted by key (a copy)."""
        if self._key is None:
            raise TypeError("these outcomes are not counted by key")
        return Counter(self._counts)

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __iter__(self) -> Iterator[Any]:
        if self._path is not None and self._blocks:
            blocks = self._blocks  # what was spilled when the iteration began
            with open(self._path, "rb") as f:
                for _ in range(blocks):
                    yield from pickle.load(f)
        yield from list(self._buffer)

    def __getitem__(self, index: int | slice) -> Any:
        if not self._blocks:
            return self._buffer[index]
        return list(self)[index]

    def __contains__(self, line: object) -> bool:
        return any(x == line for x in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Outcomes):
            return len(self) == len(other) and list(self) == list(other)
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it replaces

    def __repr__(self) -> str:
        if self._len <= 20:
            return repr(list(self))
        return f"<Outcomes: {self._len} lines>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Outcomes, (self._key, list(self)))


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
