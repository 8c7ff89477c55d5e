"""Keying Appeals codes in the tests: a simulator signed on, several lines in one Enter, and
signing on as another employee (the ATE, the ATM, the Area Director... take turns)."""

from __future__ import annotations

from idrs_sim.testing import IdrsTest


def signed_on(fixture: str, idrs: str) -> IdrsTest:
    """A simulator on `fixture` with `idrs` signed on; its replay output discarded."""
    sim = IdrsTest(fixture=fixture, out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(idrs)
    return sim


def run_lines(sim: IdrsTest, *lines: str) -> IdrsTest:
    """Clear, type the lines (a Newline between them), Enter."""
    sim.clear()
    for i, line in enumerate(lines):
        if i:
            sim.newline()
        sim.string(line)
    sim.enter()
    return sim


def sign_on_as(sim: IdrsTest, idrs: str) -> IdrsTest:
    """SINOF, then sign on as `idrs`."""
    run_lines(sim, "SINOF")
    return sim.sign_on(idrs)
