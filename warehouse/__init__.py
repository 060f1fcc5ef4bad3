"""Storage: raw landing, the working DuckDB database and its loads, and atomic publication."""
