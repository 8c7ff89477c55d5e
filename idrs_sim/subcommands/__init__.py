"""The subcommands of ``idrs-sim`` (CONTRACT §1), one module per area.

`idrs_sim.cli` is the program: it reads the command line (`parser`), dispatches to a
subcommand and turns what goes wrong into one line and an exit status.  Here:

* `common` -- what every subcommand shares: `UsageError`, opening the simulator for
  ``--db``/``--fixture``/``--date``, telling a database error from a defect;
* `parser` -- the argument parser, its help texts and option types;
* `cycle` -- ``cycle`` and its report;
* `data` -- ``dump``, ``reset`` and ``fixtures check``: the master file as data;
* `terminals` -- the terminal UI, ``serve``, ``web`` and ``classroom``: people at terminals;
* `checks` -- ``replay``, ``grade`` and ``audit``: checking what happens or happened.

Nothing heavy is imported at the top of any of them: ``--help`` and usage errors answer
without loading SQLAlchemy (each subcommand imports what it needs when it runs).
"""
