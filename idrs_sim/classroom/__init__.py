"""The classroom: a sandbox per trainee, the instructor's codes, all in one database (docs/classroom.md)."""

from .classroom import (
    DEFAULT_TRAINEES,
    Classroom,
    ClassroomError,
    classroom_of,
    trainee_number,
)

__all__ = ["DEFAULT_TRAINEES", "Classroom", "ClassroomError", "classroom_of", "trainee_number"]
