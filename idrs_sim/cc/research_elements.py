"""The elements of a research command code: where a bad one is marked, and the checks every
research code makes on them (reference §1.1-§1.4; docs/decisions.md "Research code checks").

`research` re-exports all of it; the codes import from there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from .. import commands
from ..digits import digits_value
from ..masterfile.models import Entity
from ..posting import calendar
from ..rules import tables
from ..rules.dates import too_old
from .base import Context, Refusal

NOT_FOUND = "RECORD NOT FOUND"
DEFINER_REQUIRED = "DEFINER REQUIRED"
INVALID_DEFINER = "INVALID DEFINER"
INVALID_TIN = "INVALID TIN"
INVALID_MFT = "INVALID MFT"
INVALID_TAX_PERIOD = "INVALID TAX PERIOD"
INVALID_DATA = "INVALID DATA"
NAME_CONTROL_MISMATCH = "NAME CONTROL MISMATCH"  # the input codes' literal (input_account)

#: Ending months of a quarterly tax period (tables/codes.yaml `periods: quarterly`, MFT 01).
QUARTER_ENDS = ("03", "06", "09", "12")

#: The file a file-source character typed after the TIN names (reference §1.3): V valid SSN
#: on the BMF, W invalid SSN on the BMF, * invalid SSN on the IMF, P EPMF, N NMF.  Blank
#: (and D, temporary TIN) names no file: the TIN is looked for wherever it is.
FILE_OF_SOURCE = {"V": "BMF", "W": "BMF", "*": "IMF", "P": "EPMF", "N": "NMF"}


# ---------------------------------------------------------------------------------------
# where a bad element is marked, and the checks on the elements


def mark(ctx: Context, element: str, fallback: str = "code") -> tuple[int, int, int]:
    """Where the `*` goes for a bad element: (row, first column, last column).

    The parser's spans end one column after the element; a missing element is marked
    right after the last thing typed on line 1; a TIN typed with a file-source character
    (`400-00-1001V`) is marked right of that character.
    """
    spans = getattr(ctx.cmd, "spans", None) or {}
    if element == "tin" and "file_source" in spans:
        element = "file_source"  # the TIN as typed ends with its file-source character
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
    """DEFINER REQUIRED for a code whose definition (commands/research.yaml) says
    `requires_definer` (TXMOD, IMFOL, BMFOL) typed without one.

    A definer the code does not take never reaches a handler: the session refuses it with
    INVALID DEFINER for every code (`CommandDef.takes_definer`); a definition with
    `invalid_definer: default` reads it as its default instead (IRPTR, IRM 2.3.35).
    """
    d = commands.definitions().get(ctx.cmd.code)
    if d is None or ctx.cmd.definer is not None or not d.requires_definer:
        return None
    ctx.outcome = f"{DEFINER_REQUIRED}: {ctx.cmd.code}"
    span = ctx.cmd.spans.get("code")
    col = span[2] if span else 6
    return Refusal(DEFINER_REQUIRED, marks=[(1, col, col - 1)])


def mft_rule(mft: str | None) -> Mapping[str, Any]:
    """What tables/codes.yaml `mfts` says of an MFT (form, file, periods); {} when unknown.
    The table's own mapping, read only (no copy on every research key)."""
    return (tables.codes().get("mfts") or {}).get(mft or "") or {}


def period_fits(mft: str | None, period: str) -> bool:
    """Whether a tax period fits its MFT: a quarterly MFT (codes.yaml `periods: quarterly`,
    MFT 01) takes YYYY03/06/09/12 only (reference §1.4)."""
    return mft_rule(mft).get("periods") != "quarterly" or period[4:] in QUARTER_ENDS


def check_period(ctx: Context) -> Refusal | None:
    """INVALID TAX PERIOD for a period that does not fit the typed MFT (`period_fits`)."""
    period = ctx.cmd.period
    if period and not period_fits(ctx.cmd.mft, period):
        return refuse(ctx, INVALID_TAX_PERIOD, "period")
    return None


