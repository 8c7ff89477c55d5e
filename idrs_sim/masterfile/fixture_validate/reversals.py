"""Reversal links between the transactions of one entity: `reversed: true` originals matched
to their reversal in the same list, explicit `reversed_by: REF` links, `txn: REF` links
from unpostables, and the lint for reversals without their original (or the other way).
"""

from __future__ import annotations

import re

from .. import models as m
from ..fixture_compose import Codes
from .fields import FieldChecks
from .schema import _line


class ReversalSection(FieldChecks):
    """Links the rows `TransactionSection` and `RecordSection` built, by reversal and by ref."""

    def reversals(self, txns: list[dict]) -> None:
        """Link `reversed: true` originals to their reversal in the same list; flag orphans.

        Decision: a `reversed: true` original takes the first unclaimed posted reversal with a
        TC that reverses it (and the same action code for TC 971/972), preferring one whose
        MISC refers to the original's (same MISC, or the last six DLN digits).  With no such
        reversal in the list the fact is recorded (`extra.reversed`), and for a TC 971 the
        checker says that its TC 972 is missing.  `reversed_by: REF` links explicitly (across
        lists of the same entity); `reversed_by: null` means "reversed, reversal not on file".
        """
        if not txns:
            return
        reversible = self.codes.reversible
        local = {t["_ref"]: t for t in txns if t["_ref"] is not None}
        for orig in txns:  # explicit links first, so that implicit matching cannot take them
            target = orig["_reversed_by"]
            if orig["_has_reversed_by"] and target is not None and str(target) in local:
                local[str(target)]["_claimed"] = True
        for orig in txns:
            if not orig["_reversed"] or orig["_has_reversed_by"]:
                continue
            candidates = [
                rev for rev in txns
                if not rev["_claimed"] and rev is not orig and rev["status"] == m.POSTED and _reverses(self.codes, rev, orig)
            ]  # fmt: skip
            if candidates:
                candidates.sort(key=lambda rev: not _misc_related(orig["misc"], rev["misc"]))
                orig["_link"] = candidates[0]
                candidates[0]["_claimed"] = True
            else:
                orig["extra"] = {**orig["extra"], "reversed": True}
                if orig["tc"] == 971:
                    self.lint(orig["_node"], "reversed", f"{orig['_label']} is marked reversed but no posted TC 972 AC {orig['ac'] or 0:03d} follows in the same list")
        if not self.linting:
            return
        for rev in txns:
            targets = self.codes.reversal_targets(rev["tc"])
            if not targets or rev["_claimed"] or rev["status"] == m.DELETED:
                continue
            originals = [o for o in txns if o is not rev and o["tc"] in reversible and _reverses(self.codes, rev, o)]
            if rev["status"] == m.POSTED:
                open_ = [o for o in originals if not o["_reversed"]]
                if open_:
                    self.lint(rev["_node"], "tc", f"{rev['_label']} reverses the {open_[0]['_label']} on line {_line(open_[0]['_node'])}: mark that one `reversed: true`")
                elif not originals:
                    self.lint(rev["_node"], "tc", f"{rev['_label']} without its original {_original_label(self.codes, rev)} in the same list")
            elif not originals:
                self.lint(rev["_node"], "tc", f"{rev['_label']} without its original {_original_label(self.codes, rev)} in the same list")

    def link_refs(self, ent: dict) -> None:
        """Explicit links by ref: `reversed_by: REF` on transactions, `txn: REF` on unpostables."""
        refs = ent["_refs"]
        for level in [ent["_level"], *(mod["_level"] for mod in ent["_modules"])]:
            for row in level["txns"]:
                if not row["_has_reversed_by"]:
                    continue
                target = row["_reversed_by"]
                if target is None:
                    row["extra"] = {**row["extra"], "reversed": True}
                    continue
                rev = refs.get(str(target))
                if rev is None:
                    self.err(row["_node"], "reversed_by", f"reversed_by: no transaction of {ent['tin']} has ref {target!r}")
                elif rev is row:
                    self.err(row["_node"], "reversed_by", "reversed_by: a transaction cannot reverse itself")
                else:
                    row["_link"] = rev
                    rev["_claimed"] = True
            for up in level["unpostables"]:
                target = up["_txn_ref"]
                if target is None:
                    continue
                txn = refs.get(str(target))
                if txn is None:
                    self.err(up["_node"], "txn", f"txn: no transaction of {ent['tin']} has ref {target!r}")
                else:
                    up["_txn"] = txn


def _reverses(codes_: Codes, rev: dict, orig: dict) -> bool:
    if orig["tc"] not in codes_.reversal_targets(rev["tc"]):
        return False
    return rev["tc"] != 972 or rev["ac"] == orig["ac"]


def _misc_related(orig_misc: str | None, rev_misc: str | None) -> bool:
    if not orig_misc or not rev_misc:
        return False
    if orig_misc == rev_misc:
        return True
    digits = re.match(r"^(\d{14})", orig_misc)
    return bool(digits and rev_misc[:6] == digits.group(1)[-6:])


def _original_label(codes_: Codes, rev: dict) -> str:
    targets = codes_.reversal_targets(rev["tc"])
    if rev["tc"] == 972 and rev["ac"] is not None:
        return f"TC 971 AC {rev['ac']:03d}"
    return " / ".join(f"TC {t:03d}" for t in targets)
