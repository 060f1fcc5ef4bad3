"""Reading a publication the way an analyst would, and listing everything wrong with it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from warehouse.publish import ANALYST_DB, MANIFEST, PUBLISHED


@dataclass
class Publication:
    """What `published/` pointed at when it was read, and what did not hold up."""

    snapshot: Path | None
    manifest: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str | None:
        """The run that wrote the publication."""
        return self.manifest.get("run_id")


def read_publication(data_dir: Path) -> Publication:
    """Resolve `published`, then check its manifest, every Parquet file and the analyst database.

    Every file the manifest lists must exist, hash to its recorded sha256 and hold its recorded
    rows; the analyst database must open read-only and count, per table, what the manifest says.
    """
    link = data_dir / PUBLISHED
    if not link.is_symlink():
        return Publication(None, problems=[f"{link} is not a symlink"])
    snapshot = link.resolve()
    pub = Publication(snapshot)
    try:
        pub.manifest = json.loads((link / MANIFEST).read_text())
    except (OSError, ValueError) as err:
        pub.problems.append(f"manifest unreadable: {err}")
        return pub
    for name, table in pub.manifest["tables"].items():
        for entry in table["files"]:
            pub.problems += _file_problems(snapshot, name, entry)
    pub.problems += _analyst_problems(link / ANALYST_DB, pub.manifest)
    return pub


def _file_problems(snapshot: Path, table: str, entry: dict[str, Any]) -> list[str]:
    path = snapshot / entry["path"]
    if not path.is_file():
        return [f"{table}: {entry['path']} is missing"]
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
        return [f"{table}: {entry['path']} does not match its sha256"]
    rows = pq.ParquetFile(path).metadata.num_rows
    if rows != entry["rows"]:
        return [f"{table}: {entry['path']} holds {rows} rows, the manifest says {entry['rows']}"]
    return []


def _analyst_problems(path: Path, manifest: dict[str, Any]) -> list[str]:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        return [f"analyst database does not open: {err}"]
    problems = []
    try:
        # Every dataset is a view in its own schema (the unqualified AACT names are in main).
        schemas = dict(
            con.execute(
                "SELECT view_name, schema_name FROM duckdb_views() "
                "WHERE NOT internal AND schema_name <> 'main'"
            ).fetchall()
        )
        for name, table in manifest["tables"].items():
            if name not in schemas:
                problems.append(f"analyst database has no view {name}")
                continue
            sql = f'SELECT count(*) FROM {schemas[name]}."{name}"'
            count = con.execute(sql).fetchall()[0][0]
            if count != table["rows"]:
                problems.append(f"{name}: the view counts {count}, the manifest {table['rows']}")
    finally:
        con.close()
    return problems
