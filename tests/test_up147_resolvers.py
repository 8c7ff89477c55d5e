"""UP 147 is Submission Processing's: a TPP assistor takes no action to resolve it (IRM
25.25.6.5.1.2.5 "Take no action to resolve the UP 147"; 25.25.6.2.1 "RIVO employee will not
close the unpostable 147").  UPRES and UPASGR answer UPC 147 NOT AUTHORIZED FOR THIS EMPLOYEE;
the unpostable clerk resolves it as before."""

from __future__ import annotations

import mf_builders as b
import pytest
from input_world import CLERK, INSTRUCTOR, LEAD, RIVO, TRAINEE, audit, case, signed_on, txns

from idrs_sim.rules import urc as urc_rules
from idrs_sim.testing import IdrsTest

NOT_AUTHORIZED = "UPC 147 NOT AUTHORIZED FOR THIS EMPLOYEE"
UP147_TIN = "400-00-1047"


def _up147(s) -> None:
    ent = b.entity(s, UP147_TIN, name_control="HARR")
    mod = b.module(s, ent, "30", "202312")
    b.txn(s, mod, 971, ac=129, misc="29211045470474", cycle="202408")
    b.unposted_return(s, mod, upc=147, dln="29211-045-47047-4", seq="000000147", assigned=CLERK)


def test_resolver_roles_of_up147_is_submission_processing_only() -> None:
    assert urc_rules.resolver_roles(147) == ["unpostable-clerk"]
    assert urc_rules.resolver_roles(126) is None


@pytest.mark.parametrize("idrs", [TRAINEE, LEAD, RIVO])
def test_tpp_and_rivo_cannot_take_a_up147(idrs: str) -> None:
    sim = signed_on(idrs, _up147)
    sim.command("UPDIS 000000147")
    sim.command("UPASGR 000000147")
    assert sim.message == NOT_AUTHORIZED
    assert case(sim, "000000147")["assigned"] == CLERK
    assert audit(sim)[-1].violation


def test_tpp_cannot_resolve_a_up147_with_upres() -> None:
    sim = signed_on(TRAINEE, _up147)
    sim.command("UPDIS 000000147")
    sim.command("UPRES 000000147 URC>0")
    assert sim.message == NOT_AUTHORIZED
    assert case(sim, "000000147")["urc"] is None


@pytest.mark.parametrize("idrs", [CLERK, INSTRUCTOR])
def test_the_unpostable_clerk_resolves_a_up147(idrs: str) -> None:
    sim = signed_on(idrs, _up147)
    sim.command("UPDIS 000000147")
    sim.command("UPASGR 000000147")
    assert sim.message == "REQUEST COMPLETED"
    sim.fill("URC", "0")
    sim.enter()
    assert sim.message == "REQUEST COMPLETED"
    assert case(sim, "000000147")["urc"] == "0"


def test_reviewer_repro_up147_fixture_does_not_post() -> None:
    """The reviewer's repro (2026-12-07): tpp/up147_ac129, UPDIS, UPASGR + URC 0 -- refused, nothing posts."""
    sim = IdrsTest(fixture="tpp/up147_ac129", out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(TRAINEE)
    sim.command("UPDIS 400-00-1016 30 202312")
    sim.command("UPASGR 400-00-1016 30 202312")
    assert sim.message == NOT_AUTHORIZED
    sim.command("UPRES 400-00-1016 30 202312 URC>0")
    assert sim.message == NOT_AUTHORIZED
    sim.cycle(2)
    assert [t for t in txns(sim, "400-00-1016", tc=150, period="202312") if t["status"] == "posted"] == []
