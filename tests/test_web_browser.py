"""`idrs-sim web` in a real headless Chromium: sign on, ENMOD, TXMODA, PF8, Clear, read back.

Debian's chromium and chromedriver (installed by .ci/run) under Selenium, against the
real command line on a free local port.  The text is read from the page through
xterm.js's buffer API.  Set IDRS_SIM_WEB_SCREENSHOT=docs/img/web-terminal.png to
refresh the README's screenshot.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from tests.web_helpers import (
    browser_missing,
    chromium,
    click_key,
    keyboard,
    screen,
    wait_for,
    web_server,
)

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=f"no browser: {browser_missing()}")

EMPLOYEE, PASSWORD = "1485012345", "train123"


def _audit(db: Path) -> list[tuple[str, str, str, str]]:
    """The audit trail, read with plain sqlite3 and read-only: polling it must not take the
    write lock the tabs' processes need (opening a Simulator would)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
        rows = conn.execute("SELECT terminal, idrs, command, outcome FROM audit ORDER BY id").fetchall()
    return [(r[0] or "", r[1] or "", r[2] or "", r[3] or "") for r in rows]


def _sign_on(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    driver.get(url)
    wait_for(driver, "EMPLOYEE NUMBER>", timeout=60)
    wait_for(driver, "PF13", timeout=30)  # the key bar is drawn: the app is up
    keyboard(driver).send_keys(EMPLOYEE, Keys.TAB, PASSWORD, Keys.ENTER)
    wait_for(driver, "SIGN-ON COMPLETED", timeout=30)


def test_sign_on_enmod_txmoda_pf8_clear_in_chromium(tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "web.db"
    with web_server(db) as (url, _proc):
        driver = chromium(tmp_path / "profile")
        try:
            _sign_on(driver, url)
            text = screen(driver)
            assert "WEB0001" not in text.split("\n")[0]  # a blank screen after sign-on, as on IDRS
            box = keyboard(driver)
            box.send_keys("ENMOD 400-00-1001", Keys.ENTER)
            text = wait_for(driver, "JOHN A SMITH")
            assert "400-00-1001" in text

            box.send_keys(Keys.ESCAPE)  # Clear
            wait_for(driver, lambda s: "JOHN A SMITH" not in s)
            box.send_keys("TXMODA 400-00-1001 30 202312", Keys.ENTER)
            wait_for(driver, "PAGE>001/002")
            shot = os.environ.get("IDRS_SIM_WEB_SCREENSHOT")
            target = Path(shot) if shot else tmp_path / "web-terminal.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            assert driver.save_screenshot(str(target))
            assert target.stat().st_size > 10_000  # a real picture, not an empty page

            box.send_keys(Keys.F8)  # PF8: page forward
            text = wait_for(driver, "PAGE>002/002")
            assert "TXMODA 400-00-1001 30 202312" in text

            # Clear from the on-screen key bar (a key a browser may keep is clicked instead).
            click_key(driver, "Clear")
            text = wait_for(driver, lambda s: "PAGE>" not in s)
            assert "TXMODA" not in text and "JOHN A SMITH" not in text
            assert "PF24" in text  # the key bar is still there under the blank screen

            # PF8 from the key bar on a fresh TXMODA.
            box.send_keys("TXMODA 400-00-1001 30 202312", Keys.ENTER)
            wait_for(driver, "PAGE>001/002")
            click_key(driver, "PF8")
            wait_for(driver, "PAGE>002/002")
        finally:
            driver.quit()  # the tab goes away: its session signs off
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(r[3] == "BROWSER TAB CLOSED - SIGNED OFF" for r in _audit(db)):
            time.sleep(0.2)
    audit = _audit(db)
    web = [r for r in audit if r[0] == "WEB0001"]
    assert ("WEB0001", EMPLOYEE, "SINON", "SIGN-ON COMPLETED") in web
    shown = [r[3].split()[0] for r in web if r[2] in ("ENMOD", "TXMOD")]  # the audit's code is TXMOD + definer
    assert shown == ["ENMOD", "TXMODA", "PAGE", "TXMODA", "PAGE"]  # PF8 from the keyboard, then from the bar
    assert web[-1] == ("WEB0001", EMPLOYEE, "SINOF", "BROWSER TAB CLOSED - SIGNED OFF")


def test_ten_browser_sessions_at_once(tmp_path: Path) -> None:
    """Ten browser tabs open on one server at once: each signs on and runs ENMOD in its own
    terminal session.  One Chromium with ten tabs (ten Chromium processes are a heavy
    load for a small CI machine; the server cannot tell the difference)."""
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "web.db"
    count = 10
    with web_server(db) as (url, _proc):
        driver = chromium(tmp_path / "profile")
        try:
            tabs = []
            for n in range(count):
                if n:
                    driver.switch_to.new_window("tab")
                driver.get(url)
                tabs.append(driver.current_window_handle)
            for tab in tabs:
                driver.switch_to.window(tab)
                wait_for(driver, "PF13", timeout=120)  # the key bar is drawn: this tab's app is up
                keyboard(driver).send_keys(EMPLOYEE, Keys.TAB, PASSWORD, Keys.ENTER)
            for tab in tabs:
                driver.switch_to.window(tab)
                wait_for(driver, "SIGN-ON COMPLETED", timeout=60)
                keyboard(driver).send_keys("ENMOD 400-00-1001", Keys.ENTER)
            screens = []
            for tab in tabs:
                driver.switch_to.window(tab)
                screens.append(wait_for(driver, "JOHN A SMITH", timeout=60))
        finally:
            driver.quit()
    assert all("400-00-1001" in s for s in screens)
    audit = _audit(db)
    terminals = {r[0] for r in audit if r[2] == "ENMOD"}
    assert len(terminals) == count  # ten terminals, each its own session
    assert sorted(r[0] for r in audit if r[2] == "SINON") == sorted(terminals)
    # All ten were signed on at once: nobody signed off before the last ENMOD.
    last_enmod = max(i for i, r in enumerate(audit) if r[2] == "ENMOD")
    assert all(r[2] != "SINOF" for r in audit[:last_enmod])
