"""Research codes check their elements before they read the files (review findings 1-5):

1. a TAX-YR> that is not a year of the calendar is INVALID DATA (BMFOLK crashed on `ABCD`);
2. a definer the code does not take is INVALID DEFINER on every research code (IRPTR reads
   an unknown definer as its default, reference §1.1);
3. a tax period that does not fit the MFT (MFT 01 is quarterly) is INVALID TAX PERIOD, an
   MFT of the other file INVALID MFT (tables/codes.yaml `mfts`);
4. a name control typed on line 1 that is not the entity's is NAME CONTROL MISMATCH;
5. the file-source character typed after the TIN names the file the TIN is looked for on
   (V / W BMF, * IMF, P EPMF; reference §1.3) and line 1 echoes it.

Each refusal keeps the typed line with the `*` right of the bad element.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from idrs_sim import commands
from idrs_sim.cc.research import (
    INVALID_DATA,
    INVALID_DEFINER,
    INVALID_MFT,
    INVALID_TAX_PERIOD,
    NAME_CONTROL_MISMATCH,
    NOT_FOUND,
)
from idrs_sim.testing import IdrsTest

ACCOUNTS = Path(__file__).parent / "data" / "research_accounts.yaml"
TRAINEE = "1485012345"
GARCIA, HARBOR = "400-00-2001", "99-3000001"  # IMF (name control GARC), BMF 941 filer


@pytest.fixture()
def sim() -> IdrsTest:
    driver = IdrsTest(fixture=ACCOUNTS, out=open(os.devnull, "w"))  # noqa: SIM115
    driver.sign_on(TRAINEE)
    return driver


def refused(sim: IdrsTest, command: str, literal: str, element: str) -> None:
    """`command` is refused with `literal`, the line kept, `*` right of `element`."""
    sim.command(command)
    assert sim.message.strip() == literal, command
    found = re.search(rf"(?:^| |>){re.escape(element)}(?= |$)", command)
    assert found is not None, element
    end = found.end()
    expected = command[:end] + "*" + command[end + 1:]
    assert sim.line(1)[1:].rstrip() == expected.rstrip(), command  # typed from column 2


def shown(sim: IdrsTest, command: str) -> None:
    sim.command(command)
    assert sim.message.strip() == "", f"{command}: {sim.message}"


# ---------------------------------------------------------------------------------------
# 1. TAX-YR>

BAD_YEARS = [
    f"BMFOLK {HARBOR} TAX-YR>ABCD",
    f"BMFOLK {HARBOR} TAX-YR>0001",
    f"BMFOLK {HARBOR} TAX-YR>20234",
    f"BMFOLU {HARBOR} TAX-YR>ABCD",
    f"BMFOLU {HARBOR} TAX-YR>1800",
    f"BMFOLP {HARBOR} TAX-YR>ABCD",
    f"IRPTR {GARCIA} TAX-YR>20X3",
]


@pytest.mark.parametrize("command", BAD_YEARS)
def test_bad_tax_year_is_invalid_data(sim: IdrsTest, command: str) -> None:
    refused(sim, command, INVALID_DATA, command.split("TAX-YR>")[1])
    assert "SYSTEM ERROR" not in sim.message


def test_a_superscript_digit_is_an_invalid_character(sim: IdrsTest) -> None:
    sim.command(f"BMFOLP {HARBOR} TAX-YR>20²3")
    assert sim.message == "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"


def test_good_tax_year_still_shows(sim: IdrsTest) -> None:
    shown(sim, f"BMFOLK {HARBOR} TAX-YR>2024")
    sim.expect("DEPOSIT YEAR> 2024")
    shown(sim, f"BMFOLU {HARBOR} TAX-YR>2023")
    sim.expect("TAX-YR> 2023")


# ---------------------------------------------------------------------------------------
# 2. definers


def _research_codes() -> list[commands.CommandDef]:
    return sorted((d for d in commands.definitions().values() if d.kind == "research"), key=lambda d: d.code)


def _bad_definer(d: commands.CommandDef) -> str:
    return next(ch for ch in "XQZJ" if ch not in (d.definers or ()))


def _tin_for(d: commands.CommandDef) -> str:
    return HARBOR if d.code in ("BMFOL", "BRTVU", "EFTPS") else GARCIA


@pytest.mark.parametrize("definition", _research_codes(), ids=lambda d: d.code)
def test_unknown_definer_on_every_research_code(sim: IdrsTest, definition: commands.CommandDef) -> None:
    """Every research code refuses a definer it does not take (a code without `definers:`
    takes none), except IRPTR, which reads an unknown definer as its default."""
    head = definition.code + _bad_definer(definition)
    command = f"{head} {_tin_for(definition)}"
    if definition.extra.get("invalid_definer") == "default":
        shown(sim, command)
        return
    refused(sim, command, INVALID_DEFINER, head)


@pytest.mark.parametrize("command", [
    f"TRDBVX {GARCIA} 30 202312", f"INOLEX {GARCIA}", f"BRTVUX {HARBOR}", f"ENMODX {GARCIA}",
    f"SUMRYX {GARCIA}", f"UPTINZ {GARCIA}", "UPDISX 000000101", f"RTVUEQ {GARCIA}",
])
def test_reviewer_definer_cases(sim: IdrsTest, command: str) -> None:
    refused(sim, command, INVALID_DEFINER, command.split()[0])


def test_taken_definers_still_show(sim: IdrsTest) -> None:
    for command in (f"TRDBVC {GARCIA}", f"INOLES {GARCIA}", f"BRTVUE {HARBOR}", f"IRPTRZ {GARCIA}",
                    f"ENMOD {GARCIA}", f"TXMODA {GARCIA} 30 202312"):
        shown(sim, command)


# ---------------------------------------------------------------------------------------
# 3. MFT and tax period


@pytest.mark.parametrize("command", [
    f"TXMODA {HARBOR} 01 202311",
    f"IMFOLT {HARBOR} 01 202305",
    f"BRTVUE {HARBOR} 01 202301",
    f"EFTPS {HARBOR} 01 202310",
    f"TRDBV {HARBOR} 01 202302",
])
def test_quarterly_mft_takes_quarter_ends(sim: IdrsTest, command: str) -> None:
    refused(sim, command, INVALID_TAX_PERIOD, command.split()[-1])


@pytest.mark.parametrize("command", [
    f"IMFOLT {GARCIA} 01 202312",
    f"TXMODA {GARCIA} 01 202312",
    f"TXMODA {HARBOR} 30 202312",
    f"BRTVUE {HARBOR} 30 202312",
])
def test_mft_of_the_other_file(sim: IdrsTest, command: str) -> None:
    refused(sim, command, INVALID_MFT, command.split()[2])


def test_fitting_mft_and_period_still_show(sim: IdrsTest) -> None:
    shown(sim, f"TXMODA {HARBOR} 01 202312")
    shown(sim, f"BRTVUE {HARBOR} 01 202306")


# ---------------------------------------------------------------------------------------
# 4. name control


@pytest.mark.parametrize("command", [
    f"TXMODA {GARCIA} 30 202312 JONE",
    f"ENMOD {GARCIA} JONE",
    f"UPTIN {GARCIA} JONE",
    f"SUMRY {GARCIA} JONE",
])
def test_name_control_mismatch(sim: IdrsTest, command: str) -> None:
    refused(sim, command, NAME_CONTROL_MISMATCH, "JONE")


def test_matching_name_control_shows(sim: IdrsTest) -> None:
    shown(sim, f"TXMODA {GARCIA} 30 202312 GARC")
    sim.expect("MARIA L GARCIA")


# ---------------------------------------------------------------------------------------
# 5. file-source character


@pytest.mark.parametrize("fs", ["V", "W", "P"])
def test_file_source_names_another_file(sim: IdrsTest, fs: str) -> None:
    """An IMF SSN typed with V / W (BMF) or P (EPMF) is not on that file."""
    refused(sim, f"ENMOD {GARCIA}{fs}", NOT_FOUND, f"{GARCIA}{fs}")


def test_file_source_is_echoed(sim: IdrsTest) -> None:
    shown(sim, f"ENMOD {GARCIA}*")
    assert f"ENMOD {GARCIA}* " in sim.line(1) + " "
    refused(sim, f"IMFOLE {HARBOR}*", NOT_FOUND, f"{HARBOR}*")
