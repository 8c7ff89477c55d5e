"""What each TPP procedure must leave on the master file, checked on `idrs-sim dump` data.

One function per procedure script (procedures/tpp/<name>.txt), registered with
`@outcome("<name>")`.  The scripts check the screens; these functions check the dump,
so a procedure passes only when both agree with IRM 25.25.6.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tpp_checks import (
    all_notes, case, cases, controls, entity, has_module, letters, module, none, one, refunds, txns, unreversed,
)

Check = Callable[[dict[str, Any]], None]
OUTCOMES: dict[str, Check] = {}


def outcome(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        OUTCOMES[name] = fn
        return fn
    return register


D = Decimal


def _ams(ent: dict[str, Any], *words: str) -> None:
    texts = [f"{n.get('issue') or ''} {n['text']}".upper() for n in all_notes(ent)]
    assert any(all(w.upper() in t for w in words) for t in texts), f"no AMS note with {words}: {texts}"


# --- 25.25.6.5.1.1: the taxpayer's return is UP 126 RC 0 ------------------------------------


@outcome("valid_return_up126_paper_check")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1001", "30", "202312")
    u = case(d, "000000101")
    assert (u["status"], u["urc"], u["release_cycle"]) == ("closed", "0", None)
    ret = one(mod, 150)
    assert ret["dln"] == "76247045101014" and ret["cycle"] == "202426"
    assert one(mod, 971, 124)["reversed"] is True
    assert one(mod, 972, 124)["misc"] == "76247045101014"
    none(mod, 971, 850, status=None)
    assert refunds(mod) == [(D("1842.00"), "check", "202426")]
    _ams(entity(d, "400-00-1001"), "9 WEEKS")


@outcome("valid_return_up126_direct_deposit_matches")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1002", "30", "202312")
    assert case(d, "000000102")["urc"] == "0" and case(d, "000000102")["status"] == "closed"
    assert one(mod, 150)["cycle"] == "202426"
    assert one(mod, 971, 124)["reversed"] is True
    none(mod, 971, 850, status=None)
    assert refunds(mod) == [(D("2720.00"), "direct_deposit", "202426")]


@outcome("valid_return_up126_ac850_rel_cyc")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1002", "30", "202312")
    u = case(d, "000000102")
    assert (u["urc"], u["release_cycle"], u["status"]) == ("0", "202427", "closed")
    assert one(mod, 971, 850)["cycle"] == "202426"
    assert one(mod, 150)["cycle"] == "202427"
    assert one(mod, 971, 124)["reversed"] is True
    # The AC 850 posted a cycle before the refund: the direct deposit became a paper check.
    assert refunds(mod) == [(D("2720.00"), "check", "202427")]


@outcome("first_time_filer_upres_only")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1003")
    mod = module(d, "400-00-1003", "30", "202312")
    assert ent["established"] is True
    assert case(d, "000000103")["urc"] == "0"
    assert one(mod, 150)["cycle"] == "202426"
    assert txns(mod, 971, status=None) == [] and txns(mod, 972, status=None) == []
    assert txns(ent, 971, status=None) == []
    assert refunds(mod) == [(D("945.00"), "direct_deposit", "202426")]
    _ams(ent, "FIRST TIME FILER")


@outcome("wrong_tin_urc6")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000104")
    assert (u["urc"], u["corrected_tin"], u["status"]) == ("6", "400-00-1004", "closed")
    mine = module(d, "400-00-1004", "30", "202312")
    ret = one(mine, 150)
    assert ret["dln"] == "76247045104014" and ret["amount"] == "3494.00"
    assert refunds(mine) == [(D("1606.00"), "check", "202426")]
    lee = module(d, "400-00-1040", "30", "202312")
    assert one(lee, 971, 124)["reversed"] is True
    none(lee, 150)
    assert refunds(lee) == []


@outcome("wrong_tin_new_ssn_urc6b")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000106")
    assert (u["urc"], u["corrected_tin"]) == ("6B", "400-00-1007")
    owens = entity(d, "400-00-1007")
    assert owens["established"] is True and owens["name"] == ["PETER Q OWENS"]
    mod = module(d, "400-00-1007", "30", "202312")
    assert one(mod, 150)["dln"] == "76247045106014"
    assert refunds(mod) == [(D("1522.00"), "check", "202426")]
    assert one(module(d, "400-00-1006", "30", "202312"), 971, 124)["reversed"] is True


@outcome("wrong_tax_year_crtty_control")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1008", "30", "202212")
    u = case(d, "000000108")
    assert (u["status"], u["urc"], u["assigned"]) == ("open", None, "0912345678")
    found_ = controls(mod, "MISC")
    assert len(found_) == 1, found_
    cb = found_[0]
    assert (cb["activity"], cb["status"], cb["idrs"]) == ("CRTTY", "A", "1483145470")
    assert unreversed(mod, 971, 124)
    assert txns(mod, 972, status=None) == []
    _ams(entity(d, "400-00-1008"), "76247045108014", "2023")


@outcome("batch_tool_filed_hold432rv")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1009", "30", "202312")
    u = case(d, "000000109")
    assert (u["status"], u["urc"], u["assigned"]) == ("open", None, "1483845470")
    found_ = controls(mod, "32RV")
    assert len(found_) == 1, found_
    cb = found_[0]
    assert (cb["activity"], cb["status"], cb["idrs"]) == ("HOLD432RV", "M", "1487355555")
    assert unreversed(mod, 971, 124) and txns(mod, 972, status=None) == []


@outcome("batch_tool_not_filed_idt_letter")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1009")
    ac506 = one(ent, 971, 506)
    assert (ac506["misc"], ac506["secondary_date"]) == ("WI PRP OTHER1", "2023-12-31")
    found_ = letters(ent, "4674C")
    assert len(found_) == 1, found_
    letter = found_[0]
    assert (letter["paragraphs"], letter["return_address_code"], letter["signature_code"]) == ("C7acwy&", "TP", "KA")
    u = case(d, "000000109")
    assert (u["status"], u["urc"], u["assigned"]) == ("open", None, "1483845470")
    mod = module(d, "400-00-1009", "30", "202312")
    assert txns(mod, 972, status=None) == [] and txns(mod, 971, 111, status=None) == []


@outcome("joint_return_spouse_calls_valid")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1020", "30", "202312")
    assert case(d, "000000120")["urc"] == "0"
    assert one(mod, 150)["dln"] == "76247045120014"
    assert one(mod, 971, 124)["reversed"] is True
    assert (entity(d, "400-00-1021").get("modules") or []) == []


# --- 25.25.6.5.1.2: posted return, unreversed TC 971 AC 129 ----------------------------------


def _released(mod: dict[str, Any], amount: str, method: str, cycle: str) -> None:
    assert refunds(mod)[-1:] == [(D(amount), method, cycle)], refunds(mod)


@outcome("posted_ac129_release_tc290")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1010", "30", "202312")
    assert one(mod, 290)["amount"] == "0.00" and one(mod, 290)["cycle"] == "202426"
    assert one(mod, 972, 129)["misc"] == "110014_NONIDT"
    assert one(mod, 971, 129)["reversed"] is True
    _released(mod, "2498.00", "check", "202426")


@outcome("posted_ac129_ac052_verified")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1011", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "111014_NONIDT052"
    assert one(mod, 290)["amount"] == "0.00"
    _released(mod, "3178.00", "check", "202426")


@outcome("refund_issued_reverse_marker")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1015", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "115014_NONIDT"
    assert one(mod, 971, 129)["reversed"] is True
    none(mod, 290, status=None)
    assert refunds(mod) == [(D("2206.00"), "check", "202411")]
    _ams(entity(d, "400-00-1015"), "OTHER ENTITY")


@outcome("up147_no_action_reverse_ac129")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1016", "30", "202312")
    u = case(d, "000000116")
    assert (u["code"], u["status"], u["urc"], u["assigned"]) == (147, "open", None, "0912345678")
    assert one(mod, 972, 129)["misc"] == "116014_NONIDT"
    assert one(mod, 971, 129)["reversed"] is True
    none(mod, 150)


@outcome("ac129_1040x_filed")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1014", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "114024 NONIDT 1040X"
    assert one(mod, 971, 129)["reversed"] is True
    assert txns(entity(d, "400-00-1014"), 971, 506, status=None) == []
    _ams(entity(d, "400-00-1014"), "16 WEEKS")


@outcome("ac129_1040x_not_filed")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1014")
    mod = module(d, "400-00-1014", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "114024 IDT 1040X"
    ac506 = one(ent, 971, 506)
    assert (ac506["misc"], ac506["secondary_date"]) == ("WI PRP OTHER1", "2023-12-31")


@outcome("posted_ac129_release_ac850_post_delay")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1101", "30", "202312")
    assert one(mod, 971, 850)["cycle"] == "202426"
    tc290 = one(mod, 290)
    assert (tc290["amount"], tc290["cycle"], tc290.get("post_delay")) == ("0.00", "202427", 1)
    assert one(mod, 972, 129)["misc"] == "301014_NONIDT"
    _released(mod, "1960.00", "check", "202427")


@outcome("posted_ac129_non_rivo_freeze")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1102", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "302014_NONIDT"
    none(mod, 290, status=None)
    assert refunds(mod) == []
    assert one(mod, 420)["reversed"] is False


@outcome("posted_ac129_ac052_not_verified")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1103", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "303014_NONIDT052"
    assert one(mod, 971, 850)["cycle"] == "202426"
    none(mod, 290, status=None)
    assert refunds(mod) == []


@outcome("external_lead_bkld_verified")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1012", "30", "202312")
    assert one(mod, 971, 850)["cycle"] == "202426"
    assert one(mod, 972, 129)["misc"] == "112014_NONIDTBKLD"
    assert one(mod, 290)["cycle"] == "202427"
    _released(mod, "3922.00", "check", "202427")


@outcome("external_lead_bkld_not_verified")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1104", "30", "202312")
    assert one(mod, 971, 850)["cycle"] == "202426"
    assert one(mod, 972, 129)["misc"] == "304014_NONIDTBKLD"
    none(mod, 290, status=None)
    assert refunds(mod) == [(D("4120.00"), "direct_deposit", "202411")]


@outcome("external_lead_ivo_el_idt_verified")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1013", "30", "202312")
    assert one(mod, 971, 850)["cycle"] == "202426"
    assert one(mod, 972, 129)["misc"] == "113014_NONIDT"
    assert one(mod, 290)["cycle"] == "202427"
    _released(mod, "2858.00", "check", "202427")


# --- 25.25.6.6.3: the taxpayer did not file (identity theft) ------------------------------------


def _victim(ent: dict[str, Any], misc: str, year_end: str, *, letter: bool = True) -> None:
    """IDT-VICTIM: TC 971 AC 506 with `misc` for the tax year, Letter 4674C TP / KA / C7acwy&."""
    marks = [t for t in txns(ent, 971, 506) if t["misc"] == misc and t["secondary_date"] == year_end]
    assert len(marks) == 1, txns(ent, 971, 506, status=None)
    found = letters(ent, "4674C")
    if letter:
        assert [(x["paragraphs"], x["return_address_code"], x["signature_code"]) for x in found] == \
            [("C7acwy&", "TP", "KA")], found
    else:
        assert found == []


def _moved_to_mft32(d: dict[str, Any], tin: str, seq: str, dln: str) -> None:
    u = case(d, seq)
    assert (u["status"], u["urc"], u["ccc"]) == ("closed", "6", "3"), u
    ret = one(module(d, tin, "32", "202312"), 976)
    assert ret["dln"] == dln and ret["cycle"] == "202426"
    assert refunds(module(d, tin, "32", "202312")) == []
    none(module(d, tin, "30", "202312"), 150)


@outcome("idt_up126_ty2023_move_mft32")
def _(d: dict[str, Any]) -> None:
    _moved_to_mft32(d, "400-00-1017", "000000117", "76247036117014")
    mod = module(d, "400-00-1017", "30", "202312")
    assert one(mod, 971, 111)["misc"] == "76247036117014"
    assert one(mod, 971, 124)["reversed"] is True
    _victim(entity(d, "400-00-1017"), "WI PRP OTHER1", "2023-12-31")


@outcome("idt_up126_ac527_move_mft32")
def _(d: dict[str, Any]) -> None:
    _moved_to_mft32(d, "400-00-1019", "000000119", "76247036119014")
    assert one(module(d, "400-00-1019", "30", "202312"), 971, 124)["reversed"] is True
    _victim(entity(d, "400-00-1019"), "WI AM OTHER", "2023-12-31")


@outcome("idt_up126_ty2021_urc_d")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000118")
    assert (u["status"], u["urc"]) == ("closed", "D")
    mod = module(d, "400-00-1018", "30", "202112")
    assert txns(mod, 150, status="deleted") and not txns(mod, 150)
    assert not has_module(d, "400-00-1018", "32", "202112")
    assert txns(mod, 971, 111, status=None) == []
    assert one(mod, 971, 124)["reversed"] is True
    _victim(entity(d, "400-00-1018"), "WI PRP OTHER1", "2021-12-31")


@outcome("multiple_returns_valid_duplicate_idt")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1022", "30", "202312")
    assert (case(d, "000000122")["urc"], case(d, "000000122")["status"]) == ("0", "closed")
    dup = case(d, "000000123")
    assert (dup["urc"], dup["remarks"]) == ("D", "DUP RETURN NON IDT")
    _moved_to_mft32_mult = case(d, "000000124")
    assert (_moved_to_mft32_mult["urc"], _moved_to_mft32_mult["ccc"]) == ("6", "3")
    assert [t["dln"] for t in txns(mod, 150)] == ["76247045122014"]
    assert [t["dln"] for t in txns(module(d, "400-00-1022", "32", "202312"), 976)] == ["76247036122024"]
    assert all(t["reversed"] for t in txns(mod, 971, 124)) and len(txns(mod, 972, 124)) == 3
    assert refunds(mod) == [(D("2122.00"), "check", "202426")]
    _victim(entity(d, "400-00-1022"), "WI PRP OTHER1", "2023-12-31")


@outcome("idt_posted_return_ac129")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1010", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "110014_IDT"
    none(mod, 290, status=None)
    assert refunds(mod) == [] and controls(mod) == []
    _victim(entity(d, "400-00-1010"), "WI PRP OTHER1", "2023-12-31")


@outcome("idt_up147_return_ac129")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1016", "30", "202312")
    assert one(mod, 972, 129)["misc"] == "116014_IDT"
    assert (case(d, "000000116")["status"], case(d, "000000116")["urc"]) == ("open", None)
    _victim(entity(d, "400-00-1016"), "WI PRP OTHER1", "2023-12-31")


# --- 25.25.6.5.5: previous TPP actions -----------------------------------------------------------


@outcome("return_on_mft32_move_back")
def _(d: dict[str, Any]) -> None:
    mod30 = module(d, "400-00-1023", "30", "202312")
    ret = one(mod30, 150)
    assert (ret["dln"], ret["amount"], ret["cycle"]) == ("76247045123014", "4634.00", "202426")
    assert txns(module(d, "400-00-1023", "32", "202312"), 976) == []
    assert one(module(d, "400-00-1023", "32", "202312"), 971, 111)["misc"] == "76247045123014"
    assert refunds(mod30) == [(D("2566.00"), "direct_deposit", "202426")]
    ent = entity(d, "400-00-1023")
    assert one(ent, 971, 506)["reversed"] is True and one(ent, 972, 506)["misc"] == "WI IVO IRSERR"


@outcome("archived_return_elf_4442")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1024")
    assert one(ent, 971, 506)["reversed"] is True
    rev = one(ent, 972, 506)
    assert (rev["misc"], rev["secondary_date"]) == ("WI IVO IRSERR", "2021-12-31")
    assert case(d, "000000126")["urc"] == "D"
    _ams(ent, "4442", "RIVO - TPP")


@outcome("idt_up126_cycle47_urc_d")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000305")
    assert (u["status"], u["urc"]) == ("closed", "D")
    assert [c["seq"] for c in cases(d, "400-00-1105")] == ["000000305"]  # no UP for the employee
    mod = module(d, "400-00-1105", "30", "202312")
    assert txns(mod, 150, status="deleted") and not has_module(d, "400-00-1105", "32", "202312")
    assert txns(mod, 971, 111, status=None) == []
    assert one(mod, 971, 124)["reversed"] is True
    _victim(entity(d, "400-00-1105"), "WI PRP OTHER1", "2023-12-31")


@outcome("idt_joint_spouses_related")
def _(d: dict[str, Any]) -> None:
    _moved_to_mft32(d, "400-00-1106", "000000306", "76247036306014")
    _victim(entity(d, "400-00-1106"), "WI PRP OTHER1", "2023-12-31")
    _victim(entity(d, "400-00-1107"), "WI PRP OTHER1", "2023-12-31")
    assert one(module(d, "400-00-1106", "30", "202312"), 971, 124)["reversed"] is True


@outcome("idt_joint_spouses_unrelated")
def _(d: dict[str, Any]) -> None:
    _moved_to_mft32(d, "400-00-1108", "000000308", "76247036308014")
    _victim(entity(d, "400-00-1108"), "WI PRP OTHER1", "2023-12-31")
    _victim(entity(d, "400-00-1109"), "WI PRP DDB", "2023-12-31", letter=False)
    assert entity(d, "400-00-1109")["address"] == ["44 HARBOR VIEW DR", "CORPUS CHRISTI TX 78402"]


@outcome("resolved_as_idt_same_day_terup_upreve")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1110")
    mod = module(d, "400-00-1110", "30", "202312")
    u = case(d, "000000310")
    assert (u["status"], u["urc"], u.get("ccc")) == ("closed", "0", None)
    assert any("UPREVE" in h["text"] for h in u.get("history") or [])
    assert [t["status"] for t in txns(mod, 971, 111, status=None)] == ["deleted"]
    assert [t["status"] for t in txns(ent, 971, 506, status=None)] == ["deleted"]
    assert one(mod, 150)["cycle"] == "202426"
    assert not has_module(d, "400-00-1110", "32", "202312")
    assert one(mod, 971, 124)["reversed"] is True
    assert refunds(mod) == [(D("2038.00"), "check", "202426")]


@outcome("resolved_as_idt_outside_review_window")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000311")
    assert (u["urc"], u["ccc"], u["status"]) == ("6", "3", "closed")
    assert one(module(d, "400-00-1111", "32", "202312"), 976)["dln"] == "76247045311014"
    mod = module(d, "400-00-1111", "30", "202312")
    assert one(mod, 971, 124)["reversed"] is True
    assert one(entity(d, "400-00-1111"), 971, 506)["status"] == "posted"
    _ams(entity(d, "400-00-1111"), "4442", "MFT 32 REVERSAL REQUEST")


@outcome("idt_on_mft32_victim_letter")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1112")
    assert [t["misc"] for t in txns(ent, 971, 506)] == ["WI PRP DDB", "WI PRP OTHER1"]
    assert len(letters(ent, "4674C")) == 1
    mod30 = module(d, "400-00-1112", "30", "202312")
    assert len(txns(mod30, 971, 111, status=None)) == 1
    assert one(module(d, "400-00-1112", "32", "202312"), 976)["cycle"] == "202418"
    assert [c["urc"] for c in cases(d, "400-00-1112")] == ["6"]


@outcome("multiple_returns_own_on_mft32_idt_on_mft30")
def _(d: dict[str, Any]) -> None:
    mod30 = module(d, "400-00-1113", "30", "202312")
    own = one(mod30, 976)
    assert (own["dln"], own["cycle"]) == ("76247045313014", "202426")
    assert one(mod30, 150)["dln"] == "76247036313024"  # the IDT data is not reversed
    none(mod30, 291, status=None)
    assert one(mod30, 972, 129)["misc"] == "313024_IDT"
    assert refunds(mod30) == []
    assert txns(module(d, "400-00-1113", "32", "202312"), 976) == []
    _ams(entity(d, "400-00-1113"), "16 WEEKS")


# --- 25.25.6.2: letter replies worked by RIVO ----------------------------------------------------


def _control(holder: dict[str, Any], category: str) -> dict[str, Any]:
    found = controls(holder, category)
    assert len(found) == 1, controls(holder)
    return found[0]


@outcome("fax_reply_documents_verify")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1114", "30", "202312")
    cb = _control(mod, "4883")
    assert (cb["activity"], cb["status"], cb["idrs"], cb["received_date"]) == \
        ("NONIDTRTN", "C", "1486000101", "2024-06-14")
    assert case(d, "000000314")["urc"] == "0" and one(mod, 150)["cycle"] == "202426"
    assert one(mod, 971, 124)["reversed"] is True


@outcome("fax_reply_incomplete_6167c")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1115")
    mod = module(d, "400-00-1115", "30", "202312")
    cb = _control(mod, "4883")
    assert (cb["activity"], cb["status"], cb["received_date"]) == ("6167C2TP", "C", "2024-06-12")
    found_ = letters(ent, "6167C")
    assert len(found_) == 1, found_
    letter = found_[0]
    assert "D" in letter["paragraphs"].upper() and "*" in letter["paragraphs"]
    assert letter["return_address_code"] == "TP"
    assert case(d, "000000315")["status"] == "open" and unreversed(mod, 971, 124)
    _ams(ent, "6167C")


@outcome("failed_auth_letter_5216")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1116")
    found_ = letters(ent, "5216")
    assert len(found_) == 1, found_
    letter = found_[0]
    assert (letter["return_address_code"], letter.get("on_idrs")) == ("TP", False)
    cb = _control(module(d, "400-00-1116", "30", "202312"), "4883")
    assert (cb["activity"], cb["status"]) == ("FAILEDAUTH", "C")
    _ams(ent, "5216")


@outcome("failed_auth_5216_only_once")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1117")
    assert [x["date"] for x in letters(ent, "5216")] == ["2024-05-13"]
    cb = _control(module(d, "400-00-1117", "30", "202312"), "4883")
    assert (cb["activity"], cb["status"]) == ("FAILEDAUTH", "C")


@outcome("tac_auth_only_reissue_5747c")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1118")
    found = letters(ent, "5747C")
    assert [x["date"] for x in found] == ["2024-03-04", "2024-06-17"]
    assert found[-1]["return_address_code"] == "TP"
    assert case(d, "000000318")["status"] == "open"


@outcome("idt_posted_e_freeze_req_frzrls")
def _(d: dict[str, Any]) -> None:
    mod = module(d, "400-00-1119", "30", "202312")
    own = _control(mod, "3176")
    assert (own["activity"], own["status"]) == ("IDTRTN", "C")
    frp = _control(mod, "FRPI")
    assert (frp["activity"], frp["status"], frp["idrs"]) == ("REQ_FRZRLS", "A", "1486907202")
    assert one(mod, 971, 124)["reversed"] is True
    assert one(mod, 810)["reversed"] is False and refunds(mod) == []
    _victim(entity(d, "400-00-1119"), "WI PRP OTHER1", "2023-12-31")


@outcome("letter_reply_1040x_urc6_ccc1")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000320")
    assert (u["urc"], u["ccc"], u["remarks"], u["status"]) == ("6", "1", "TPFILEDF1040X", "closed")
    mod = module(d, "400-00-1120", "30", "202312")
    ret = one(mod, 150)
    assert (ret.get("extra") or {}).get("ccc") == "1"
    assert refunds(mod) == []
    assert one(mod, 971, 124)["reversed"] is True
    assert (_control(mod, "4883")["activity"], _control(mod, "4883")["status"]) == ("1040X2SP", "C")


@outcome("letter_reply_1040x_existing_ccc3")
def _(d: dict[str, Any]) -> None:
    u = case(d, "000000321")
    assert (u["urc"], u.get("ccc"), u["remarks"]) == ("0", None, "EXISTING CCC 3")
    mod = module(d, "400-00-1121", "30", "202312")
    assert refunds(mod) == [(D("2530.00"), "check", "202426")]
    assert one(mod, 971, 124)["reversed"] is True


# --- caller advice computed from the account (idrs_sim.tpp_advice) --------------------------------

import datetime as _dt  # noqa: E402

from idrs_sim import tpp_advice  # noqa: E402


def _today(d: dict[str, Any]) -> _dt.date:
    return _dt.date.fromisoformat(d["date"])


def _note_gives(ent: dict[str, Any], when: _dt.date) -> None:
    """The advice the script wrote in AMS is the date tpp_advice computes from the account."""
    _ams(ent, when.strftime("%m/%d/%Y"))


@outcome("advice_lost_letter_no_third_reissue")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1025")
    wait = tpp_advice.letter_wait(ent, _today(d), "202312")
    assert (wait.letter, wait.passed, wait.may_reissue) == ("5071C", True, False)
    assert wait.times_issued >= 2
    assert [x["date"] for x in letters(ent)] == ["2024-04-15"]  # nothing reissued today
    _ams(ent, "TAC")


@outcome("advice_letter_not_received_21_days")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1122")
    wait = tpp_advice.letter_wait(ent, _today(d), "202312")
    assert (wait.days, wait.start, wait.until) == (21, _dt.date(2024, 6, 7), _dt.date(2024, 6, 28))
    assert letters(ent) == []
    _note_gives(ent, wait.until)


@outcome("advice_first_time_filer_issue_4883c")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1003")
    assert [(x["letter"], x["date"]) for x in letters(ent)] == [("4883C", "2024-06-17")]
    wait = tpp_advice.letter_wait(ent, _today(d), "202312")
    assert (wait.letter, wait.days, wait.until) == ("4883C", 14, _dt.date(2024, 7, 1))
    _note_gives(ent, wait.until)


@outcome("advice_letter_5447c_30_days")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1123")
    wait = tpp_advice.letter_wait(ent, _today(d), "202312")
    assert (wait.letter, wait.days, wait.until, wait.passed) == ("5447C", 30, _dt.date(2024, 7, 6), False)
    _note_gives(ent, wait.until)


@outcome("advice_refund_not_received_mft32_reversal")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1124")
    advice = tpp_advice.refund_not_received(ent, _today(d), "202312")
    assert (advice.box, advice.until) == (3, _dt.date(2024, 7, 22))
    _note_gives(ent, advice.until)


@outcome("advice_refund_not_received_refund_issued")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1015")
    advice = tpp_advice.refund_not_received(ent, _today(d), "202312")
    assert advice.box == 1 and "21.4" in advice.action
    _ams(ent, "IRM 21.4")


@outcome("advice_batch_valid_9_weeks_from_status_date")
def _(d: dict[str, Any]) -> None:
    ent = entity(d, "400-00-1125")
    tf = tpp_advice.processing_timeframe(ent, _today(d), "202312")
    assert (tf.weeks, tf.start, tf.until) == (9, _dt.date(2024, 5, 28), _dt.date(2024, 7, 30))
    mod = module(d, "400-00-1125", "30", "202312")
    assert unreversed(mod, 971, 124) and txns(mod, 972, status=None) == []
    _note_gives(ent, tf.until)
    # Issue 17 (5): the narrative's "posts in cycle 202426" -- no new UP 126.
    assert one(mod, 150)["cycle"] == "202426"
    assert refunds(mod) == [(D("1256.00"), "check", "202426")]
    assert [u["seq"] for u in cases(d, "400-00-1125")] == ["000000325"]


# --- issue 17: doing what the IRM says gives the right account -----------------------------------


@outcome("batch_closed_urc0_not_filed_ac111")
def _(d: dict[str, Any]) -> None:
    """IRM 25.25.6.5.4 (6) box 3: the AC 111 keeps the thief's return off MFT 30 (I17-1)."""
    m30 = module(d, "400-00-1126", "30", "202312")
    none(m30, 150, status=None)
    assert refunds(m30) == []
    ac111 = one(m30, 971, 111)
    assert (ac111["misc"], ac111["cycle"]) == ("76247045326014", "202426")
    ret = one(module(d, "400-00-1126", "32", "202312"), 976)
    assert (ret["dln"], ret["cycle"]) == ("76247045326014", "202426")
    assert unreversed(m30, 971, 124) and txns(m30, 972, status=None) == []  # the batch reverses it
    assert [(u["seq"], u["status"], u["urc"]) for u in cases(d, "400-00-1126")] == [("000000326", "closed", "0")]
    _ams(entity(d, "400-00-1126"), "AC 111", "14039")


@outcome("return_on_mft32_ty2021_form4442")
def _(d: dict[str, Any]) -> None:
    """IRM 25.25.6.5.5.3 (2) box 2: no systemic move back for TY 2021 (I17-2)."""
    m30 = module(d, "400-00-1127", "30", "202112")
    m32 = module(d, "400-00-1127", "32", "202112")
    none(m30, 150)
    assert refunds(m30) == []
    assert one(m32, 976)["dln"] == "76247045327012"
    none(m32, 971, 111, status=None)  # refused on FRM77: nothing pending, nothing unposted
    ent = entity(d, "400-00-1127")
    assert one(ent, 971, 506)["reversed"] is True and one(ent, 972, 506)["misc"] == "WI IVO IRSERR"
    assert [u["seq"] for u in cases(d, "400-00-1127")] == ["000000327"]
    _ams(ent, "4442", "MFT 32")
