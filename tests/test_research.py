"""Research command codes: golden screens on fixture accounts, one no-record case per code,
paging on a long module, prerequisites and audit, and the definitions they run on.

Golden screens live in tests/golden/research/<name>.txt (every page of the answer, lines
right-trimmed).  After a deliberate layout change regenerate them with

    IDRS_UPDATE_GOLDEN=1 python -m pytest tests/test_research.py

and review the diff like code.  The accounts are tests/data/research_accounts.yaml, made
for these tests, so the goldens do not move when the shipped scenario fixtures change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from idrs_sim import commands
from idrs_sim.cc.research import DEFINER_REQUIRED, INVALID_DEFINER, NOT_FOUND
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.resources import data_dir
from idrs_sim.terminal.screenmap import load_map, parse_map
from idrs_sim.testing import IdrsTest

HERE = Path(__file__).parent
ACCOUNTS = HERE / "data" / "research_accounts.yaml"
GOLDEN = HERE / "golden" / "research"
UPDATE = os.environ.get("IDRS_UPDATE_GOLDEN") == "1"
TRAINEE = "1485012345"  # tpp-assistor: research codes are open to any employee
RO = "2621000101"

GARCIA, NOVAK, HALE, HARBOR = "400-00-2001", "400-00-2003", "400-00-2004", "99-3000001"
NOBODY_SSN, NOBODY_EIN = "400-00-9998", "99-3999998"


@pytest.fixture()
def sim() -> IdrsTest:
    driver = IdrsTest(fixture=ACCOUNTS, out=open(os.devnull, "w"))  # noqa: SIM115
    driver.sign_on(TRAINEE)
    return driver


def screen(sim: IdrsTest) -> str:
    return "\n".join(line.rstrip() for line in sim.screen_lines())


def pages(sim: IdrsTest, command: str) -> list[str]:
    """Every page of the answer to `command` (PF8 until the last page)."""
    sim.command(command)
    out = [screen(sim)]
    for _ in range(20):
        if "CONTINUED BELOW" not in sim.line(23):
            break
        sim.pf(8)
        out.append(screen(sim))
    return out


def check_golden(name: str, shots: list[str]) -> None:
    text = "".join(f"=== PAGE {n} ===\n{page}\n" for n, page in enumerate(shots, start=1))
    path = GOLDEN / f"{name}.txt"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; review it and run again")
    assert text == path.read_text(encoding="utf-8"), f"screen differs from {path} (IDRS_UPDATE_GOLDEN=1 to accept)"


# ---------------------------------------------------------------------------------------
# golden screens: every research code on fixture accounts

GOLDEN_CASES: list[tuple[str, str]] = [
    ("enmod", f"ENMOD {GARCIA}"),
    ("enmod_not_established", f"ENMOD {NOVAK}"),
    ("imfole", f"IMFOLE {GARCIA}"),
    ("imfole_not_established", f"IMFOLE {NOVAK}"),
    ("imfoli", f"IMFOLI {GARCIA}"),
    ("imfolt", f"IMFOLT {GARCIA} 30 202312"),
    ("imfolt_all_modules", f"IMFOLT {GARCIA}"),
    ("txmoda", f"TXMODA {GARCIA} 30 202312"),
    ("txmodc", f"TXMODC {GARCIA} 30 202312"),
    ("txmodl", f"TXMODL {GARCIA} 30 202312"),
    ("txmoda_bmf", f"TXMODA {HARBOR} 01 202403"),
    ("sumry", f"SUMRY {GARCIA}"),
    ("sumry_bmf", f"SUMRY {HARBOR}"),
    ("uptin", f"UPTIN {GARCIA}"),
    ("updis_seq", "UPDIS 000000202"),
    ("updis_module", f"UPDIS {GARCIA} 30 202312"),
    ("updis_ambiguous", f"UPDIS {GARCIA} 30 202012"),
    ("trdbv", f"TRDBV {GARCIA} 30 202312"),
    ("trdbv_codes_archived", f"TRDBVC {NOVAK}"),
    ("trdbv_stat_hist", f"TRDBVS {NOVAK}"),
    ("rtvue", f"RTVUE {GARCIA}"),
    ("ddbkd", f"DDBKD {GARCIA}"),
    ("irptr", f"IRPTR {GARCIA}"),
    ("irptri_one_year", f"IRPTRI {GARCIA} TAX-YR>2022"),
    ("erinv", f"ERINV {GARCIA}"),
    ("inoles", f"INOLES {GARCIA}"),
    ("inoles_deceased", f"INOLES {HALE}"),
    ("cfink", f"CFINK {GARCIA}"),
    ("cfink_bmf", f"CFINK {HARBOR}"),
    ("bmfole", f"BMFOLE {HARBOR}"),
    ("bmfoli", f"BMFOLI {HARBOR}"),
    ("bmfolk", f"BMFOLK {HARBOR}"),
    ("bmfolr", f"BMFOLR {HARBOR}"),
    ("bmfolu", f"BMFOLU {HARBOR} TAX-YR>2023"),
    ("bmfolp", f"BMFOLP {HARBOR} TAX-YR>2023"),
    ("brtvue", f"BRTVUE {HARBOR} 01 202312"),
    ("eftps", f"EFTPS {HARBOR}"),
]


@pytest.mark.parametrize(("name", "command"), GOLDEN_CASES, ids=[n for n, _ in GOLDEN_CASES])
def test_golden_screen(sim: IdrsTest, name: str, command: str) -> None:
    check_golden(name, pages(sim, command))


def test_every_research_code_has_a_golden_screen() -> None:
    researched = {c.split()[0][:5] for _, c in GOLDEN_CASES}
    codes = {d.code for d in commands.definitions().values() if d.kind == "research"}
    assert codes <= researched, f"research codes without a golden screen: {sorted(codes - researched)}"


# ---------------------------------------------------------------------------------------
# one "no record" case per code

# (what, command, the element the `*` follows)
NO_RECORD_CASES: list[tuple[str, str, str]] = [
    ("ENMOD", f"ENMOD {NOBODY_SSN}", NOBODY_SSN),
    ("IMFOLE", f"IMFOLE {NOBODY_SSN}", NOBODY_SSN),
    ("IMFOLI on a BMF TIN", f"IMFOLI {HARBOR}", HARBOR),
    ("IMFOLT module not on file", f"IMFOLT {GARCIA} 30 201912", "201912"),
    ("TXMODA TIN", f"TXMODA {NOBODY_SSN} 30 202312", NOBODY_SSN),
    ("TXMODA module", f"TXMODA {GARCIA} 30 201912", "201912"),
    ("SUMRY", f"SUMRY {NOBODY_EIN}", NOBODY_EIN),
    ("UPTIN no cases", f"UPTIN {HALE}", HALE),
    ("UPDIS sequence number", "UPDIS 0000009999", "0000009999"),
    ("UPDIS module", f"UPDIS {GARCIA} 30 202212", "202212"),
    ("TRDBV", f"TRDBV {HALE}", HALE),
    ("RTVUE", f"RTVUE {NOVAK}", NOVAK),
    ("DDBKD", f"DDBKD {HALE}", HALE),
    ("IRPTR", f"IRPTR {HALE}", HALE),
    ("IRPTR year", f"IRPTR {GARCIA} TAX-YR>2019", "2019"),
    ("ERINV", f"ERINV {HALE}", HALE),
    ("INOLES", f"INOLES {NOBODY_SSN}", NOBODY_SSN),
    ("CFINK", f"CFINK {HALE}", HALE),
    ("BMFOLI on an IMF TIN", f"BMFOLI {GARCIA}", GARCIA),
    ("BMFOLK", f"BMFOLK {NOBODY_EIN}", NOBODY_EIN),
    ("BMFOLR", f"BMFOLR {NOBODY_EIN}", NOBODY_EIN),
    ("BMFOLU", f"BMFOLU {NOBODY_EIN} TAX-YR>2023", NOBODY_EIN),
    ("BMFOLE", f"BMFOLE {NOBODY_EIN}", NOBODY_EIN),
    ("BMFOLP", f"BMFOLP {NOBODY_EIN}", NOBODY_EIN),
    ("BRTVUE", f"BRTVUE {HARBOR} 01 202109", "202109"),
    ("EFTPS", f"EFTPS {NOBODY_EIN}", NOBODY_EIN),
]


@pytest.mark.parametrize(("what", "command", "element"), NO_RECORD_CASES, ids=[w for w, *_ in NO_RECORD_CASES])
def test_no_record(sim: IdrsTest, what: str, command: str, element: str) -> None:
    """RECORD NOT FOUND on line 24, the user's input kept, `*` right of the element that found nothing."""
    sim.command(command)
    assert sim.message.strip() == NOT_FOUND
    end = command.index(element) + len(element)
    expected = command[:end] + "*" + command[end + 1:]
    assert sim.line(1)[1:].rstrip() == expected  # typed from column 2: column 1 is the attribute