def new_module_problem(ctx: Context, ent: Entity) -> tuple[str, str] | None:
    """(literal, element) when the typed MFT + period cannot be a module of `ent` that a code
    may make (ACTON's dummy module, an ICS-only module): the MFT must be one of the entity's
    file (codes.yaml `mfts`; an unknown MFT is none), the period fit it, not be a later
    year than today's nor more than `rules.dates.OLDEST_YEARS` before it.  None when they can."""
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if not mft or mft_rule(mft).get("file") != ent.file:
        return INVALID_MFT, "mft"
    if not period or not period_fits(mft, period) or int(period[:4]) > ctx.today.year or too_old(
            int(period[:4]), ctx.today):
        return INVALID_TAX_PERIOD, "period"
    return None


def check_mft_file(ctx: Context, ent: Entity) -> Refusal | None:
    """INVALID MFT for an MFT of the other file (codes.yaml `file`): MFT 01 on an IMF TIN."""
    file = mft_rule(ctx.cmd.mft).get("file")
    if file and file != ent.file:
        return refuse(ctx, INVALID_MFT, "mft")
    return None


def check_name_control(ctx: Context, ent: Entity) -> Refusal | None:
    """NAME CONTROL MISMATCH for a name control typed on line 1 that is not the entity's
    (reference §1.3: an asterisk when the TIN and name control do not match) -- the input
    codes' check (`input_account.check_name_control`), reused."""
    from .input_account import check_name_control as input_check  # input_account imports this module

    return input_check(ctx, ent)


def year_element(ctx: Context) -> str:
    """The element that named the tax year, for the `*`: the TAX-YR> field or the period."""
    for label in ("TAX-YR>", "TXYR>"):
        if label in (ctx.cmd.spans or {}):
            return label
    return "period"


def tax_year(ctx: Context) -> int | None | Refusal:
    """The year typed in `TAX-YR>` / `TXYR>` (None when not typed): four digits within the
    posting calendar (`calendar.MIN_YEAR`) and not after today's year (a tax year that has
    not begun has nothing to show: `BMFOLU TAX-YR>2099` showed an empty display), else
    INVALID DATA with the `*` right of the field (IRPTR, BMFOLK / U / P)."""
    typed = ctx.value("TAX-YR") or ctx.value("TXYR")
    if not typed:
        return None
    year = digits_value(typed, 4)
    if year is None or not calendar.MIN_YEAR <= year <= min(calendar.MAX_YEAR, ctx.today.year):
        return refuse(ctx, INVALID_DATA, year_element(ctx))
    return year


Handler = Callable[[Context], Any]


def research_code(fn: Handler) -> Handler:
    """The element checks every research code makes before it reads the files: a required
    definer (`check_definer`), then the tax period against the MFT (`check_period`).  Used
    under `@handles` on each research handler; once the entity is found `entity_checks`
    adds the name control and the MFT's file."""

    @functools.wraps(fn)
    def checked(ctx: Context) -> Any:
        bad = check_definer(ctx) or check_period(ctx)
        return bad if bad is not None else fn(ctx)

    return checked

def on_files(ctx: Context, ent: Entity, files: tuple[str, ...]) -> bool:
    """Whether `ent` is on a file the code reads and on the file the typed file-source
    character names (`FILE_OF_SOURCE`: `400-00-1001V` is looked for on the BMF)."""
    wanted = FILE_OF_SOURCE.get(ctx.cmd.file_source or "")
    return ent.file in files and (wanted is None or ent.file == wanted)


def entity_checks(ctx: Context, ent: Entity) -> Refusal | None:
    """Once the entity is found: the typed name control, then the MFT's file."""
    return check_name_control(ctx, ent) or (check_mft_file(ctx, ent) if ctx.cmd.mft else None)
