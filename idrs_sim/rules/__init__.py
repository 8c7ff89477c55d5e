"""IRS and simulator rules as pure functions: no SQLAlchemy, no I/O, no clock reads."""
