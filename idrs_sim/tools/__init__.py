"""Tools over the simulator, not part of a terminal: the generated command reference
(`docgen`), the TPP procedure runner (`procedures`) and its catalogue (`catalogue`), and the
fixture promises the cycle tests keep (`fixture_promises`)."""
