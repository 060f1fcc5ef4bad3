"""Pure functions: a study record in, rows out. No I/O, no clock, no environment."""
