"""`idrs-sim classroom --web-port` in a real headless Chromium: two trainees in two tabs, each in
their own sandbox; sign-off back to the lobby; the instructor's codes from a tab.

Debian's chromium and chromedriver under Selenium (tests/web_helpers.py), against the
real command line; the screen is read through xterm.js's buffer API.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from idrs_sim.classroom import Classroom, trainee_number
from idrs_sim.masterfile.dump import dump
from tests.web_helpers import browser_missing, chromium, keyboard, wait_for

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=f"no browser: {browser_missing()}")

INSTRUCTOR = "1485099999"
TIN = "400-00-1001"
FRM77 = f"FRM77 {TIN} 30 202312 TC>971 TC971/151>850"
PENDING_971 = re.compile(r"PN +971 ")  # TXMODA's line for the FRM77 input, pending
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def classroom_server(db: Path) -> Iterator[str]:
    """`idrs-sim classroom --port 0 --web-port 0` on `db`; yields the browsers' URL; SIGTERM at the end (exit 0 checked)."""
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "classroom", "--db", f"sqlite:///{db}", "--lesson",
                             "training", "--trainees", "3", "--port", "0", "--web-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        tn3270, web = proc.stdout.readline(), proc.stdout.readline()
        assert tn3270.startswith("listening on 127.0.0.1:"), (tn3270, web, proc.stderr.read() if proc.stderr else "")
        assert web.startswith("listening on http://"), (tn3270, web)
        yield web.split()[-1]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=90)  # each tab gets up to 60 s to sign off
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert code == 0, f"idrs-sim classroom exited {code}: {proc.stderr.read() if proc.stderr else ''}"


def _sandbox_trails(db: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Each sandbox file's audit trail (terminal, idrs, command, outcome), read-only."""
    trails = {}
    for f in sorted((db.parent / f"{db.name}-sandboxes").glob("sandbox-*.db")):
        with contextlib.closing(sqlite3.connect(f"file:{f}?mode=ro", uri=True, timeout=30)) as conn:
            trails[f.name] = [tuple(v or "" for v in r) for r in
                              conn.execute("SELECT terminal, idrs, command, outcome FROM audit ORDER BY id")]
    return trails  # type: ignore[return-value]


def _sign_on(driver, idrs: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    wait_for(driver, "EMPLOYEE NUMBER>", timeout=90)
    wait_for(driver, "PF13", timeout=30)  # the key bar is drawn: the tab's app is up
    keyboard(driver).send_keys(idrs, Keys.TAB, "train123", Keys.ENTER)
    return wait_for(driver, "SIGN-ON COMPLETED", timeout=60)


def _command(driver, text: str, shows: str | re.Pattern[str]) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    box = keyboard(driver)
    box.send_keys(Keys.ESCAPE)  # Clear
    wait_for(driver, lambda s: not "".join(s.split("\n")[:24]).strip())  # the 3270 screen is blank
    box.send_keys(text, Keys.ENTER)
    if isinstance(shows, str):
        return wait_for(driver, shows, timeout=60)
    return wait_for(driver, lambda s: shows.search(s) is not None, timeout=60)


def test_two_trainees_in_two_tabs_each_in_their_own_sandbox(tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "class.db"
    a, b = trainee_number(1), trainee_number(2)
    with classroom_server(db) as url:
        driver = chromium(tmp_path / "profile")
        try:
            driver.get(url)
            tab_a = driver.current_window_handle
            text = _sign_on(driver, a)
            assert f"EMP {a}" in text  # the operator line: who is signed on in this tab
            driver.switch_to.new_window("tab")
            driver.get(url)
            tab_b = driver.current_window_handle
            _sign_on(driver, b)

            driver.switch_to.window(tab_a)
            _command(driver, FRM77, "REQUEST COMPLETED")
            text = _command(driver, f"TXMODA {TIN} 30 202312", PENDING_971)  # a's input, pending in a's sandbox

            driver.switch_to.window(tab_b)
            text = _command(driver, f"TXMODA {TIN} 30 202312", "PAGE>001/002")
            assert not PENDING_971.search(text), text  # not in b's
            # sign-off returns the tab to the lobby; the instructor signs on there and runs the class
            _command(driver, "SINOF", "EMPLOYEE NUMBER>")
            _sign_on(driver, INSTRUCTOR)
            text = _command(driver, "CLASS", "SANDBOXES")
            rows = {line.split()[0]: line for line in text.split("\n") if line[:10] in (a, b)}
            assert set(rows) == {a, b} and "TXMOD" in rows[a] and "SINOF" in rows[b], text  # their last commands
            text = _command(driver, "CYCLE ALL", "SANDBOXES POSTED - CYCLE 202426")

            driver.switch_to.window(tab_a)  # a's status line follows a's sandbox at the next key
            keyboard(driver).send_keys(Keys.ESCAPE)
            wait_for(driver, "CYCLE 202426", timeout=60)
        finally:
            driver.quit()  # both tabs go away: each signs off
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(r[3] == "BROWSER TAB CLOSED - SIGNED OFF" for trail in
                                                  _sandbox_trails(db).values() for r in trail) < 2:
            time.sleep(0.2)
    trails = _sandbox_trails(db)
    owner = {name: {r[1] for r in trail if r[2] == "SINON"} for name, trail in trails.items()}
    assert sorted(map(sorted, owner.values())) == sorted([[a], [b], [INSTRUCTOR]])  # a sandbox each, one owner each
    frm77 = [name for name, trail in trails.items() if any(r[2] == "FRM77" for r in trail)]
    assert len(frm77) == 1 and owner[frm77[0]] == {a}  # the input is in a's sandbox only
    for who, terminal in ((a, "WEB0001"), (INSTRUCTOR, "WEB0002")):
        trail = next(t for name, t in trails.items() if owner[name] == {who})
        assert trail[-1] == (terminal, who, "SINOF", "BROWSER TAB CLOSED - SIGNED OFF"), trail[-1]
    b_trail = next(t for name, t in trails.items() if owner[name] == {b})
    assert [r[2] for r in b_trail if r[2] in ("SINON", "SINOF")] == ["SINON", "SINOF"]  # b signed off by SINOF
    with Classroom(f"sqlite:///{db}", None, follow_clock=False, trainees=3) as room:
        for who, count in ((a, 1), (b, 0)):
            data = dump(room.sandbox_of(who).mf, tin=TIN)
            mine = [t for e in data["entities"] for m in e.get("modules", []) for t in m.get("transactions", [])
                    if t.get("idrs") == a]
            assert len(mine) == count, (who, mine)
