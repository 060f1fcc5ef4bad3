"""Contracts: the API record (pydantic source models) and every output table, declared once."""
