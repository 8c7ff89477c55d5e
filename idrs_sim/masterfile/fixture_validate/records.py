"""The records of an account other than its transactions, at entity or module level:
unpostables (with their history lines), control bases, history items, letters and notes.
"""

from __future__ import annotations

import re

from ..fixture_compose import _p
from .fields import FieldChecks
from .schema import (
    CONTROL_KEYS,
    CONTROL_STATUSES,
    HISTORY_KEYS,
    LETTER_KEYS,
    NOTE_KEYS,
    SEQ_RE,
    UNPOSTABLE_KEYS,
    UP_HISTORY_KEYS,
)


class RecordSection(FieldChecks):
    """One unpostable, control base, history item, letter or note -> its row."""

    def unpostable(self, node: dict, ent: dict, mft: str | None) -> dict | None:
        self.keys(node, UNPOSTABLE_KEYS, "unpostable")
        seq_raw = node.get("seq")
        seq = str(seq_raw) if isinstance(seq_raw, (str, int)) and not isinstance(seq_raw, bool) else None
        if seq_raw is None:
            self.err(node, None, "seq: is required (the case sequence number UPTIN shows)")
        elif seq is None or not SEQ_RE.match(seq):
            self.err(node, "seq", f"seq: {seq_raw!r} must be 1-12 digits (quote it: \"000000101\")")
            seq = None
        elif seq in self._seqs:
            first = self._seqs[seq]
            self.err(node, "seq", f"unpostable sequence number {seq} is used twice (also {first.file}:{first.line})")
            seq = None
        else:
            self._seqs[seq] = _p(node, "seq", "", default_file=self.file)
        code = self.integer(node, "code", 1, 999, required=True)
        reason = self.integer(node, "reason", 0, 9)
        status = self.text(node, "status") or "open"
        if status not in ("open", "closed"):
            self.err(node, "status", f"status: {status!r} must be open or closed")
        urc = self.text(node, "urc", 2, upper=True)
        if urc is not None and not re.fullmatch(r"[0-9A-Z]{1,2}", urc):
            self.err(node, "urc", f"urc: {urc!r} is not an unpostable resolution code")
        ccc = self.text(node, "ccc", 2, upper=True)
        original = self.cycle(node, "original_cycle")
        if node.get("cycle") is not None:
            given = self.cycle(node, "cycle")
            if original is not None and given is not None and given != original:
                self.err(node, "cycle", "cycle: and original_cycle: disagree")
            original = original or given
        if original and self.current_cycle and original > self.current_cycle:
            self.lint(node, "cycle", f"unpostable cycle {original} is after the current cycle {self.current_cycle}")
        corrected = self.tin(node, "corrected_tin")
        document = node.get("document")
        if document is not None and self.mapping(document, node, "document", "document"):
            if self.linting:
                self.walk_tins(document, node, "document")
            document = self.jsonable(document, node, "document")
        else:
            document = None
        history = []
        for h in self.items(node, "history", "history line"):
            self.keys(h, UP_HISTORY_KEYS, "unpostable history")
            day = self.date(h, "date", required=True)
            text = self.text(h, "text", 80, required=True)
            if day is not None and text is not None:
                history.append({"date": day, "idrs": self.idrs(h, "idrs"), "text": text})
        txn_ref = node.get("txn")
        if code is None or seq is None:
            return None
        default_released = status == "closed"
        return {
            "seq": seq,
            "upc": code,
            "reason": reason or 0,
            "dln": self.dln(node, "dln", mft),
            "status": status,
            "assigned": self.idrs(node, "assigned"),
            "urc": urc,
            "ccc": ccc,
            "release_cycle": self.cycle(node, "release_cycle"),
            "corrected_tin": corrected,
            "remarks": self.text(node, "remarks", 60),
            "original_cycle": original,
            "status_date": self.date(node, "status_date"),
            "resolved_by": self.idrs(node, "resolved_by"),
            "resolved_date": self.date(node, "resolved_date"),
            "released": self.boolean(node, "released", default_released),
            "document": document,
            "_history": history,
            "_txn_ref": txn_ref,
            "_txn": None,
            "_node": node,
        }

    def control(self, node: dict) -> dict | None:
        self.keys(node, CONTROL_KEYS, "control base")
        category = self.text(node, "category", 4, required=True, upper=True)
        status = self.text(node, "status", 1, required=True, upper=True)
        if status is not None and status not in CONTROL_STATUSES:
            self.err(node, "status", f"status: {status!r} must be one of {', '.join(sorted(CONTROL_STATUSES))}")
        activity = self.text(node, "activity", 10, required=True, upper=True)
        idrs = self.idrs(node, "idrs", required=True)
        history = [row for h in self.items(node, "history", "history item") if (row := self.history_item(h)) is not None]
        if None in (category, status, activity, idrs):
            return None
        return {
            "category": category,
            "status": status,
            "activity": activity,
            "idrs": idrs,
            "received_date": self.date(node, "received_date"),
            "opened_date": self.date(node, "opened_date"),
            "status_date": self.date(node, "status_date"),
            "closed_date": self.date(node, "closed_date"),
            "opened_by": self.idrs(node, "opened_by"),
            "_history": history,
        }

    def history_item(self, node: dict) -> dict | None:
        self.keys(node, HISTORY_KEYS, "history item")
        day = self.date(node, "date", required=True)
        activity = self.text(node, "activity", 10, required=True, upper=True)
        if day is None or activity is None:
            return None
        return {"date": day, "idrs": self.idrs(node, "idrs"), "activity": activity, "text": self.text(node, "text", 80)}

    def letter(self, node: dict) -> dict | None:
        self.keys(node, LETTER_KEYS, "letter")
        letter = self.text(node, "letter", 8, required=True, upper=True)
        day = self.date(node, "date", required=True)
        if day is not None and self.today is not None and day > self.today:
            self.lint(node, "date", f"letter dated {day}, after the master file date {self.today}")
        if letter is None or day is None:
            return None
        return {
            "letter": letter,
            "period": self.period(node, "period"),
            "date": day,
            "idrs": self.idrs(node, "idrs"),
            "paragraphs": self.text(node, "paragraphs", 40),
            "return_address_code": self.text(node, "return_address_code", 4),
            "signature_code": self.text(node, "signature_code", 4),
            "on_idrs": self.boolean(node, "on_idrs", True),
        }

    def note(self, node: dict) -> dict | None:
        self.keys(node, NOTE_KEYS, "note")
        text = self.text(node, "text", required=True)
        day = self.date(node, "date", required=True)
        if text is None or day is None:
            return None
        return {
            "system": self.text(node, "system", 8, upper=True) or "AMS",
            "issue": self.text(node, "issue", 40),
            "text": text,
            "idrs": self.idrs(node, "idrs"),
            "date": day,
        }
