"""Master file as data: fixtures, dumps, the checker and the trainers' who-is-who.

The contract (CONTRACT §4): a fixture and a dump share one schema and `Load(dump)` reproduces
the master file; `idrs-sim fixtures check` reports each problem with file and line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import mf_builders
import pytest
from sqlalchemy import func, select

from idrs_sim.masterfile import models as m
from idrs_sim.masterfile.check import Problem, check_fixtures
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import (
    FixtureError,
    codes,
    compose,
    fixture_name,
    fixture_passwords,
    fixtures_dir,
    list_fixtures,
    load_data,
    load_fixture,
    resolve_fixture,
    who_is_who,
)
from idrs_sim.masterfile.security import verify_password

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "data" / "broken"
SHIPPED = list_fixtures()
BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def names(paths: list[Path]) -> list[str]:
    return [fixture_name(p) for p in paths]


def _fresh() -> MasterFile:
    """A new empty master file on the engine of the `engine` fixture (in-memory SQLite or a
    new PostgreSQL schema)."""
    return MasterFile(mf_builders.URL_FACTORY()) if mf_builders.URL_FACTORY is not None else MasterFile()


@pytest.fixture
def mf(engine: str) -> MasterFile:
    master = _fresh()
    yield master
    master.dispose()


def roundtrip(data: dict) -> dict:
    """JSON out and back, as `idrs-sim dump` > file > Load(file) does."""
    return json.loads(json.dumps(data))


# ---- resolving names --------------------------------------------------------------------


def test_resolve_names_with_and_without_suffix() -> None:
    expected = fixtures_dir() / "tpp" / "valid_return_up126.yaml"
    assert resolve_fixture("tpp/valid_return_up126") == expected
    assert resolve_fixture("tpp/valid_return_up126.yaml") == expected
    assert resolve_fixture("training") == fixtures_dir() / "training.yaml"
    assert resolve_fixture(str(expected)) == expected


def test_resolve_relative_path_and_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.yaml").write_text("date: 2024-06-17\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_fixture("mine").resolve() == (tmp_path / "mine.yaml").resolve()
    assert resolve_fixture("./mine.yaml").resolve() == (tmp_path / "mine.yaml").resolve()
    with pytest.raises(FixtureError, match="no fixture 'nope'"):
        resolve_fixture("nope")


# ---- shipped fixtures -------------------------------------------------------------------


def test_fixtures_check_clean_on_shipped_fixtures() -> None:
    problems = check_fixtures([fixtures_dir()])
    assert problems == [], "\n".join(map(str, problems))


def test_check_without_paths_checks_the_shipped_fixtures() -> None:
    assert check_fixtures() == []


@pytest.mark.parametrize("path", SHIPPED, ids=names(SHIPPED))
def test_each_fixture_loads_and_round_trips(mf: MasterFile, path: Path) -> None:
    load_fixture(mf, path)
    first = dump(mf)
    assert first["date"] == "2024-06-17" and first["cycle"] == "202425"
    again = _fresh()
    load_data(again, roundtrip(first))
    assert dump(again) == first


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.parent.name in ("tpp", "ftd")], ids=names([p for p in SHIPPED if p.parent.name in ("tpp", "ftd")]))
def test_scenarios_say_what_they_teach_and_bring_employees(path: Path) -> None:
    comp = compose(path)
    scenario = comp.data["scenario"]
    assert scenario["title"] and scenario["irm"].startswith("IRM ") and scenario["narrative"]
    assert comp.data["employees"], "each scenario loads on its own with people who can sign on"
    assert comp.data["entities"]


def test_training_master_file(mf: MasterFile) -> None:
    load_fixture(mf, "training")
    assert mf.clock.today() == dt.date(2024, 6, 17) and mf.clock.cycle == "202425"
    data = dump(mf)
    ents = data["entities"]
    assert len(ents) >= 30
    assert {e["file"] for e in ents} == {"IMF", "BMF"}
    for e in ents:
        tin = e["tin"]
        assert tin.startswith("400-00-") or tin.startswith("99-"), tin
    roles = {r for emp in data["employees"] for r in emp["roles"]}
    assert {"tpp-assistor", "non-tpp-assistor", "tac-assistor", "rivo-examiner", "unpostable-clerk", "lead", "manager",
            "ro", "gm", "iqa", "ftd-analyst", "pgld", "instructor"} <= roles
    assert all(re.fullmatch(r"\d{10}", emp["idrs"]) for emp in data["employees"])
    assert any(e["established"] is False for e in ents)
    assert data["ics_cases"]
    # every scenario of the two areas is in the training file
    included = {src.name for src in compose("training").sources}
    assert {fixture_name(p) for p in SHIPPED if p.parent.name in ("tpp", "ftd")} <= included


def test_training_situations_are_there(mf: MasterFile) -> None:
    """Spot checks of the seed situations the brief names."""
    load_fixture(mf, "training")
    data = {e["tin"]: e for e in dump(mf)["entities"]}

    def module(tin: str, mft: str, period: str) -> dict:
        return next(x for x in data[tin]["modules"] if x["mft"] == mft and x["period"] == period)

    def has(txns: list[dict], tc: int, ac: int | None = None, **kw: object) -> bool:
        return any(t["tc"] == tc and (ac is None or t["ac"] == ac) and all(t.get(k) == v for k, v in kw.items()) for t in txns)

    smith = module("400-00-1001", "30", "202312")
    assert smith["unpostables"][0]["code"] == 126 and smith["unpostables"][0]["status"] == "open"
    assert smith["unpostables"][0]["document"]["direct_deposit"] is None
    assert module("400-00-1002", "30", "202312")["unpostables"][0]["document"]["direct_deposit"]["routing"] == "123456780"
    assert has(data["400-00-1002"]["transactions"], 971, 123, misc="5071C SENT 202312")
    assert data["400-00-1003"]["established"] is False
    assert module("400-00-1040", "30", "202312")["unpostables"][0]["document"]["name"] == ["MARIA L GARCIA"]
    assert module("400-00-1008", "30", "202212")["unpostables"][0]["document"]["tax_year"] == 2023
    assert module("400-00-1009", "30", "202312")["unpostables"][0]["assigned"] == "1483845470"
    held = module("400-00-1010", "30", "202312")["transactions"]
    assert has(held, 150) and has(held, 971, 129, reversed=False) and not has(held, 846)
    assert has(module("400-00-1011", "30", "202312")["transactions"], 971, 52)
    assert any(t["tc"] == 971 and t["ac"] == 129 and t["misc"].endswith("BKLD") for t in module("400-00-1012", "30", "202312")["transactions"])
    assert has(module("400-00-1013", "30", "202312")["transactions"], 971, 129, misc="IVO EL IDT")
    assert any(t["ac"] == 129 and t["misc"].endswith(" 1040X") for t in module("400-00-1014", "30", "202312")["transactions"])
    assert has(module("400-00-1015", "30", "202312")["transactions"], 846)
    assert module("400-00-1016", "30", "202312")["unpostables"][0]["code"] == 147
    assert module("400-00-1018", "30", "202112")["unpostables"][0]["document"]["tax_year"] == 2021
    assert has(data["400-00-1019"]["transactions"], 971, 527)
    assert module("400-00-1020", "30", "202312")["unpostables"][0]["document"]["filing_status"] == "joint"
    assert len(module("400-00-1022", "30", "202312")["unpostables"]) == 3
    assert has(module("400-00-1023", "32", "202312")["transactions"], 976)
    archived = module("400-00-1024", "30", "202112")
    assert archived["unpostables"][0]["urc"] == "D" and has(archived["transactions"], 150, status="deleted")
    assert any(x["letter"] == "5071C" for x in data["400-00-1025"]["letters"])
    assert has(data["400-00-1026"]["transactions"], 971, 505, misc="IR24031500017")
    # FTD
    assert data["99-2000001"]["depositor"] == "semiweekly" and data["99-2000002"]["depositor"] == "monthly"
    q1 = module("99-2000001", "01", "202403")["transactions"]
    assert has(q1, 150) and has(q1, 650) and has(q1, 971, 46)
    assert has(data["99-2000005"]["transactions"], 136)
    assert has(module("99-2000006", "01", "202403")["transactions"], 590, 50)
    assert has(module("99-2000007", "01", "202403")["transactions"], 591, 50)
    assert module("99-2000008", "01", "202306")["status"] == "26"
    assert data["99-2000009"]["poa"][0]["form"] == "2848"


def test_training_dump_has_the_contract_shape(mf: MasterFile) -> None:
    load_fixture(mf, "training")
    data = dump(mf)
    assert {"date", "cycle", "employees", "entities", "ics_cases"} <= set(data)
    assert all("password" not in e and "password_hash" not in e for e in data["employees"])  # CONTRACT §4
    ent = next(e for e in data["entities"] if e["tin"] == "400-00-1001")
    assert {"tin", "tin_type", "file", "established", "name_control", "name", "address", "modules"} <= set(ent)
    assert ent["name_control"] == "SMIT" and ent["tin_type"] == "SSN"
    up = ent["modules"][1]["unpostables"][0]
    assert {"seq", "code", "reason", "dln", "status", "assigned", "urc", "release_cycle", "document"} <= set(up)
    txn = ent["modules"][0]["transactions"][0]
    assert {"tc", "ac", "amount", "date", "misc", "secondary_date", "dln", "status", "cycle", "reversed"} <= set(txn)
    assert txn["amount"] == "4180.00" and txn["date"] == "2023-02-21" and txn["cycle"] == "202310"
    credits = [t for e in data["entities"] for mod in e["modules"] for t in mod["transactions"] if t["tc"] in (650, 806)]
    assert credits and all(Decimal(t["amount"]) < 0 for t in credits)
    json.dumps(data)  # JSON-ready


def test_dump_one_tin(mf: MasterFile) -> None:
    load_fixture(mf, "training")
    data = dump(mf, tin="99-2000001")
    assert [e["tin"] for e in data["entities"]] == ["99-2000001"]
    assert [c["tin"] for c in data["ics_cases"]] == ["99-2000001"]
    assert data["employees"]
    assert dump(mf, tin="400-00-9999")["entities"] == []


def test_dump_is_deterministic(mf: MasterFile) -> None:
    load_fixture(mf, "training")
    other = _fresh()
    load_fixture(other, "training")
    a, b = dump(mf), dump(other)  # no hashes (random salts) unless asked
    assert a == b


# ---- loading semantics ------------------------------------------------------------------


def test_passwords_sign_on_and_survive_a_round_trip(mf: MasterFile) -> None:
    load_fixture(mf, "employees")
    with mf.reading() as s:
        emp = s.get(m.Employee, "1485012345")
        assert emp is not None and verify_password("train123", emp.password_hash)
        assert not verify_password("wrong", emp.password_hash)
    again = _fresh()
    load_data(again, roundtrip(dump(mf, hashes=True)))
    with again.reading() as s:
        assert verify_password("train123", s.get(m.Employee, "1485012345").password_hash)
    assert fixture_passwords("tpp/valid_return_up126")["1485012345"] == "train123"


def test_replace_gives_a_fresh_master_file(mf: MasterFile) -> None:
    load_fixture(mf, "tpp/wrong_tin")
    load_fixture(mf, "tpp/valid_return_up126")
    assert [e["tin"] for e in dump(mf)["entities"]] == ["400-00-1001"]
    load_fixture(mf, "tpp/first_time_filer", replace=False)
    assert [e["tin"] for e in dump(mf)["entities"]] == ["400-00-1001", "400-00-1003"]


def test_add_to_existing_refuses_duplicates_and_keeps_state(mf: MasterFile) -> None:
    load_fixture(mf, "tpp/valid_return_up126")
    before = dump(mf)
    with pytest.raises(FixtureError, match="already holds"):
        load_fixture(mf, "tpp/valid_return_up126", replace=False)
    assert dump(mf) == before


def test_failed_load_leaves_the_master_file_alone(mf: MasterFile) -> None:
    load_fixture(mf, "tpp/valid_return_up126")
    before = dump(mf)
    with pytest.raises(FixtureError):
        load_fixture(mf, BROKEN / "duplicate_seq.yaml")
    assert dump(mf) == before


def test_clock_and_time_come_from_the_fixture(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mf.db'}"
    mf = MasterFile(url)
    load_data(mf, {"date": "2024-03-01", "time": "09:30"})
    assert mf.clock.now() == dt.datetime(2024, 3, 1, 9, 30)
    assert dump(mf)["cycle"] == "202410"
    mf.dispose()
    reopened = MasterFile(url)  # the clock persists with the database
    assert reopened.clock.now() == dt.datetime(2024, 3, 1, 9, 30)
    reopened.dispose()


def test_unpostable_gets_its_unposted_transaction(mf: MasterFile) -> None:
    load_fixture(mf, "tpp/valid_return_up126")
    with mf.reading() as s:
        case = s.scalars(select(m.Unpostable)).one()
        assert case.txn is not None
        assert (case.txn.tc, case.txn.status, case.txn.dln, case.txn.amount) == (150, "unpostable", case.dln, Decimal("4358.00"))
        assert case.txn.module_id == case.module_id and case.txn.document == case.document
        assert case.original_cycle == "202409" and case.status_date == dt.date(2024, 2, 27)


def test_reversal_links(mf: MasterFile) -> None:
    load_fixture(mf, "tpp/return_on_mft32")
    with mf.reading() as s:
        orig = s.scalars(select(m.Transaction).where(m.Transaction.tc == 971, m.Transaction.ac == 124)).one()
        assert orig.reversed and orig.reversed_by.tc == 972 and orig.reversed_by.ac == 124
        ac506 = s.scalars(select(m.Transaction).where(m.Transaction.ac == 506)).one()
        assert ac506.module_id is None and not ac506.reversed


def test_reversal_matching_prefers_the_related_misc(mf: MasterFile) -> None:
    load_data(mf, {
        "date": "2024-06-17",
        "entities": [{"tin": "400-00-1001", "name": ["JOHN A SMITH"], "modules": [{"mft": "30", "period": "202312", "transactions": [
            {"tc": 971, "ac": 129, "misc": "76247045101014", "reversed": True, "date": "2024-03-11"},
            {"tc": 971, "ac": 129, "misc": "76247045101022", "reversed": True, "date": "2024-03-11"},
            {"tc": 972, "ac": 129, "misc": "101022_NONIDT", "date": "2024-05-06"},
            {"tc": 972, "ac": 129, "misc": "101014_IDT", "date": "2024-05-07"},
        ]}]}],
    })  # fmt: skip
    with mf.reading() as s:
        firsts = s.scalars(select(m.Transaction).where(m.Transaction.tc == 971).order_by(m.Transaction.id)).all()
        assert [t.reversed_by.misc for t in firsts] == ["101014_IDT", "101022_NONIDT"]


def test_reversed_without_reversal_on_file_is_recorded(mf: MasterFile) -> None:
    data = {"date": "2024-06-17", "entities": [{"tin": "400-00-1001", "name": ["JOHN A SMITH"], "modules": [
        {"mft": "30", "period": "202312", "transactions": [{"tc": 570, "reversed": True, "date": "2024-03-11"}]}]}]}
    load_data(mf, data)
    out = dump(mf)
    txn = out["entities"][0]["modules"][0]["transactions"][0]
    assert txn["reversed"] is True and txn["reversed_by"] is None
    with mf.reading() as s:
        assert s.scalars(select(m.Transaction)).one().extra == {"reversed": True}
    again = _fresh()
    load_data(again, roundtrip(out))
    assert dump(again) == out


def test_explicit_refs(mf: MasterFile) -> None:
    data = {"date": "2024-06-17", "entities": [{"tin": "400-00-1001", "name": ["JOHN A SMITH"], "modules": [
        {"mft": "30", "period": "202312",
         "transactions": [{"ref": "ret", "tc": 150, "amount": "4358.00", "date": "2024-02-14", "dln": "76247045101014", "status": "posted"},
                          {"tc": 971, "ac": 129, "misc": "76247045101014", "reversed_by": "rev", "date": "2024-03-11"},
                          {"ref": "rev", "tc": 972, "ac": 129, "misc": "101014_NONIDT", "date": "2024-05-06"}],
         "unpostables": [{"seq": "1", "code": 126, "dln": "76247045101014", "status": "closed", "urc": "0", "txn": "ret"}]}]}]}
    load_data(mf, data)
    with mf.reading() as s:
        case = s.scalars(select(m.Unpostable)).one()
        assert case.txn.tc == 150 and case.txn.status == "posted"
        assert s.scalar(select(func.count()).select_from(m.Transaction)) == 3
    with pytest.raises(FixtureError, match="no transaction of 400-00-1001 has ref 'nope'"):
        data["entities"][0]["modules"][0]["unpostables"][0]["txn"] = "nope"
        load_data(_fresh(), data)


def test_load_data_errors_name_the_source(mf: MasterFile) -> None:
    with pytest.raises(FixtureError) as err:
        load_data(mf, {"date": "2024-06-17", "entities": [{"tin": "bad", "name": ["X"]}]}, source="class.json")
    assert str(err.value).startswith("class.json:0: tin: 'bad' is not a TIN")
    with pytest.raises(FixtureError, match="date: is required"):
        load_data(mf, {"entities": []})


def test_json_dump_file_loads_by_path(mf: MasterFile, tmp_path: Path) -> None:
    load_fixture(mf, "tpp/multiple_returns")
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(dump(mf), indent=1))
    other = _fresh()
    load_fixture(other, path)
    assert dump(other) == dump(mf)
    assert check_fixtures([path]) == []


def test_yaml_numbers_keep_leading_zeros(tmp_path: Path, mf: MasterFile) -> None:
    path = tmp_path / "zeros.yaml"
    path.write_text(
        "date: 2024-06-17\ntime: 08:30\nentities:\n  - tin: '99-2000001'\n    name: [X CO]\n    modules:\n"
        "      - mft: 01\n        period: 202403\n        unpostables:\n          - {seq: 000000101, code: 126}\n"
    )
    load_fixture(mf, path)
    data = dump(mf)
    assert data["time"] == "08:30:00"
    mod = data["entities"][0]["modules"][0]
    assert (mod["mft"], mod["period"], mod["unpostables"][0]["seq"]) == ("01", "202403", "000000101")


# ---- the checker, one broken file per error class ---------------------------------------


def expectations(path: Path) -> list[tuple[int, str]]:
    out = []
    for line in path.read_text().splitlines():
        found = re.match(r"# expect: (\d+): (.*)$", line)
        if found:
            out.append((int(found.group(1)), found.group(2)))
    return out


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.stem for p in BROKEN_FILES])
def test_broken_fixture_is_reported_with_file_and_line(path: Path) -> None:
    wanted = expectations(path)
    assert wanted, f"{path.name} has no '# expect: LINE: text' comment"
    problems = check_fixtures([path])
    shown = "\n".join(map(str, problems))
    for line, text in wanted:
        assert any(p.line == line and text in p.message for p in problems), f"expected line {line}: {text!r} in\n{shown}"
    # str() is file:line: message, naming the file the problem is in
    assert all(re.match(r"^.+:\d+: .+$", str(p)) for p in problems)
    assert any(p.file.endswith(path.name) for p in problems)


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.stem for p in BROKEN_FILES])
def test_loader_refuses_hard_problems_and_tolerates_lint(path: Path, mf: MasterFile) -> None:
    problems = check_fixtures([path])
    hard = [p for p in problems if not p.lint and p.file.endswith(path.name)]
    if hard:
        with pytest.raises(FixtureError) as err:
            load_fixture(mf, path)
        assert err.value.problems and err.value.line == err.value.problems[0].line
    else:
        load_fixture(mf, path)  # lint only: loads


def test_problem_str() -> None:
    assert str(Problem("fixtures/x.yaml", 12, "bad thing")) == "fixtures/x.yaml:12: bad thing"


def test_check_directory_and_missing_file(tmp_path: Path) -> None:
    assert check_fixtures([tmp_path / "absent.yaml"])[0].message == "no such fixture file"
    found = check_fixtures([BROKEN])
    assert {Path(p.file).name for p in found} >= {p.name for p in BROKEN_FILES}


def test_each_included_problem_reported_once() -> None:
    problems = check_fixtures([BROKEN / "include_cycle.yaml", BROKEN / "support" / "cycle_back.yaml"])
    keys = [(p.file, p.line, p.message) for p in problems]
    assert len(keys) == len(set(keys))


# ---- code table -------------------------------------------------------------------------


def test_code_table() -> None:
    table = codes()
    assert table.action_codes[505]["roles"] == ["pgld"] and table.action_codes[505]["level"] == "entity"
    assert table.action_codes[527]["level"] == "entity"
    assert all(info["roles"] == "any" for ac, info in table.action_codes.items() if ac != 505)
    assert table.reversal_targets(972) == (971,) and table.reversal_targets(137) == (136,)
    assert table.mfts["30"]["tax_class"] == 2 and table.mfts["01"]["tax_class"] == 1
    assert "tpp-assistor" in table.roles and "adr-analyst" in table.roles and len(table.roles) == 21
    for tc, info in table.transaction_codes.items():
        assert info["level"] in ("entity", "module", "either") and info["balance"] in ("debit", "credit", "none"), tc


# ---- trainers' documentation ------------------------------------------------------------


def test_training_accounts_doc_is_up_to_date() -> None:
    doc = ROOT / "docs" / "training-accounts.md"
    assert doc.read_text() == who_is_who(), "regenerate: python -m idrs_sim.masterfile.fixtures > docs/training-accounts.md"


def test_who_is_who_lists_every_taxpayer_and_employee() -> None:
    text = who_is_who()
    comp = compose("training")
    for ent in comp.data["entities"]:
        assert f"| {ent['tin']} |" in text
    for emp in comp.data["employees"]:
        assert f"| {emp['idrs']} |" in text
    assert "train123" in text


def test_schema_doc_mentions_every_key() -> None:
    from idrs_sim.masterfile import fixtures as fx

    doc = (ROOT / "docs" / "masterfile-schema.md").read_text()
    keys = (fx.TOP_KEYS | fx.EMPLOYEE_KEYS | fx.ENTITY_KEYS | fx.MODULE_KEYS | fx.TXN_KEYS | fx.UNPOSTABLE_KEYS | fx.CONTROL_KEYS
            | fx.HISTORY_KEYS | fx.LETTER_KEYS | fx.NOTE_KEYS | fx.ICS_KEYS | fx.AUDIT_KEYS | fx.CYCLE_RUN_KEYS)
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert not missing, f"docs/masterfile-schema.md does not document {missing}"


def test_dump_writes_every_contract_key_even_when_empty(mf: MasterFile) -> None:
    """CONTRACT §4 lists required keys: a reader indexes them without asking first."""
    load_fixture(mf, "training")
    data = dump(mf)
    assert {"date", "cycle", "employees", "entities", "ics_cases", "appeals", "acds_cases"} <= data.keys()
    for e in data["entities"]:
        assert {"tin", "tin_type", "file", "established", "name_control", "name", "address",
                "transactions", "letters", "poa", "information_returns", "modules"} <= e.keys(), e["tin"]
        assert ("depositor" in e) == (e["file"] == "BMF")
        for mod in e["modules"]:
            assert {"mft", "period", "status", "transactions", "unpostables", "controls", "notes"} <= mod.keys()
            for t in mod["transactions"] + e["transactions"]:
                assert {"tc", "ac", "amount", "date", "misc", "secondary_date", "dln", "status", "cycle",
                        "reversed"} <= t.keys()
                assert t["tc"] != 846 or "refund_method" in t
                assert t["tc"] != 150 or "document" in t
    bare = [e for e in data["entities"] if not e["letters"] and not e["poa"]]
    assert bare and all(e["letters"] == [] and e["poa"] == [] for e in bare)
