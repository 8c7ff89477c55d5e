"""Check kinds for Appeals TDC work on ACDS (memo AP-08-0622-0008), read from `acds_cases`.

What an ACDS case still lacks, whether a TDC invitation paragraph is the memo's text with the
employee's eGain ID, and whether a registration can carry messages are rules of
`idrs_sim.rules.appeals_tdc`; these kinds evaluate those rules on a dump, so an answer key
states the expected outcome without restating the rule.  Pure: dicts in, `Missed` out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..rules import tdc_carats, tdc_invitation, tdc_messaging, tdc_record
from .missed import Missed

__all__ = ["APPEALS_KINDS", "APPEALS_REQUIRED"]

Dump = Mapping[str, Any]
Audit = list[Mapping[str, Any]]


def _case(d: Dump, case_id: str) -> Mapping[str, Any]:
    found = [c for c in d.get("acds_cases") or [] if c.get("id") == case_id]
    if len(found) != 1:
        raise Missed(f"no ACDS case {case_id}")
    return found[0]


def _findings(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """The findings the ACDS screen shows for the case (what the memo still requires) are
    exactly `are` (default: none)."""
    got = tdc_carats.findings(tdc_record.facts(_case(d, str(spec["case"]))))
    want = [str(x) for x in spec.get("are") or []]
    if got != want:
        raise Missed("; ".join(got) if got else "no findings")


def _invitation(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """One TDC invitation: `letter` with the write-in paragraph in the memo's place for that
    letter, the memo's text with the `egain` ID in the blank, issued by `idrs`."""
    case = _case(d, str(spec["case"]))
    invites = [x for x in case.get("letters") or [] if x.get("para")]
    if len(invites) != 1:
        raise Missed(f"{len(invites)} invitation paragraph(s): "
                     f"{[(x.get('letter'), x.get('para'), x.get('egain')) for x in invites] or 'none'}")
    inv = invites[0]
    letter, egain = str(spec["letter"]), str(spec["egain"])
    para = tdc_invitation.INVITATION_PARAGRAPHS.get(letter)
    if (str(inv.get("letter")), inv.get("para")) != (letter, para):
        raise Missed(f"Letter {inv.get('letter')} paragraph {inv.get('para')}, not Letter {letter} paragraph {para}")
    if str(inv.get("egain")) != egain:
        raise Missed(f"Appeals Employee ID {inv.get('egain')}, not the eGain ID {egain}")
    if "idrs" in spec and str(inv.get("idrs")) != str(spec["idrs"]):
        raise Missed(f"issued by {inv.get('idrs')}, not {spec['idrs']}")
    missing = tdc_invitation.missing_elements(str(inv.get("text") or ""), egain)
    if missing or inv.get("text") != tdc_invitation.invitation_paragraph(egain):
        raise Missed("the paragraph is not the memo's text" + (f": lacks {', '.join(missing)}" if missing else ""))


def _registration(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Registrations of the case (`who`, `egain` filter); `usable: true` (default) counts only
    those that can carry messages (consented and authenticated); `count` or `at_least` (1)."""
    regs = tdc_record.registrations(_case(d, str(spec["case"])))
    found = [r for r in regs if ("who" not in spec or r.who == str(spec["who"]))
             and ("egain" not in spec or r.egain_id == str(spec["egain"]))
             and (tdc_messaging.usable(r) is None) == bool(spec.get("usable", True))]
    shown = "; ".join(f"{r.who} {r.egain_id} {tdc_messaging.usable(r) or 'USABLE'}" for r in regs) or "none"
    if "count" in spec and len(found) != int(spec["count"]):
        raise Missed(f"{len(found)} matching, {spec['count']} expected: {shown}")
    if "count" not in spec and len(found) < int(spec.get("at_least", 1)):
        raise Missed(f"{len(found)} matching: {shown}")


APPEALS_KINDS: dict[str, tuple[Callable[[Dump, Mapping[str, Any], Audit], None], frozenset[str]]] = {
    "tdc_findings": (_findings, frozenset({"case", "are"})),
    "tdc_invitation": (_invitation, frozenset({"case", "letter", "egain", "idrs"})),
    "tdc_registration": (_registration, frozenset({"case", "who", "egain", "usable", "count", "at_least"})),
}
APPEALS_REQUIRED = {"tdc_findings": ("case",), "tdc_invitation": ("case", "letter", "egain"),
                    "tdc_registration": ("case",)}
