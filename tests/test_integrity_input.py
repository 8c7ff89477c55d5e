"""Issue #16 items 7, 9-12: digits, the audit trail, audit review, bad fixture files, ExpectMatch.

Each test fails on the code before the fix (checked against the base commit)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from idrs_sim import cli
from idrs_sim.digits import digits_value, is_digits, typed_tin
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.replay import Driver
from idrs_sim.simulator import Simulator

sys.path.insert(0, str(Path(__file__).parent))

TRAINEE = "1485012345"


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, err: str, want: int = 2) -> str:
    assert code == want, err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err.strip()


# ---- item 7: ASCII digits only, one helper ------------------------------------------------------------
def test_digits_helper_takes_ascii_digits_only() -> None:
    assert is_digits("0123") and is_digits("12", 2) and not is_digits("12", 3)
    for bad in ("²", "1²", "٣", "", "1 ", "-1", "½"):
        assert not is_digits(bad) and digits_value(bad) is None
    assert digits_value("050") == 50
    assert typed_tin("TXMODA 400-00-1001 3X 202312") == "400-00-1001"
    assert typed_tin("ENMOD 400001001 ZZZZZ") == "400001001"
    assert typed_tin("SUMRY 99-2000001") == "99-2000001"


def test_superscript_digits_get_the_field_literal_not_system_error() -> None:
    import test_ics_screens as ics
    from ftd_helpers import ANALYST, desk, form

    sim = ics.signed()  # '²' is no character an IDRS terminal sends: one literal for every code
    form(sim, f"FRM49 {ics.CMD}", TC="590", CC="²")
    assert sim.message == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"
    form(sim, f"ICSFV {ics.CMD}", RESULT="²")
    assert sim.message == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"
    desk(sim, ANALYST)
    form(sim, f"ICSAP {ics.CMD}", REASON="²")
    assert sim.message == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"


def test_no_isdigit_on_input_outside_the_helper() -> None:
    """One helper: `str.isdigit()` is true for '²'; nothing in the package parses with it."""
    root = Path(__file__).resolve().parents[1] / "idrs_sim"
    allowed = {"front/tui.py", "digits.py"}  # tui checks isascii() too: a key, not input text
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if ".isdigit()" in p.read_text() and str(p.relative_to(root)) not in allowed]
    assert found == [], found


# ---- item 9: the audit trail is written only by the system -----------------------------------------
def test_fixture_audit_records_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = tmp_path / "forged.yaml"
    fx.write_text("include: [training]\naudit:\n  - {at: 2024-01-02T09:00:00, idrs: \"1485012345\", "
                  "command: ENMOD, tin: 400-00-1001, outcome: ENMOD}\n")
    code, out, _ = main(capsys, "fixtures", "check", str(fx))
    assert code == 1 and "written only by idrs-sim" in out
    code, _, err = main(capsys, "audit", "--fixture", str(fx))
    assert "written only by idrs-sim" in one_line(code, err)


# ---- item 10: audit review ---------------------------------------------------------------------------
@pytest.fixture()
def reviewed(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with Simulator(url) as sim:
        d = Driver(sim)
        d.sign_on(TRAINEE)
        d.command("ENMOD 400-00-1001")  # an access without a case: NO-CASE in the UNAX report
        for line in ("TXMODA 400-00-1001 3X 202312", "TXMODA 400-00-1001 30 2023XX", "ENMOD 400-00-1001 12345"):
            d.command(line)
    return url


def test_audit_unax_agrees_with_the_unax_report(reviewed: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "audit", "--db", reviewed, "--unax")
    assert code == 0, err
    assert "no audit records" not in err
    assert "[UNAX NO-CASE]" in out and "NO-CASE  400-00-1001" in out


def test_audit_tin_with_or_without_dashes(reviewed: str, capsys: pytest.CaptureFixture[str]) -> None:
    dashed = main(capsys, "audit", "--db", reviewed, "--tin", "400-00-1001")[1]
    plain = main(capsys, "audit", "--db", reviewed, "--tin", "400001001")[1]
    assert "ENMOD" in plain and plain == dashed


def test_refused_parse_keeps_the_tin_typed(reviewed: str) -> None:
    with Simulator(reviewed, None) as sim, sim.mf.reading() as db:
        rows = list(db.execute(select(AuditRecord.outcome, AuditRecord.tin).where(AuditRecord.outcome.like("INVALID %"))))
    outcomes = {o for o, _ in rows}
    assert {"INVALID MFT", "INVALID TAX PERIOD"} <= outcomes, rows
    assert all(t == "400-00-1001" for _, t in rows), rows


# ---- item 11: bad fixture files: one clear line --------------------------------------------------------
BAD_FILES = {
    "utf8.yaml": (b"date: 2024-06-17\nname: \xff\xfe\n", "not UTF-8"),
    "e400.yaml": ((b"include: [training]\nentities:\n  - tin: 400-00-1999\n    name: [X]\n    modules:\n"
                  b"      - {mft: \"30\", period: \"202312\", transactions: [{tc: 150, amount: \"1e400\", "
                  b"date: 2024-04-15}]}\n"), "is not an amount"),
    "digits.yaml": (b"date: 2024-06-17\nemployees: []\nentities: []\ncycle_runs: [{cycle: 202401, posted: "
                    + b"9" * 5000 + b"}]\n", "5000 digits"),
    "digits.json": (b'{"date": "2024-06-17", "x": ' + b"9" * 5000 + b"}", "5000 digits"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    "deep.yaml": (b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nesting depth"),  # libyaml's own limit
    "bomb.yaml": (b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n".encode()
        for p, c in zip("abcdefgh", "bcdefghi")), "expands to more than"),
    "dup.json": (b'{"date": "2024-06-17", "date": "2025-01-01", "employees": [], "entities": []}', "duplicate key"),
    "hash.yaml": ((b"date: 2024-06-17\nentities: []\nemployees:\n  - {idrs: \"1485099999\", name: X, roles: "
                  b"[tpp-assistor], password_hash: \"scrypt$zz$00\"}\n"), "password_hash: not a hash"),
}


@pytest.mark.parametrize(("body", "line", "words"), [
    (b'{\n "date": "2024-06-17",\n "x": {"date": 1},\n "date": "2025-01-01"\n}', 4, "duplicate key 'date'"),
    (b'{\n "date": "2024-06-17",\n "x": [1,\n NaN]\n}', 4, "NaN is not a value"),
])
def test_a_json_limit_names_its_line(body: bytes, line: int, words: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """CONTRACT §1: `fixtures check` gives one line per problem with file and line; json tells
    no position for a duplicate key or NaN, so the reader finds it (a docs review saw `:0:`)."""
    path = tmp_path / "f.json"
    path.write_bytes(body)
    code, out, _ = main(capsys, "fixtures", "check", str(path))
    assert code == 1 and f"f.json:{line}: invalid JSON: {words}" in out, out


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_fixture_file_gives_one_clear_line(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, words = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    started = time.monotonic()
    code, _, err = main(capsys, "dump", "--fixture", str(path))
    assert words in one_line(code, err)
    code, out, err = main(capsys, "fixtures", "check", str(path))
    assert code == 1 and words in out and "Traceback" not in out + err, (out, err)
    assert time.monotonic() - started < 60  # the alias bomb took minutes, then MemoryError


def test_huge_fixture_file_is_refused_before_it_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDRS_SIM_FIXTURE_MAX_BYTES", "1000")
    path = tmp_path / "big.yaml"
    path.write_text("date: 2024-06-17\n" + "# padding\n" * 200)
    code, _, err = main(capsys, "dump", "--fixture", str(path))
    assert "limited to 1,000" in one_line(code, err)


def test_fixtures_check_on_an_empty_directory_checks_nothing_else(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "fixtures", "check", str(tmp_path))
    assert code == 1 and "no fixture files" in out and "training" not in out + err


# ---- item 12: ExpectMatch is time-bounded -------------------------------------------------------------
def test_catastrophic_expect_match_stops_with_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text(f'SignOn({TRAINEE})\nClear\nString("' + "A" * 60 + '")\nExpectMatch(1, "(A|AA)+B")\n')
    started = time.monotonic()
    code, out, err = main(capsys, "replay", str(script))
    assert "ran longer than" in one_line(code, err)
    assert time.monotonic() - started < 30
    script.write_text('ExpectMatch(24, "(?i)enter employee number")\nExpectMatch(9, "CYCLE \\\\d{6}$")\n')
    code, out, err = main(capsys, "replay", str(script))
    assert code == 0, out + err


def test_the_mark_of_a_foreign_character_keeps_what_was_typed() -> None:
    """Review of 2026-12-08: `ÉNMOD é` showed ` É*MOD é` -- the `*` took the N the user
    typed.  It goes right of the word with the character; the cursor on the character."""
    from idrs_sim.testing import IdrsTest

    sim = IdrsTest(date="2024-06-17")
    try:
        sim.sign_on("1485012345")
        sim.clear()
        sim.string("ÉNMOD é")
        sim.enter()
        assert sim.message == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"
        assert sim.screen_text().splitlines()[0].rstrip() == " ÉNMOD*é"
        assert sim.screen.cursor == 1  # row 1, column 2 (0-origin address 1)
    finally:
        sim.close()
