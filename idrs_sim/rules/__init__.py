"""IRS rules as pure functions: no database, no screens (handlers in idrs_sim.cc call them)."""