def test_every_research_code_has_a_no_record_case() -> None:
    tried = {c.split()[0][:5] for _, c, _ in NO_RECORD_CASES}
    codes = {d.code for d in commands.definitions().values() if d.kind == "research"}
    assert codes <= tried, f"research codes without a no-record test: {sorted(codes - tried)}"


# ---------------------------------------------------------------------------------------
# literals and elements


def test_definer_required_and_invalid(sim: IdrsTest) -> None:
    for code in ("TXMOD", "IMFOL", "BMFOL"):
        sim.command(f"{code} {GARCIA} 30 202312")
        assert sim.message.strip() == DEFINER_REQUIRED
        assert sim.line(1)[6] == "*", "the * goes where the definer belongs (typed from column 2)"
    sim.command(f"TXMODX {GARCIA} 30 202312")
    assert sim.message.strip() == INVALID_DEFINER
    assert sim.line(1)[1:].startswith("TXMODX*")


def test_irptr_unknown_definer_is_the_default(sim: IdrsTest) -> None:
    sim.command(f"IRPTRZ {GARCIA}")
    assert sim.message.strip() == ""
    sim.expect("SUN CITY CLINIC")


def test_missing_elements(sim: IdrsTest) -> None:
    sim.command(f"TXMODA {GARCIA}")
    assert sim.message.strip() == "INVALID MFT"
    sim.command("ENMOD")
    assert sim.message.strip() == "INVALID TIN"


