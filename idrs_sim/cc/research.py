"""Shared pieces of the research command codes (ENMOD, TXMOD, IMFOL, UPTIN, TRDBV, BMFOL...).

Research codes only read the master file.  They share one way of finding the account,
one set of IDRS literals and one way of formatting money, dates, DLNs and transaction
lines, so that the same transaction looks the same on ENMOD, TXMOD and IMFOLT and a
trainee can compare screens column by column.  The codes themselves live in
`research_imf` (ENMOD, IMFOL, TXMOD, SUMRY), `research_up` (UPTIN, UPDIS),
`research_ret` (TRDBV, RTVUE, IRPTR, ERINV, INOLES, CFINK, DDBKD) and `research_bmf`
(BMFOL, BRTVU, EFTPS).  docs/research-screens.md describes every screen.

Literals (one for all research codes, decided here):

* ``RECORD NOT FOUND`` -- the TIN, the module or the requested record is not on file
  (the literal the IRM gives for RTVUE, IRM 2.3.52; IDRS research codes share it here).
  The ``*`` goes right of the element that found nothing (TIN, or the tax period).
* ``DEFINER REQUIRED`` -- a code that needs a definer (TXMOD, IMFOL, BMFOL) was typed
  without one (IRM 3.13.122: "a definer is required"); ``INVALID DEFINER`` -- a definer
  the code does not take.  The ``*`` goes in column 6, where the definer belongs.
* ``INVALID TIN`` / ``INVALID MFT`` / ``INVALID TAX PERIOD`` -- an element the code
  needs is missing or does not fit the account (the parser's literals).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import RelationshipProperty

from .. import commands
from ..digits import is_digits
from ..masterfile import derive
from ..rules import codes as tx_codes
from ..masterfile.loading import (
    MODULE_OF_ENTITY,
    entity_and_module,
    load_collections,
    read_entity,
)
from ..masterfile.models import (
    PENDING,
    POSTED,
    ControlBase,
    Entity,
    HistoryItem,
    TaxModule,
    Transaction,
    Unpostable,
)
from .base import Context, Display, Refusal

NOT_FOUND = "RECORD NOT FOUND"
DEFINER_REQUIRED = "DEFINER REQUIRED"
INVALID_DEFINER = "INVALID DEFINER"
INVALID_TIN = "INVALID TIN"
INVALID_MFT = "INVALID MFT"
INVALID_TAX_PERIOD = "INVALID TAX PERIOD"

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
    """Line 1 of the answer: the code with its definer and the elements it used."""
    return " ".join(p for p in (cmd.head, *parts) if p)


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
    misc_text = t.misc or _REFUND_METHOD.get(t.refund_method or "", "") if t.tc in (840, 846) else t.misc or ""
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
# finding the account


def mark(ctx: Context, element: str, fallback: str = "code") -> tuple[int, int, int]:
    """Where the `*` goes for a bad element: (row, first column, last column).

    The parser's spans end one column after the element; a missing element is marked
    right after the last thing typed on line 1.
    """
    spans = getattr(ctx.cmd, "spans", None) or {}
    span = spans.get(element)
    if span is None:
        line = (getattr(ctx.cmd, "lines", None) or [""])[0]
        end = max(len(line.rstrip()), 1)
        if element in ("tin", "mft", "period") or fallback == "end":
            return (1, end + 2, end + 1)
        span = spans.get(fallback)
        if span is None:
            return (1, 1, 5)
    return (span[0], span[1], span[2] - 1)


def refuse(ctx: Context, literal: str, element: str) -> Refusal:
    """A refusal that marks one element, and says in the audit record what was refused."""
    ctx.outcome = f"{literal}: {getattr(ctx.cmd, 'head', '')} {getattr(ctx.cmd, 'tin', '') or ''}".strip()
    return Refusal(literal, marks=[mark(ctx, element)])


def check_definer(ctx: Context) -> Refusal | None:
    """DEFINER REQUIRED / INVALID DEFINER against the code's definition (commands/research.yaml).

    A definition with `invalid_definer: default` treats an unknown definer as its default
    (IRPTR, IRM 2.3.35) instead of refusing it.
    """
    d = commands.definitions().get(ctx.cmd.code)
    if d is None:
        return None
    definer = ctx.cmd.definer
    if definer is None:
        if d.requires_definer:
            ctx.outcome = f"{DEFINER_REQUIRED}: {ctx.cmd.code}"
            span = ctx.cmd.spans.get("code")
            col = span[2] if span else 6
            return Refusal(DEFINER_REQUIRED, marks=[(1, col, col - 1)])
        return None
    if d.definers and definer not in d.definers and d.extra.get("invalid_definer") != "default":
        return refuse(ctx, INVALID_DEFINER, "definer")
    return None


def definer_or_default(ctx: Context, default: str) -> str:
    """The typed definer if the code takes it, else the default (IRPTR: invalid = default)."""
    d = commands.definitions().get(ctx.cmd.code)
    definer = ctx.cmd.definer
    if definer and (d is None or not d.definers or definer in d.definers):
        return definer
    return default


def for_one(options: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """Split loader options for a query that returns ONE object (a TIN, a module).

    A plain `selectinload(X.collection)` costs more for one object than a prepared query
    for the collection (`masterfile.loading`): the selectin loader builds its IN-query
    anew on every call.  So such options become collection names, filled right after the
    object is read; options that chain further
    (`selectinload(Entity.modules).selectinload(TaxModule.transactions)`: one IN-query
    for all modules' transactions instead of one per module) stay on the query.
    """
    names: list[str] = []
    kept = []
    for opt in options:
        elements = getattr(opt, "context", None)
        if elements is not None and len(elements) == 1:
            element = elements[0]
            path = getattr(element, "path", None)
            prop = path[1] if path is not None and len(path) == 3 else None
            if (getattr(element, "strategy", None) == (("lazy", "selectin"),)
                    and isinstance(prop, RelationshipProperty) and prop.lazy == "select"):
                names.append(prop.key)
                continue
        kept.append(opt)
    return names, kept


def find_entity(ctx: Context, files: tuple[str, ...] = ("IMF", "BMF"), options: Sequence[Any] = ()) -> Entity | Refusal:
    """The entity of the typed TIN, or the refusal to show (no TIN; not on file; other file).

    One query on the unique TIN index (prepared once, `masterfile.loading`), then one
    prepared query per collection the code shows (`options`, see `for_one`) that has rows.
    """
    found = _find_entity(ctx, files, options, history=False)
    return found if isinstance(found, Refusal) else found[0]


def find_entity_with_history(ctx: Context, files: tuple[str, ...] = ("IMF", "BMF"),
                             options: Sequence[Any] = ()) -> tuple[Entity, list[HistoryItem]] | Refusal:
    """`find_entity` and the entity's own history items (`entity_history`); no history
    query when the entity's statement says it has none."""
    found = _find_entity(ctx, files, options, history=True)
    if isinstance(found, Refusal):
        return found
    ent, has_history = found
    return ent, (entity_history(ctx, ent) if has_history else [])


def _find_entity(ctx: Context, files: tuple[str, ...], options: Sequence[Any],
                 history: bool) -> tuple[Entity, bool] | Refusal:
    tin = ctx.cmd.tin
    if not tin:
        return refuse(ctx, INVALID_TIN, "tin")
    names, kept = for_one(options)
    ent, has_history = read_entity(ctx.db, tin, tuple(names), tuple(kept), history)
    if ent is None or ent.file not in files:
        return refuse(ctx, NOT_FOUND, "tin")
    return ent, has_history


def find_module(ctx: Context, ent: Entity, load: Sequence[str] = ()) -> TaxModule | Refusal:
    """The typed MFT + period of `ent`, with the collections named in `load` filled.

    One indexed query (unique entity_id, mft, period) plus one prepared query per
    collection in `load` (`masterfile.loading`), so a module display costs the same on a
    100k-entity master file; other collections load on first use.
    """
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if mft is None:
        return refuse(ctx, INVALID_MFT, "mft")
    if period is None:
        return refuse(ctx, INVALID_TAX_PERIOD, "period")
    module = ctx.db.scalar(MODULE_OF_ENTITY, {"entity_id": ent.id, "mft": mft, "period": period})
    if module is None:
        return refuse(ctx, NOT_FOUND, "period")
    load_collections(ctx.db, module, *load)
    return module


def find_entity_and_module(ctx: Context, files: tuple[str, ...] = ("IMF", "BMF"), options: Sequence[Any] = (),
                           load: Sequence[str] = ()) -> tuple[Entity, TaxModule, bool] | Refusal:
    """`find_entity` then `find_module`, in one statement when TIN, MFT and period are all
    typed: the entity, its module with the collections in `load` filled, and whether the
    module has history items (`masterfile.loading.entity_and_module`).  The refusals,
    and their order, are those of the two steps.
    """
    tin, mft, period = ctx.cmd.tin, ctx.cmd.mft, ctx.cmd.period
    if not tin or mft is None or period is None:
        ent = find_entity(ctx, files, options)
        if isinstance(ent, Refusal):
            return ent
        module = find_module(ctx, ent, load)
        return module if isinstance(module, Refusal) else (ent, module, True)
    names, kept = for_one(options)
    ent, module, has_history = entity_and_module(ctx.db, tin, mft, period, tuple(names), tuple(load), tuple(kept))
    if ent is None or ent.file not in files:
        return refuse(ctx, NOT_FOUND, "tin")
    if module is None:
        return refuse(ctx, NOT_FOUND, "period")
    return ent, module, has_history


_MODULE_HISTORY = (
    select(HistoryItem)
    .where(HistoryItem.entity_id == bindparam("entity_id"), HistoryItem.module_id == bindparam("module_id"))
    .order_by(HistoryItem.date, HistoryItem.id)
)
_ENTITY_HISTORY = (
    select(HistoryItem)
    .where(HistoryItem.entity_id == bindparam("entity_id"), HistoryItem.module_id.is_(None))
    .order_by(HistoryItem.date, HistoryItem.id)
)


def module_history(ctx: Context, module: TaxModule) -> list[HistoryItem]:
    """History items of one module (by the indexed entity_id, then the module)."""
    return list(ctx.db.scalars(_MODULE_HISTORY, {"entity_id": module.entity_id, "module_id": module.id}))


def entity_history(ctx: Context, ent: Entity) -> list[HistoryItem]:
    """History items on the entity itself (module_id NULL), by the indexed entity_id."""
    return list(ctx.db.scalars(_ENTITY_HISTORY, {"entity_id": ent.id}))


def remember(ctx: Context, tin: str, mft: str | None = None, period: str | None = None,
             module_prerequisite: bool = False, clear_module: bool = False) -> None:
    """Record what was researched: the audit record and the terminal's prerequisites.

    The audit record takes TIN/MFT/period from the command, so a handler that found them
    another way (UPDIS by sequence number) writes them back into it.  `last_module` is set
    by the TIF codes that may precede REQ54/ACTON (TXMOD, UPDIS); a master-file code
    (IMFOL, BMFOL) clears it: IMFOL cannot precede an update code (IRM 3.13.122).
    """
    ctx.cmd.tin = tin
    if mft is not None:
        ctx.cmd.mft = mft
    if period is not None:
        ctx.cmd.period = period
    ctx.state.last_tin = tin
    if module_prerequisite and mft and period:
        ctx.state.last_module = (tin, mft, period)
    elif clear_module or (ctx.state.last_module and ctx.state.last_module[0] != tin):
        ctx.state.last_module = None


def displayed(ctx: Context, reply: Display, what: str) -> Display:
    """Set the audit outcome of a successful research display (`ENMOD DISPLAYED 2 PAGES`)."""
    from ..screenmap import load_map, page_starts

    cap = load_map(reply.map).list_capacity
    pages = len(page_starts(reply.lines, cap)) if cap and len(reply.lines) > cap else 1
    ctx.outcome = f"{ctx.cmd.head} DISPLAYED {what}".strip() + (f" ({pages} PAGES)" if pages > 1 else "")
    if reply.continued is None:
        reply.continued = f"{ctx.cmd.head} CONTINUED BELOW"
    return reply


def heading_values(ctx: Context, ent: Entity) -> dict[str, Any]:
    """Entity heading slots shared by ENMOD, IMFOLE, TXMOD, IMFOLT, INOLES..."""
    names = name_lines(ent)
    addr = address_lines(ent)
    extra = ent.extra or {}
    return {
        "tin": tin_display(ent),
        "nc": ent.name_control,
        "file": ent.file,
        "tin_type": ent.tin_type,
        "cycle": ctx.cycle,
        "established": yes_no(ent.established),
        "name1": names[0],
        "name2": names[1],
        "addr1": addr[0],
        "addr2": addr[1],
        "fr": filing_requirements(ent),
        "dep": (ent.depositor or "").upper(),
        "dod": mdy(extra.get("date_of_death")),
        "efrz": " ".join(derive.entity_freezes(ent, ctx.today)),
    }


def shown_case_status(case: Unpostable, today: dt.date) -> str:
    """UPTIN status: A open, C closed -- a case closed today still shows A until tomorrow
    (closed cases show status C the next day, IRM 21.5.5; UPREVE works while it shows A)."""
    if case.status != "closed":
        return "A"
    closed_on = case.resolved_date or case.status_date
    return "A" if closed_on is not None and closed_on >= today else "C"


def open_cases(cases: Iterable[Unpostable]) -> list[Unpostable]:
    return [c for c in cases if c.status == "open"]




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
            lines.append(clip(
                f"DEPENDENT> {dep.get('name', '')}  {dep.get('tin', dep.get('ssn', ''))}  "
                f"{str(dep.get('relationship', '')).upper()}  DOB> {mdy(dep.get('date_of_birth', dep.get('dob')))}"
            ))
        else:
            lines.append(clip(f"DEPENDENT> {dep}"))
    rest = [f"{item_label(k)}> {item_value(v)}" for k, v in doc.items() if k not in _RETURN_KEYS]
    for item in rest:
        lines += wrap(item)
    return lines


__all__ = [
    "NOT_FOUND", "DEFINER_REQUIRED", "INVALID_DEFINER", "INVALID_TIN", "INVALID_MFT", "INVALID_TAX_PERIOD",
    "money", "mdy", "dln", "ac3", "tin_display", "filing_status", "fit", "wrap", "clip", "section", "echo",
    "entity_txn_lines", "module_txn_lines", "unpostable_status", "control_line", "history_line",
    "control_summary", "control_and_history_lines", "find_entity", "find_entity_with_history", "find_module",
    "find_entity_and_module",
    "entity_history",
    "module_history", "mark", "refuse", "remember", "displayed", "check_definer", "definer_or_default",
    "heading_values", "shown_case_status", "open_cases", "return_document_lines", "item_label", "item_value",
]
