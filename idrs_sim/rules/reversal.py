"""Which TC 971 a TC 972 reverses (CONTRACT §3; IRM 25.25.6.1.7: "only reverse the AC 124
whose MISC DLN matches").  Pure: the posting run (`posting.reversals`) reads the facts in
one statement for all the reversals of a cycle and asks this module for each of them.

Preference, among the unreversed TC 971s of the same action code in the reversal's scope
(its module, or the entity for entity-level action codes): the same MISC, then the same
DLN (the full DLN in MISC, or the last six digits that the AC 129 reversal formats carry),
then the earliest in posting order.  None: the TC 972 is unpostable.  The AC 505 breach
indicator is picked by its own rule (`rules.breach.pick_reversal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

__all__ = ["DlnOf", "Original", "Reversal", "latest_original", "match_all", "pick_original"]


class Original(NamedTuple):
    """An unreversed TC 971 that a TC 972 may reverse."""

    key: int  # the transaction's id
    ac: int | None
    misc: str | None
    dln: str | None  # its own DLN as stored (the one in MISC comes first: `dln_of`)
    order: tuple[str, int]  # posting order: (posting cycle or "", id)


class Reversal(NamedTuple):
    """A TC 972 due in this cycle."""

    key: int
    ac: int | None
    misc: str | None


#: The DLN a TC 971 carries, for the DLN preference: the one at the start of its MISC,
#: else its own (digits); the caller supplies it (masterfile.derive knows DLN formats).
DlnOf = Callable[[str | None, str | None], str | None]


def pick_original(rev: Reversal, candidates: Sequence[Original], dln_of: DlnOf) -> Original:
    """Which of `candidates` (not empty) `rev` reverses: same MISC, same DLN, earliest.
    `dln_of(misc, dln)` gives the DLN of a MISC (and of a transaction); it is only asked
    when no MISC is the same (the usual case needs none)."""
    misc = (rev.misc or "").strip().upper()
    ordered = sorted(candidates, key=lambda c: c.order) if len(candidates) > 1 else list(candidates)
    for c in ordered:
        if misc and (c.misc or "").strip().upper() == misc:
            return c
    full = dln_of(rev.misc, None)
    six = re.match(r"(\d{6})(?:_|\s)", misc)
    if full or six:
        for c in ordered:
            theirs = dln_of(c.misc, c.dln)
            if theirs and ((full and theirs == full) or (six and theirs.endswith(six.group(1)))):
                return c
    return ordered[0]


def match_all(reversals: Iterable[tuple[Reversal, Sequence[Original]]], dln_of: DlnOf) -> list[tuple[int, int | None]]:
    """(reversal key, original key or None) for each reversal in input order, given the
    originals in its scope; an original reversed by an earlier reversal is not offered to
    a later one (two TC 972s never reverse the same TC 971)."""
    claimed: set[int] = set()
    out: list[tuple[int, int | None]] = []
    for rev, scope in reversals:
        found = [o for o in scope if rev.ac is not None and o.ac == rev.ac and o.key not in claimed]
        if not found:
            out.append((rev.key, None))
            continue
        # One candidate: it is the pick whatever the MISC or DLN says (pick_original's fallback).
        pick = found[0] if len(found) == 1 else pick_original(rev, found, dln_of)
        claimed.add(pick.key)
        out.append((rev.key, pick.key))
    return out


def latest_original(tcs: Iterable[int], reversal_key: int, scope: Iterable[Original], claimed: set[int]) -> int | None:
    """The original a reversal TC (137, 421, 521, 571, 572, 807, 811 ...) reverses: the latest
    (posting order) unreversed transaction of one of the codes `tcs` it names in the scope,
    not already claimed this cycle; None when there is none (Document 6209: such reversals
    post without effect).  `Original.ac` carries the transaction code here."""
    wanted = frozenset(tcs)
    found = [o for o in scope if o.ac in wanted and o.key != reversal_key and o.key not in claimed]
    return max(found, key=lambda o: o.order).key if found else None
