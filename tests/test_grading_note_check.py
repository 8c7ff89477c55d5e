"""The `note` check of an answer key (review of 2026-12-08): correct AMS shorthand was graded
missed (`ADV NINE WKS` for `9 WEEKS`), and a key could not ask for the note's issue."""

from __future__ import annotations

import pytest

from idrs_sim.grading.checks import CheckError, evaluate, parse_check


def _dump(*notes: tuple[str, str]) -> dict:
    return {"date": "2024-06-17", "entities": [{"tin": "400-00-1001", "modules": [],
                                                "notes": [{"issue": i, "text": t} for i, t in notes]}]}


def _check(**spec: object):  # type: ignore[no-untyped-def]
    return parse_check({"id": "ams", "why": "document the call", "note": {"tin": "400-00-1001", **spec}},
                       default_irm="25.25.6")


@pytest.mark.parametrize("text", ["ADVISED 9 WEEKS", "ADV NINE WKS, WMR 2-3 WKS", "ALLOW  9  WEEKS"])
def test_the_words_match_the_usual_shorthand(text: str) -> None:
    assert evaluate(_check(words=["9 WEEKS"]), _dump(("TPP-AUTHENTICATION PASSED", text))).met


def test_other_weeks_are_not_nine() -> None:
    assert not evaluate(_check(words=["9 WEEKS"]), _dump(("TPP-AUTHENTICATION PASSED", "ADVISED 19 WEEKS"))).met


def test_issue_names_the_notes_issue() -> None:
    dump = _dump(("TPP-AUTHENTICATION PASSED", "CALLER AUTHENTICATED"))
    assert evaluate(_check(issue="TPP-AUTHENTICATION PASSED"), dump).met
    assert not evaluate(_check(issue="TPP-AUTHENTICATION FAILED"), dump).met
    with pytest.raises(CheckError, match="note takes `words`, `issue` or both"):
        _check()
