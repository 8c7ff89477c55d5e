"""The benchmark scripts run end to end on tiny master files and report what they did.

Their figures are never asserted (speed is measured by `make bench`, not by tests); what is
checked is that each script builds its file, drives the real code and counts the right
work, so that a change to the engine cannot leave `make bench` broken or measuring nothing.
"""

from __future__ import annotations

from bench import latency, posting


def test_posting_benchmark_posts_every_pending_transaction_and_pairs_its_timings() -> None:
    res = posting.main(["--modules", "300", "--runs", "2", "--insert-repeats", "2"])
    f = res.figures
    # 150 returns, their 150 TC 806s, 150 deposits and 100 refunds (two thirds of the returns).
    assert f["posted"] == f["db_posted"] == 550
    assert f["refunds"] == 100
    assert len(f["run_cpu_each_s"]) == 2 and len(f["pair_ratios_cpu"]) == 2
    assert len(f["insert_cpu_each_s"]) == 4  # two while building, one after each run
    assert f["ratio_cpu"] > 0 and f["maxrss_mb"] > 0


def test_latency_benchmark_drives_each_command_to_a_real_screen() -> None:
    res = latency.main(["--entities", "300", "--runs", "5", "--no-freeze"])
    f = res.figures
    assert f["full_scans"] == []
    for command in ("ENMOD", "TXMODA", "UPTIN", "REQ77", "FRM77", "FRM77 input"):
        assert f[command]["n"] == 5, command
    assert f["CLEAR"]["n"] == 20


def test_web_benchmark_measures_each_tab_that_signed_on_and_ran_enmod() -> None:
    from bench import web

    res = web.main(["--sessions", "2"])
    f = res.figures
    assert f["signed_on"] == f["ran_enmod"] == 2
    assert f["tabs_measured"] == 2 and f["tab_pss_mb"]["median"] > 0
    assert f["server_exit"] == 0


def test_classroom_benchmark_signs_on_every_trainee_to_a_sandbox() -> None:
    from bench import classroom

    f = classroom.main(["--trainees", "3"]).figures
    assert f["trainees"] == 3 and f["engine"] == "sqlite"
    assert f["signon_last_ms"] > 0 and f["sandbox_file_kb"] and f["sandbox_file_kb"] > 0


def test_mix_benchmark_runs_every_scenario_of_the_tpp_ftd_mix() -> None:
    from bench import mix

    res = posting.main(["--mix", "--taxpayers", "400", "--runs", "1", "--no-file", "--verify-floor"])
    f = res.figures["memory"]
    want = dict(mix.expected(400))
    assert f["reversed"] == want["reversed"] == 60  # 40 module-level, 20 entity-level TC 972s
    assert f["tc976_posted"] == f["moved"] == want["moved_to_mft32"] == 16  # the AC 111 moves
    assert f["alerts"] == want["alerts"] == 4
    assert f["released"] == 32 + 16  # the UPRES cases, and the UP 126 cases the AC 111 moves close
    assert f["unposted"] == want["up126"] == 16
    # Two thirds of the 200 returns refund, and the 40 credit modules the TC 290 .00 releases.
    assert f["refunds"] == 133 + 40 and f["held"] == 0
    assert f["ratio_cpu"] > 0
    # The writes floor wrote the run's rows again (and ended with the same master file:
    # --verify-floor): every input row changed, and the TC 806/846/976/971 rows were added.
    rows = f["write_floor_rows"]
    assert rows["updated"] >= mix.input_count(400) and rows["inserted"] > 173
    assert f["write_floor_cpu_s"] > 0
