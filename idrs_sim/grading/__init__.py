"""Exercises and grading: what the IRM expected of a trainee's work, checked on the master file.

* `checks` -- the declarative check kinds (pure, over `idrs-sim dump` data);
* `exercises` -- procedure scripts with their answer keys (``procedures/<area>/<name>.yaml``);
* `grade` -- grades a master file (a trainee's sandbox or a ``--db``) on a copy.
"""
