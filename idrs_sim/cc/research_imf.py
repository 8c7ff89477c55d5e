"""Account research on the TIF and the IMF: ENMOD, IMFOL (E, I, T), TXMOD (A, C, L), SUMRY.

TIF codes (ENMOD, TXMOD, SUMRY) show what IDRS holds today: posted transactions, pending
ones (PN, with the cycle they will post in), unpostables (U126 0), control bases and
history items.  IMFOL shows the master file as of its last weekly update: POSTED
transactions only, never pending items, controls or unpostables (IRM 2.3.51, 3.13.122).
Layouts are described in the map files and in docs/research-screens.md.
"""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from ..commands import handles
from ..masterfile import derive
from ..masterfile.loading import module_transactions_from_entity
from ..masterfile.models import POSTED, Entity, HistoryItem, Letter, TaxModule, Transaction
from ..rules.codes import REFUND_TCS, RETURN_TCS
from .base import Context, Display, Refusal
from .display import (
    ENTITY_TXN_HEADER,
    TXMOD_TXN_HEADER,
    address_lines,
    clip,
    control_and_history_lines,
    control_summary,
    dln,
    echo,
    entity_txn_lines,
    filing_status,
    fit,
    history_line,
    mdy,
    module_txn_lines,
    money,
    section,
    unpostable_status,
)
from .research import (
    NOT_FOUND,
    displayed,
    find_entity,
    find_entity_and_module,
    find_entity_with_history,
    find_module,
    heading_values,
    module_history,
    open_cases,
    refuse,
    remember,
    research_code,
)

# ---------------------------------------------------------------------------------------
# shared pieces


def letter_lines(letters: list[Letter]) -> list[str]:
    """Each letter shown on IDRS as the two history lines of IRM 25.25.6.1.7:
    `IDRS# XXXXCLTR` and `IDRS# YYYYMM` (Letter 5216 and other AMS-only letters never show)."""
    lines: list[str] = []
    for letter in sorted(letters, key=lambda x: (x.date, x.id)):
        if not letter.on_idrs:
            continue
        idrs = letter.idrs or ""
        lines.append(f"{idrs} {letter.letter}LTR")
        if letter.period:
            lines.append(f"{idrs} {letter.period}")
    return lines


def _history(ent: Entity, history: list[HistoryItem]) -> list[str]:
    """Entity history items and letters in date order (a letter keeps its two lines together)."""
    items = [(h.date, 0, h.id, [history_line(h)]) for h in history if h.control_id is None]
    if ent.established:
        items += [(x.date, 1, x.id, letter_lines([x])) for x in ent.letters if x.on_idrs]
    return [line for *_, lines in sorted(items, key=lambda i: i[:3]) for line in lines]


def _posted_sorted(txns: list[Transaction]) -> list[Transaction]:
    return sorted((t for t in txns if t.status == POSTED), key=derive.order_key)


def _entity_pending_lines(ent: Entity) -> list[str]:
    """Pending (PN / RS, with the cycle they post in) and unposted (U126 0) entity items."""
    by_id = {t.id: t for t in ent.entity_transactions}
    lines: list[str] = []
    for item in derive.pending_items(ent):
        t = by_id[item.txn_id]
        lines += entity_txn_lines(t, item.label)
    return lines


#: What ENMOD / IMFOLE show, loaded with the entity (one IN-query per collection).
ENTITY_LOAD = (
    selectinload(Entity.transactions),
    selectinload(Entity.letters),
    selectinload(Entity.controls),
    selectinload(Entity.unpostables),
)


# ---------------------------------------------------------------------------------------
# ENMOD


@handles("ENMOD")
@research_code
def enmod(ctx: Context) -> Display | Refusal:
    """The entity on the TIF: heading, entity transactions (posted, PN pending, unposted),
    entity control bases, history items and the letter lines (IRM 2.3.15, 25.25.6.1.7).

    An entity not yet established on the master file (first-time filer) shows ESTAB> NO,
    its pending items and controls only: its markers and letters are on IMFOLE.
    """
    found = find_entity_with_history(ctx, options=ENTITY_LOAD)
    if isinstance(found, Refusal):
        return found
    ent, history = found
    remember(ctx, ent.tin)
    lines = [section("ENTITY TRANSACTIONS"), ENTITY_TXN_HEADER]
    body: list[str] = []
    if ent.established:
        for t in _posted_sorted(ent.entity_transactions):
            body += entity_txn_lines(t)
    body += _entity_pending_lines(ent)
    lines += body or ["NONE"]
    if not ent.established:
        lines.append("ENTITY NOT ESTABLISHED ON MASTER FILE - SEE IMFOLE")
    controls = [c for c in ent.controls if c.module_id is None]
    lines += [section("ENTITY CONTROL BASES")]
    lines += control_and_history_lines(controls, [h for h in history if h.control_id is not None])
    lines += [section("HISTORY")] + (_history(ent, history) or ["NONE"])
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin)}
    return displayed(ctx, Display("enmod", values, lines), f"ENTITY {ent.tin}")


