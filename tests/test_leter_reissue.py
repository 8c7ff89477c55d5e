"""LETER reissues a TPP letter only as IRM 25.25.6.6.2 lets the toll-free assistor (review of
2026-12-07: every reissue was REQUEST COMPLETED).  The rule is `rules.tpp_advice.
reissue_refusal`, from the same `letter_wait` the advice gives (decision TPP-30)."""

from __future__ import annotations

import pytest

from idrs_sim.testing import IdrsTest

TRAINEE, RIVO = "1485012345", "1486000101"


def _leter(fixture: str, line: str, idrs: str = TRAINEE, date: str | None = None) -> str:
    sim = IdrsTest(fixture=fixture, date=date) if date else IdrsTest(fixture=fixture)
    try:
        sim.sign_on(idrs)
        before = len(sim.dump(sim_tin(line))["entities"][0]["letters"])
        sim.command(f"LETER {line}")
        after = len(sim.dump(sim_tin(line))["entities"][0]["letters"])
        assert (after == before + 1) == (sim.message == "REQUEST COMPLETED")
        return sim.message
    finally:
        sim.close()


def sim_tin(line: str) -> str:
    return line.split()[0]


@pytest.mark.parametrize(("fixture", "line", "date", "message"), [
    # (1) no TC 971 AC 123 letter marker and no letter on ENMOD: the letter cannot be issued
    ("tpp/posted_ac129_refund_held", "400-00-1010 30 202312 LETTER>4883C", None,
     "NO TPP LETTER MARKER ON THE ACCOUNT - LETTER CANNOT BE ISSUED"),
    # (3) inside the wait: 30 days for a 5447C
    ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312 LETTER>5447C RTN-ADDR-CD>TP", None,
     "ALLOW 30 DAYS FOR THE 5447C - DO NOT REISSUE BEFORE 07072024"),
    # the wait's last day (06/06 + 30) is still inside it; the next day the letter may go
    ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312 LETTER>5447C RTN-ADDR-CD>TP", "2024-07-06",
     "ALLOW 30 DAYS FOR THE 5447C - DO NOT REISSUE BEFORE 07072024"),
    ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312 LETTER>5447C RTN-ADDR-CD>TP", "2024-07-07",
     "REQUEST COMPLETED"),
    # after the wait, the appropriate letter: 5447C for the foreign address, not 4883C
    ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312 LETTER>4883C", "2024-07-15",
     "REISSUE 5447C - THE RETURN HAS A FOREIGN ADDRESS"),
    ("tpp/letter_5447c_foreign_address", "400-00-1123 30 202312 LETTER>5447C RTN-ADDR-CD>TP", "2024-07-15",
     "REQUEST COMPLETED"),
])
def test_the_toll_free_assistor(fixture: str, line: str, date: str | None, message: str) -> None:
    assert _leter(fixture, line, date=date) == message


def test_after_a_5747c_the_caller_goes_to_the_tac_but_rivo_reissues_it() -> None:
    line = "400-00-1118 30 202312 LETTER>5747C RTN-ADDR-CD>TP"
    assert _leter("tpp/tac_auth_only_reply", line) == "LAST TPP LETTER WAS 5747C - REFER TO TAC"
    assert _leter("tpp/tac_auth_only_reply", line, idrs=RIVO) == "REQUEST COMPLETED"  # IRM 25.25.6.2.2.2 (1) box 4
