"""The no-show to a Letter 5857 is recorded only once its appointment has come (IRM 5.7.1.6;
rules.ftd_letters.contact_problem, decision FX-4)."""

from __future__ import annotations

import datetime as dt

from idrs_sim.rules import ftd_letters

APPT = dt.datetime(2024, 6, 25, 10, 0)


def test_appointment_at_reads_the_recorded_appointment() -> None:
    assert ftd_letters.appointment_at("2024-06-25 10:00") == APPT
    assert ftd_letters.appointment_at("") is None and ftd_letters.appointment_at(None) is None


def test_no_show_only_once_an_appointment_has_come() -> None:
    def problem(now: dt.datetime, *appts: dt.datetime | None) -> str | None:
        return ftd_letters.contact_problem("NOSHOW", had_5857=True, appointments=appts, now=now)

    assert problem(APPT - dt.timedelta(minutes=1), APPT) == ftd_letters.NOSHOW_BEFORE_APPOINTMENT
    assert problem(APPT, APPT) is None
    assert problem(APPT + dt.timedelta(days=1), APPT) is None
    # a later 5857 rescheduling the meeting does not undo a no-show to the first one
    assert problem(APPT + dt.timedelta(days=1), APPT, APPT + dt.timedelta(days=14)) is None
    # a 5857 with no appointment recorded (fixture data): nothing to wait for
    assert problem(APPT - dt.timedelta(days=1), None) is None
    # a phone contact may come before the appointment; no 5857 at all is still refused first
    assert ftd_letters.contact_problem("PHONE", had_5857=True, appointments=[APPT],
                                       now=APPT - dt.timedelta(days=3)) is None
    assert ftd_letters.contact_problem("NOSHOW", had_5857=False, now=APPT) == ftd_letters.LETTER_5857_FIRST
