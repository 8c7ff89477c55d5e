"""The `ics_cases:` section: Integrated Collection System cases (FTD alerts and the like) on
an MFT and period, with the history and extra data ICS wrote (kept as written, not money).
"""

from __future__ import annotations

from .fields import FieldChecks
from .schema import ICS_KEYS


class IcsCaseSection(FieldChecks):
    """One ICS case -> a row of `Rows.ics_cases`."""

    def ics_case(self, node: dict) -> None:
        self.keys(node, ICS_KEYS, "ICS case")
        tin = self.tin(node, "tin", required=True)
        mft = self.mft(node, "mft", required=True)
        period = self.period(node, "period", required=True)
        priority = self.text(node, "priority", 1, upper=True)
        if priority is not None and priority not in ("A", "B", "C"):
            self.err(node, "priority", f"priority: {priority!r} must be A, B or C")
        status = self.text(node, "status") or "open"
        if status not in ("open", "closed"):
            self.err(node, "status", f"status: {status!r} must be open or closed")
        history = node.get("history") or []
        if not isinstance(history, list):
            self.err(node, "history", "history: must be a list")
            history = []
        extra = node.get("extra") or {}
        if not isinstance(extra, dict):
            self.err(node, "extra", "extra: must be a mapping")
            extra = {}
        if tin is not None and tin not in self._tins:
            self.lint(node, "tin", f"ICS case for {tin}, which has no entity in this master file")
        if None in (tin, mft, period):
            return
        self.rows.ics_cases.append(
            {
                "tin": tin,
                "mft": mft,
                "period": period,
                "kind": self.text(node, "kind", 12, upper=True) or "FTD-ALERT",
                "priority": priority,
                "sub_code": self.text(node, "sub_code", 4),
                "status": status,
                "assigned": self.idrs(node, "assigned"),
                "opened": self.date(node, "opened"),
                "assigned_date": self.date(node, "assigned_date"),
                "closed": self.date(node, "closed"),
                "closing_code": self.text(node, "closing_code", 40),
                "history": self.jsonable(history, node, "history", money=False),
                "extra": self.jsonable(extra, node, "extra", money=False),
            }
        )
