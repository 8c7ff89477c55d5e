"""The rules layer (idrs_sim/rules, issue 18): each drifted rule stated once, and each
decided drift pinned by a test that fails on the old behaviour (docs/decisions.md, "Rules
layer (issue 18)").  Plus the checks that keep it so: only the rules layer reads the
reference tables, and the rules layer imports no SQLAlchemy.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import mf_builders as b
import pytest
import yaml

from idrs_sim.cc import validate
from idrs_sim.masterfile import derive
from idrs_sim.masterfile.models import TaxModule, Transaction
from idrs_sim.posting import run_cycle
from idrs_sim.resources import data_dir
from idrs_sim.rules import codes, freezes, ftd_letters, misc, status, tables, tpp, tpp_advice
from idrs_sim.rules.account import DumpModule

PKG = Path(__file__).resolve().parent.parent / "idrs_sim"


@pytest.fixture
def mf(engine):
    m = b.new_mf()
    yield m
    m.dispose()


# --- the checks that keep the layer -----------------------------------------------------------


def _code_strings(tree: ast.AST) -> list[ast.Constant]:
    """String constants of a module that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings]


def _table_readers(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module names a reference table in code: a table file name (codes.yaml...) in a
    string that is not a docstring or a message, or the tables/ folder given to
    resources.data_dir / data_file."""
    names = set(tables.REFERENCE_FILES.values())
    found = [(c.lineno, repr(c.value)) for c in _code_strings(tree)
             if " " not in c.value and c.value.rsplit("/", 1)[-1] in names]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if (fn in ("data_dir", "data_file") and isinstance(first, ast.Constant)
                    and first.value == tables.FOLDER):
                found.append((node.lineno, f"{fn}({tables.FOLDER!r})"))
    return sorted(found)


def test_only_the_rules_layer_reads_the_reference_tables() -> None:
    """No module outside idrs_sim/rules/tables.py names a reference table file or the tables/
    folder in code (a second reader is how TC signs and reversal pairs drifted apart).  Messages
    that mention a file for the user ("... is not in tables/codes.yaml") are text, not a path."""
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        if path == PKG / "rules" / "tables.py":
            continue
        for lineno, what in _table_readers(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(PKG)}:{lineno}: {what}")
    assert offenders == []


def test_the_check_above_would_see_a_second_reader() -> None:
    tree = ast.parse('"""docstring: codes.yaml is fine here"""\nX = read_yaml("codes.yaml")\n')
    assert [c.value for c in _code_strings(tree)] == ["codes.yaml"]
    assert _table_readers(tree) == [(2, "'codes.yaml'")]
    tree = ast.parse('from idrs_sim import resources\n'
                     'A = resources.data_dir("tables") / ("ics" + "_lists.yaml")\n'
                     'B = data_file("tables", NAME)\nC = data_dir("commands")\n'
                     'D = "unax.yaml is not in tables/"\n')
    assert _table_readers(tree) == [(2, "data_dir('tables')"), (3, "data_file('tables')")]
    assert _table_readers(ast.parse("X = 'tables/unax.yaml'\n")) == [(1, "'tables/unax.yaml'")]


def test_the_tables_folder_holds_the_reference_tables_and_only_them() -> None:
    """tables/ is the one data folder of the reference tables: each file there is a table the
    rules layer reads (none forgotten by the reader or the cache fingerprint), each table is there."""
    folder = tables.path_of("codes").parent
    assert folder.name == tables.FOLDER
    assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(tables.REFERENCE_FILES.values())
    assert all(p.is_file() for p in tables.paths())
    assert all(tables.reference(name) for name in tables.REFERENCE_FILES)


def test_commands_hold_only_command_definitions() -> None:
    """commands/*.yaml define command codes (plus YAML anchors `x-...` they share); reference
    data there would be a second home for a table."""
    stray = {}
    for path in sorted(data_dir("commands").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        extra = [k for k in data if k != "commands" and not str(k).startswith("x-")]
        if extra or not data.get("commands"):
            stray[path.name] = extra or "no commands:"
    assert stray == {}


def test_the_rules_layer_imports_no_sqlalchemy() -> None:
    for path in sorted((PKG / "rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(m.startswith("sqlalchemy") for m in mods), path.name
            if isinstance(node, ast.ImportFrom) and node.level:
                # the cycle calendar (posting/calendar.py) is pure date arithmetic, the one rule
                # outside the folder the rules may ask (docs/architecture.md)
                calendar_only = node.module == "posting" and [a.name for a in node.names] == ["calendar"]
                assert calendar_only or not (node.module or "").startswith(("masterfile", "posting", "cc")), path.name


# --- one sign table ----------------------------------------------------------------------------


def _module(*txns: dict[str, Any], mft: str = "30") -> DumpModule:
    rows = [{"status": "posted", "cycle": f"2024{10 + i:02d}", **t} for i, t in enumerate(txns)]
    return DumpModule({"mft": mft, "period": "202312", "transactions": rows})


def _bal(m: DumpModule) -> Decimal:
    return status.balance(m.transactions)


def _status(m: DumpModule) -> str:
    return status.module_status(None, m.mft, m.transactions, [])


def test_tc276_ftp_penalty_paid_in_full_leaves_no_credit() -> None:
    """Issue 18: TC 150, 806, 276, 196, 670 paid in full showed a 100.00 credit (TC 276 left out)."""
    m = _module({"tc": 150, "amount": "1000.00"}, {"tc": 806, "amount": "800.00"}, {"tc": 276, "amount": "100.00"},
                {"tc": 196, "amount": "20.00"}, {"tc": 670, "amount": "320.00"})
    assert _bal(m) == 0 and _status(m) == "12"


def test_tc706_credit_applied_settles_the_module_and_tc826_is_its_other_half() -> None:
    """TC 150 4,000; 806 3,000; 706 1,000 showed 1,000.00 due and status 21 (TC 706 left out)."""
    m = _module({"tc": 150, "amount": "4000.00"}, {"tc": 806, "amount": "3000.00"}, {"tc": 706, "amount": "1000.00"})
    assert _bal(m) == 0 and _status(m) == "12"
    giver = _module({"tc": 150, "amount": "2000.00"}, {"tc": 806, "amount": "3000.00"}, {"tc": 826, "amount": "1000.00"})
    assert codes.sign(826) == 1 and _bal(giver) == 0


def test_tc898_refund_offset_leaves_no_credit() -> None:
    m = _module({"tc": 150, "amount": "1000.00"}, {"tc": 806, "amount": "1500.00"}, {"tc": 898, "amount": "500.00"})
    assert _bal(m) == 0


def test_every_money_tc_of_the_old_derive_table_is_in_codes_yaml() -> None:
    """The 27 TCs TC_SIGN had and the linter's table lacked, with the sign TC_SIGN gave them."""
    old = {161: -1, 167: -1, 170: 1, 171: -1, 177: -1, 180: 1, 181: -1, 197: -1, 240: 1, 241: -1, 298: 1, 299: -1,
           300: 1, 301: -1, 308: 1, 309: -1, 336: 1, 337: -1, 640: -1, 641: 1, 661: 1, 700: -1, 701: 1, 710: -1,
           716: -1, 721: 1, 722: 1}
    assert {tc: codes.sign(tc) for tc in old} == old


def test_refund_run_does_not_pay_again_after_a_tc898_offset(mf) -> None:
    """The refund run sums with the same table: a TC 898 offset leaves nothing to refund."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.txn(s, mod, 898, amount="3150.00", cycle="202420")
        b.pending_return(s, mod, tax="9850.00", withholding="13000.00")
    report = run_cycle(mf, "202426")
    assert report.refunds == []


# --- one reversal table ------------------------------------------------------------------------


def test_posting_links_every_reversal_pair_of_codes_yaml(mf) -> None:
    """A TC 807 put through posting reverses its TC 806; TC 572 releases the -R of TC 570."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        w = b.txn(s, mod, 806, amount="500.00", cycle="202420")
        r = b.txn(s, mod, 570, cycle="202420")
        b.pending(s, mod, 807, amount="500.00")
        b.pending(s, mod, 572)
        ids = mod.id, w.id, r.id
    run_cycle(mf, "202426")
    with mf.reading() as s:
        assert s.get(Transaction, ids[1]).reversed_by_id is not None
        assert s.get(Transaction, ids[2]).reversed_by_id is not None
        assert "-R" not in derive.freezes(s.get(TaxModule, ids[0]))


def test_reversal_table_is_the_one_in_codes_yaml() -> None:
    assert codes.reversal_targets(807) == (806,) and codes.reversal_targets(572) == (570,)
    assert set(codes.reversal_targets(592)) >= {590, 591, 599}
    assert len(codes.reversal_tcs()) >= 20


# --- freezes in the TPP advice -----------------------------------------------------------------


def _entity(*modules: dict[str, Any]) -> dict[str, Any]:
    return {"tin": "400-00-1001", "established": True, "modules": list(modules), "transactions": []}


def _mod(*txns: dict[str, Any], mft: str = "30", unpostables: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rows = [{"status": "posted", "cycle": f"2024{10 + i:02d}", "reversed": False, **t} for i, t in enumerate(txns)]
    return {"mft": mft, "period": "202312", "status": None, "transactions": rows, "unpostables": unpostables or []}


TODAY = dt.date(2024, 6, 17)


def test_advice_sees_no_held_refund_after_tc807_reversed_the_withholding() -> None:
    ent = _entity(_mod({"tc": 150, "amount": "1000.00"}, {"tc": 806, "amount": "1500.00"},
                       {"tc": 971, "ac": 129, "misc": "29211045100014"}, {"tc": 807, "amount": "1500.00"}))
    assert tpp_advice.open_tpp_issues(ent) == []


def test_advice_sees_the_held_eitc_refund_of_tc768() -> None:
    ent = _entity(_mod({"tc": 150, "amount": "1000.00"}, {"tc": 806, "amount": "1000.00"},
                       {"tc": 768, "amount": "2000.00"}, {"tc": 971, "ac": 129, "misc": "29211045100014"}))
    assert tpp_advice.open_tpp_issues(ent) == ["30 202312 AC 129, refund held"]


def test_ac002_released_minus_a_so_the_advice_gives_9_weeks() -> None:
    ent = _entity(_mod({"tc": 150, "amount": "1000.00"}, {"tc": 976}, {"tc": 971, "ac": 2}))
    assert "-A" not in freezes.codes_of(freezes.module_freezes(DumpModule(ent["modules"][0]).transactions, "30"))
    assert tpp_advice.processing_timeframe(ent, TODAY, "202312").weeks == 9


@pytest.mark.parametrize("marker", [{"tc": 971, "ac": 10}, {"tc": 977}])
def test_ac010_and_tc977_set_minus_a_for_the_advice(marker: dict[str, Any]) -> None:
    ent = _entity(_mod({"tc": 150, "amount": "1000.00"}, marker))
    tf = tpp_advice.processing_timeframe(ent, TODAY, "202312")
    assert tf.weeks == 16 and "-A" in tf.reason


def test_ac688_is_minus_s_and_ac087_minus_o() -> None:
    txns = DumpModule({"mft": "30", "period": "202312", "transactions": [
        {"tc": 971, "ac": 688, "status": "posted", "cycle": "202410", "secondary_date": "2024-12-31"}]}).transactions
    assert freezes.codes_of(freezes.entity_freezes(txns, TODAY)) == ["-S"]
    txns[0].ac = 87
    assert freezes.codes_of(freezes.entity_freezes(txns, TODAY)) == ["-O"]


# --- MISC, RIVO, TC 136 ------------------------------------------------------------------------


def test_ac111_misc_is_one_pattern_for_frm77_and_the_fixture_linter() -> None:
    """IRM 25.25.6.7: the 14-digit DLN of the return; the linter once allowed trailing text."""
    assert validate.action_rule(971, 111).patterns == (misc.misc_pattern(971, 111),)
    assert validate.action_rule(972, 111).patterns == (misc.misc_pattern(972, 111),)
    rule = validate.action_rule(971, 111)
    assert rule.misc_ok("76247045310014") and not rule.misc_ok("76247045310014 X")
    pattern = misc.misc_pattern(971, 111)
    assert pattern and re.search(pattern, "76247045310014 X") is None  # what the linter checks


def test_rivo_number_is_ten_digits_starting_148() -> None:
    assert tpp.is_rivo_number("1483845470") and validate.is_rivo_number("1483845470")
    assert not validate.is_rivo_number("14812") and not validate.is_rivo_number("0148384547")


def test_tc136_on_file_counts_a_pending_one_in_effect_does_not() -> None:
    pending = DumpModule({"mft": "01", "period": "202403", "transactions": [
        {"tc": 136, "status": "pending", "cycle": "202426"}]}).transactions
    assert freezes.tc136_in_effect(pending, pending_counts=True) and not freezes.tc136_in_effect(pending)


# --- the FTD letter sequence (rules/ftd_letters, moved out of the ICS screens) -------------------


def test_ftd_letter_sequence() -> None:
    """IRM 5.7.1.5/5.7.1.6: 725-B only with 5427, 937 only with a 5857 copy, the first 5857 by
    telephone with a date and an HHMM time, and no initial contact before a 5857."""
    assert ftd_letters.letter_problem("725-B", "") == ("LETTER", ftd_letters.NO_725B_FOR_5857)
    assert ftd_letters.letter_problem("725-B", "5427") is None
    assert ftd_letters.letter_problem("937", "")[0] == "LETTER"
    assert ftd_letters.letter_problem(ftd_letters.letter_name("l5857"), "") is None
    assert ftd_letters.appointment_problem("P", had_5857=False, has_date=True, time_text="1000")[0] == "MEET"
    assert ftd_letters.appointment_problem("P", had_5857=True, has_date=True, time_text="1000") is None
    assert ftd_letters.appointment_problem("T", had_5857=False, has_date=True, time_text="2460")[0] == "APPT-TM"
    assert ftd_letters.contact_problem("PHONE", had_5857=False) == ftd_letters.LETTER_5857_FIRST
    assert ftd_letters.contact_problem("PHONE", had_5857=True) is None
