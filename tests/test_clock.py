"""The simulated clock: fixed and following modes, set/advance, and the posting cycle."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from idrs_sim.clock import START_OF_DAY, Clock

# --- fixed mode -----------------------------------------------------------------------


def test_fixed_clock_stands_still() -> None:
    clock = Clock(datetime(2023, 6, 7, 9, 15))
    first = clock.now()
    time.sleep(0.01)
    assert clock.now() == first == datetime(2023, 6, 7, 9, 15)
    assert clock.today() == date(2023, 6, 7)
    assert not clock.is_following


def test_fixed_clock_ignores_the_wall_clock() -> None:
    clock = Clock(datetime(2023, 6, 7, 9, 15))
    with freeze_time("2030-01-01 12:00") as frozen:
        frozen.tick(timedelta(days=3))
        assert clock.now() == datetime(2023, 6, 7, 9, 15)


def test_a_date_means_0800() -> None:
    assert START_OF_DAY.hour == 8 and START_OF_DAY.minute == 0
    assert Clock(date(2023, 6, 7)).now() == datetime(2023, 6, 7, 8, 0)
    clock = Clock(datetime(2023, 1, 1, 17, 30))
    clock.set(date(2024, 2, 29))
    assert clock.now() == datetime(2024, 2, 29, 8, 0)


def test_set_moves_either_way() -> None:
    clock = Clock(date(2023, 6, 7))
    clock.set(datetime(2023, 12, 18, 14, 5))
    assert clock.now() == datetime(2023, 12, 18, 14, 5)
    clock.set(datetime(2017, 2, 2, 10, 0))
    assert clock.now() == datetime(2017, 2, 2, 10, 0)


def test_advance() -> None:
    clock = Clock(datetime(2023, 6, 7, 8, 0))
    assert clock.advance(hours=2, minutes=30) == datetime(2023, 6, 7, 10, 30)
    assert clock.advance(days=1) == datetime(2023, 6, 8, 10, 30)
    assert clock.advance() == datetime(2023, 6, 8, 10, 30)
    assert clock.advance(days=0.5) == datetime(2023, 6, 8, 22, 30)
    assert clock.now() == datetime(2023, 6, 8, 22, 30)


def test_advance_refuses_to_go_back() -> None:
    clock = Clock(datetime(2023, 6, 7, 8, 0))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(days=-1)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(days=1, hours=-25)
    assert clock.now() == datetime(2023, 6, 7, 8, 0)
    assert clock.advance(days=1, hours=-23) == datetime(2023, 6, 7, 9, 0)  # net forward is fine


def test_rejects_aware_and_non_dates() -> None:
    with pytest.raises(ValueError, match="naive"):
        Clock(datetime(2023, 6, 7, tzinfo=timezone.utc))
    clock = Clock(date(2023, 6, 7))
    with pytest.raises(TypeError):
        clock.set("2023-06-07")  # type: ignore[arg-type]
    assert clock.now() == datetime(2023, 6, 7, 8, 0)


# --- cycle ----------------------------------------------------------------------------


def test_cycle_property() -> None:
    clock = Clock(date(2023, 6, 7))
    assert clock.cycle == "202323"
    clock.advance(days=1, hours=15, minutes=59)  # Thu 23:59, still the cycle's last day
    assert clock.cycle == "202323"
    clock.advance(minutes=1)  # Friday 00:00 opens the next cycle
    assert clock.now() == datetime(2023, 6, 9, 0, 0)
    assert clock.cycle == "202324"


def test_cycle_crosses_the_year() -> None:
    clock = Clock(date(2024, 12, 26))  # Thursday: last day of 202452
    assert clock.cycle == "202452"
    clock.advance(days=1)
    assert clock.cycle == "202501"


# --- following mode -------------------------------------------------------------------


def test_following_runs_with_real_time() -> None:
    with freeze_time("2024-03-04 10:00:00") as frozen:
        clock = Clock.following(datetime(2023, 6, 7, 9, 0))
        assert clock.is_following
        assert clock.now() == datetime(2023, 6, 7, 9, 0)
        frozen.tick(timedelta(minutes=90))
        assert clock.now() == datetime(2023, 6, 7, 10, 30)
        frozen.tick(timedelta(days=1))
        assert clock.today() == date(2023, 6, 8)
        assert clock.cycle == "202323"
        frozen.tick(timedelta(hours=14))  # Fri 00:30
        assert clock.cycle == "202324"


def test_following_set_and_advance() -> None:
    with freeze_time("2024-03-04 10:00:00") as frozen:
        clock = Clock.following(date(2023, 6, 7))
        frozen.tick(timedelta(hours=1))
        clock.set(datetime(2023, 12, 18, 12, 0))  # restarts from here
        assert clock.now() == datetime(2023, 12, 18, 12, 0)
        frozen.tick(timedelta(minutes=5))
        assert clock.now() == datetime(2023, 12, 18, 12, 5)
        assert clock.advance(days=2) == datetime(2023, 12, 20, 12, 5)
        frozen.tick(timedelta(minutes=5))
        assert clock.now() == datetime(2023, 12, 20, 12, 10)
        assert clock.is_following


def test_following_system_tracks_real_local_time() -> None:
    with freeze_time("2024-06-20 16:45:00") as frozen:
        clock = Clock.following_system()
        assert clock.now() == datetime(2024, 6, 20, 16, 45)
        assert clock.cycle == "202425"
        frozen.tick(timedelta(days=1))  # Friday
        assert clock.now() == datetime(2024, 6, 21, 16, 45)
        assert clock.cycle == "202426"


def test_following_system_uses_local_time_but_utc_elapsed() -> None:
    # tz_offset makes freezegun's local time differ from UTC: simulated time starts
    # at local wall time and then advances by real elapsed time.
    with freeze_time("2024-06-20 16:45:00", tz_offset=-4) as frozen:
        clock = Clock.following_system()
        assert clock.now() == datetime(2024, 6, 20, 12, 45)
        frozen.tick(timedelta(minutes=10))
        assert clock.now() == datetime(2024, 6, 20, 12, 55)


def test_following_without_freezegun_moves_forward() -> None:
    clock = Clock.following(datetime(2023, 6, 7, 8, 0))
    first = clock.now()
    time.sleep(0.01)
    second = clock.now()
    assert first < second < first + timedelta(minutes=1)


def test_independent_clocks() -> None:
    # No global state: two clocks never see each other's changes.
    a, b = Clock(date(2023, 6, 7)), Clock(date(2023, 6, 7))
    a.advance(days=7)
    assert a.cycle == "202324" and b.cycle == "202323"


def test_repr() -> None:
    assert repr(Clock(datetime(2023, 6, 7, 9, 0))) == "<Clock fixed 2023-06-07 09:00:00 cycle 202323>"
