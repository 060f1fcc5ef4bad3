"""Column builders for shapes many tables share: keys, ordinals, partial dates, date structs."""

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

    As AACT has them: `<prefix>_month_year` holds the registry's string exactly, `<prefix>_date` the
    last day of its period (AACT's rule, so AACT date filters give the same answers). Unlike AACT,
    `<prefix>_date_precision` says whether that date is a day, a month or a year. `type_source`
    adds AACT's `<prefix>_date_type` (ACTUAL/ESTIMATED) where the registry gives one.
    """
    cols = [
        Column(
            f"{prefix}_date",
            pa.date32(),
            f"{what}, as a date: the last day of its period when only a month or year is given.",
        ),
        Column(
            f"{prefix}_month_year",
            pa.string(),
            f"{what} exactly as the registry wrote it (yyyy, yyyy-MM or yyyy-MM-dd).",
            source=date_source,
        ),
        Column(
            f"{prefix}_date_precision",
            pa.string(),
            f"Precision of {prefix}_month_year: 'day', 'month' or 'year'.",
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


def stable_id(
    doc: str = "Stable integer id derived from the row's key (AACT joins use it).",
) -> Column:
    """AACT's `id`: deterministic from the natural key, so loads and rebuilds reproduce it."""
    return Column("id", pa.int64(), doc, nullable=False)


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
