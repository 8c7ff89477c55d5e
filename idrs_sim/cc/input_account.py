"""The account an input code works on: the entity of the typed TIN (RECORD NOT FOUND,
ENTITY NOT ESTABLISHED for a first-time filer), its module from the typed MFT and tax
period, and the name control echoed on line 1.

Shared by every input code (REQ77/FRM77, ADJ54, FRM49, STAUP, INCHG, AMS, LETER, TERUP,
ACTON, ICS...), so each finds its account and refuses a bad one the same way
(IRM 2.4.19; IRM 25.25.6.5.1.1 for the entity not established).
"""

from __future__ import annotations

from ..masterfile.loading import ENTITY_BY_TIN, module_of
from ..masterfile.models import Entity, TaxModule
from . import validate as v
from .base import Context, Refusal
from .research import NOT_FOUND, refuse

ENTITY_NOT_ESTABLISHED = "ENTITY NOT ESTABLISHED"
NAME_CONTROL_MISMATCH = "NAME CONTROL MISMATCH"


def target_entity(ctx: Context, *, need_established: bool = True) -> Entity | Refusal:
    """The entity of the typed TIN: RECORD NOT FOUND when unknown, NAME CONTROL MISMATCH
    for a name control typed on line 1 that is not the entity's, ENTITY NOT ESTABLISHED for
    a first-time filer when the code needs an established entity."""
    tin = ctx.cmd.tin
    if not tin:
        return refuse(ctx, v.INVALID_TIN_LITERAL, "tin")
    ent = None
    for form in v.normalize_tin(tin) or [tin]:
        ent = ctx.db.scalar(ENTITY_BY_TIN, {"tin": form})
        if ent is not None:
            break
    if ent is None:
        return refuse(ctx, NOT_FOUND, "tin")
    ctx.cmd.tin = ent.tin
    bad = check_name_control(ctx, ent)  # every input code on an account (review 2026-12-07: STAUP, LETER... ignored it)
    if bad is not None:
        return bad
    if need_established and not ent.established:
        return refuse(ctx, ENTITY_NOT_ESTABLISHED, "tin")
    return ent


def target_module(ctx: Context, ent: Entity, *, required: bool) -> TaxModule | None | Refusal:
    """The typed MFT + period of `ent` (None when neither was typed and none is required)."""
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if mft is None and period is None:
        return refuse(ctx, "INVALID MFT", "mft") if required else None
    if mft is None:
        return refuse(ctx, "INVALID MFT", "mft")
    if period is None:
        return refuse(ctx, "INVALID TAX PERIOD", "period")
    module = module_of(ctx.db, ent, mft, period)
    if module is None:
        return refuse(ctx, NOT_FOUND, "period")
    return module


def target_account(ctx: Context, *, need_established: bool = False,
                   module_required: bool = False) -> tuple[Entity, TaxModule | None] | Refusal:
    """The typed TIN's entity and, when typed, its module: the first step of every input
    code that works on an account (AMS, LETER, TERUP...)."""
    ent = target_entity(ctx, need_established=need_established)
    if isinstance(ent, Refusal):
        return ent
    module = target_module(ctx, ent, required=module_required)
    if isinstance(module, Refusal):
        return module
    return ent, module


def module_account(ctx: Context, *, need_established: bool = True) -> tuple[Entity, TaxModule] | Refusal:
    """The typed TIN's entity and module, which the code cannot do without (ADJ54, FRM49, STAUP)."""
    ent = target_entity(ctx, need_established=need_established)
    if isinstance(ent, Refusal):
        return ent
    module = target_module(ctx, ent, required=True)
    if module is None:  # required=True answers a Refusal, never None
        return refuse(ctx, "INVALID MFT", "mft")
    if isinstance(module, Refusal):
        return module
    return ent, module


def check_name_control(ctx: Context, ent: Entity) -> Refusal | None:
    """A name control typed on line 1 (the input screens echo it) must be the entity's."""
    nc = ctx.cmd.name_control
    if nc and nc != (ent.name_control or "").upper():
        return refuse(ctx, NAME_CONTROL_MISMATCH, "name_control")
    return None
