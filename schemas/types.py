"""The Arrow → DuckDB type map: one place decides how a declared column is stored in each engine."""

from __future__ import annotations

import pyarrow as pa

# JSON documents are Arrow strings; DuckDB stores them in its JSON type so analysts can use ->>.
JSON = pa.string()
JSON_METADATA_KEY = b"trialsync.json"

_SCALARS: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
    pa.binary(): "BLOB",
    pa.large_binary(): "BLOB",
    pa.timestamp("us"): "TIMESTAMP",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    """Return the DuckDB SQL type for an Arrow type, or raise for a type we never declare."""
    if arrow_type in _SCALARS:
        return _SCALARS[arrow_type]
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    raise TypeError(f"no DuckDB mapping declared for Arrow type {arrow_type}")
