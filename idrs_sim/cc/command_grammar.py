"""The Lark parser of grammar/command.lark, built once per process (and cached once per
user: idrs_sim.cache).

Lark is imported when the first command is parsed, not with this module: a host session
imports it, and a replay script that never types a command (or `idrs-sim --help`) then
starts without Lark (about 40 ms with interegular, which Lark imports when installed).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from idrs_sim.cache import open_lark
from idrs_sim.resources import data_file

if TYPE_CHECKING:
    from lark import Lark, Token


def _accept_junk() -> Any:
    """A post-lexer that lets the contextual lexer produce JUNK in every parser state.

    Without it an unexpected element is lexed as whatever prefix of it some terminal
    happens to match, and the error lands in the middle of the element.  (A class made
    here, not at module level, because its base class is Lark's.)
    """
    from lark.lark import PostLex

    class _AcceptJunk(PostLex):
        always_accept = ("JUNK",)

        def process(self, stream: Iterator[Token]) -> Iterator[Token]:
            return stream

    return _AcceptJunk()


def _strict_available() -> bool:
    # Lark's strict mode needs interegular to prove that no two terminals collide.
    # Without it Lark refuses strict=True outright; the grammar itself is checked in
    # strict mode by tests/test_grammar.py, so a missing interegular only drops the check.
    return importlib.util.find_spec("interegular") is not None


@cache
def command_parser(strict: bool | None = None) -> Lark:
    """The LALR parser for grammar/command.lark (once per process; built once per user: idrs_sim.cache)."""
    return open_lark(
        str(data_file("grammar", "command.lark")),
        parser="lalr",
        lexer="contextual",
        strict=_strict_available() if strict is None else strict,
        postlex=_accept_junk(),
        maybe_placeholders=False,
    )