# ---------------------------------------------------------------------------------------
# IMFOL


@handles("IMFOL")
@research_code
def imfol(ctx: Context) -> Display | Refusal:
    """IMFOL E (entity), I (index), T (posted module transactions): master-file data only."""
    ent = find_entity(ctx, files=("IMF",), options=ENTITY_LOAD + (selectinload(Entity.modules),))
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin, ctx.cmd.mft, ctx.cmd.period, clear_module=True)
    if ctx.cmd.definer == "E":
        return _imfole(ctx, ent)
    if ctx.cmd.definer == "I":
        return _imfoli(ctx, ent)
    return _imfolt(ctx, ent)


def _imfole(ctx: Context, ent: Entity) -> Display:
    """Posted entity transactions (AC 505 with TRANS-DT / SECONDARY-DT / MISC, AC 506, AC 123
    letter markers, AC 087 / 688 disaster markers, merges); the TPP letters when the entity is
    not established on IDRS (IRM 25.25.6.1.7)."""
    lines = [section("ENTITY TRANSACTIONS"), ENTITY_TXN_HEADER]
    body: list[str] = []
    for t in _posted_sorted(ent.entity_transactions):
        body += entity_txn_lines(t)
    lines += body or ["NONE"]
    if not ent.established:
        lines += [section("LETTERS")] + (letter_lines(ent.letters) or ["NONE"])
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin), "mf_update": ctx.cycle}
    return displayed(ctx, Display("imfole", values, lines), f"ENTITY {ent.tin}")


def _posted_return(module: TaxModule) -> Transaction | None:
    returns = [t for t in _posted_sorted(module.transactions) if t.tc in RETURN_TCS]
    return returns[-1] if returns else None


def _tax_per_return(module: TaxModule, ret: Transaction | None) -> str:
    """TAX-PER-RET: the TC 150's amount; on MFT 32 the TC 976's (IRM 25.25.6 "MFT 32 returns -
    DLN is the TC 976 DLN"), from its document: the move carries no amount."""
    if ret is not None and (ret.tc == 150 or (module.mft == "32" and ret.tc == 976)):
        return money((ret.document or {}).get("tax") or ret.amount if ret.tc == 976 else ret.amount)
    return ""


def _original_return(module: TaxModule) -> Transaction | None:
    """The return the TXMOD heading describes (control DLN, received date, TAX-PER-RET): the
    original TC 150 when one is posted -- a later TC 976 (duplicate / amended, -A) does not
    replace it -- else the latest posted return."""
    originals = [t for t in _posted_sorted(module.transactions) if t.tc == 150]
    return originals[-1] if originals else _posted_return(module)


def _imfoli(ctx: Context, ent: Entity) -> Display:
    """One line per module: MFT, period, status, posted balance, return indicator, freezes."""
    lines: list[str] = []
    for m in sorted(ent.modules, key=lambda m: (m.mft, m.period), reverse=True):
        ret = _posted_return(m)
        lines.append(clip(
            f"{m.mft:<3} {m.period:<6} {derive.module_status(m):<7} {money(derive.balance(m)):>16} "
            f"{(f'{ret.tc:03d}' if ret else ''):<4} {mdy(ret.trans_date if ret else None):<11} "
            f"{' '.join(derive.freezes(m, ctx.today))}"
        ))
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin)}
    return displayed(ctx, Display("imfoli", values, lines or ["NO MODULES ON FILE"]), f"INDEX {ent.tin}")


def _imfolt(ctx: Context, ent: Entity) -> Display | Refusal:
    """Posted transactions of one module (TIN MFT period) or of every module (TIN alone)."""
    if ctx.cmd.mft is not None or ctx.cmd.period is not None:
        module = find_module(ctx, ent)
        if isinstance(module, Refusal):
            return module
        modules = [module]
    else:
        modules = sorted(ent.modules, key=lambda m: (m.period, m.mft), reverse=True)
    lines: list[str] = []
    for m in modules:
        ret = _posted_return(m)
        lines.append(clip(
            f"MFT> {m.mft} TXPRD> {m.period} MF-STAT> {derive.module_status(m)} "
            f"MOD-BAL> {money(derive.balance(m))} FRZ> {' '.join(derive.freezes(m, ctx.today)) or 'NONE'}"
            + (f" RECD> {mdy(ret.trans_date)}" if ret else "")
        ))
        posted = _posted_sorted(m.transactions)
        for t in posted:
            lines += module_txn_lines(t)
        if not posted:
            lines.append("NO POSTED TRANSACTIONS")
    what = f"MODULE {ent.tin} {modules[0].mft} {modules[0].period}" if len(modules) == 1 else f"MODULES {ent.tin}"
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin, ctx.cmd.mft, ctx.cmd.period)}
    return displayed(ctx, Display("imfolt", values, lines or ["NO MODULES ON FILE"]), what)


