"""`idrs-sim classroom`: the class's TN3270 server (the server of `idrs-sim serve`, with a
host factory that makes a `ClassroomHost` per connection)."""

from __future__ import annotations

import sys

from .classroom import Classroom
from .host import ClassroomHost

DEFAULT_DB = "sqlite:///classroom.db"


def host_factory(room: Classroom):  # type: ignore[no-untyped-def]
    """The TN3270 server's factory: one classroom terminal per connection."""

    def make(terminal_id: str) -> ClassroomHost:
        return ClassroomHost(room, terminal_id)

    return make


def run(url: str | None, lesson: str | None, host: str, port: int, trainees: int) -> int:
    """Open (or start) the class and serve it until SIGTERM/Ctrl+C; the exit status."""
    from ..front.tn3270.server import run_server
    from ..gcpause import freeze_long_lived

    url = url or DEFAULT_DB
    with Classroom(url, lesson, trainees=trainees) as room:
        if room.note:
            print(f"idrs-sim classroom: {room.note}", file=sys.stderr, flush=True)
        current = room.current_lesson()
        print(f"idrs-sim classroom: database {url}, lesson {current.name if current else '?'}; trainees sign on "
              f"as 1485100001..{1485100000 + trainees} (password train123)", file=sys.stderr, flush=True)
        freeze_long_lived()
        return run_server(host_factory(room), host, port)
