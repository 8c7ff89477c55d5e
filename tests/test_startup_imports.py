"""Start-up: what `idrs-sim replay` imports and how it treats the collector.

* Lark is imported when the first command is parsed (idrs_sim/cc/parse.py), not for a
  script that never types one (once the script's own parse is cached); a script that does
  still parses and refuses as before.
* Run as the program (`main()` without `argv`), the objects the import makes are frozen
  (`gc.freeze`); called with `argv` (tests, an embedding program) nothing is frozen.  The
  collector is enabled afterwards in both cases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc, json, sys
from idrs_sim.cli import main
script = sys.argv[1]
if sys.argv[2] == "program":
    sys.argv = ["idrs-sim", "replay", script]
    code = main()
else:
    code = main(["replay", script])
print(json.dumps({"code": code, "lark": "lark" in sys.modules, "enabled": gc.isenabled(),
                  "frozen": gc.get_freeze_count()}))
"""


def probe(tmp_path: Path, script: str, how: str) -> dict:
    path = tmp_path / "script.txt"
    path.write_text(script)
    env = {**os.environ, "IDRS_SIM_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), how], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_a_one_line_script_does_not_import_lark(tmp_path: Path) -> None:
    first = probe(tmp_path, 'Expect("IDRS")\n', "program")
    assert first["code"] == 0 and first["lark"]  # the script itself parsed by Lark, then cached
    seen = probe(tmp_path, 'Expect("IDRS")\n', "program")
    assert seen["code"] == 0
    assert not seen["lark"]


def test_a_typed_command_still_parses_and_refuses(tmp_path: Path) -> None:
    script = ('SignOn(1485012345)\nString("ENMOD 400-0")\nEnter\nExpect("INVALID TIN")\n'
              'Clear\nString("ENMOD 400-00-1001")\nEnter\nExpect("JOHN A SMITH")\n')
    seen = probe(tmp_path, script, "argv")
    assert seen["code"] == 0
    assert seen["lark"]


def test_the_program_freezes_its_import_but_a_caller_keeps_its_heap(tmp_path: Path) -> None:
    as_program = probe(tmp_path, 'Expect("IDRS")\n', "program")
    assert as_program["enabled"] and as_program["frozen"] > 10_000
    with_argv = probe(tmp_path, 'Expect("IDRS")\n', "argv")
    assert with_argv["code"] == 0
    assert with_argv["enabled"] and with_argv["frozen"] == 0


def test_the_server_freezes_what_its_loaded_master_file_made(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`idrs-sim serve` freezes once the master file is loaded, before it serves."""
    import gc

    from idrs_sim import cli
    from idrs_sim.front.tn3270 import server

    seen: dict[str, int] = {}

    def fake_run_server(factory, host, port, **_options):  # type: ignore[no-untyped-def]
        seen["frozen"] = gc.get_freeze_count()
        return 0

    monkeypatch.setattr(server, "run_server", fake_run_server)
    try:
        assert cli.main(["serve", "--port", "0"]) == 0
    finally:
        gc.unfreeze()
    assert seen["frozen"] > 10_000