# ---------------------------------------------------------------------------------------
# TXMOD


def _return_lines(t: Transaction) -> list[str]:
    """The posted return (TC 150, or TC 976 on MFT 32): received date, cycle, DLN, then the
    return's own figures -- filing status, tax, withholding, refund and how it was to be
    paid (IMF), or tax, deposits and balance due (BMF) -- only those the return carries."""
    doc = t.document or {}
    year = doc.get("tax_year") or doc.get("tax_period") or ""
    lines = [clip(
        f"TC {t.tc:03d}  RET-RECD-DT> {mdy(doc.get('received') or t.trans_date)}  CYC> {t.posting_cycle or ''}"
        f"  DLN> {dln(t.dln)}  FORM> {doc.get('form', '')}  TAX-YR> {year}"
    )]
    figures = [f"FS> {filing_status(doc['filing_status'])}"] if doc.get("filing_status") else []
    figures.append(f"TAX> {money(doc.get('tax', t.amount))}")
    for key, label in (("withholding", "WITHHOLDING"), ("deposits", "DEPOSITS"), ("refund", "REFUND"),
                       ("balance_due", "BAL-DUE")):
        if doc.get(key) not in (None, ""):
            figures.append(f"{label}> {money(doc[key])}")
    if doc.get("refund") not in (None, "", "0.00"):
        figures.append("DIRECT-DEPOSIT" if doc.get("direct_deposit") else "PAPER-CHECK")
    return lines + fit(figures)


def _pending_lines(module: TaxModule) -> list[str]:
    """PN / RS items with their posting cycle, unposted items as U + UPC + RC, plus open
    cases whose document never became a transaction (GUF only)."""
    by_id = {t.id: t for t in module.transactions}
    lines: list[str] = []
    seen: set[int] = set()
    for item in derive.pending_items(module):
        seen.add(item.txn_id)
        lines += module_txn_lines(by_id[item.txn_id], item.label)
    for case in open_cases(module.unpostables):
        if case.txn_id not in seen:
            doc = case.document or {}
            amount = money(doc.get("tax")) if doc.get("tax") is not None else ""
            lines.append(clip(
                f"{unpostable_status(case):<6} {int(doc.get('tc', 150)):03d}  {mdy(doc.get('received')):<8} "
                f"{case.original_cycle or '':<6} {amount:>14} {dln(case.dln):<17}"
            ))
    return lines


def _dln_lines(module: TaxModule) -> list[str]:
    """Every DLN on the module with the TC it carries (TXMODL: "all DLNs")."""
    seen: dict[str, str] = {}
    for t in sorted(module.transactions, key=derive.order_key):
        if t.dln:
            seen.setdefault(dln(t.dln), f"TC {t.tc:03d} {t.status.upper()}")
    for case in module.unpostables:
        if case.dln:
            seen.setdefault(dln(case.dln), f"UP {case.upc} RC {case.reason}")
    return [f"{k:<17}  {v}" for k, v in seen.items()] or ["NONE"]


def txmod_lines(module: TaxModule, definer: str, history: list[HistoryItem]) -> list[str]:
    """The sections the definer selects: A all, C controls + history + pending, L pending + DLNs."""
    lines: list[str] = []
    controls = list(module.controls)
    if definer == "A":
        ret = _posted_return(module)
        if ret is not None:
            lines += [section("POSTED RETURN")] + _return_lines(ret)
        posted: list[str] = []
        for t in _posted_sorted(module.transactions):
            posted += module_txn_lines(t, "")
        lines += [section("POSTED TRANSACTIONS"), TXMOD_TXN_HEADER] + (posted or ["NONE"])
    pending = _pending_lines(module)
    lines += [section("PENDING TRANSACTIONS"), TXMOD_TXN_HEADER] + (pending or ["NONE"])
    if definer in ("A", "C"):
        lines += [section("CONTROL BASE AND HISTORY SECTION")] + control_and_history_lines(controls, history)
    if definer == "L":
        lines += [section("DLNS ON MODULE")] + _dln_lines(module)
    return lines


