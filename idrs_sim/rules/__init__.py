"""IRS rules as pure functions: no database, no screens, no clock of their own.

Each module states the rules of one IRM section or memo once; the command-code handlers in
`idrs_sim.cc` read the master file, ask these functions, and write what they decide.
"""
