"""Helpers for the browser tests: `idrs-sim web` as a subprocess, headless Chromium, the screen text.

The screen is drawn by xterm.js on a canvas, so its text is read through xterm's buffer
API: the page keeps its terminals in ``window.idrsTerminals`` (idrs_sim/front/web.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("IDRS_SIM_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("IDRS_SIM_CHROMEDRIVER", "/usr/bin/chromedriver")

SCREEN_JS = """
const terms = window.idrsTerminals || [];
if (!terms.length || !terms[0].terminal) return null;
const t = terms[0].terminal, b = t.buffer.active, out = [];
for (let i = 0; i < t.rows; i++) { const l = b.getLine(i); out.push(l ? l.translateToString(true) : ""); }
return out.join("\\n");
"""

# The cell size and where the text area is, to click a key of the on-screen key bar.
GEOMETRY_JS = """
const t = window.idrsTerminals[0].terminal;
const r = t.element.querySelector('.xterm-screen').getBoundingClientRect();
return [r.width / t.cols, r.height / t.rows, t.cols, t.rows];
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and shutil.which(path) is None:
            return f"{path} not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed"
    return None


@contextmanager
def web_server(db: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`idrs-sim web --port 0` on `db`; yields (base URL, process); SIGTERM at the end (exit 0 checked)."""
    argv = [sys.executable, "-m", "idrs_sim.cli", "web", "--port", "0", "--db", f"sqlite:///{db}", *extra]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://"), (line, proc.stderr.read() if proc.stderr else "")
        yield line.split()[-1], proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=90)  # the server gives each tab up to 60 s to sign off
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert code == 0, f"idrs-sim web exited {code}: {proc.stderr.read() if proc.stderr else ''}"


def chromium(profile: Path, width: int = 1000, height: int = 760) -> Any:
    """A headless Chromium under Selenium (Debian's chromium and chromedriver, a fresh profile)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    return driver


def screen(driver: Any) -> str:
    """The terminal's text as the page shows it (rows joined by newlines; '' before it has drawn)."""
    return driver.execute_script(SCREEN_JS) or ""


def wait_for(driver: Any, what: str | Callable[[str], bool], timeout: float = 30.0) -> str:
    """Wait until the screen shows `what` (a text, or a test of the screen); the screen text."""
    test = (lambda s: what in s) if isinstance(what, str) else what
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        text = screen(driver)
        if test(text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"screen never showed {what!r}; it reads:\n{text}")


def keyboard(driver: Any) -> Any:
    """The element xterm.js takes keys from (its hidden textarea)."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")


def click_key(driver: Any, label: str) -> None:
    """Click the on-screen key whose label is `label` (found in the screen text)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    rows = screen(driver).split("\n")
    for y, row in enumerate(rows):
        for x in _label_columns(row, label):
            cell_w, cell_h, _cols, _rows = driver.execute_script(GEOMETRY_JS)
            element = driver.find_element(By.CSS_SELECTOR, ".xterm-screen")
            size = element.size
            # Selenium 4 offsets are from the element's centre.
            dx = (x + len(label) / 2) * cell_w - size["width"] / 2
            dy = (y + 0.5) * cell_h - size["height"] / 2
            ActionChains(driver).move_to_element_with_offset(element, int(dx), int(dy)).click().perform()
            return
    raise AssertionError(f"no key {label!r} on the screen")


def _label_columns(row: str, label: str) -> list[int]:
    """Columns where `label` stands as a whole word in `row` (PF1 must not match PF12)."""
    found, at = [], row.find(label)
    while at >= 0:
        end = at + len(label)
        if (at == 0 or row[at - 1] == " ") and (end >= len(row) or row[end] == " "):
            found.append(at)
        at = row.find(label, at + 1)
    return found
