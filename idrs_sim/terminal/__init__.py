"""The 3270 model: screen buffer, fields, cursor, keyboard and AID keys."""
