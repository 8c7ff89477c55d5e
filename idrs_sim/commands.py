"""Command-code definitions (data in `commands/*.yaml`) and the handlers that carry them out.

A definition says what a command code is: its definers, elements, the roles that may run
it, a help text and its IRM reference.  Handlers live in `idrs_sim.cc` and register with
`@handles("ENMOD")`; a code with a definition and no handler is reported by the tests.
The command reference in docs/ is generated from the definitions, so it cannot drift.
The reference data the definitions' validations use (codes, URCs, ICS lists...) is not here:
it is in tables/, read by idrs_sim.rules.tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .cache import read_yaml
from .resources import data_dir

ANY_ROLE = "any"


@dataclass(frozen=True)
class CommandDef:
    code: str
    title: str
    kind: str  # research | input | system | ics | ams
    syntax: list[str]
    definers: dict[str, str]
    elements: list[str]
    roles: tuple[str, ...] | str
    irm: str
    help: str
    requires_definer: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def takes_definer(self, definer: str | None) -> bool:
        """Whether the code takes this definer: none, or one its definition lists.  A code
        whose definition says `invalid_definer: default` (IRPTR, IRM 2.3.35) reads any other
        definer as its default; every other code refuses it (INVALID DEFINER), including a
        code that takes no definer at all (`CYCLEZ ALL` ran CYCLE)."""
        if definer is None or definer in self.definers:
            return True
        return bool(self.definers) and self.extra.get("invalid_definer") == "default"

    def allows(self, roles: list[str] | tuple[str, ...]) -> bool:
        """Whether an employee with these roles may run the code (instructors may run all)."""
        if self.roles == ANY_ROLE:
            return True
        return bool(set(roles) & (set(self.roles) | {"instructor"}))


@cache
def definitions() -> dict[str, CommandDef]:
    """Every command-code definition, by code, read once from commands/*.yaml."""
    out: dict[str, CommandDef] = {}
    for path in sorted(data_dir("commands").glob("*.yaml")):
        data = read_yaml(path) or {}
        for code, d in (data.get("commands") or {}).items():
            code = str(code).upper()
            if code in out:
                raise ValueError(f"{path.name}: command code {code} is defined twice")
            roles = d.get("roles", ANY_ROLE)
            out[code] = CommandDef(
                code=code,
                title=d["title"],
                kind=d.get("kind", "research"),
                syntax=list(d.get("syntax") or [code]),
                definers={str(k).upper(): v for k, v in (d.get("definers") or {}).items()},
                elements=list(d.get("elements") or []),
                roles=ANY_ROLE if roles == ANY_ROLE else tuple(roles),
                irm=d.get("irm", ""),
                help=d.get("help", "").rstrip(),
                requires_definer=bool(d.get("requires_definer", False)),
                extra={k: v for k, v in d.items() if k not in {
                    "title", "kind", "syntax", "definers", "elements", "roles", "irm", "help", "requires_definer"}},
            )
    return out


def resolve(parsed: Any) -> Any:
    """A simulator code longer than five characters (ACMSREQ, ACMSLT) is lexed as a 5-letter
    code with a definer and modifier glued on; when the code is not defined and the whole
    head is, the command is that code without definer or modifier."""
    if parsed.code not in definitions() and (parsed.definer or parsed.modifier) and parsed.head in definitions():
        parsed.code, parsed.definer, parsed.modifier = parsed.head, None, None
        spans = parsed.spans
        if "code" in spans:
            last = spans.get("modifier") or spans.get("definer") or spans["code"]
            spans["code"] = type(spans["code"])(spans["code"].line, spans["code"].start, last.end)
        spans.pop("definer", None)
        spans.pop("modifier", None)
    return parsed


Handler = Callable[..., Any]
_HANDLERS: dict[str, Handler] = {}


def handles(*codes: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one or more command codes."""

    def register(fn: Handler) -> Handler:
        for code in codes:
            _HANDLERS[code.upper()] = fn
        return fn

    return register


def handler_for(code: str) -> Handler | None:
    _load_handlers()
    return _HANDLERS.get(code.upper())


@cache
def _load_handlers() -> None:
    """Import every module of idrs_sim.cc so their @handles decorators run."""
    import importlib
    import pkgutil

    from . import cc

    for info in pkgutil.iter_modules(cc.__path__):
        importlib.import_module(f"{cc.__name__}.{info.name}")
