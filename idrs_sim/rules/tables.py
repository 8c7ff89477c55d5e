"""The one reader of the reference tables: the IRS code facts idrs-sim keeps as data.

Every rule that needs a Document 6209 / IRM fact reads it here, never from the file itself
(tests/test_rules_layer.py checks that no other module opens these files):

* ``codes.yaml``       transaction codes (meaning, level, balance sign, reversal pairs),
                       TC 971/972 action codes, TC 520/59X closing codes, MFTs, UPCs, roles;
* ``misc_rules.yaml``  what the FRM77 screen checks per action code;
* ``input.yaml``       ADJ54 TCs, URCs, letters, AMS issues, states;
* ``ics.yaml``         ICS closing codes, pick lists, areas;
* ``ftd_alerts.yaml``  the FTD Alert program's calendar, model, routing, FRM49;
* ``security.yaml``    UNAX thresholds.

They sit in ``commands/`` beside the command definitions (``idrs_sim.commands`` reads only the
``commands:`` key of the files, and skips ``codes.yaml``, which has none).  Each is parsed once
per process; a missing optional table reads as empty.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..cache import read_yaml
from ..resources import data_dir

__all__ = [
    "REFERENCE_FILES",
    "codes",
    "ftd_alerts",
    "ics",
    "input_data",
    "misc_rules",
    "path_of",
    "reference",
    "security",
]

#: Table name -> file under commands/.
REFERENCE_FILES: dict[str, str] = {
    "codes": "codes.yaml",
    "misc_rules": "misc_rules.yaml",
    "input": "input.yaml",
    "ics": "ics.yaml",
    "ftd_alerts": "ftd_alerts.yaml",
    "security": "security.yaml",
}


def path_of(name: str) -> Path:
    """Where the table `name` is (for fingerprints and messages)."""
    return data_dir("commands") / REFERENCE_FILES[name]


@cache
def reference(name: str) -> dict[str, Any]:
    """The parsed table `name` (a key of REFERENCE_FILES); {} when the file is absent."""
    path = path_of(name)
    if not path.is_file():
        return {}
    return read_yaml(path) or {}


def codes() -> dict[str, Any]:
    """commands/codes.yaml."""
    return reference("codes")


def misc_rules() -> dict[str, Any]:
    """commands/misc_rules.yaml."""
    return reference("misc_rules")


def input_data() -> dict[str, Any]:
    """commands/input.yaml."""
    return reference("input")


def ics() -> dict[str, Any]:
    """commands/ics.yaml."""
    return reference("ics")


def ftd_alerts() -> dict[str, Any]:
    """commands/ftd_alerts.yaml."""
    return reference("ftd_alerts")


def security() -> dict[str, Any]:
    """commands/security.yaml."""
    return reference("security")
