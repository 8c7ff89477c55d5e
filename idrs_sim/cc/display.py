"""How IDRS prints account values on research screens: money, dates, DLNs, action codes,
TINs, wrapped list lines, and the one format of a transaction, control base and history line
(ENMOD, TXMOD, IMFOLT, UPTIN ... share it so a trainee can compare screens column by column).

Pure formatting over the master-file rows, and a return as filed (TRDBV, RTVUE, UPDIS,
BRTVU).  Finding the account and the research refusals are `idrs_sim.cc.research`.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..digits import digits_only, is_digits
from ..masterfile import derive
from ..masterfile.models import (
    PENDING,
    POSTED,
    ControlBase,
    Entity,
    HistoryItem,
    Transaction,
    Unpostable,
)
from ..rules import codes as tx_codes

WIDTH = 79  # list lines: column 80 may hold an attribute
RULE = "-" * WIDTH

# ---------------------------------------------------------------------------------------
# formatting


def money(value: Decimal | int | str | None, blank_zero: bool = False) -> str:
    """IDRS money: thousands separators, credits with a trailing minus, zero as ``.00``."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    if d == 0:
        return "" if blank_zero else ".00"
    text = f"{abs(d):,.2f}"
    if text.startswith("0."):
        text = text[1:]
    return text + ("-" if d < 0 else "")


def mdy(value: dt.date | str | None) -> str:
    """A date as IDRS shows it: MMDDYYYY (blank when there is none)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).strftime("%m%d%Y")
        except ValueError:
            return value
    return value.strftime("%m%d%Y")


def dln(value: str | None) -> str:
    """A DLN in the dashed display form 5-3-5-1 (`29211-105-00123-4`); other text as is."""
    digits = derive.dln_digits(value)
    if len(digits) != 14:
        return value or ""
    return f"{digits[:5]}-{digits[5:8]}-{digits[8:13]}-{digits[13]}"


def ac3(ac: int | None) -> str:
    """An action or closing code as three digits (`046`), blank when there is none."""
    return "" if ac is None else f"{ac:03d}"


def tin_display(ent: Entity) -> str:
    """The TIN followed by its file-source character (reference §1.3): blank when valid,
    `V` for an SSN on the BMF; `extra.file_source` overrides (e.g. `*` invalid SSN)."""
    fs = (ent.extra or {}).get("file_source")
    if fs is None:
        fs = "V" if ent.file == "BMF" and ent.tin_type in ("SSN", "ITIN") else " "
    return f"{ent.tin}{str(fs)[:1]}"


FILING_STATUS = {
    "single": "1", "married_filing_jointly": "2", "joint": "2", "married_filing_separately": "3",
    "head_of_household": "4", "qualifying_surviving_spouse": "5", "qualifying_widow": "5",
}


def filing_status(value: Any) -> str:
    """Filing status as the IMF codes it (1 single, 2 joint, 3 separate, 4 head of household,
    5 surviving spouse); a code or unknown text as given."""
    text = str(value or "")
    return FILING_STATUS.get(text.lower().replace(" ", "_").replace("-", "_"), text.upper())


def yes_no(flag: bool) -> str:
    return "YES" if flag else "NO"


def name_lines(ent: Entity) -> list[str]:
    lines = [str(x) for x in (ent.name_lines or [])]
    return lines + [""] * (2 - len(lines)) if len(lines) < 2 else lines


def address_lines(ent: Entity) -> list[str]:
    lines = [str(x) for x in (ent.address or [])]
    if len(lines) > 2:  # street lines joined so the city line always shows
        lines = ["  ".join(lines[:-1]), lines[-1]]
    return lines + [""] * (2 - len(lines))


def filing_requirements(ent: Entity) -> str:
    """Filing requirements as `FORM-CODE` pairs (`1040-01`, `941-01 940-01`)."""
    fr = ent.filing_requirements or {}
    if isinstance(fr, dict):
        return " ".join(f"{k}-{v}" if v not in (None, "", True) else str(k) for k, v in fr.items())
    if isinstance(fr, list | tuple):
        return " ".join(str(x) for x in fr)
    return str(fr)


def wrap(text: str, width: int = WIDTH, indent: str = "") -> list[str]:
    """Free text over as many list lines as it needs."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def fit(items: Iterable[str], sep: str = "  ", indent: str = "") -> list[str]:
    """Labelled items (`TAX> 5,610.00`) on as few lines as they fit, never cut in the middle."""
    lines: list[str] = []
    current = ""
    for item in (i for i in items if i):
        candidate = f"{current}{sep}{item}" if current else indent + item
        if current and len(candidate) > WIDTH:
            lines.append(current)
            current = indent + item
        else:
            current = candidate
    if current:
        lines.append(current)
    return [clip(line) for line in lines]


def section(title: str) -> str:
    """A section header inside a paged list (`--- POSTED TRANSACTIONS ---`)."""
    return f"--- {title} ---"


def clip(line: str) -> str:
    return line[:WIDTH].rstrip()


