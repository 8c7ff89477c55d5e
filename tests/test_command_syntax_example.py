"""The worked TPP example of docs/command-syntax.md §2 replays as printed (it had drifted:
UPTIN leaves line 24 blank, a command needs a cleared screen, UPDIS must precede UPRES and
the case must be taken with UPASGR first).  Read from the document, so it cannot drift again."""

from __future__ import annotations

import io
import re
from pathlib import Path

from test_readme_tour import _fenced_blocks

from idrs_sim import replay

DOC = Path(__file__).resolve().parents[1] / "docs" / "command-syntax.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(title)
    nxt = re.compile(r"\n## ").search(text, start + len(title))
    return text[start: nxt.start() if nxt else len(text)]


def test_the_replay_example_of_section_2_replays_as_printed(tmp_path: Path) -> None:
    example = _fenced_blocks(_section("## 2. Replay scripts"))[0]
    assert example.startswith("# TPP caller") and "Expect" in example
    script = tmp_path / "example.txt"
    script.write_text(example, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([script], out=out, err=err) == 0, out.getvalue() + err.getvalue()
    assert "PASS" in out.getvalue() + err.getvalue()
