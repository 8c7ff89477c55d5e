"""LETER: issue a correspondex letter (the letters and codes IRM 25.25.6 names).

``LETER TIN MFT PERIOD`` (the letter's tax period shows on ENMOD) or ``LETER TIN`` gives
the LETER screen; LETTER>, PARAS>, RTN-ADDR-CD>, SIG-CD> and, for open paragraphs,
OPEN-PARA> are checked against tables/input_values.yaml `letters`:

* 4674C: paragraphs ``C7acwy&`` (international ``C7acwy:``), return address TP (CP on a
  Cincinnati/CSC IDRS), signature KA;
* 6167C: paragraph D (decedent's representative: A) and an open paragraph ``*``, TP;
* 135C: open paragraph P; 5747C: TP; 5216: TP, once per taxpayer, never on IDRS, by the
  TAC or RIVO only and after a failed authentication on record before today (an AMS note
  TPP-AUTHENTICATION FAILED / TPP-HIGH RISK FAILED, or a Letter 6167C);
* 6330C / 6331C cannot be reissued by employees (reissue 4883C / 5071C);
* a TPP letter (4883C, 5071C, 5447C, 5747C) is reissued only as IRM 25.25.6.6.2 allows it
  (`rules.tpp_advice.reissue_refusal`): a letter shown on the account, its 14/21/30 days
  passed, at most twice for the period (every letter shown counts), none after a 5747C,
  5447C for a foreign address only; else the caller goes to the TAC;
* and, for every employee, the TPP letter that fits the account (IRM 25.25.6.1.7,
  `rules.tpp_letters.letter_fit_refusal`): 4883C to a U.S. address, 5447C to one abroad,
  5747C only with a TC 971 AC 123 TAC AUTH ONLY / HIGH RISK AUTH, and a first-time filer
  without a letter marker gets the 4883C (25.25.6.6.2 (1) exception; 5447C abroad).

The command line is upper-cased by the parser, so paragraph letters are compared without
regard to case; typed on the screen they are stored as typed.  The letter is on the
account at once: ENMOD's history shows ``IDRS# NNNNCLTR`` and ``IDRS# YYYYMM``
(IRM 25.25.6.1.7) -- except Letter 5216 (`on_idrs` false: AMS notes only).
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..masterfile.dump import dump
from ..masterfile.models import Entity, Letter, TaxModule
from ..rules import tpp_advice, tpp_letters
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .display import mdy, tin_display
from .input_account import target_account
from .research import mark

LETTER_REQUIRED = "LETTER NUMBER REQUIRED"
INVALID_LETTER = "INVALID LETTER NUMBER"
NOT_REISSUABLE = "LETTER CANNOT BE REISSUED"
ONCE_ONLY = "LETTER 5216 PREVIOUSLY ISSUED - ONCE PER TAXPAYER"
PARAS_REQUIRED = "PARAGRAPHS REQUIRED"
INVALID_PARAS = "INVALID PARAGRAPHS FOR THIS LETTER"
OPEN_PARA_REQUIRED = "OPEN PARAGRAPH TEXT REQUIRED"
RTN_REQUIRED = "RETURN ADDRESS CODE REQUIRED"
INVALID_RTN = "INVALID RETURN ADDRESS CODE"
SIG_REQUIRED = "SIGNATURE CODE REQUIRED"
INVALID_SIG = "INVALID SIGNATURE CODE"
LETTER_NOT_AUTHORIZED = "LETTER NOT AUTHORIZED FOR THIS EMPLOYEE"

_LABELS = ("LETTER", "PARAS", "RTN-ADDR-CD", "SIG-CD", "OPEN-PARA")


def _values(ctx: Context, ent: Entity, module: TaxModule | None, fields: dict[str, str],
            status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else [])
    return {
        "cmd": " ".join(["LETER", *parts]),
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "addr": "  ".join(str(a) for a in (ent.address or [])),
        "period": module.period if module else "",
        "status": status,
        **fields,
    }


def _history(ent: Entity) -> list[str]:
    lines = ["LETTERS ON THIS TIN (DATE, LETTER, PERIOD, IDRS#, ON IDRS):"]
    for letter in sorted(ent.letters, key=lambda x: (x.date, x.id)):
        lines.append(f"{mdy(letter.date)} {letter.letter:<6} {letter.period or '':<6} {letter.idrs or '':<10} "
                     f"{'YES' if letter.on_idrs else 'NO - AMS ONLY'}")
    return lines if len(lines) > 1 else lines + ["NONE"]


def _codes(rule: dict[str, Any], key: str) -> list[str]:
    return [str(x).upper() for x in (rule.get(key) or [])]


def _check_paragraphs(rule: dict[str, Any], paras: str, open_text: str) -> list[v.Problem]:
    up = paras.upper()
    exact = [str(p) for p in (rule.get("paragraphs") or [])]
    include_one = _codes(rule, "include_one_of")
    include_all = _codes(rule, "include_all")
    needs = bool(exact or include_one or include_all)
    if not paras:
        return [v.Problem("PARAS", PARAS_REQUIRED)] if needs else []
    if not re.fullmatch(r"[A-Za-z0-9*&:]{1,20}", paras):
        return [v.Problem("PARAS", INVALID_PARAS)]
    if exact and up not in [p.upper() for p in exact]:
        return [v.Problem("PARAS", INVALID_PARAS)]
    if include_one and not any(code in up for code in include_one):
        return [v.Problem("PARAS", INVALID_PARAS)]
    if any(code not in up for code in include_all):
        return [v.Problem("PARAS", INVALID_PARAS)]
    if any(code in up for code in _codes(rule, "open_paragraphs")) and not open_text:
        return [v.Problem("OPEN-PARA", OPEN_PARA_REQUIRED)]
    return []


def _check_code(rule: dict[str, Any], key: str, label: str, value: str, required: str, invalid: str) -> list[v.Problem]:
    allowed = _codes(rule, key)
    value = value.upper()
    if allowed and not value:
        return [v.Problem(label, required)]
    if value and (not re.fullmatch(r"[A-Z0-9]{1,2}", value) or (allowed and value not in allowed)):
        return [v.Problem(label, invalid)]
    return []


@handles("LETER")
def leter(ctx: Context) -> Display | Refusal:
    """Show the LETER screen; with LETTER> keyed, validate and record the letter."""
    account = target_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    typed = {label: ctx.value(label) for label in _LABELS}
    if not any(typed.values()) and "LETTER" not in ctx.screen_values:
        ctx.outcome = f"LETER SCREEN DISPLAYED {ent.tin}"
        return Display("leter", _values(ctx, ent, module, {label: "" for label in _LABELS}), _history(ent))
    if not typed["LETTER"]:
        return _refuse(ctx, ent, [v.Problem("LETTER", LETTER_REQUIRED)])
    key = v.normalize_letter(typed["LETTER"])
    rule = v.letter_table().get(key)
    if rule is None:
        return _refuse(ctx, ent, [v.Problem("LETTER", INVALID_LETTER)])
    if not v.has_role(ctx.employee.roles, rule.get("roles", v.ANY)):
        ctx.outcome = f"{LETTER_NOT_AUTHORIZED}: {key} {ent.tin}"
        return violation(Refusal(LETTER_NOT_AUTHORIZED, fields=["LETTER"]))
    if rule.get("reissue") is False:
        return _refuse(ctx, ent, [v.Problem("LETTER", NOT_REISSUABLE)])
    if rule.get("once_per_taxpayer") and any(v.normalize_letter(x.letter) == key for x in ent.letters):
        return _refuse(ctx, ent, [v.Problem("LETTER", ONCE_ONLY)])
    problems = _check_paragraphs(rule, typed["PARAS"], typed["OPEN-PARA"])
    problems += _check_code(rule, "return_address", "RTN-ADDR-CD", typed["RTN-ADDR-CD"], RTN_REQUIRED, INVALID_RTN)
    problems += _check_code(rule, "signature", "SIG-CD", typed["SIG-CD"], SIG_REQUIRED, INVALID_SIG)
    if problems:
        return _refuse(ctx, ent, problems)
    refusal = _account_refusal(ctx, ent, module, key, rule)  # the form is right: may it go now?
    if refusal is not None:
        return _refuse(ctx, ent, [v.Problem("LETTER", refusal)])
    on_idrs = bool(rule.get("on_idrs", True))
    letter = Letter(
        entity=ent, letter=key, period=module.period if module else None, date=ctx.today, idrs=ctx.idrs,
        paragraphs=typed["PARAS"] or None, return_address_code=typed["RTN-ADDR-CD"].upper() or None,
        signature_code=typed["SIG-CD"].upper() or None, on_idrs=on_idrs,
    )
    ctx.db.add(letter)
    ctx.db.flush()
    ctx.outcome = f"LETER {key} ISSUED {ent.tin}" + (f" {module.period}" if module else "") + (
        "" if on_idrs else " (NOT ON IDRS)")
    status = f"LETTER {key} ISSUED" + ("" if on_idrs else " - NOT SHOWN ON IDRS: DOCUMENT IT IN AMS")
    return Display("leter", _values(ctx, ent, module, dict(typed, LETTER=key), status), _history(ent),
                   message=REQUEST_COMPLETED)


def _account_refusal(ctx: Context, ent: Entity, module: TaxModule | None, letter: str,
                     rule: dict[str, Any]) -> str | None:
    """The account as the rules layer reads it (a dump of this TIN) against the letter's
    preconditions: a TPP letter may go now (IRM 25.25.6.6.2, `rules.tpp_advice.
    reissue_refusal`, from the same `letter_wait` the advice gives) and is the one that fits
    the account (IRM 25.25.6.1.7, `rules.tpp_letters.letter_fit_refusal`); Letter 5216
    follows a failed authentication on record (`rules.tpp_letters.failed_auth_refusal`)."""
    failed_auth = rule.get("after_failed_authentication")
    if letter not in tpp_advice.TPP_LETTERS and not failed_auth:
        return None
    ctx.db.flush()
    view = next(e for e in dump(ctx.mf, ent.tin, session=ctx.db)["entities"] if e.get("tin") == ent.tin)
    if failed_auth:
        return tpp_letters.failed_auth_refusal(view, ctx.today, failed_auth, idrs=ctx.idrs,
                                               rivo=v.has_role(ctx.employee.roles, ["rivo-examiner"]))
    period = module.period if module else None
    wait = tpp_advice.letter_wait(view, ctx.today, period)
    toll_free = not v.has_role(ctx.employee.roles, ["rivo-examiner"])
    return (tpp_advice.reissue_refusal(wait, letter, toll_free=toll_free)
            or tpp_letters.letter_fit_refusal(view, period, letter, wait))


def _refuse(ctx: Context, ent: Entity, problems: list[v.Problem]) -> Refusal:
    labels = list(dict.fromkeys(p.label for p in problems))
    ctx.outcome = f"{problems[0].message}: LETER {ent.tin}"
    if not any(label in ctx.screen_values for label in labels):
        return Refusal(problems[0].message, marks=[mark(ctx, f"{labels[0]}>", fallback="end")])
    return Refusal(problems[0].message, fields=labels)


__all__ = ["leter"]
