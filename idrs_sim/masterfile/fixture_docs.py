"""Trainers' material generated from the fixtures: the passwords of a fixture's employees and
docs/training-accounts.md (`who_is_who`), so the list cannot drift from the data.

Part of `idrs_sim.masterfile.fixtures` (read / compose / validate / load / docs).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..posting import calendar
from .fixture_compose import Composition, SourceFile, compose
from .fixture_read import FixtureError
from .fixture_validate.schema import EIN_RE

# ---------------------------------------------------------------------------------------
# Trainers' material
# ---------------------------------------------------------------------------------------


def fixture_passwords(name_or_path: str | Path | Composition) -> dict[str, str]:
    """IDRS number -> clear password as the fixture (and its includes) give them.

    For replay's `SignOn(idrs)` default; dumps carry no clear passwords, so they give {}.
    Pass the `Composition` that `load_fixture` returned to avoid reading every file again.
    """
    comp = name_or_path if isinstance(name_or_path, Composition) else compose(name_or_path)
    out: dict[str, str] = {}
    for emp in comp.data.get("employees") or []:
        if isinstance(emp, dict) and emp.get("password") is not None and emp.get("idrs") is not None:
            out[str(emp["idrs"])] = str(emp["password"])
    return out


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ").strip()


def who_is_who(name_or_path: str | Path = "training") -> str:
    """The trainers' "who is who" of a fixture (default: the training master file), Markdown.

    Generated so that docs/training-accounts.md always matches the fixtures:
    `python -m idrs_sim.masterfile.fixtures > docs/training-accounts.md`.
    """
    comp = compose(name_or_path)
    if comp.problems:
        raise FixtureError(comp.problems)
    data = comp.data
    day = data.get("date")
    cycle = calendar.cycle_of(day) if isinstance(day, dt.date) else "?"
    top = comp.sources[-1] if comp.sources else None
    lines = [
        "# Training accounts: who is who",
        "",
        f"<!-- Generated from fixtures/{top.name if top else name_or_path}.yaml by"
        " `python -m idrs_sim.masterfile.fixtures > docs/training-accounts.md`; do not edit. -->",
        "",
        f"The built-in training master file (`idrs-sim`, `make run`, `Load(\"{top.name if top else name_or_path}\")`)"
        f" stands on **{day}**, posting cycle **{cycle}**. Every TIN is fictitious"
        " (SSNs 400-00-xxxx, EINs 99-xxxxxxx). Each scenario is also a fixture of its own"
        " (`Load(\"tpp/valid_return_up126\")`), with the same employees.",
        "",
        "## Employees",
        "",
        "| IDRS number | name | roles | unit | password |",
        "|---|---|---|---|---|",
    ]
    for emp in sorted((e for e in data.get("employees") or [] if isinstance(e, dict)), key=lambda e: str(e.get("idrs"))):
        lines.append(
            f"| {_cell(emp.get('idrs'))} | {_cell(emp.get('name'))} | {_cell(', '.join(emp.get('roles') or []))}"
            f" | {_cell(emp.get('unit'))} | `{_cell(emp.get('password'))}` |"
        )
    lines += [
        "",
        "IDRS numbers in the data that are not people (nobody signs on with them):",
        "",
        *(f"- `{number}` {meaning}" for number, meaning in SYSTEM_NUMBERS.items()),
    ]
    ents = {str(e.get("tin")): e for e in data.get("entities") or [] if isinstance(e, dict)}
    groups: dict[str, list[SourceFile]] = {}
    for src in comp.sources:
        if src.tins:
            groups.setdefault(src.name.split("/")[0] if "/" in src.name else "other", []).append(src)
    titles = {
        "tpp": "Taxpayer Protection Program and identity protection (IRM 25.25.6, IRM 10.5.4)",
        "ftd": "FTD Alerts (IRM 5.7.1)",
        "other": "Other accounts",
    }
    order = sorted(groups, key=lambda g: (g not in titles, list(titles).index(g) if g in titles else 0, g))
    lines += ["", "## Taxpayers", "", "| TIN | name | file | situation | IRM | fixture |", "|---|---|---|---|---|---|"]
    for group in order:
        rows = [(tin, src) for src in groups[group] for tin in src.tins]
        for tin, src in sorted(rows, key=lambda r: r[0]):
            ent = ents.get(tin, {})
            situation = ent.get("situation") or (src.scenario or {}).get("title", "")
            if ent.get("established") is False:
                situation = f"{situation} (entity not established)"
            irm = (src.scenario or {}).get("irm", "")
            lines.append(f"| {tin} | {_cell(_first_name(ent))} | {_cell(_file_of(ent, tin))} | {_cell(situation)} | {_cell(irm)} | `{src.name}` |")
    for group in order:
        lines += ["", f"## {titles.get(group, group)}"]
        for src in groups[group]:
            sc = src.scenario or {}
            lines += ["", f"### {sc.get('title', src.name)}", ""]
            lines.append(f"Fixture `{src.name}`, {sc.get('irm', '')}.")
            narrative = " ".join(str(sc.get("narrative", "")).split())
            if narrative:
                lines += ["", narrative]
            lines.append("")
            for tin in src.tins:
                lines.append(f"- **{tin}** {_cell(_first_name(ent := ents.get(tin, {})))}{_account_facts(ent)}")
    return "\n".join(lines) + "\n"


#: IDRS numbers that appear in the scenarios but belong to systems or teams, not trainees.
SYSTEM_NUMBERS = {
    "1483845470": "IAT batch tool (RIVO): an UP 126 assigned here is hands off (IRM 25.25.6.5.4)",
    "1483145470": "CRTTY control assignee, wrong tax year on UPTIN (IRM 25.25.6.5.1.1)",
    "1487355555": "32RV monitor controls: HOLD432RV, RTP-MMDD, AUTH-MMDD",
    "1486907202": "FRP team, -E freeze release control REQ_FRZRLS",
    "1485000100": "TPP letter system number printed on the ENMOD letter history lines (14850XXXXX)",
}


def _first_name(ent: dict) -> str:
    names = ent.get("name")
    if isinstance(names, list):
        return str(names[0]) if names else ""
    return str(names or "")


def _file_of(ent: dict, tin: str) -> str:
    return str(ent.get("file") or ("BMF" if EIN_RE.match(tin) else "IMF"))


def _account_facts(ent: dict) -> str:
    """`: MFT 30 202312 UP 126 seq 000000101 DLN ... (open)` - what a trainer looks up first."""
    facts: list[str] = []
    for mod in ent.get("modules") or []:
        if not isinstance(mod, dict):
            continue
        where = f"MFT {mod.get('mft')} {mod.get('period')}"
        if mod.get("status"):
            facts.append(f"{where} status {mod.get('status')}")
        for up in mod.get("unpostables") or []:
            if isinstance(up, dict):
                facts.append(
                    f"{where} UP {up.get('code')} seq {up.get('seq')} DLN {up.get('dln')} ({up.get('status', 'open')}"
                    + (f", assigned {up.get('assigned')}" if up.get("assigned") else "")
                    + ")"
                )
    return (": " + "; ".join(facts)) if facts else ""
