"""The posting-cycle calendar against every dated example in the reference (§3)."""

from __future__ import annotations

from calendar import isleap
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from idrs_sim.posting import calendar as cal
from idrs_sim.posting.calendar import (
    add_cycles,
    cycle_date,
    cycle_end,
    cycle_of,
    cycle_start,
    cycle_week,
    cycle_year,
    cycles_in_year,
    day_code,
    first_live_cycle,
    is_dead_cycle,
    posting_date,
    unpostable_cycle_window,
    validate_cycle,
    year_start,
)

# --- reference §3.1 / §3.2 data points (IRM 3.30.123 wording, 2023) -------------------


@pytest.mark.parametrize(
    ("day", "cycle"),
    [
        (date(2023, 6, 7), "202323"),
        (date(2023, 6, 21), "202325"),
        (date(2023, 4, 19), "202316"),
        (date(2023, 6, 16), "202325"),
        (date(2023, 9, 19), "202338"),
        (date(2023, 12, 18), "202351"),
        (date(2023, 8, 16), "202333"),
    ],
)
def test_reference_dates(day: date, cycle: str) -> None:
    assert cycle_of(day) == cycle


def test_reference_cycle_dates() -> None:
    assert cycle_date(date(2017, 2, 2)) == "20170505"  # forum example, a Thursday
    assert cycle_date(date(2023, 6, 7)) == "20232304"  # §3.2 worked example, a Wednesday


def test_release_cycle_plus_two() -> None:
    # tpp-rules §6.1: UPRES AC 850 release cycle = current + 2.
    assert add_cycles("202425", 2) == "202427"


def test_datetime_is_taken_by_its_date() -> None:
    assert cycle_of(datetime(2023, 6, 7, 23, 59)) == "202323"
    assert cycle_date(datetime(2017, 2, 2, 8, 0)) == "20170505"


# --- week shape -----------------------------------------------------------------------


def test_cycle_runs_friday_to_thursday() -> None:
    assert cycle_start("202323") == date(2023, 6, 2)  # Friday
    assert cycle_end("202323") == date(2023, 6, 8)  # Thursday
    assert posting_date("202323") == date(2023, 6, 8)
    assert cycle_of(date(2023, 6, 1)) == "202322"  # the Thursday before
    assert cycle_of(date(2023, 6, 2)) == "202323"
    assert cycle_of(date(2023, 6, 3)) == "202323"  # weekend stays in the cycle
    assert cycle_of(date(2023, 6, 8)) == "202323"
    assert cycle_of(date(2023, 6, 9)) == "202324"


def test_cycle_01_contains_january_1() -> None:
    # 2023-01-01 is a Sunday: cycle 01 = Fri 2022-12-30 .. Thu 2023-01-05.
    assert year_start(2023) == date(2022, 12, 30)
    assert cycle_of(date(2022, 12, 29)) == "202252"
    assert cycle_of(date(2022, 12, 30)) == "202301"
    assert cycle_of(date(2023, 1, 1)) == "202301"
    # 2021-01-01 is a Friday: the cycle year starts on January 1 itself.
    assert year_start(2021) == date(2021, 1, 1)
    assert cycle_of(date(2020, 12, 31)) == "202053"
    # 2015-01-01 is a Thursday: it is the last day of cycle 201501.
    assert year_start(2015) == date(2014, 12, 26)
    assert cycle_of(date(2015, 1, 1)) == "201501"
    assert cycle_of(date(2015, 1, 2)) == "201502"
    # The §3.2 conflict: by the rule 2015-01-26 is in cycle 05, not the forum's 04.
    assert cycle_date(date(2015, 1, 26)) == "20150502"


def test_accessors() -> None:
    assert cycle_week("202407") == 7
    assert cycle_year("202407") == 2024


# --- year lengths and crossings -------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "count"),
    [(2015, 53), (2020, 53), (2026, 53), (2032, 53), (2016, 52), (2023, 52), (2024, 52), (2025, 52)],
)
def test_cycles_in_year(year: int, count: int) -> None:
    # 53 cycles when January 1 is a Thursday (2015, 2026, 2032) or a leap-year Wednesday (2020).
    assert cycles_in_year(year) == count