def test_enmod_letters_and_ac505(sim: IdrsTest) -> None:
    """IRM 25.25.6.1.7: two history lines per letter; 5216 never shows.  IRM 10.5.4.5: AC 505
    with TRANS-DT, SECONDARY-DT and MISC; the pending one is PN with its cycle."""
    text = "\n".join(pages(sim, f"ENMOD {GARCIA}"))
    for line in ("1485012345 4883CLTR", "1485012345 202312", "1485000100 5071CLTR", "1485012345 4674CLTR"):
        assert any(row.strip() == line for row in text.splitlines()), line
    assert "5216" not in text
    assert "TRANS-DT SECONDARY-DT" in text
    assert "971  505 03012024 02112024     202410        IR20240211034" in text
    assert "971  505 06172024 06012024     202427 PN     CR20240601001" in text


def test_not_established_letters_only_on_imfole(sim: IdrsTest) -> None:
    sim.command(f"ENMOD {NOVAK}")
    sim.expect("ESTAB>NO").expect_not("4883CLTR").expect_not("4883C SENT")
    sim.command(f"IMFOLE {NOVAK}")
    sim.expect("1485000100 4883CLTR").expect("1485000100 202312").expect("4883C SENT")


def test_imfol_shows_posted_data_only(sim: IdrsTest) -> None:
    text = "\n".join(pages(sim, f"IMFOLT {GARCIA} 30 202312"))
    assert "PN" not in text and "U147" not in text and "REQ_FRZRLS" not in text
    assert "971  05032024 202419            .00 18277-124-10100-4 129" in text
    sim.command(f"IMFOLE {GARCIA}")
    sim.expect_not("CR20240601001")  # the pending AC 505 is not on the master file yet


