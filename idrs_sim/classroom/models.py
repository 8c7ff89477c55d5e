"""The classroom's own tables, beside the lobby master file in the classroom database.

`class_lesson` lists the lessons the class has had (the last one is the current one) and
where its untouched copy (the clone source) lives; `sandbox` lists each trainee's
sandboxes: where the copy lives, for which lesson, and whether it is the active one (a
RESET or a new LESSON retires a sandbox but keeps it, so the work done in it stays on
record).  Separate metadata from the master file's (`masterfile.models.Base`): a sandbox
is a whole master file and carries none of these tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Engine, Index, Integer, String, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ClassroomBase(DeclarativeBase):
    pass


class ClassLesson(ClassroomBase):
    """One lesson of the class: a fixture name or path, loaded once into its own copy."""

    __tablename__ = "class_lesson"

    no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))  # as the instructor typed it (training, tpp/...)
    source: Mapped[str] = mapped_column(String(400))  # the resolved fixture file
    location: Mapped[str] = mapped_column(String(200))  # SQLite file name or PostgreSQL schema of the copy
    started: Mapped[dt.datetime] = mapped_column(DateTime)  # simulated time of the lesson's fixture


class Sandbox(ClassroomBase):
    """One trainee's copy of one lesson's master file."""

    __tablename__ = "sandbox"
    __table_args__ = (Index("ix_sandbox_idrs", "idrs", "lesson_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idrs: Mapped[str] = mapped_column(String(10))
    lesson_no: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(200))  # SQLite file name or PostgreSQL schema
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)  # the copy is complete
    created: Mapped[dt.datetime] = mapped_column(DateTime)  # simulated time at sign-on


def is_classroom_database(engine: Engine) -> bool:
    """Whether the database holds a class (its registry), not a plain master file: the
    classroom's own start, `grade` and the commands that must not act on a class's lobby ask."""
    return inspect(engine).has_table(ClassLesson.__tablename__)
