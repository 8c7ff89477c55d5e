"""A parse tree of grammar/command.lark into a `Command`: each token in order becomes its
data element (TIN dashed, LABEL>value fields, free text, the control-base line) with the
`Span` where it stands.  The grammar has already checked the order and the shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.tins import dashed
from .command_elements import INVALID_DATA, Command, ParseError, Span

if TYPE_CHECKING:
    from lark import Token, Tree


def _span(tok: Token) -> Span:
    assert tok.line is not None and tok.column is not None and tok.end_column is not None
    return Span(tok.line, tok.column, tok.end_column)


def command_from_tree(tree: Tree[Token], lines: list[str]) -> Command | ParseError:
    """Walk the tokens in order; the grammar has already checked their order and shape."""
    from lark import Token

    tokens: list[Token] = list(tree.scan_values(lambda v: isinstance(v, Token)))
    cmd = Command(code="", lines=lines)
    spans = cmd.spans
    pending_label: Token | None = None
    text_words: list[Token] = []

    def close_label(value: Token | None) -> None:
        nonlocal pending_label
        if pending_label is None:
            return
        label = pending_label.value[:-1]
        if value is None:
            val = ""
            span = Span(pending_label.line or 0, pending_label.end_column or 0, pending_label.end_column or 0)
        else:
            raw = value.value
            lead = len(raw) - len(raw.lstrip(" "))
            val = raw.strip(" ")
            first = (value.column or 0) + lead
            span = Span(value.line or 0, first, first + len(val))
        cmd.field_list.append((label, val))
        cmd.fields.setdefault(label, val)
        spans.setdefault(label + ">", span)
        pending_label = None

    def close_text() -> None:
        if text_words:
            first, last = text_words[0], text_words[-1]
            line = lines[(first.line or 1) - 1]
            i = len(cmd.text)
            cmd.text.append(line[(first.column or 1) - 1 : (last.end_column or 1) - 1])
            spans[f"text[{i}]"] = Span(first.line or 0, first.column or 0, last.end_column or 0)
            text_words.clear()

    control_seen = False
    for tok in tokens:
        kind = tok.type
        if kind != "VALUE":
            close_label(None)
        if kind != "WORD" or (text_words and text_words[-1].line != tok.line):
            close_text()
        if kind == "CODE":
            cmd.code = tok.value
            spans["code"] = _span(tok)
        elif kind == "DEFINER":
            cmd.definer = tok.value
            spans["definer"] = _span(tok)
        elif kind == "MODIFIER":
            cmd.modifier = tok.value
            spans["modifier"] = _span(tok)
        elif kind in ("SSN", "EIN", "TIN9"):
            digits = tok.value.replace("-", "")
            cmd.tin_kind = "EIN" if kind == "EIN" else "SSN"
            cmd.tin = dashed(digits, cmd.tin_kind)
            cmd.file_source = ""
            spans["tin"] = _span(tok)
            if kind == "TIN9":
                # Nine bare digits may equally be an unpostable sequence number
                # (UPDIS 000000101); the handler knows which one its code takes.
                cmd.seq = tok.value
                spans["seq"] = _span(tok)
        elif kind == "FILE_SOURCE":
            cmd.file_source = tok.value
            spans["file_source"] = _span(tok)
        elif kind == "MFT":
            cmd.mft = tok.value
            spans["mft"] = _span(tok)
        elif kind == "PERIOD":
            cmd.period = tok.value
            spans["period"] = _span(tok)
        elif kind == "NAME_CONTROL":
            cmd.name_control = tok.value
            spans["name_control"] = _span(tok)
        elif kind == "SEQ":
            cmd.seq = tok.value
            spans["seq"] = _span(tok)
        elif kind == "ARG":
            spans[f"args[{len(cmd.args)}]"] = _span(tok)
            cmd.args.append(tok.value)
        elif kind == "LABEL":
            pending_label = tok
        elif kind == "VALUE":
            close_label(tok)
        elif kind == "WORD":
            text_words.append(tok)
        elif kind == "CB_PREFIX":
            if control_seen:
                # One control base per input; IDRS takes one case line per ACTON.
                line = lines[(tok.line or 1) - 1]
                return ParseError(INVALID_DATA, tok.line or 1, len(line) + 1, tok.column or 1)
            control_seen = True
            cmd.control = {}
            line = lines[(tok.line or 1) - 1]
            spans["control"] = Span(tok.line or 0, tok.column or 1, len(line) + 1)
        elif kind in ("ACTIVITY", "STATUS", "CATEGORY"):
            assert cmd.control is not None
            cmd.control[kind.lower()] = tok.value
            spans[f"control.{kind.lower()}"] = _span(tok)
        elif kind == "IDRS_NUM":
            assert cmd.control is not None
            cmd.control["idrs"] = tok.value
            spans["control.idrs"] = _span(tok)
            line = lines[(tok.line or 1) - 1]
            lead = len(line) - len(line.lstrip(" "))
            spans["assignee"] = Span(tok.line or 0, lead + 1, len(line) + 1)
    close_label(None)
    close_text()
    return cmd
