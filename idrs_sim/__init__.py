"""idrs-sim: a simulated IRS IDRS mainframe for training and procedure tests."""

__version__ = "0.1.0"