def test_txmod_pending_and_unpostable_marks(sim: IdrsTest) -> None:
    text = "\n".join(pages(sim, f"TXMODA {GARCIA} 30 202312"))
    assert "PN     290  06172024 202427" in text
    assert "PN     971  06172024 202426            .00 29277-169-10100-4 850" in text
    assert "U147 0 150" in text
    assert "OPEN A  FRPI 1486907202 REQ_FRZRLS" in text
    assert "CLSD C  TPPI 1485012345 NONIDTRTN" in text


def test_uptin_case_closed_today_shows_a_until_tomorrow(sim: IdrsTest) -> None:
    from idrs_sim.masterfile.models import Unpostable

    with sim.sim.mf.unit_of_work() as db:
        case = db.scalar(select(Unpostable).where(Unpostable.seq == "000000202"))
        case.status, case.urc = "closed", "0"
        case.resolved_date = case.status_date = sim.sim.clock.today()
    sim.command(f"UPTIN {GARCIA}")
    sim.expect_match(7, r"^000000202 +30  202312 147 0  A  06172024 202421 0")
    sim.date("2024-06-18")  # a new day: an idle session may have signed off meanwhile
    sim.clear()
    if "EMPLOYEE NUMBER" in sim.screen_text():
        sim.sign_on(TRAINEE)
    sim.command(f"UPTIN {GARCIA}")
    sim.expect_match(7, r"^000000202 +30  202312 147 0  C ")


def test_trdbv_codes_after_a_display(sim: IdrsTest) -> None:
    sim.command(f"TRDBV {NOVAK}")
    sim.expect("STATUS> ARCHIVED/DELETED")
    sim.command("TRDBV CODES")
    sim.expect("TRDBV CODES").expect("UP 126 RC 0").expect("URC> D")


# ---------------------------------------------------------------------------------------
# paging on a long module


def test_paging_a_long_module(sim: IdrsTest) -> None:
    sim.command(f"TXMODA {GARCIA} 30 202312")
    first = screen(sim)
    assert sim.line(23).strip() == "TXMODA CONTINUED BELOW"
    assert "PAGE>001/004" in sim.line(2)
    heading = sim.screen_lines()[1:15]
    for n in (2, 3, 4):
        sim.pf(8)
        assert f"PAGE>{n:03d}/004" in sim.line(2)
        assert sim.screen_lines()[2:15] == heading[1:], "the fifteen-line heading repeats on every page"
    assert "CONTINUED BELOW" not in sim.line(23)
    sim.pf(8)
    assert sim.message.strip() == "LAST PAGE DISPLAYED"
    for _ in range(3):
        sim.pf(7)
    assert screen(sim) == first
    sim.pf(7)
    assert sim.message.strip() == "FIRST PAGE DISPLAYED"


# ---------------------------------------------------------------------------------------
# prerequisites and the audit trail


def _last_audit(sim: IdrsTest) -> tuple[str | None, ...]:
    """(command, tin, mft, period, outcome) of the newest audit record."""
    with sim.sim.mf.reading() as db:
        rec = db.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        return (rec.command, rec.tin, rec.mft, rec.period, rec.outcome)


