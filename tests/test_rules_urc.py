"""`rules.urc.resolve`: what the posting run does with each UPRES resolution (IRM
25.25.6.5.1.1, tpp-rules §3 and §6.1).  Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest

from idrs_sim.rules import urc


def _resolve(code: str, ccc: str | None = None, **kw: Any) -> urc.Resolution:
    args: dict[str, Any] = {"upc": 126, "seq": "000000007", "cycle": "202426", "on_guf": True, "case_closed": False,
                            "corrected_differs": False, "extra": {"bypass_upc": [147]}}
    return urc.resolve(code, ccc, **{**args, **kw})


@pytest.mark.parametrize("code", ["D", "1", "2", "8", " d "])
def test_urc_d_1_2_8_remove_the_document(code: str) -> None:
    eff = _resolve(code)
    assert eff.kind == urc.DELETE
    assert eff.extra == {"deleted_by": f"URC {code.strip().upper()}", "deleted_cycle": "202426"}
    assert eff.text == f"CLOSED URC {code.strip().upper()} - DOCUMENT DELETED"


def test_urc_0_and_6_post_and_add_the_code_to_the_bypassed_ones() -> None:
    eff = _resolve("0")
    assert eff == urc.Resolution(urc.POST, "CLOSED URC 0 REL CYC 202426",
                                 {"bypass_upc": [126, 147], "released_from": "000000007"})
    eff = _resolve("6", "1")
    assert eff.kind == urc.POST and eff.extra is not None and eff.extra["ccc"] == "1"
    assert eff.text == "CLOSED URC 6 CCC 1 REL CYC 202426"


def test_a_corrected_tin_or_ccc_3_needs_the_accounts() -> None:
    assert _resolve("6", corrected_differs=True).kind == urc.ACCOUNTS
    assert _resolve("6B", corrected_differs=True).kind == urc.ACCOUNTS
    assert _resolve("6", "3").kind == urc.ACCOUNTS
    assert _resolve("0", corrected_differs=True).kind == urc.POST  # URC 0 ignores field 29


def test_urc_5_a_close_invalid_reopens_and_off_the_guf_is_no_action() -> None:
    assert _resolve("5") == urc.Resolution(urc.CLOSE, "CLOSED URC 5 - NO MASTER FILE ACTION")
    assert _resolve("Z") == urc.Resolution(urc.REOPEN, "URC Z NOT VALID - CASE REOPENED")
    assert _resolve("D", on_guf=False) == urc.Resolution(urc.CLOSE, "CLOSED URC D - NO DOCUMENT ON GUF")
    assert _resolve("0", on_guf=False, case_closed=True) == urc.Resolution(urc.MARK_RELEASED)
