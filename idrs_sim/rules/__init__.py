"""IRS rules as pure functions (no SQLAlchemy, no screens): each rule stated once and
called from input validation, posting, advice and grading alike (DESIGN: "One statement
of each rule"); the handlers in idrs_sim.cc and the posting run call them."""
