"""Properties (issue #16): whatever bytes a fixture file or a replay script holds, the
command line answers with its exit status and, for an error, ONE readable line -- never a
traceback, `internal error`, or a hang.

In-process through `cli.main` (no subprocess per example, so a few hundred examples take
seconds).  A watchdog stops an example that runs past `BOUND` seconds and fails it: a
hang detector, not a timing assertion (the machine's speed does not matter below it).
"""

from __future__ import annotations

import contextlib
import io
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idrs_sim import cli

BOUND = 30  # seconds; every example here takes well under one
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


class Hung(Exception):
    pass


@contextlib.contextmanager
def watchdog(seconds: int = BOUND) -> Iterator[None]:
    def stop(*_: object) -> None:
        raise Hung(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with watchdog(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_one_line(code: int, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.count("\n") == 1 and err.strip(), err


FIXTURE_TEXT = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    # near-misses of real fixtures: the right keys, wrong values
    st.builds(
        lambda date, value, key: (f"date: {date}\nemployees: []\nentities:\n  - tin: 400-00-1999\n"
                                  f"    name: [X]\n    {key}: {value}\n").encode("utf-8", "surrogatepass"),
        st.sampled_from(["2024-06-17", "2199-12-31", "0001-01-01", "x", "2024-02-30"]),
        st.one_of(st.integers(), st.floats(), st.text(max_size=30), st.just("1e400"), st.just("9" * 5000),
                  st.just("&a [*a]"), st.just("[" * 200 + "]" * 200)),
        st.sampled_from(["tin_type", "file", "name_control", "modules", "address", "established"]),
    ),
)


@PROFILE
@given(data=FIXTURE_TEXT, suffix=st.sampled_from([".yaml", ".json"]))
def test_any_fixture_bytes_give_an_exit_status_and_one_line(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / f"f{suffix}"
        path.write_bytes(data)
        code, out, err = run("fixtures", "check", str(path))
        assert code in (0, 1), (code, err)
        assert "Traceback" not in out + err and "internal error" not in out + err, (out, err)
        code, out, err = run("dump", "--fixture", str(path), "--tin", "400-00-1999")
        assert code in (0, 2), (code, err)
        assert_one_line(code, err)


ACTIONS = ["String", "Enter", "Clear", "Tab", "PF", "PA", "MoveCursor1", "Date", "Load", "SignOn", "Cycle",
           "Fill", "Snap", "Expect", "ExpectNot", "ExpectLine", "ExpectAt", "ExpectMatch", "Nonsense"]
ARG = st.one_of(st.integers(-5, 30).map(str), st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
                st.sampled_from(['"(A|AA)+B"', "2024-06-17", "2300-01-01", "1485012345", '"training"', '"[("', "x"]))
LINE = st.builds(lambda name, args, paren: f"{name}({', '.join(args)})" if paren else name,
                 st.sampled_from(ACTIONS), st.lists(ARG, max_size=3), st.booleans())
SCRIPT = st.one_of(st.binary(max_size=300), st.lists(LINE, max_size=6).map(lambda ls: "\n".join(ls).encode()))


@PROFILE
@given(data=SCRIPT)
def test_any_script_bytes_give_an_exit_status_and_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / "s.txt"
        path.write_bytes(data)
        code, out, err = run("replay", str(path))
        assert code in (0, 1, 2), (code, err)
        assert_one_line(code, err)
        assert "internal error" not in out, out
