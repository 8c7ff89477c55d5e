"""A closed tab's process is let finish signing off before it is killed.

`idrs-sim web` stops a tab's process when its page goes away.  The process answers the
"quit" by drawing its last frames and then signs off (an audit write); the page is gone,
so relaying those frames fails.  That failure must not end the relay and let `stop()` kill
the process mid sign-off (the audit then lost its SINOF record; a CI run caught it).  Here a
small stand-in process speaks textual-serve's packet protocol, so no browser is needed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from textual_serve.download_manager import DownloadManager

from idrs_sim.front import web
from idrs_sim.front.web import TabService

TAB = r"""
import json, os, sys, time
out = sys.stdout.buffer
marker = sys.argv[1]
out.write(b"__GANGLION__\n"); out.flush()
def packet(kind, payload):
    out.write(kind + len(payload).to_bytes(4, "big") + payload); out.flush()
inp = sys.stdin.buffer
while True:
    head = inp.read(5)
    if len(head) < 5:
        break
    body = inp.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and json.loads(body).get("type") == "quit":
        for _ in range(50):  # the last frames, after the page has gone
            packet(b"D", b"x" * 4096)
        time.sleep(0.5)  # signing off takes a moment
        with open(marker, "w") as f:
            f.write("SINOF")
        break
"""


class GonePage:
    """A page whose WebSocket has closed: every write fails as aiohttp's does."""

    def __init__(self) -> None:
        self.closed = 0

    async def write_bytes(self, data: bytes) -> None:
        raise ConnectionResetError("Cannot write to closing transport")

    async def write_str(self, data: str) -> None:
        raise ConnectionResetError("Cannot write to closing transport")

    async def close(self) -> None:
        self.closed += 1


def _stop_after_page_went(tmp_path: Path) -> tuple[Path, float, GonePage, int | None]:
    marker = tmp_path / "signed-off"
    script = tmp_path / "tab.py"
    script.write_text(TAB, encoding="utf-8")
    page = GonePage()

    async def scenario() -> tuple[float, int | None]:
        service = TabService([sys.executable, str(script), str(marker)], write_bytes=page.write_bytes,
                             write_str=page.write_str, close=page.close, download_manager=DownloadManager())
        await service.start(80, 24)
        started = time.monotonic()
        await service.stop()
        assert service._process is not None
        return time.monotonic() - started, service._process.returncode

    # A bound, so that a stop which never returns (a killed process whose output nobody drains
    # never finishes) fails here instead of hanging the suite.
    took, code = asyncio.run(asyncio.wait_for(scenario(), 30))
    return marker, took, page, code


def test_stop_waits_for_the_tab_to_sign_off_when_the_page_has_gone(tmp_path: Path) -> None:
    marker, took, page, code = _stop_after_page_went(tmp_path)
    assert marker.read_text() == "SINOF"  # not killed mid sign-off
    assert code == 0  # it exited by itself
    assert took < web.STOP_GRACE
    assert page.closed >= 1  # the page is told the session ended


def test_a_tab_that_will_not_end_is_killed_after_the_grace(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(web, "STOP_GRACE", 0.1)  # shorter than the stand-in's sign-off
    marker, took, _page, code = _stop_after_page_went(tmp_path)
    assert not marker.exists()
    assert code is not None and code < 0  # killed by a signal
    assert took < 5
