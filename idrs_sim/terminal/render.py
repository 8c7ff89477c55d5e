"""Plain-text pictures of a `Screen`, for golden-file tests and replay failure reports.

Both show what a person sees (hidden fields blank, attribute positions blank), never
the raw buffer, so a golden file cannot leak a password typed in a hidden field.
"""

from __future__ import annotations

from .screen import COLS, Screen, position

CURSOR_MARK = "_"  # a 3278 cursor is an underscore


def render_text(screen: Screen, cursor: bool = False) -> str:
    """24 lines of exactly 80 characters joined by newlines.

    With `cursor`, the character under the cursor is replaced by `CURSOR_MARK`; use
    `render_with_cursor` when both the character and the cursor matter.
    """
    lines = screen.lines()
    if cursor:
        row, col = position(screen.cursor)
        line = lines[row - 1]
        lines[row - 1] = line[: col - 1] + CURSOR_MARK + line[col:]
    return "\n".join(lines)


def render_with_cursor(screen: Screen) -> str:
    """The screen framed by a column ruler and row numbers, with a ``^`` under the cursor.

    ::

          |         1         2   ...
          |1234567890123456789012 ...
        01|IDRS SIGN-ON           ...|
          |      ^ cursor 01,007
    """
    row, col = position(screen.cursor)
    out = _ruler()
    for n, line in enumerate(screen.lines(), start=1):
        out.append(f"{n:02d}|{line}|")
        if n == row:
            out.append(f"  |{' ' * (col - 1)}^ cursor {row:02d},{col:03d}")
    return "\n".join(out)


def _ruler() -> list[str]:
    tens = "".join(str(c // 10 % 10) if c % 10 == 0 else " " for c in range(1, COLS + 1))
    units = "".join(str(c % 10) for c in range(1, COLS + 1))
    return [f"  |{tens}|", f"  |{units}|"]


__all__ = ["CURSOR_MARK", "render_text", "render_with_cursor"]