@pytest.mark.parametrize(
    ("cycle", "n", "expected"),
    [
        ("202452", 1, "202501"),  # 2024: 52 cycles
        ("202451", 3, "202502"),
        ("202501", -1, "202452"),
        ("202652", 1, "202653"),  # 2026: 53 cycles
        ("202653", 1, "202701"),
        ("202701", -1, "202653"),
        ("202053", 1, "202101"),
        ("202301", 52, "202401"),
        ("202601", 53, "202701"),
        ("202301", 104, "202501"),
        ("202325", 0, "202325"),
    ],
)
def test_add_cycles_crosses_years(cycle: str, n: int, expected: str) -> None:
    assert add_cycles(cycle, n) == expected


# --- day codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2023, 6, 2), "01"),  # Friday
        (date(2023, 6, 3), "00"),  # Saturday
        (date(2023, 6, 4), "00"),  # Sunday
        (date(2023, 6, 5), "02"),  # Monday
        (date(2023, 6, 6), "03"),  # Tuesday
        (date(2023, 6, 7), "04"),  # Wednesday
        (date(2023, 6, 8), "05"),  # Thursday
    ],
)
def test_day_codes(day: date, code: str) -> None:
    assert day_code(day) == code
    assert cycle_date(day) == "202323" + code


# --- dead cycles ----------------------------------------------------------------------


def test_dead_cycles_imf_and_bmf() -> None:
    # IRM 3.30.123.4.7 (2017 wording): IMF 201701-201703 dead, BMF 201701-201702.
    assert [is_dead_cycle(f"2017{cc:02d}", "IMF") for cc in range(1, 6)] == [True, True, True, False, False]
    assert [is_dead_cycle(f"2017{cc:02d}", "BMF") for cc in range(1, 6)] == [True, True, False, False, False]


def test_first_live_cycle() -> None:
    # IMF input from campus cycles 201701-201704 attempts to post in 201704.
    assert [first_live_cycle(f"2017{cc:02d}", "IMF") for cc in range(1, 5)] == ["201704"] * 4
    assert first_live_cycle("201702", "BMF") == "201703"
    assert first_live_cycle("201703", "BMF") == "201703"
    assert first_live_cycle("202452", "IMF") == "202452"


def test_dead_cycle_rejects_unknown_file() -> None:
    with pytest.raises(ValueError, match="IMF"):
        is_dead_cycle("202401", "NMF")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="IMF"):
        first_live_cycle("202401", "imf")  # type: ignore[arg-type]


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize("good", ["202301", "202352", "202653", "202053", "190001", "219901"])
def test_validate_cycle_accepts(good: str) -> None:
    assert validate_cycle(good) is None


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("", "6 DIGITS"),
        ("20231", "6 DIGITS"),
        ("2023011", "6 DIGITS"),
        ("2023AB", "6 DIGITS"),
        (" 202301", "6 DIGITS"),
        ("\uff12\uff10\uff12\uff13\uff10\uff11", "6 DIGITS"),  # full-width digits: int() would take them
        (202301, "6 DIGITS"),
        ("202300", "CYCLES 01-52"),
        ("202353", "CYCLES 01-52"),  # 2023 has 52 cycles
        ("202654", "CYCLES 01-53"),
        ("202399", "CYCLES 01-52"),
        ("002301", "OUT OF RANGE"),
        ("220001", "OUT OF RANGE"),
    ],
)
def test_validate_cycle_errors(bad: object, fragment: str) -> None:
    message = validate_cycle(bad)  # type: ignore[arg-type]
    assert message is not None and fragment in message


def test_functions_reject_invalid_cycles() -> None:
    with pytest.raises(ValueError, match="CYCLES 01-52"):
        cycle_start("202353")
    with pytest.raises(ValueError, match="6 DIGITS"):
        add_cycles("2023-1", 1)


def test_dates_outside_calendar_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        cycle_of(date(1800, 1, 1))
    with pytest.raises(ValueError, match="outside"):
        cycle_of(date(2199, 12, 31))  # already in cycle 220001
    with pytest.raises(ValueError):
        add_cycles("219952", 1)


# --- override table -------------------------------------------------------------------