def txmod_values(ctx: Context, ent: Entity, module: TaxModule, history: list[HistoryItem]) -> dict[str, object]:
    """The fifteen-line heading (IRM 3.13.122): entity, module, freezes, balance, status,
    control DLN, return received date, control base summary, counts."""
    ret = _original_return(module)
    txns = list(module.transactions)
    posted = [t for t in txns if t.status == POSTED]
    credits = sum((derive.signed_amount(t) for t in posted if derive.signed_amount(t) < 0), derive.ZERO)
    refunds = sum((derive.signed_amount(t) for t in posted if t.tc in REFUND_TCS), derive.ZERO)
    control_dln = ret.dln if ret else None
    frz = derive.freezes(module, ctx.today) + derive.entity_freezes(ent, ctx.today)
    pending = derive.pending_items(module)
    # name and address lines without gaps on rows 3-6 (a second name line is rare)
    names = [n for n in (ent.name_lines or []) if n][:2] or [""]
    block = (names + [a for a in address_lines(ent) if a] + ["", "", "", ""])[:4]
    return heading_values(ctx, ent) | dict(zip(("name1", "name2", "addr1", "addr2"), block)) | {
        "cmd": echo(ctx.cmd, ent.tin, module.mft, module.period),
        "mft": module.mft,
        "period": module.period,
        "freezes": " ".join(dict.fromkeys(frz)) or "NONE",
        "bal": money(derive.balance(module)),
        "mod_status": derive.module_status(module),
        "control_dln": dln(control_dln),
        "ret_recd_dt": mdy(((ret.document or {}).get("received") or ret.trans_date) if ret else None),
        "return_cycle": ret.posting_cycle if ret else "",
        "tax": _tax_per_return(module, ret),
        "credits": money(credits),
        "refunds": money(refunds),
        "ctrl": control_summary(module.controls),
        "n_pending": sum(1 for p in pending if p.code != "UP"),
        "n_unpostable": len(open_cases(module.unpostables)),
        "n_controls": sum(1 for c in module.controls if c.status != "C"),
        "n_history": len(history),
        "definer": ctx.cmd.definer,
        "staup": f"{module.stop_notice_weeks}WK THRU {module.stop_notice_until}" if module.stop_notice_until else "",
    }


@handles("TXMOD")
@research_code
def txmod(ctx: Context) -> Display | Refusal:
    """One tax module on the TIF; the definer (A, C, L) is required (IRM 3.13.122)."""
    found = find_entity_and_module(ctx, options=(selectinload(Entity.transactions),), load=("unpostables", "controls"))
    if isinstance(found, Refusal):
        return found
    ent, module, has_history = found
    module_transactions_from_entity(ent, module)
    remember(ctx, ent.tin, module.mft, module.period, module_prerequisite=True)
    history = module_history(ctx, module) if has_history else []
    reply = Display("txmod", txmod_values(ctx, ent, module, history), txmod_lines(module, ctx.cmd.definer, history))
    return displayed(ctx, reply, f"MODULE {ent.tin} {module.mft} {module.period}")


# ---------------------------------------------------------------------------------------
# SUMRY


@handles("SUMRY")
@research_code
def sumry(ctx: Context) -> Display | Refusal:
    """Entity on lines 1-2, then two lines per module: period, status, control base,
    module balance; control DLN, freezes, pending and unpostable counts (IRM 2.3.11)."""
    ent = find_entity(ctx, options=(
        selectinload(Entity.transactions),
        selectinload(Entity.modules).selectinload(TaxModule.transactions),
        selectinload(Entity.modules).selectinload(TaxModule.unpostables),
        selectinload(Entity.modules).selectinload(TaxModule.controls),
    ))
    if isinstance(ent, Refusal):
        return ent
    remember(ctx, ent.tin)
    lines: list[str] = []
    for m in sorted(ent.modules, key=lambda m: (m.mft, m.period), reverse=True):
        ret = _posted_return(m)
        control_dln = ret.dln if ret else None
        pn = sum(1 for p in derive.pending_items(m) if p.code != "UP")
        up = len(open_cases(m.unpostables))
        lines.append(clip(
            f"{m.mft} {m.period}  ST {derive.module_status(m):<2}  CTRL> {control_summary(m.controls, word=False):<30}"
            f" MOD-BAL> {money(derive.balance(m)):>14}"
        ))
        lines.append(clip(
            f"           DLN> {dln(control_dln):<17}  FRZ> {' '.join(derive.freezes(m, ctx.today)) or 'NONE':<10}"
            f" PN> {pn}  UNP> {up}" + ("  NO RETURN" if ret is None else "")
        ))
    values = heading_values(ctx, ent) | {"cmd": echo(ctx.cmd, ent.tin)}
    return displayed(ctx, Display("sumry", values, lines or ["NO MODULES ON FILE"]), f"SUMMARY {ent.tin}")


__all__ = ["enmod", "imfol", "txmod", "sumry", "letter_lines", "txmod_lines", "NOT_FOUND", "refuse"]
