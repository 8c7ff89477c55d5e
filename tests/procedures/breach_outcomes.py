"""What each data-breach-indicator procedure (procedures/breach/*.txt) must leave on the
master file, checked on `idrs-sim dump` data (IRM 10.5.4.5.1.1, Exhibits 10.5.4-2/-3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tpp_checks import cases, entity, txns

Check = Callable[[dict[str, Any]], None]
OUTCOMES: dict[str, Check] = {}


def outcome(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        OUTCOMES[name] = fn
        return fn
    return register


def _indicators(d: dict[str, Any], tin: str) -> dict[str, bool]:
    """Breach number -> reversed, for every posted TC 971 AC 505 on the entity."""
    return {t["misc"]: bool(t["reversed"]) for t in txns(entity(d, tin), 971, 505)}


@outcome("ac505_reverse_the_one_input_in_error")
def _(d: dict[str, Any]) -> None:
    assert _indicators(d, "400-00-1026") == {"IR24031500017": False, "IR24052000002": True}
    [rev] = txns(entity(d, "400-00-1026"), 972, 505)
    assert (rev["misc"], rev["secondary_date"], rev["cycle"]) == ("IRSERR", "2024-05-20", "202427")
    assert _indicators(d, "400-00-1027") == {"IR24052000002": False}
    assert cases(d, "400-00-1026") == []


@outcome("ac505_one_indicator_per_breach")
def _(d: dict[str, Any]) -> None:
    assert len(txns(entity(d, "400-00-1026"), 971, 505, status=None)) == 1
    sandra = txns(entity(d, "400-00-1027"), 971, 505, status=None)
    assert [(t["misc"], t["status"], t["cycle"]) for t in sandra] == [("IR24031500017", "posted", "202426")]
    assert cases(d, "400-00-1026") == [] and cases(d, "400-00-1027") == []
