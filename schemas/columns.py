"""Column builders for shapes that recur across tables (keys, ordinals, partial dates, date structs)."""

from __future__ import annotations

import pyarrow as pa

from schemas.table import Column


def nct_id(doc: str = "Registry id (NCT + 8 digits); joins every table.") -> Column:
    """The study key every ctgov table carries."""
    return Column("nct_id", pa.string(), doc, nullable=False)


def ordinal(doc: str = "0-based position of the item in its source list.") -> Column:
    """Position of a list item in the record, so child rows keep the registry's order."""
    return Column("ordinal", pa.int32(), doc, nullable=False)


def text(name: str, source: str | None, doc: str, *, nullable: bool = True) -> Column:
    """A string column (shorthand, the most common type)."""
    return Column(name, pa.string(), doc, nullable=nullable, source=source)


def partial_date(prefix: str, date_source: str, what: str, type_source: str | None) -> list[Column]:
    """Columns for a registry PartialDate (`yyyy`, `yyyy-MM` or `yyyy-MM-dd`).

    AACT's `<prefix>_date` and `<prefix>_month_year`, plus the raw string and its precision so that
    a month-only date is never mistaken for the first of the month. `type_source` adds AACT's
    `<prefix>_date_type` (ACTUAL/ESTIMATED) where the registry gives one.
    """
    cols = [
        Column(
            f"{prefix}_date",
            pa.date32(),
            f"{what}, normalized to the first day of its period (see {prefix}_date_precision).",
        ),
        Column(
            f"{prefix}_month_year",
            pa.string(),
            f"{what} as AACT shows it: 'Month yyyy' (or 'yyyy' for a year-only date).",
        ),
        Column(
            f"{prefix}_date_raw",
            pa.string(),
            f"{what} exactly as the registry wrote it.",
            source=date_source,
        ),
        Column(
            f"{prefix}_date_precision",
            pa.string(),
            f"Precision of {prefix}_date_raw: 'year', 'month' or 'day'.",
        ),
    ]
    if type_source is not None:
        cols.append(
            Column(
                f"{prefix}_date_type",
                pa.string(),
                f"Whether the {what.lower()} is ACTUAL or ESTIMATED.",
                source=type_source,
            )
        )
    return cols


def date_struct(prefix: str, struct_source: str, what: str) -> list[Column]:
    """Columns for a registry DateStruct (a full date plus ACTUAL/ESTIMATED)."""
    return [
        Column(f"{prefix}_date", pa.date32(), f"{what}.", source=f"{struct_source}.date"),
        Column(
            f"{prefix}_date_type",
            pa.string(),
            f"Whether the {what.lower()} is ACTUAL or ESTIMATED.",
            source=f"{struct_source}.type",
        ),
    ]
