"""Shared pieces of the research command codes (ENMOD, TXMOD, IMFOL, UPTIN, TRDBV, BMFOL...).

Research codes only read the master file.  They share one way of finding the account
and one set of IDRS literals (here); money, dates, DLNs, transaction lines and the return
as filed are formatted once, in `idrs_sim.cc.display`, so that the same transaction looks the
same on ENMOD, TXMOD and IMFOLT and a trainee can compare screens column by column.  The codes
themselves live in `research_imf` (ENMOD, IMFOL, TXMOD, SUMRY), `research_up` (UPTIN, UPDIS),
`research_ret` (TRDBV, RTVUE, ERINV, DDBKD), `research_third_party` (IRPTR, INOLES, CFINK) and
`research_bmf` (BMFOL, BRTVU, EFTPS).  docs/research-screens.md describes every screen.

Literals (one for all research codes, decided here):

* ``RECORD NOT FOUND`` -- the TIN, the module or the requested record is not on file
  (the literal the IRM gives for RTVUE, IRM 2.3.52; IDRS research codes share it here).
  The ``*`` goes right of the element that found nothing (TIN, or the tax period).
* ``DEFINER REQUIRED`` -- a code that needs a definer (TXMOD, IMFOL, BMFOL) was typed
  without one (IRM 3.13.122: "a definer is required"); ``INVALID DEFINER`` -- a definer
  the code does not take (refused by the session for every code, IRPTR excepted).  The
  ``*`` goes in column 6, where the definer belongs.
* ``INVALID TIN`` / ``INVALID MFT`` / ``INVALID TAX PERIOD`` -- an element the code
  needs is missing or does not fit the account (the parser's literals): a period that is
  not a quarter end on a quarterly MFT (MFT 01), an MFT of the other file (MFT 01 on an
  IMF TIN) -- tables/codes.yaml `mfts` says which.
* ``INVALID DATA`` -- a ``TAX-YR>`` that is not a year of the posting calendar.
* ``NAME CONTROL MISMATCH`` -- a name control typed after the TIN that is not the
  entity's (the input codes' literal).
* A file-source character typed after the TIN (reference §1.3: V / W BMF, * IMF, P EPMF)
  names the file the TIN is looked for on; not there: ``RECORD NOT FOUND``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import RelationshipProperty

from .. import commands
from ..masterfile import derive
from ..masterfile.loading import (
    MODULE_OF_ENTITY,
    entity_and_module,
    load_collections,
    read_entity,
)
from ..masterfile.models import (
    Entity,
    HistoryItem,
    TaxModule,
    Unpostable,
)
from .base import Context, Display, Refusal
from .display import (
    address_lines,
    filing_requirements,
    mdy,
    name_lines,
    tin_display,
    yes_no,
)
from .research_elements import (
    DEFINER_REQUIRED,
    INVALID_DATA,
    INVALID_DEFINER,
    INVALID_MFT,
    INVALID_TAX_PERIOD,
    INVALID_TIN,
    NAME_CONTROL_MISMATCH,
    NOT_FOUND,
    check_definer,
    check_mft_file,
    check_name_control,
    check_period,
    entity_checks,
    mark,
    mft_rule,
    on_files,
    refuse,
    research_code,
    tax_year,
    year_element,
)

# ---------------------------------------------------------------------------------------
# finding the account


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
    if ent is None or not on_files(ctx, ent, files):
        return refuse(ctx, NOT_FOUND, "tin")
    bad = entity_checks(ctx, ent)
    return bad if bad is not None else (ent, has_history)




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
    found, found_module, has_history = entity_and_module(ctx.db, tin, mft, period, tuple(names), tuple(load),
                                                         tuple(kept))
    if found is None or not on_files(ctx, found, files):
        return refuse(ctx, NOT_FOUND, "tin")
    bad = entity_checks(ctx, found)
    if bad is not None:
        return bad
    if found_module is None:
        return refuse(ctx, NOT_FOUND, "period")
    return found, found_module, has_history


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
    from ..terminal.screenmap import load_map, page_starts

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


__all__ = [
    "NOT_FOUND",
    "DEFINER_REQUIRED",
    "INVALID_DEFINER",
    "INVALID_TIN",
    "INVALID_MFT",
    "INVALID_TAX_PERIOD",
    "find_entity",
    "find_entity_with_history",
    "find_module",
    "find_entity_and_module",
    "entity_history",
    "module_history",
    "mark",
    "refuse",
    "remember",
    "displayed",
    "check_definer",
    "check_period",
    "check_mft_file",
    "check_name_control",
    "research_code",
    "tax_year",
    "year_element",
    "mft_rule",
    "on_files",
    "INVALID_DATA",
    "NAME_CONTROL_MISMATCH",
    "definer_or_default",
    "heading_values",
    "shown_case_status",
    "open_cases",
]
