"""FRM77: the TC 972 AC 129 literal must fit the marker it reverses (IRM 25.25.6.5.1.2 (4)
rows 1-6; review 2026-12-07: `_NONIDT052`, `_NONIDTBKLD` and `NONIDT 1040X` were accepted on a
plain return-DLN marker, each sending RIVO the wrong outcome).  Decision TPP-29.

The literal is stated once, `rules.tpp_inputs.ac129_literal`; FRM77 accepts the NONIDT and the
IDT form of the marker's row (the assistor decides whether the taxpayer filed)."""

from __future__ import annotations

import pytest

from idrs_sim.testing import IdrsTest

TRAINEE = "1485012345"


def _frm77(fixture: str, tin: str, misc: str) -> IdrsTest:
    sim = IdrsTest(fixture=fixture, date="2024-06-17")
    sim.sign_on(TRAINEE)
    sim.command(f"REQ77 {tin} 30 202312")
    sim.fill("TC", "972")
    sim.fill("TC971/151", "129")
    sim.fill("MISC", misc)
    sim.enter()
    return sim


@pytest.mark.parametrize(("fixture", "tin", "misc", "message"), [
    # row 2 marker (the return's DLN, no AC 052, no BKLD)
    ("tpp/posted_ac129_refund_held", "400-00-1010", "110014_NONIDT", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_refund_held", "400-00-1010", "110014_IDT", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_refund_held", "400-00-1010", "110014_NONIDT052", "MISC MUST BE 110014_NONIDT OR 110014_IDT FOR THIS MARKER"),
    ("tpp/posted_ac129_refund_held", "400-00-1010", "110014_NONIDTBKLD", "MISC MUST BE 110014_NONIDT OR 110014_IDT FOR THIS MARKER"),
    ("tpp/posted_ac129_refund_held", "400-00-1010", "110014 NONIDT 1040X", "MISC MUST BE 110014_NONIDT OR 110014_IDT FOR THIS MARKER"),
    # row 3: an AC 052 with the return's DLN
    ("tpp/posted_ac129_ac052", "400-00-1011", "111014_NONIDT052", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_ac052", "400-00-1011", "111014_NONIDT", "MISC MUST BE 111014_NONIDT052 OR 111014_IDT FOR THIS MARKER"),
    # row 4: BKLD in the marker's MISC
    ("tpp/posted_ac129_bkld", "400-00-1012", "112014_NONIDTBKLD", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_bkld", "400-00-1012", "112014_NONIDT", "MISC MUST BE 112014_NONIDTBKLD OR 112014_IDT FOR THIS MARKER"),
    # a marker whose MISC names no return (IVO EL IDT): row 2
    ("tpp/posted_ac129_ivo_el_idt", "400-00-1013", "113014_NONIDT", "REQUEST COMPLETED"),
    # rows 5-6: a 1040X marker (six digits of the 1040X DLN, no underscore)
    ("tpp/posted_ac129_1040x", "400-00-1014", "114024 NONIDT 1040X", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_1040x", "400-00-1014", "114024 IDT 1040X", "REQUEST COMPLETED"),
    ("tpp/posted_ac129_1040x", "400-00-1014", "114024_NONIDT", "MISC MUST BE 114024 NONIDT 1040X OR 114024 IDT 1040X FOR THIS MARKER"),
])
def test_the_literal_fits_the_marker(fixture: str, tin: str, misc: str, message: str) -> None:
    sim = _frm77(fixture, tin, misc)
    try:
        assert sim.message == message
    finally:
        sim.close()
