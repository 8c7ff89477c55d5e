"""Which TC 971 a TC 972 reverses (CONTRACT §3; IRM 25.25.6.1.7: "only reverse the AC 124
whose MISC DLN matches").  Pure: the posting run (`posting.reversals`) reads the facts in
one statement for all the reversals of a cycle and asks this module for each of them.

Preference, among the unreversed TC 971s of the same action code in the reversal's scope
(its module, or the entity for entity-level action codes): the same MISC, then the same
DLN (the full DLN in MISC, or the last six digits that the AC 129 reversal formats carry),
then the earliest in posting order.  None: the TC 972 is unpostable.  The AC 505 breach
indicator is picked by its own rule (`rules.breach.pick_reversal`).

The TPP markers AC 121 / 124 / 129 (`rules.misc.RETURN_REVERSAL_ACS`) are reversed for the
return in question only (IRM 25.25.6.5.1.1 (5), 25.25.6.5.1.2 (4)), so "the earliest" is
no fallback for them: a DLN the TC 972 names must fit the marker (a marker whose MISC names
no return, e.g. `IVO EL IDT`, cannot be contradicted here -- FRM77 checked it against the
module's returns); a TC 972 naming no DLN reverses only while the open markers all carry
one DLN.  Otherwise None: unpostable, as the FRM77 screen would have refused it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from .misc import RETURN_REVERSAL_ACS, dln_fits, reversal_dln

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


def pick_original(rev: Reversal, candidates: Sequence[Original], dln_of: DlnOf) -> Original | None:
    """Which of `candidates` (not empty) `rev` reverses: same MISC, same DLN, earliest; for
    the TPP markers (`RETURN_REVERSAL_ACS`) the one of the return the MISC names, or None.
    `dln_of(misc, dln)` gives the DLN of a MISC (and of a transaction); it is only asked
    when no MISC is the same (the usual case needs none)."""
    misc = (rev.misc or "").strip().upper()
    ordered = sorted(candidates, key=lambda c: c.order) if len(candidates) > 1 else list(candidates)
    for c in ordered:
        if misc and (c.misc or "").strip().upper() == misc:
            return c
    named = dln_of(rev.misc, None) or reversal_dln(misc)
    if named:
        for c in ordered:
            if dln_fits(named, dln_of(c.misc, c.dln)):
                return c
    if rev.ac not in RETURN_REVERSAL_ACS:
        return ordered[0]
    if named:
        # The return in question is named and no marker carries its DLN: only a marker whose
        # MISC names no return at all (IVO EL IDT, DDB ARAP RULE TR) may still be it.
        return next((c for c in ordered if not dln_of(c.misc, None)), None)
    # Nothing named: unambiguous only when every open marker is for the same return.
    return ordered[0] if len({dln_of(c.misc, c.dln) for c in ordered}) == 1 else None


def match_all(reversals: Iterable[tuple[Reversal, Sequence[Original]]], dln_of: DlnOf) -> list[tuple[int, int | None]]:
    """(reversal key, original key or None) for each reversal in input order, given the
    originals in its scope; an original reversed by an earlier reversal is not offered to
    a later one (two TC 972s never reverse the same TC 971).  None: nothing to reverse, or
    (TPP markers) none of the return the reversal names (`pick_original`)."""
    claimed: set[int] = set()
    out: list[tuple[int, int | None]] = []
    for rev, scope in reversals:
        found = [o for o in scope if rev.ac is not None and o.ac == rev.ac and o.key not in claimed]
        if not found:
            out.append((rev.key, None))
            continue
        # One candidate is the pick whatever the MISC says -- except for a TPP marker, whose
        # reversal must name its return (pick_original).
        if len(found) == 1 and rev.ac not in RETURN_REVERSAL_ACS:
            pick: Original | None = found[0]
        else:
            pick = pick_original(rev, found, dln_of)
        if pick is not None:
            claimed.add(pick.key)
        out.append((rev.key, pick.key if pick is not None else None))
    return out


def latest_original(tcs: Iterable[int], reversal_key: int, scope: Iterable[Original], claimed: set[int]) -> int | None:
    """The original a reversal TC (137, 421, 521, 571, 572, 807, 811 ...) reverses: the latest
    (posting order) unreversed transaction of one of the codes `tcs` it names in the scope,
    not already claimed this cycle; None when there is none (Document 6209: such reversals
    post without effect).  `Original.ac` carries the transaction code here."""
    wanted = frozenset(tcs)
    found = [o for o in scope if o.ac in wanted and o.key != reversal_key and o.key not in claimed]
    return max(found, key=lambda o: o.order).key if found else None
