"""The `entities:` section: one taxpayer's entity (TIN, file, names, name control,
depositor, POA, information returns), its tax modules (MFT and period against the code
tables), and the records listed at each level, handed to the transaction, record and
reversal checks.
"""

from __future__ import annotations

import re
from typing import Any

from ..fixture_compose import _p
from .records import RecordSection
from .reversals import ReversalSection
from .schema import DEPOSITORS, EIN_RE, ENTITY_KEYS, MODULE_KEYS, NAME_CONTROL_RE
from .transactions import TransactionSection


class EntitySection(TransactionSection, RecordSection, ReversalSection):
    """One entity with its modules -> a row of `Rows.entities` (modules and records nested)."""

    def entity(self, node: dict) -> None:
        self.keys(node, ENTITY_KEYS, "entity")
        tin = self.tin(node, "tin", required=True)
        # A bad TIN is reported and the rest of the entity still checked (`fixtures check`
        # lists every problem at once, CONTRACT §1); such an entity is never loaded.
        broken = tin is None
        if tin is None:
            tin = str(node.get("tin") or "?")
        elif tin in self._tins:
            first = self._tins[tin]
            self.err(node, "tin", f"TIN {tin} is listed twice (also {first.file}:{first.line})")
            return
        else:
            self._tins[tin] = _p(node, "tin", "", default_file=self.file)
        is_ein = bool(EIN_RE.match(tin))
        tin_type = self.text(node, "tin_type", upper=True) or ("EIN" if is_ein else ("ITIN" if tin.startswith("9") else "SSN"))
        if tin_type not in ("SSN", "EIN", "ITIN"):
            self.err(node, "tin_type", f"tin_type: {tin_type!r} must be SSN, EIN or ITIN")
        elif broken:
            pass  # whether the type fits the TIN cannot be told
        elif (tin_type == "EIN") != is_ein:
            self.err(node, "tin_type", f"tin_type: {tin_type} does not fit TIN {tin}")
        elif tin_type == "ITIN" and not tin.startswith("9"):
            self.lint(node, "tin_type", f"an ITIN begins with 9, {tin} does not")
        file = self.text(node, "file", upper=True) or ("BMF" if is_ein else "IMF")
        if file not in ("IMF", "BMF"):
            self.err(node, "file", f"file: {file!r} must be IMF or BMF")
        elif file == "IMF" and is_ein:
            self.err(node, "file", f"an EIN ({tin}) is on the BMF, not the IMF")
        names = node.get("name")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.err(node, "name" if "name" in node else None, "name: is required (a list of name lines)")
            names = []
        address = node.get("address") or []
        if isinstance(address, str):
            address = [address]
        if not isinstance(address, list) or not all(isinstance(a, str) for a in address):
            self.err(node, "address", "address: must be a list of address lines")
            address = []
        name_control = self.text(node, "name_control", upper=True) or (_name_control(names[0], file) if names else "")
        if name_control and not NAME_CONTROL_RE.match(name_control):
            self.err(node, "name_control", f"name_control: {name_control!r} must be 1-4 letters, digits, & or -")
        depositor = self.text(node, "depositor")
        if depositor is not None and depositor not in DEPOSITORS:
            self.err(node, "depositor", f"depositor: {depositor!r} must be monthly or semiweekly")
        elif depositor is not None and file != "BMF":
            self.lint(node, "depositor", "depositor: only BMF (employment tax) accounts have a deposit schedule")
        filing = node.get("filing_requirements") or {}
        extra = node.get("extra") or {}
        for key, value in (("filing_requirements", filing), ("extra", extra)):
            if not isinstance(value, dict):
                self.err(node, key, f"{key}: must be a mapping")
        poa = node.get("poa") or []
        irs = node.get("information_returns") or []
        for key, value in (("poa", poa), ("information_returns", irs)):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                self.err(node, key, f"{key}: must be a list of mappings")
        for item in poa if isinstance(poa, list) else []:
            if isinstance(item, dict) and isinstance(item.get("periods"), list):
                for i, per in enumerate(item["periods"]):
                    if isinstance(per, int):
                        item["periods"][i] = str(per)
        if self.linting:
            self.walk_tins({"poa": poa, "information_returns": irs, "extra": extra}, node, None)
        row: dict[str, Any] = {
            "tin": tin,
            "tin_type": tin_type,
            "file": file,
            "established": self.boolean(node, "established", True),
            "name_control": name_control,
            "name_lines": list(names),
            "address": list(address),
            "filing_requirements": self.jsonable(filing, node, "filing_requirements") if isinstance(filing, dict) else {},
            "depositor": depositor,
            "poa": self.jsonable(poa, node, "poa") if isinstance(poa, list) else [],
            "information_returns": self.jsonable(irs, node, "information_returns") if isinstance(irs, list) else [],
            "extra": self.jsonable(extra, node, "extra") if isinstance(extra, dict) else {},
            "_node": node,
            "_txns": [],
            "_modules": [],
        }
        refs: dict[str, dict[str, Any]] = {}
        row["_refs"] = refs
        row["_level"] = self.level_rows(node, row, None, file)
        seen: set[tuple[str, str]] = set()
        for mod in self.items(node, "modules", "module"):
            self.keys(mod, MODULE_KEYS, "module")
            mft = self.mft(mod, "mft", required=True)
            period = self.period(mod, "period", required=True)
            if mft is None or period is None:
                # Its transactions, cases and controls are still checked (reported now, not
                # one round later); the module is not kept.
                self.level_rows(mod, row, {"mft": mft, "period": period, "_node": mod}, file)
                continue
            if (mft, period) in seen:
                self.err(mod, None, f"module MFT {mft} {period} is listed twice for {tin}")
                continue
            seen.add((mft, period))
            info = self.codes.mfts.get(mft) or {}
            if info.get("file") and info["file"] != file:
                self.lint(mod, "mft", f"MFT {mft} ({info.get('form')}) is a {info['file']} module, but {tin} is on the {file}")
            if info.get("periods") == "quarterly" and period[4:] not in ("03", "06", "09", "12"):
                self.lint(mod, "period", f"MFT {mft} periods end a quarter (03, 06, 09, 12), not {period}")
            if info.get("periods") == "annual" and file == "IMF" and period[4:] != "12":
                self.lint(mod, "period", f"IMF tax period {period} is not a calendar year (YYYY12)")
            status = self.text(mod, "status")
            if status is not None and not re.fullmatch(r"\d{2}", status):
                self.err(mod, "status", f"status: {status!r} must be a 2-digit module status code")
                status = None
            mrow = {
                "mft": mft,
                "period": period,
                "status": status,
                "stop_notice_weeks": self.integer(mod, "stop_notice_weeks", 0, 520),
                "stop_notice_until": self.cycle(mod, "stop_notice_until"),
                "_node": mod,
            }
            mrow["_level"] = self.level_rows(mod, row, mrow, file)
            row["_modules"].append(mrow)
        self.link_refs(row)
        if not broken:
            self.rows.entities.append(row)

    def level_rows(self, node: dict, ent: dict, mod: dict | None, file: str) -> dict[str, list]:
        """Transactions, unpostables, controls, notes, letters and history items at one level."""
        mft = mod["mft"] if mod else None
        out: dict[str, list] = {"txns": [], "unpostables": [], "controls": [], "notes": [], "history": [], "letters": []}
        for t in self.items(node, "transactions", "transaction"):
            row = self.txn(t, ent, mod)
            if row is not None:
                out["txns"].append(row)
        self.reversals(out["txns"])
        for u in self.items(node, "unpostables", "unpostable"):
            row = self.unpostable(u, ent, mft)
            if row is not None:
                out["unpostables"].append(row)
        for c in self.items(node, "controls", "control base"):
            row = self.control(c)
            if row is not None:
                out["controls"].append(row)
        for n in self.items(node, "notes", "note"):
            row = self.note(n)
            if row is not None:
                out["notes"].append(row)
        for h in self.items(node, "history", "history item"):
            row = self.history_item(h)
            if row is not None:
                out["history"].append(row)
        if mod is None:
            for letter in self.items(node, "letters", "letter"):
                row = self.letter(letter)
                if row is not None:
                    out["letters"].append(row)
        return out


def _name_control(name: str, file: str) -> str:
    """Default name control: IMF the first four letters of the (last) surname, BMF of the name.

    IRS rules have many exceptions (Document 7071); fixtures may give name_control.
    """
    words = re.sub(r"[^A-Z0-9&\- ]", "", name.upper()).split()
    if not words:
        return ""
    if file == "IMF":
        surname = words[-1]
        if surname in {"JR", "SR", "II", "III", "IV"} and len(words) > 1:
            surname = words[-2]
        return surname.replace("&", "")[:4]
    if words[0] == "THE" and len(words) > 1:
        words = words[1:]
    return "".join(words)[:4]
