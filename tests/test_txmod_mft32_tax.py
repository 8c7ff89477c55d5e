"""TXMODA on MFT 32 (review of 2026-12-08): TAX-PER-RET was blank, the TC 976 being the return
there ("MFT 32 returns - DLN is the TC 976 DLN", IRM 25.25.6)."""

from __future__ import annotations

from idrs_sim.testing import IdrsTest


def test_tax_per_return_on_mft32_is_the_tc976_returns() -> None:
    sim = IdrsTest(fixture="tpp/return_on_mft32")
    try:
        sim.sign_on("1485012345")
        sim.command("TXMODA 400-00-1023 32 202312")
        assert "TAX-PER-RET> 4,634.00" in sim.screen_text()
    finally:
        sim.close()
