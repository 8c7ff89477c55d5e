"""Master file as data: fixtures (YAML) and dumps (JSON) into a master file.

A fixture and `idrs-sim dump` share one schema (CONTRACT §4, docs/masterfile-schema.md), so a
trainer's scenario, the built-in training master file and a snapshot of a class's master file
all load the same way:

* `resolve_fixture(name_or_path)`: a path, or a name under the fixtures directory
  (`tpp/valid_return_up126`, `training`), with or without `.yaml`.
* `load_fixture(mf, name_or_path, replace=True)`: read (YAML, or JSON for `.json`), compose
  `include:`d fixtures, validate, then load.
* `load_data(mf, data, replace=True)`: load an already-parsed mapping (e.g. `dump()` output).
* `who_is_who()`: the trainers' list of training accounts, generated from the fixtures so that
  docs/training-accounts.md cannot drift (`python -m idrs_sim.masterfile.fixtures`).

Errors raise `FixtureError` carrying `Problem`s with file and line: the YAML reader below
records the line of every mapping and of every key.  The same validation also produces
"lint" problems (fictitious-TIN rule, DLN structure, unknown codes...) that do not stop a load
but that `idrs-sim fixtures check` (`check.check_fixtures`) reports.

The work is split by job: `fixture_read` (YAML with lines, problems, finding fixtures),
`fixture_compose` (code tables, `include:`), `fixture_validate` (mapping -> rows, lint),
`fixture_load` (rows -> master file), `fixture_docs` (trainers' material).  This module keeps
every name importable from here, as before the split.

Loading is set-based: rows are built as plain dicts and inserted table by table with one
executemany per table (ids assigned by the loader), in one unit of work, so that a large
dump loads quickly (about 10 s for 40k modules and 120k transactions on a 2-CPU machine) and
a failed load leaves the previous master file untouched.
"""

from __future__ import annotations

import sys

from .fixture_compose import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    _LIST_KEYS,
    TOP_KEYS,
    Codes,
    Composition,
    SourceFile,
    _child_list,
    _copy_key_line,
    _cycle_of,
    _cycle_problem,
    _p,
    codes,
    compose,
)
from .fixture_docs import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    SYSTEM_NUMBERS,
    _account_facts,
    _cell,
    _file_of,
    _first_name,
    fixture_passwords,
    who_is_who,
)
from .fixture_load import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    NO_PASSWORD_HASH,
    TRAIL_TABLES,
    _auto_txn,
    _employee_hashes,
    _executemany,
    _fast_json,
    _fix_sequences,
    _insert,
    _insert_many,
    _insert_with_ids,
    _levels,
    _load_rows,
    _load_rows_now,
    _plain,
    load_data,
    load_fixture,
)
from .fixture_read import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    DATA_SOURCE,
    FIXTURE_SUFFIXES,
    FixtureError,
    Node,
    NodeList,
    Problem,
    _construct_int,
    _construct_mapping,
    _construct_sequence,
    _construct_timestamp,
    _display,
    _loader_class,
    _loader_tag,
    _one_line,
    _parse_yaml,
    _resolved,
    _resolved_in,
    _yaml_version_tag,
    fixture_digest,
    fixture_name,
    fixtures_dir,
    list_fixtures,
    read_fixture,
    resolve_fixture,
    text_digest,
)
from .fixture_validate import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    _Validator,
    validate,
)
from .fixture_validate.entities import _name_control  # noqa: F401 - re-exported
from .fixture_validate.reversals import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    _misc_related,
    _original_label,
    _reverses,
)
from .fixture_validate.schema import (  # noqa: F401 - re-exported: idrs_sim.masterfile.fixtures keeps its names
    _MAX_MONEY,
    _TWO,
    _ZERO,
    AUDIT_KEYS,
    CONTROL_KEYS,
    CONTROL_STATUSES,
    CYCLE_RUN_KEYS,
    DEPOSITORS,
    DLN_RE,
    EIN_RE,
    EMPLOYEE_KEYS,
    ENTITY_KEYS,
    HISTORY_KEYS,
    ICS_KEYS,
    IDRS_RE,
    LETTER_KEYS,
    MODULE_KEYS,
    MONEY_KEYS,
    NAME_CONTROL_RE,
    NOTE_KEYS,
    PERIOD_RE,
    REFUND_METHODS,
    SEQ_RE,
    SSN_RE,
    TXN_KEYS,
    UNPOSTABLE_KEYS,
    UP_HISTORY_KEYS,
    Rows,
    _close_match,
    _line,
    _to_decimal,
    _to_time,
    calendar_isleap,
)

__all__ = [
    "FixtureError",
    "Problem",
    "Composition",
    "codes",
    "compose",
    "fixture_passwords",
    "list_fixtures",
    "load_data",
    "load_fixture",
    "read_fixture",
    "resolve_fixture",
    "validate",
    "who_is_who",
]


if __name__ == "__main__":  # pragma: no cover - documentation generator
    sys.stdout.write(who_is_who(sys.argv[1] if len(sys.argv) > 1 else "training"))
