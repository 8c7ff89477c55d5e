"""The master file: models, database access, fixtures, derived account state."""
