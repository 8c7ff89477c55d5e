"""The lines of one kind a posting run reports (what posted, went unpostable, refunded...),
kept out of memory: counted by key as they come, and spooled to a temporary file.

Why (issue 19): a 1M-module run posts 1.5 million lines; held as tuples they were a third
of the run's peak memory, yet `idrs-sim cycle` prints only their counts unless asked for
every line (`--report FILE`, `-v`), which it writes after the cycle has committed -- in
the order of the outcomes (every posting, then every unpostable...), not in the order the
rules made them.  So each kind is written, in blocks, to its own temporary file as the
rules add lines, and read back, block by block, by whoever iterates over it.

`Outcomes` behaves as the list it replaces for what callers do with a report: `append`,
`extend`, `len`, iteration, `in`, indexing and `==` with a list (tests compare a small
run's lines).  A run that adds fewer than `BLOCK` lines never touches the disk.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import IO, Any

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

    __slots__ = ("_key", "_counts", "_buffer", "_file", "_blocks", "_len")

    def __init__(self, key: Callable[[Any], Any] | None = None, lines: Iterable[Any] = ()) -> None:
        self._key = key
        self._counts: Counter[Any] = Counter()
        self._buffer: list[Any] = []
        self._file: IO[bytes] | None = None
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
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="idrs-sim-report-")
        pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
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
        if self._file is not None and self._blocks:
            f, blocks = self._file, self._blocks
            f.flush()
            f.seek(0)
            try:
                for _ in range(blocks):
                    yield from pickle.load(f)
            finally:
                f.seek(0, 2)  # later blocks go to the end again
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
