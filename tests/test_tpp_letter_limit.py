"""A TPP letter goes to the address on the return at most twice (IRM 25.25.6.6.2 (4) note;
docs/decisions.md TPP-11: every letter shown for the period counts).  LETER and the advice
(`rules.tpp_advice.letter_wait`) ask the same rule, `tpp_letter_limit_reached`."""

from __future__ import annotations

import datetime as dt

import mf_builders as b
import pytest
from input_world import TRAINEE, read, signed_on
from sqlalchemy import select

from idrs_sim.masterfile.models import Letter
from idrs_sim.rules import tpp_advice
from idrs_sim.testing import IdrsTest

LIMIT = "TPP LETTER PREVIOUSLY ISSUED TWICE - REFER TO TAC"


def _letters(sim) -> list[tuple[str, str | None]]:
    return read(sim, lambda s: [(x.letter, x.period) for x in s.scalars(select(Letter).order_by(Letter.id))])


def test_the_limit_rule_counts_every_letter_shown_for_the_period() -> None:
    entity = {"letters": [{"letter": "5071C", "period": "202312", "date": "2024-04-15"}],
              "transactions": [], "modules": []}
    assert not tpp_advice.tpp_letter_limit_reached(entity, "202312")
    assert tpp_advice.letter_wait(entity, "2024-06-17", "202312").may_reissue
    entity["letters"].append({"letter": "4883C", "period": "202312", "date": "2024-05-15"})
    assert tpp_advice.tpp_letter_limit_reached(entity, "202312")
    assert not tpp_advice.letter_wait(entity, "2024-06-17", "202312").may_reissue
    assert not tpp_advice.tpp_letter_limit_reached(entity, "202212")  # another period: its own count


@pytest.mark.parametrize("letter", ["5071C", "4883C", "5447C"])
def test_reviewer_repro_no_third_tpp_letter(letter: str) -> None:
    """The reviewer's repro (2026-12-07): tpp/letter_markers shows two letters for 202312 already."""
    sim = IdrsTest(fixture="tpp/letter_markers", out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(TRAINEE)
    before = _letters(sim)
    sim.command(f"LETER 400-00-1025 30 202312 LETTER>{letter}")
    assert sim.message == LIMIT
    assert _letters(sim) == before


def _one_letter_sent(s) -> None:
    ent = b.entity(s, "400-00-1061", name_control="LIMI")
    b.module(s, ent, "30", "202312")
    s.add(Letter(entity=ent, letter="5071C", period="202312", date=dt.date(2024, 3, 1), idrs=TRAINEE, on_idrs=True))


def test_leter_issues_the_second_tpp_letter_and_refuses_the_third() -> None:
    sim = signed_on(TRAINEE, _one_letter_sent)
    sim.command("LETER 400-00-1061 30 202312 LETTER>5071C")
    assert sim.message == "REQUEST COMPLETED"
    sim.command("LETER 400-00-1061 30 202312 LETTER>4883C")
    assert sim.message == LIMIT
    assert _letters(sim) == [("5071C", "202312"), ("5071C", "202312")]


def test_other_letters_are_not_limited() -> None:
    sim = signed_on(TRAINEE, _one_letter_sent)
    sim.command("LETER 400-00-1061 30 202312 LETTER>5071C")
    sim.command("LETER 400-00-1061 30 202312 LETTER>0418C")
    assert sim.message == "REQUEST COMPLETED"
