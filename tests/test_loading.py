"""The prepared loads of `masterfile.loading` give what the ORM's own lazy loads give.

A research key reads an entity (and a module) in one statement that also says which
collections are empty; an empty one is set without a query.  These tests compare every
collection with a lazy load in a fresh session, check that empty collections cost no
query and that nothing loaded this way is dirty.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from idrs_sim.masterfile.loading import entity_and_module, entity_by_tin, read_entity
from idrs_sim.masterfile.models import ControlBase, HistoryItem, Unpostable
from tests import mf_builders as b

ENTITY_LOAD = ("transactions", "letters", "controls", "unpostables")
MODULE_LOAD = ("unpostables", "controls")


@pytest.fixture()
def mf():  # type: ignore[no-untyped-def]
    """Two entities: a busy one (every collection has rows) and a bare one (none)."""
    mf = b.new_mf()
    with mf.unit_of_work() as s:
        busy = b.entity(s, "400-00-1001")
        mod = b.module(s, busy)
        b.module(s, busy, period="202212")
        b.txn(s, busy, 971, ac=505, misc="IR2024")
        b.txn(s, mod, 150, amount="900.00", dln="29211045100014")
        b.txn(s, mod, 806, amount="-500.00")
        s.add(Unpostable(seq="000000000001", entity_id=busy.id, module_id=mod.id, upc=126, reason=0,
                         dln="29211045100024", status="open", original_cycle="202424"))
        s.add(ControlBase(entity_id=busy.id, module_id=mod.id, category="FRPI", status="A", activity="REVIEW",
                          idrs=b.EMPLOYEE))
        s.add(ControlBase(entity_id=busy.id, module_id=None, category="MISC", status="A", activity="ENT",
                          idrs=b.EMPLOYEE))
        s.add(HistoryItem(entity_id=busy.id, module_id=mod.id, date=dt.date(2024, 6, 1), activity="NOTE"))
        bare = b.entity(s, "400-00-1002")
        b.module(s, bare)
        own = b.entity(s, "400-00-1003")  # history on the entity itself only
        s.add(HistoryItem(entity_id=own.id, module_id=None, date=dt.date(2024, 6, 1), activity="ENT"))
    return mf


def _statements(mf):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(mf.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def _lazy_ids(mf, tin: str, names: tuple[str, ...], module: tuple[str, str] | None = None) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """The ids in each collection as the ORM's own lazy loads give them (a session of its own)."""
    with mf.reading() as s:
        obj = entity_by_tin(s, tin)
        if module is not None:
            obj = obj.module(*module)
        return {name: [o.id for o in getattr(obj, name)] for name in names}


def _selects(seen: list[str]) -> int:
    return sum(1 for q in seen if q.lstrip().upper().startswith("SELECT"))


@pytest.mark.parametrize("tin", ["400-00-1001", "400-00-1002"])
def test_entity_collections_match_the_lazy_load(mf, tin: str) -> None:  # type: ignore[no-untyped-def]
    lazy = _lazy_ids(mf, tin, ENTITY_LOAD)
    with mf.reading() as s:
        ent = entity_by_tin(s, tin, ENTITY_LOAD)
        assert ent is not None
        seen = _statements(mf)
        filled = {name: [o.id for o in getattr(ent, name)] for name in ENTITY_LOAD}  # already there
        assert _selects(seen) == 0
        assert filled == lazy
        assert any(filled.values()) is (tin == "400-00-1001")
        assert not s.dirty


def test_empty_collections_cost_no_query(mf) -> None:  # type: ignore[no-untyped-def]
    seen = _statements(mf)
    with mf.reading() as s:
        ent = entity_by_tin(s, "400-00-1002", ENTITY_LOAD)
        assert ent is not None
    assert _selects(seen) == 1
    seen.clear()
    with mf.reading() as s:
        entity_by_tin(s, "400-00-1001", ENTITY_LOAD)
    assert _selects(seen) == 1 + 3  # transactions, controls, unpostables; it has no letters


def test_entity_and_module(mf) -> None:  # type: ignore[no-untyped-def]
    lazy = _lazy_ids(mf, "400-00-1001", ("transactions",))
    lazy_module = _lazy_ids(mf, "400-00-1001", MODULE_LOAD + ("transactions",), ("30", "202312"))
    with mf.reading() as s:
        ent, module, has_history = entity_and_module(s, "400-00-1001", "30", "202312", ("transactions",), MODULE_LOAD)
        assert ent is not None and module is not None
        assert module.entity is ent and (module.mft, module.period) == ("30", "202312")
        assert has_history
        seen = _statements(mf)
        assert {name: [o.id for o in getattr(module, name)] for name in MODULE_LOAD} == \
            {name: lazy_module[name] for name in MODULE_LOAD}
        assert [t.id for t in ent.transactions] == lazy["transactions"]
        assert len(module.unpostables) == 1 and len(module.controls) == 1
        assert _selects(seen) == 0
        assert not s.dirty

    with mf.reading() as s:
        ent, module, has_history = entity_and_module(s, "400-00-1001", "30", "202212", (), MODULE_LOAD)
        assert module is not None and module.period == "202212"
        assert module.unpostables == [] and module.controls == [] and not has_history


@pytest.mark.parametrize("tin, mft, period, found_entity", [
    ("400-00-1001", "30", "202112", True),  # no such module
    ("400-00-1001", "02", "202312", True),  # no such MFT
    ("400-00-9999", "30", "202312", False),  # TIN not on file
])
def test_entity_and_module_not_found(mf, tin: str, mft: str, period: str, found_entity: bool) -> None:  # type: ignore[no-untyped-def]
    with mf.reading() as s:
        ent, module, has_history = entity_and_module(s, tin, mft, period, ("transactions",), MODULE_LOAD)
        assert (ent is not None) is found_entity
        assert module is None and has_history is False


@pytest.mark.parametrize("tin, has", [
    ("400-00-1001", False),  # history on a module only
    ("400-00-1002", False),  # none
    ("400-00-1003", True),   # on the entity
    ("400-00-9999", False),  # not on file
])
def test_the_entity_history_flag(mf, tin: str, has: bool) -> None:  # type: ignore[no-untyped-def]
    with mf.reading() as s:
        ent, flag = read_entity(s, tin, ENTITY_LOAD, history=True)
        assert flag is has and (ent is None) is (tin == "400-00-9999")
        assert read_entity(s, tin)[1] is False  # not asked: False


def test_json_values_read_back_fresh_and_whole(mf) -> None:  # type: ignore[no-untyped-def]
    """The empty-value short cut of `json_column.read_json` gives each row its own object
    (changing one transaction's `extra` in memory leaves the others alone) and the same
    values as the JSON parser for everything else."""
    from idrs_sim.masterfile.json_column import read_json

    assert read_json('{"a": [1, {}]}') == {"a": [1, {}]} and read_json("null") is None
    assert read_json("{}") == {} and read_json("{}") is not read_json("{}")
    with mf.reading() as s:
        ent = entity_by_tin(s, "400-00-1001", ("transactions",))
        assert ent is not None
        first, second = ent.transactions[0], ent.transactions[1]
        assert first.extra == {} and second.extra == {}
        first.extra["x"] = 1
        assert second.extra == {}
        assert ent.name_lines and isinstance(ent.poa, list)
