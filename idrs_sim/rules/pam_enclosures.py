"""The publications enclosed with an Appeals acknowledgement letter, and the case action record
entry that documents them.

IRM 8.26.9.2.3(2) (memo AP-08-1125-0028): "Publication 4167, Introduction to Alternative
Dispute Resolution, explains the mediation process and is enclosed with Letter 5576, Appeals
Offer in Compromise Acknowledgement and Conference, and Letter 5157, Non-docketed
Acknowledgement and Conference.  Note: Be sure the case action record documents Publication
4167 was included as an enclosure with the letter."  The TDC invitation paragraph says "Please
see the enclosed Publication 5437" (memo AP-08-0622-0008, ATE Case Actions 2), so a letter
that carries it encloses Publication 5437 as well.  Decision APP-R17.
"""

from __future__ import annotations

PUB_ADR = "4167"
PUB_SECURE_MESSAGING = "5437"
PUBLICATIONS: dict[str, str] = {
    PUB_ADR: "INTRODUCTION TO ALTERNATIVE DISPUTE RESOLUTION",
    PUB_SECURE_MESSAGING: "IRS INDEPENDENT OFFICE OF APPEALS SECURE MESSAGING",
}
#: The letters Publication 4167 is always enclosed with (8.26.9.2.3(2)).
PUB_4167_LETTERS = frozenset({"5157", "5576"})


def enclosures(letter: str, invitation: bool) -> tuple[str, ...]:
    """The publications enclosed with `letter`: Pub 4167 with 5157 and 5576, Pub 5437 with a
    letter that carries the TDC invitation paragraph."""
    pubs = [PUB_ADR] if letter in PUB_4167_LETTERS else []
    if invitation:
        pubs.append(PUB_SECURE_MESSAGING)
    return tuple(pubs)


def enclosure_lines(letter: str, invitation: bool) -> list[str]:
    """How the letter's record shows its enclosures, one publication a line."""
    return [f"ENCLOSURE: PUB {pub} {PUBLICATIONS[pub]}" for pub in enclosures(letter, invitation)]


def case_action_note(letter: str, invitation: bool) -> str | None:
    """The case action record entry that documents Pub 4167 was enclosed with the letter (the
    Note of 8.26.9.2.3(2)); None for a letter Pub 4167 does not go with."""
    pubs = enclosures(letter, invitation)
    if PUB_ADR not in pubs:
        return None
    return f"L{letter} ISSUED - ENCLOSED PUB " + ", PUB ".join(pubs)