def echo(cmd: Any, *parts: str | None) -> str:
    """Line 1 of the answer: the code with its definer and the elements it used; the TIN
    keeps the file-source character typed after it (`ENMOD 400-00-1001V`, reference §1.3)."""
    fs = getattr(cmd, "file_source", None) or ""
    tin = digits_only(getattr(cmd, "tin", None))
    shown = [p + fs if fs and tin and digits_only(p) == tin else p for p in parts if p]
    return " ".join([cmd.head, *shown])


# ---------------------------------------------------------------------------------------
# transaction lines (one format on ENMOD, IMFOLE, TXMOD, IMFOLT)

ENTITY_TXN_HEADER = "TC   AC  TRANS-DT SECONDARY-DT CYCLE  ST     MISC"
MODULE_TXN_HEADER = "TC   TRANS-DT CYCLE          AMOUNT DLN               AC  MISC"
TXMOD_TXN_HEADER = "ST     " + MODULE_TXN_HEADER


def display_amount(t: Transaction) -> Decimal:
    """The amount as the module sees it: debits +, credits - (codes.yaml `balance`, via
    idrs_sim.rules.codes); other TCs as stored."""
    if tx_codes.sign(t.tc):
        return derive.signed_amount(t)
    return Decimal(t.amount or 0)


def tc_text(t: Transaction) -> str:
    """The TC, with `R` after it when a later transaction reversed it (Doc 6209 §8A)."""
    reversed_ = t.reversed_by_id is not None or bool((t.extra or {}).get("reversed"))
    return f"{t.tc:03d}" + ("R" if reversed_ else "")


def txn_cycle(t: Transaction) -> str:
    if t.status == POSTED:
        return t.posting_cycle or ""
    if t.status == PENDING:
        return t.due_cycle or ""
    return t.posting_cycle or t.due_cycle or t.input_cycle or ""


def _misc_tail(misc: str, room: int, indent: int) -> tuple[str, list[str]]:
    """MISC in the room left on the line; a longer one continues on a `MISC>` line."""
    if len(misc) <= room:
        return misc, []
    return "", [" " * indent + "MISC> " + misc]


def entity_txn_lines(t: Transaction, status: str = "") -> list[str]:
    """An entity transaction: TC, AC, TRANS-DT, SECONDARY-DT, cycle, status, MISC."""
    head = f"{tc_text(t):<4} {ac3(t.ac):<3} {mdy(t.trans_date):<8} {mdy(t.secondary_date):<12} {txn_cycle(t):<6} {status:<6} "
    misc, more = _misc_tail(t.misc or "", WIDTH - len(head), 9)
    return [clip(head + misc)] + more


def module_txn_lines(t: Transaction, status: str | None = None) -> list[str]:
    """A module transaction: TC, date, cycle, amount, DLN, AC, MISC (with a status column
    first on TXMOD: blank posted, PN pending, U126 0 unpostable)."""
    body = f"{tc_text(t):<4} {mdy(t.trans_date):<8} {txn_cycle(t):<6} {money(display_amount(t)):>14} {dln(t.dln):<17} {ac3(t.ac):<3} "
    if status is not None:
        body = f"{status:<6} " + body
    misc_text = t.misc or _REFUND_METHOD.get(t.refund_method or "", "") if t.tc in tx_codes.REFUND_TCS else t.misc or ""
    misc, more = _misc_tail(misc_text, WIDTH - len(body), 7)
    return [clip(body + misc)] + more


# A refund line says how it went out (IDRS shows direct-deposit refunds with their RTN).
_REFUND_METHOD = {"check": "PAPER CHECK", "direct_deposit": "DIRECT DEPOSIT"}


def unpostable_status(case: Unpostable) -> str:
    """`U` + UPC + blank + reason code, as TXMOD and ENMOD mark an unposted item (`U126 0`)."""
    return f"U{case.upc:03d} {case.reason}"


# ---------------------------------------------------------------------------------------
# control bases and history items

CONTROL_HEADER = "CB   ST CAT  IDRS#      ACTIVITY   RECEIVED OPENED   STAT-DT  CLOSED"


def control_line(cb: ControlBase) -> str:
    state = "CLSD" if cb.status == "C" else "OPEN"
    return clip(
        f"{state:<4} {cb.status:<2} {cb.category:<4} {cb.idrs:<10} {cb.activity:<10} "
        f"{mdy(cb.received_date):<8} {mdy(cb.opened_date):<8} {mdy(cb.status_date):<8} {mdy(cb.closed_date)}"
    )


def history_line(h: HistoryItem) -> str:
    return clip(f"HIST    {h.idrs or '':<10} {h.activity:<10} {mdy(h.date):<8} {h.text or ''}")


def control_summary(controls: Iterable[ControlBase], word: bool = True) -> str:
    """The first open control base in one line (TXMOD CTRL>, SUMRY): status, category, IDRS#, activity."""
    for cb in controls:
        if cb.status != "C":
            return ("OPEN " if word else "") + f"{cb.status} {cb.category} {cb.idrs} {cb.activity}"
    return "NONE"