def test_access_is_audited_and_remembered(sim: IdrsTest) -> None:
    state = sim.terminal.host.state
    sim.command(f"TXMODA {GARCIA} 30 202312")
    command, tin, mft, period, outcome = _last_audit(sim)
    assert (command, tin, mft, period) == ("TXMOD", GARCIA, "30", "202312")
    assert outcome == f"TXMODA DISPLAYED MODULE {GARCIA} 30 202312 (4 PAGES)"
    assert state.last_module == (GARCIA, "30", "202312") and state.last_tin == GARCIA

    sim.command("UPDIS 000000202")  # by sequence number: the audit still names the account
    assert _last_audit(sim)[1:4] == (GARCIA, "30", "202312")
    assert state.last_case == "000000202"

    sim.command(f"IMFOLT {GARCIA} 30 202312")  # IMFOL cannot precede an update code
    assert state.last_module is None and state.last_tin == GARCIA

    sim.command(f"ENMOD {NOBODY_SSN}")
    _, tin, _, _, outcome = _last_audit(sim)
    assert tin == NOBODY_SSN and outcome.startswith(NOT_FOUND)


def test_research_codes_are_open_to_any_employee() -> None:
    driver = IdrsTest(fixture=ACCOUNTS, out=open(os.devnull, "w"))  # noqa: SIM115
    driver.sign_on(RO)
    for command in (f"BMFOLI {HARBOR}", f"ENMOD {GARCIA}", f"CFINK {HARBOR}"):
        driver.command(command)
        assert "UNAUTHORIZED" not in driver.message


def test_shipped_fixture_smoke() -> None:
    """The TPP and FTD scenarios read as their narratives say (no golden: they may evolve)."""
    tpp = IdrsTest(fixture="tpp/valid_return_up126", out=open(os.devnull, "w"))  # noqa: SIM115
    tpp.sign_on(TRAINEE)
    tpp.command("ENMOD 400-00-1001").expect("1485000100 4883CLTR").expect("1485000100 202312")
    tpp.command("UPTIN 400-00-1001").expect("126 0  A")
    tpp.command("TXMODA 400-00-1001 30 202312").expect("U126 0 150")
    ftd = IdrsTest(fixture="ftd/semiweekly_depositor_alert", out=open(os.devnull, "w"))  # noqa: SIM115
    ftd.sign_on(RO)
    ftd.command("BMFOLI 99-2000001").expect("AC046")
    ftd.command("BMFOLK 99-2000001").expect("DEPOSITOR ON FILE> SEMIWEEKLY")


# ---------------------------------------------------------------------------------------
# definitions, handlers and maps


def test_every_defined_code_has_a_handler() -> None:
    missing = [code for code in commands.definitions() if commands.handler_for(code) is None]
    assert not missing, f"command codes defined in commands/*.yaml without a handler: {missing}"


def test_every_research_code_has_a_handler_and_its_maps_parse() -> None:
    defs = [d for d in commands.definitions().values() if d.kind == "research"]
    assert len(defs) >= 16
    for d in defs:
        assert commands.handler_for(d.code) is not None, f"{d.code} has a definition and no handler"
        assert d.roles == commands.ANY_ROLE
        assert d.syntax and d.irm and d.help and d.title


def test_every_screen_map_parses() -> None:
    maps = sorted(data_dir("screens").glob("*.map"))
    for path in maps:
        parse_map(path.read_text(encoding="utf-8"), path.stem.upper(), str(path))
    for name in ("enmod", "imfole", "imfoli", "imfolt", "txmod", "sumry", "uptin", "updis", "trdbv",
                 "trdbv_codes", "rtvue", "ddbkd", "irptr", "erinv", "inoles", "cfink", "bmfole", "bmfoli",
                 "bmfolk", "bmfolr", "bmfolu", "brtvue", "eftps"):
        smap = load_map(name)
        assert smap.list_rows is not None and smap.command_line, name
        assert smap.slot("cmd") is not None and smap.slot("cmd").row == 1, f"{name}: line 1 echoes the command"


def test_txmod_heading_is_fifteen_lines() -> None:
    smap = load_map("txmod")
    assert smap.list_rows == (16, 23), "IRM 3.13.122: the heading is the first fifteen lines"
