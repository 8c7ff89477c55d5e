"""The one reader of the reference tables: the IRS code facts idrs-sim keeps as data.

The tables live in the top-level ``tables/`` folder (installed wheels carry it as
``idrs_sim/_data/tables``), apart from the command definitions in ``commands/``.  Every rule
that needs a Document 6209 / IRM fact reads it here, never from the file itself
(tests/test_rules_layer.py checks that no other module opens these files or the folder):

* ``codes.yaml``            transaction codes (meaning, level, balance sign, reversal pairs),
                            TC 971/972 action codes, TC 520/59X closing codes, MFTs, UPCs, roles;
* ``misc_rules.yaml``       what the FRM77 screen checks per action code;
* ``input_values.yaml``     what the input codes accept: ADJ54 TCs and hold codes, URCs,
                            letters, AMS issues, states;
* ``ics_lists.yaml``        ICS closing codes (roles, evidence), priorities, pick lists, areas;
* ``ftd_alert_model.yaml``  the FTD Alert program's calendar, model, routing, FRM49 TCs;
* ``unax.yaml``             UNAX review thresholds;
* ``control_bases.yaml``    control bases the IRM prints to the letter (activity -> status,
                            category, assignee).

Each is parsed once per process; a missing optional table reads as empty.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..cache import read_yaml
from ..resources import data_dir

__all__ = [
    "FOLDER",
    "REFERENCE_FILES",
    "codes",
    "control_bases",
    "ftd_alert_model",
    "ics_lists",
    "input_values",
    "misc_rules",
    "path_of",
    "paths",
    "reference",
    "unax",
]

#: The data folder of the tables (resources.data_dir name).
FOLDER = "tables"

#: Table name -> file under tables/.
REFERENCE_FILES: dict[str, str] = {
    "codes": "codes.yaml",
    "misc_rules": "misc_rules.yaml",
    "input_values": "input_values.yaml",
    "ics_lists": "ics_lists.yaml",
    "ftd_alert_model": "ftd_alert_model.yaml",
    "unax": "unax.yaml",
    "control_bases": "control_bases.yaml",
}


def path_of(name: str) -> Path:
    """Where the table `name` is (for fingerprints and messages)."""
    return data_dir(FOLDER) / REFERENCE_FILES[name]


def paths() -> list[Path]:
    """Every reference table, in REFERENCE_FILES order (what a cache fingerprint covers)."""
    return [path_of(name) for name in REFERENCE_FILES]


@cache
def reference(name: str) -> dict[str, Any]:
    """The parsed table `name` (a key of REFERENCE_FILES); {} when the file is absent."""
    path = path_of(name)
    if not path.is_file():
        return {}
    return read_yaml(path) or {}


def codes() -> dict[str, Any]:
    """tables/codes.yaml (Document 6209 codes)."""
    return reference("codes")


def misc_rules() -> dict[str, Any]:
    """tables/misc_rules.yaml (FRM77 checks per action code)."""
    return reference("misc_rules")


def input_values() -> dict[str, Any]:
    """tables/input_values.yaml (ADJ54 TCs, URCs, letters, AMS issues, states)."""
    return reference("input_values")


def ics_lists() -> dict[str, Any]:
    """tables/ics_lists.yaml (ICS closing codes, pick lists, areas)."""
    return reference("ics_lists")


def ftd_alert_model() -> dict[str, Any]:
    """tables/ftd_alert_model.yaml (FTD Alert calendar, model, routing, FRM49 TCs)."""
    return reference("ftd_alert_model")


def unax() -> dict[str, Any]:
    """tables/unax.yaml (UNAX review thresholds)."""
    return reference("unax")


def control_bases() -> dict[str, Any]:
    """tables/control_bases.yaml (control bases IRM 25.25.6 prescribes)."""
    return reference("control_bases")