def control_and_history_lines(controls: Sequence[ControlBase], history: Sequence[HistoryItem]) -> list[str]:
    """Control bases, each followed by its history items, then history items without control.

    `history` is every history item of the module (or entity) from one indexed query; they
    are grouped here rather than loaded per control base (history_item.control_id has no
    index, and one query is cheaper than two anyway).
    """
    lines: list[str] = []
    if controls:
        lines.append(CONTROL_HEADER)
    ids = {cb.id for cb in controls}
    for cb in controls:
        lines.append(control_line(cb))
        mine = [h for h in history if h.control_id == cb.id]
        lines += ["  " + history_line(h) for h in sorted(mine, key=lambda h: (h.date, h.id))]
    loose = [h for h in history if h.control_id is None or h.control_id not in ids]
    lines += [history_line(h) for h in sorted(loose, key=lambda h: (h.date, h.id))]
    return lines or ["NONE"]


# ---------------------------------------------------------------------------------------
# a return as filed (TRDBV, RTVUE, UPDIS, BRTVU): known items first, the rest by key

_RETURN_KEYS = ("tc", "form", "tax_year", "filing_status", "received", "address", "income", "tax",
                "withholding", "refund", "balance_due", "direct_deposit", "dependents", "period", "payments", "credits")


def item_label(key: str) -> str:
    return key.upper().replace("_", "-")


def item_value(value: Any) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, str):
        try:
            return money(Decimal(value)) if "." in value and is_digits(value.replace(".", "").replace("-", "")) else value
        except ArithmeticError:
            return value
    if isinstance(value, list):
        return " / ".join(item_value(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{item_label(str(k))}> {item_value(v)}" for k, v in value.items())
    return str(value)


def dependent_fields(dep: dict[str, Any]) -> tuple[str, str, str, str]:
    """A dependent of a filed return as shown: name, TIN (``tin``, or ``ssn`` in older
    documents), relationship, date of birth (``date_of_birth`` or ``dob``) as MMDDYYYY."""
    return (str(dep.get("name", "")), str(dep.get("tin", dep.get("ssn", ""))),
            str(dep.get("relationship", "")).upper(), mdy(dep.get("date_of_birth", dep.get("dob"))))


def return_document_lines(doc: dict[str, Any] | None) -> list[str]:
    """The return as filed: form, year, filing status, address (none = the entity address
    was used), income documents, tax, withholding, refund and the direct-deposit account."""
    if not doc:
        return ["NO RETURN DATA"]
    lines = [clip(
        f"FORM> {doc.get('form', '1040' if doc.get('tc', 150) == 150 else '')}  TAX-YR> {doc.get('tax_year', '')}"
        f"  FS> {filing_status(doc.get('filing_status'))}  RECD> {mdy(doc.get('received'))}"
    )]
    address = doc.get("address")
    lines.append(clip("ADDRESS> " + ("  ".join(str(a) for a in address) if address else "NONE (ENTITY ADDRESS USED)")))
    income = doc.get("income") or []
    if income:
        lines.append("INCOME:   PAYER-EIN   PAYER-NAME                      WAGES   WITHHOLDING")
        for item in income:
            lines.append(clip(
                f"          {str(item.get('payer_ein', '')):<11} {str(item.get('payer_name', ''))[:24]:<24} "
                f"{money(item.get('wages', item.get('amount'))):>14} {money(item.get('withholding')):>13}"
            ))
    total = sum((Decimal(str(i.get("wages", i.get("amount")) or 0)) for i in income), Decimal(0))
    lines += fit(
        ([f"TOTAL-INCOME> {money(total)}"] if income else [])
        + [f"TAX> {money(doc.get('tax'))}", f"WITHHOLDING> {money(doc.get('withholding'))}"]
        + [f"{item_label(k)}> {money(doc[k])}" for k in ("payments", "credits") if doc.get(k) not in (None, "")]
    )
    refund, due = doc.get("refund"), doc.get("balance_due")
    dd = doc.get("direct_deposit")
    if refund not in (None, "", "0", "0.00") or due not in (None, ""):
        lines.append(clip(
            (f"REFUND> {money(refund)}  " if refund not in (None, "") else "")
            + (f"BAL-DUE> {money(due)}  " if due not in (None, "") else "")
            + ("REFUND-METHOD> " + ("DIRECT DEPOSIT" if dd else "PAPER CHECK") if refund not in (None, "") else "")
        ))
    if dd:
        lines.append(clip(f"DD-RTN> {dd.get('routing', '')}  DD-ACCT> {dd.get('account', '')}"
                          + (f"  ACCT-TYPE> {str(dd['type']).upper()}" if dd.get("type") else "")))
    for dep in doc.get("dependents") or []:
        if isinstance(dep, dict):
            name, tin, relationship, dob = dependent_fields(dep)
            lines.append(clip(f"DEPENDENT> {name}  {tin}  {relationship}  DOB> {dob}"))
        else:
            lines.append(clip(f"DEPENDENT> {dep}"))
    rest = [f"{item_label(k)}> {item_value(v)}" for k, v in doc.items() if k not in _RETURN_KEYS]
    for item in rest:
        lines += wrap(item)
    return lines
