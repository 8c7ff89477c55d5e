"""The grade report an instructor keeps: one self-contained HTML page (no scripts, no fetches).

Trainees by exercise, each check met or missed with its IRM paragraph and explanation, and
what the account showed for a missed check.  The page uses only inline CSS so it opens from
a file on a closed training network and prints cleanly.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from .grade import Grade

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#111}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}
th{background:#eee}.met{color:#075e07;font-weight:bold}.missed{color:#a00;font-weight:bold}
.found{color:#555;font-family:monospace;font-size:.85em}.sum{font-weight:bold}
"""


def html_report(grades: Iterable[Grade], title: str = "idrs-sim grade report", when: str = "",
                names: Mapping[str, str] | None = None, idle: Iterable[tuple[str, str]] = ()) -> str:
    """The page: a summary table (trainee x exercise), then for each exercise a trainee x check
    table and each trainee's checks.  `names`: the trainees' names; `idle`: (IDRS, name) of
    trainees who started no exercise (listed so that nobody is missing from the page)."""
    by_exercise: dict[str, list[Grade]] = {}
    for g in grades:
        by_exercise.setdefault(g.exercise.name, []).append(g)
    e = html.escape
    names = names or {}

    def who(idrs: str) -> str:
        return f"{idrs} {names[idrs]}" if names.get(idrs) else idrs

    out = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(title)}</title><style>{_CSS}</style>",
           f"<h1>{e(title)}</h1>"]
    if when:
        out.append(f"<p>{e(when)}</p>")
    out.append("<table><tr><th>Exercise</th><th>Trainee</th><th>Checks met</th><th>Result</th></tr>")
    for name, items in sorted(by_exercise.items()):
        for g in sorted(items, key=lambda x: x.trainee):
            verdict = '<span class=met>ALL MET</span>' if g.passed else '<span class=missed>MISSED</span>'
            out.append(f"<tr><td>{e(name)}</td><td>{e(who(g.trainee))}</td><td class=sum>{g.summary}</td>"
                       f"<td>{verdict}</td></tr>")
    for idrs, name in sorted(idle):
        out.append(f"<tr><td><i>no exercise started</i></td><td>{e(f'{idrs} {name}'.strip())}"
                   "</td><td></td><td></td></tr>")
    out.append("</table>")
    for name, items in sorted(by_exercise.items()):
        ex = items[0].exercise
        out.append(f"<h2>{e(name)} &mdash; {e(ex.title)}</h2><p>IRM {e(ex.procedure.irm)}. "
                   f"{e(ex.situation)}</p>")
        if len(items) > 1:  # the class at a glance: which check each trainee missed
            ids = [c.id for c in ex.checks]
            out.append("<table><tr><th>Trainee</th>" + "".join(f"<th>{e(i)}</th>" for i in ids) + "</tr>")
            for g in sorted(items, key=lambda x: x.trainee):
                cells = "".join('<td class=met>met</td>' if r.met else '<td class=missed>MISSED</td>'
                                for r in g.results)
                out.append(f"<tr><td>{e(who(g.trainee))}</td>{cells}</tr>")
            out.append("</table>")
        for g in sorted(items, key=lambda x: x.trainee):
            out.append(f"<h3>Trainee {e(who(g.trainee))}: {g.summary} met</h3>")
            out.append("<table><tr><th></th><th>Check</th><th>IRM</th><th>What the IRM expects</th></tr>")
            for r in g.results:
                mark = '<span class=met>MET</span>' if r.met else '<span class=missed>MISSED</span>'
                found = f"<div class=found>found: {e(r.found)}</div>" if r.found and not r.met else ""
                out.append(f"<tr><td>{mark}</td><td>{e(r.check.id)}</td><td>{e(r.check.irm)}</td>"
                           f"<td>{e(r.check.why)}{found}</td></tr>")
            out.append("</table>")
    out.append("</html>")
    return "\n".join(out)
