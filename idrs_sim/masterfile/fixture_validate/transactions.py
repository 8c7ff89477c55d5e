"""Transactions (entity- and module-level `transactions:` lists): the row each one loads as,
and the data rules a load tolerates (known codes, entity or module level, the sign of the
amount, dates after the master file date, refund methods, the MISC formats the IRM fixes).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ...rules import misc as misc_rules_
from .. import models as m
from ..fixture_compose import _cycle_of
from .fields import FieldChecks
from .schema import _ZERO, REFUND_METHODS, TXN_KEYS


class TransactionSection(FieldChecks):
    """One transaction -> a row of its level's `txns`, and its lint."""

    def txn(self, node: dict, ent: dict, mod: dict | None) -> dict | None:
        # Hot path of a large load: one dict get per key, helpers only for keys present,
        # lint-only rules only when checking (self.linting).
        get = node.get
        self.keys(node, TXN_KEYS, "transaction")
        tc = self.integer(node, "tc", 0, 999, required=True)
        if tc is None:
            return None
        linting = self.linting
        tinfo = self.codes.transaction_codes.get(tc) or {}
        label = f"TC {tc:03d}"
        ac_key = "cc" if "cc" in node else "ac"
        if "cc" in node and "ac" in node:
            self.err(node, "cc", "give ac (action code) or cc (closing code), not both")
        ac = self.integer(node, ac_key, 0, 999) if get(ac_key) is not None else None
        ainfo: dict[str, Any] = {}
        table = tinfo.get("codes")
        if table == "action_codes" and ac is not None:
            label += f" AC {ac:03d}"
            ainfo = self.codes.action_codes.get(ac) or {}
        elif table == "closing_codes" and ac is not None:
            label += f" CC {ac:02d}"
        status = get("status")
        if status is None:
            status = m.POSTED
        elif status not in m.TXN_STATUSES:
            self.err(node, "status", f"status: {status!r} must be one of {', '.join(m.TXN_STATUSES)}")
            status = m.POSTED
        amount = (self.money(node, "amount", _ZERO) or _ZERO) if get("amount") is not None else _ZERO
        trans_date = self.date(node, "date") if get("date") is not None else None
        misc = self.text(node, "misc", 40) if get("misc") is not None else None
        dln = self.dln(node, "dln", mod["mft"] if mod else None) if get("dln") is not None else None
        cyc = self.cycle(node, "cycle") if get("cycle") is not None else None
        due = self.cycle(node, "due_cycle") if get("due_cycle") is not None else None
        posting = self.cycle(node, "posting_cycle") if get("posting_cycle") is not None else None
        if cyc is not None:
            if status == m.POSTED or status == m.UNPOSTABLE:
                if posting is not None and posting != cyc:
                    self.err(node, "posting_cycle", "cycle: and posting_cycle: disagree")
                posting = cyc
            else:
                if due is not None and due != cyc:
                    self.err(node, "due_cycle", "cycle: and due_cycle: disagree")
                due = cyc
        if status == m.POSTED and posting is None and trans_date is not None:
            try:
                posting = _cycle_of(trans_date)
            except ValueError:
                pass
        if status == m.PENDING and due is None:
            due = self.current_cycle
        refund_method = get("refund_method")
        if refund_method is not None and refund_method not in REFUND_METHODS:
            self.err(node, "refund_method", f"refund_method: {refund_method!r} must be check or direct_deposit")
            refund_method = None
        document = get("document")
        if document is not None:
            if self.mapping(document, node, "document", "document"):
                if linting:
                    self.walk_tins(document, node, "document")
                document = self.jsonable(document, node, "document")
            else:
                document = None
        extra = get("extra") or {}
        if not isinstance(extra, dict):
            self.err(node, "extra", "extra: must be a mapping")
            extra = {}
        elif extra:
            extra = self.jsonable(extra, node, "extra")
        has_reversed_by = "reversed_by" in node
        reversed_ = self.boolean(node, "reversed", False) if get("reversed") is not None else False
        if get("reversed") is False and has_reversed_by:
            self.err(node, "reversed", "reversed: false contradicts reversed_by:")
        ref = get("ref")
        if ref is not None and (not isinstance(ref, (str, int)) or isinstance(ref, bool)):
            self.err(node, "ref", "ref: must be a short label")
            ref = None
        if linting:
            self.txn_lint(node, tc, ac, ac_key, tinfo, ainfo, label, mod, status, amount, trans_date, posting, refund_method, misc)
        row: dict[str, Any] = {
            "tc": tc,
            "ac": ac,
            "amount": amount,
            "trans_date": trans_date,
            "secondary_date": self.date(node, "secondary_date") if get("secondary_date") is not None else None,
            "misc": misc,
            "dln": dln,
            "status": status,
            "input_date": self.date(node, "input_date") if get("input_date") is not None else None,
            "input_cycle": self.cycle(node, "input_cycle") if get("input_cycle") is not None else None,
            "due_cycle": due,
            "posting_cycle": posting,
            "post_delay": (self.integer(node, "post_delay", 0, 52) or 0) if get("post_delay") is not None else 0,
            "input_idrs": self.idrs(node, "idrs") if get("idrs") is not None else None,
            "refund_method": refund_method,
            "document": document,
            "extra": extra,
            "_node": node,
            "_label": label,
            "_ref": str(ref) if ref is not None else None,
            "_reversed": reversed_ or has_reversed_by,
            "_reversed_by": get("reversed_by"),
            "_has_reversed_by": has_reversed_by,
            "_link": None,  # the reversal row, once matched
            "_claimed": False,
        }
        if ref is not None:
            refs = ent["_refs"]
            if row["_ref"] in refs:
                self.err(node, "ref", f"ref: {row['_ref']!r} is used twice in {ent['tin']}")
            else:
                refs[row["_ref"]] = row
        return row

    def txn_lint(
        self, node: dict, tc: int, ac: int | None, ac_key: str, tinfo: dict, ainfo: dict, label: str, mod: dict | None,
        status: str, amount: Decimal, trans_date: dt.date | None, posting: str | None, refund_method: str | None, misc: str | None,
    ) -> None:
        """The data rules of a transaction that a load tolerates (codes, level, sign, dates)."""
        if not tinfo:
            self.lint(node, "tc", f"{label} is not a known transaction code (tables/codes.yaml)")
        table = tinfo.get("codes")
        if table == "action_codes":
            if ac is None:
                self.lint(node, None, f"{label} needs an action code (ac:)")
            elif not ainfo:
                self.lint(node, ac_key, f"action code {ac:03d} is not a known TC 971/972 action code (tables/codes.yaml)")
        elif table == "closing_codes":
            if ac is not None and ac not in self.codes.closing_codes:
                self.lint(node, ac_key, f"closing code {ac:02d} is not known for {label[:6]} (tables/codes.yaml)")
        elif ac is not None and tinfo:
            self.lint(node, ac_key, f"{label} takes no action or closing code")
        level = ainfo.get("level") or tinfo.get("level")
        if level == "entity" and mod is not None:
            self.lint(node, "tc", f"{label} posts to the entity: list it under the entity's transactions, not a module's")
        elif level == "module" and mod is None:
            self.lint(node, "tc", f"{label} posts to a tax module: list it under a module, not the entity")
        balance = tinfo.get("balance")
        if balance == "none" and amount != 0:
            self.lint(node, "amount", f"{label} is not a money transaction; its amount should be .00")
        elif balance == "credit" and amount > 0:
            self.lint(node, "amount", f"{label} is a credit: write its amount negative (-{amount})")
        elif balance == "debit" and amount < 0:
            self.lint(node, "amount", f"{label} is a debit: write its amount positive")
        if self.current_cycle is not None and status == m.POSTED:
            if posting is not None and posting > self.current_cycle:
                self.lint(node, "cycle", f"{label} posted in cycle {posting}, after the current cycle {self.current_cycle}")
            if trans_date is not None and self.today is not None and trans_date > self.today:
                self.lint(node, "date", f"{label} posted with date {trans_date}, after the master file date {self.today}")
        if refund_method is not None and tc not in (840, 846):
            self.lint(node, "refund_method", f"refund_method: only refunds (TC 840/846) have one, not {label}")
        self.misc_rules(node, tc, ac, ainfo, misc, mod)

    def misc_rules(self, node: dict, tc: int, ac: int | None, ainfo: dict, misc: str | None, mod: dict | None) -> None:
        """MISC literals the IRM fixes (TPP table 2.2, AC 505 breach numbers, AC 804 CP239...)."""
        if tc not in (971, 972) or ac is None or not ainfo:
            return
        pattern = misc_rules_.misc_pattern(tc, ac)
        if tc == 972 and ac == 129 and not misc:
            self.lint(node, "misc", "TC 972 AC 129 needs a MISC (e.g. 123456_NONIDT); a blank MISC never reaches RIVO")
        elif pattern and misc is not None and not re.search(pattern, misc):
            self.lint(node, "misc", f"TC {tc} AC {ac:03d} MISC {misc!r} does not have the IRM format {pattern}")
        elif pattern and misc is None and tc == 971 and ac in misc_rules_.MISC_REQUIRED_ACS:
            self.lint(node, "misc", f"TC 971 AC {ac:03d} needs a MISC ({pattern})")
        if misc and tc == 971 and ac in misc_rules_.DLN_MISC_ACS:
            found = misc_rules_.leading_dln(misc)
            if found:
                self.dln_structure(node, "misc", found, mod["mft"] if mod and mod["mft"] != "32" else None)