def test_override_moves_the_year_start(monkeypatch: pytest.MonkeyPatch) -> None:
    # A published calendar starting 2015 on Fri 2015-01-02 (the forum's 20150402 = 2015-01-26).
    assert cycle_date(date(2015, 1, 26)) == "20150502"
    monkeypatch.setitem(cal.OVERRIDES, 2015, date(2015, 1, 2))
    assert cycle_date(date(2015, 1, 26)) == "20150402"
    assert year_start(2015) == date(2015, 1, 2)
    assert cycle_of(date(2015, 1, 1)) == "201453"  # the week moves back into 2014
    assert cycles_in_year(2014) == 53
    assert cycles_in_year(2015) == 52
    assert add_cycles("201452", 1) == "201453"
    assert add_cycles("201453", 1) == "201501"
    assert validate_cycle("201453") is None
    assert validate_cycle("201553") is not None
    assert cycle_start("201501") == date(2015, 1, 2)


def test_override_table_is_empty_by_default() -> None:
    assert cal.OVERRIDES == {}


def test_override_must_be_a_friday_near_january_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cal.OVERRIDES, 2030, date(2030, 1, 1))  # a Tuesday
    with pytest.raises(ValueError, match="Friday"):
        cycle_of(date(2030, 6, 1))
    assert "FRIDAY" in (validate_cycle("203001") or "")
    monkeypatch.setitem(cal.OVERRIDES, 2030, date(2030, 3, 1))  # a Friday, but March
    with pytest.raises(ValueError, match="4 weeks"):
        year_start(2030)


# --- unpostable cycle -----------------------------------------------------------------


def test_unpostable_cycle_window_wednesday_to_tuesday() -> None:
    window = (date(2023, 6, 7), date(2023, 6, 13))
    for offset in range(7):
        assert unpostable_cycle_window(date(2023, 6, 7) + timedelta(days=offset)) == window
    assert unpostable_cycle_window(date(2023, 6, 6)) == (date(2023, 5, 31), date(2023, 6, 6))
    assert unpostable_cycle_window(datetime(2023, 6, 14, 9, 30)) == (date(2023, 6, 14), date(2023, 6, 20))


# --- properties -----------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 25))


@st.composite
def cycles(draw: st.DrawFn, min_year: int = 1900, max_year: int = 2199) -> str:
    year = draw(st.integers(min_year, max_year))
    week = draw(st.integers(1, cycles_in_year(year)))
    return f"{year:04d}{week:02d}"


@given(cycles())
def test_prop_cycle_start_round_trips(cycle: str) -> None:
    assert validate_cycle(cycle) is None
    start, end = cycle_start(cycle), cycle_end(cycle)
    assert start.weekday() == 4 and end.weekday() == 3
    assert cycle_of(start) == cycle == cycle_of(end)


@given(DATES)
def test_prop_consecutive_dates_never_go_back(day: date) -> None:
    today, tomorrow = cycle_of(day), cycle_of(day + timedelta(days=1))
    if day.weekday() == 3:  # Thursday closes the cycle
        assert tomorrow == add_cycles(today, 1) and tomorrow > today
    else:
        assert tomorrow == today


@given(DATES)
def test_prop_date_matches_rule(day: date) -> None:
    cycle = cycle_of(day)
    thursday = day + timedelta(days=(3 - day.weekday()) % 7)
    assert cycle_year(cycle) == thursday.year
    assert cycle_start(cycle) <= day <= cycle_end(cycle)
    assert cycle_date(day) == cycle + day_code(day)


@given(cycles(1950, 2150), st.integers(-2000, 2000))
def test_prop_add_cycles_round_trips(cycle: str, n: int) -> None:
    moved = add_cycles(cycle, n)
    assert add_cycles(moved, -n) == cycle
    assert (cycle_start(moved) - cycle_start(cycle)).days == 7 * n


@given(st.integers(1900, 2199))
def test_prop_year_has_52_or_53_cycles(year: int) -> None:
    assert cycles_in_year(year) in (52, 53)
    jan1 = date(year, 1, 1)
    assert year_start(year) <= jan1 <= year_start(year) + timedelta(days=6)
    expected = 53 if jan1.weekday() == 3 or (jan1.weekday() == 2 and isleap(year)) else 52
    assert cycles_in_year(year) == expected


def test_cycles_after_counts_to_the_end_of_the_calendar() -> None:
    for cycle in ("219951", "219950", "202425"):
        n = cal.cycles_after(cycle)
        assert cal.add_cycles(cycle, n)  # the last cycle of the calendar
        with pytest.raises(ValueError):
            cal.add_cycles(cycle, n + 1)
    assert cal.cycles_after("219951") == 1
