"""Field coverage: every leaf of every real record reaches a column, or is on the explained list."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from schemas.coverage import UNMAPPED, mapped_paths
from schemas.study.paths import KNOWN_EXTRA_PATHS, leaf_specs
from schemas.tables import CTGOV_TABLES
from transforms.normalize import normalize


def _leaves(
    value: Any, path: str, out: Counter[str], present: dict[str, set[str]], nct: str
) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _leaves(child, f"{path}.{key}" if path else key, out, present, nct)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, f"{path}[]", out, present, nct)
    else:
        out[path] += 1
        if value is not None:
            present[path].add(nct)


@pytest.fixture(scope="module")
def sample_leaves(sample_dir: Path) -> tuple[Counter[str], dict[str, set[str]]]:
    counts: Counter[str] = Counter()
    present: dict[str, set[str]] = defaultdict(set)
    files = sorted((sample_dir / "studies").glob("*.json")) + sorted(
        (sample_dir / "versions").glob("*.json")
    )
    for path in files:
        record = orjson.loads(path.read_bytes())
        nct = record["protocolSection"]["identificationModule"]["nctId"]
        _leaves(record, "", counts, present, nct)
    return counts, present


def test_every_sample_leaf_maps_to_a_column_or_is_explained(sample_leaves, capsys):
    counts, _ = sample_leaves
    mapped = mapped_paths(CTGOV_TABLES)
    missing = sorted(p for p in counts if p not in mapped and p not in UNMAPPED)
    covered = sum(1 for p in counts if p in mapped)
    with capsys.disabled():
        print(  # noqa: T201 - the coverage figure is this test's report, shown on purpose
            f"\nfield coverage: {covered}/{len(counts)} sample leaf paths map to a column "
            f"({100 * covered / len(counts):.1f} %), {len(counts) - covered - len(missing)} on the "
            f"explained ignore list, {len(missing)} unexplained"
        )
    assert missing == []


def test_every_spec_leaf_maps_to_a_column_or_is_explained():
    mapped = mapped_paths(CTGOV_TABLES)
    missing = sorted(p for p in leaf_specs() if p not in mapped and p not in UNMAPPED)
    assert missing == []


def test_every_column_source_is_a_real_record_path():
    # A source that names no spec (or known extra) leaf is a typo or an upstream rename.
    known = set(leaf_specs()) | set(KNOWN_EXTRA_PATHS)
    bogus = sorted(p for p in mapped_paths(CTGOV_TABLES) if p not in known)
    assert bogus == []


def test_ignore_list_is_short_and_every_entry_says_why():
    assert all(len(reason) > 40 for reason in UNMAPPED.values())
    assert not set(UNMAPPED) & set(mapped_paths(CTGOV_TABLES))


def test_every_present_leaf_value_reaches_its_columns(sample_leaves, sample_studies):
    """A leaf that has a value in a record gives a non-null value in one of its columns."""
    _, present = sample_leaves
    batch = normalize([(nct, rec) for nct, rec in sample_studies.items()])
    filled: dict[str, set[str]] = defaultdict(set)
    for table, data in batch.tables.items():
        ids = data.column("nct_id").to_pylist()
        for column in table.columns:
            if column.sources:
                values = data.column(column.name).to_pylist()
                filled[f"{table.qualified_name}.{column.name}"] |= {
                    nct for nct, value in zip(ids, values, strict=True) if value is not None
                }
    studies = set(sample_studies)
    gaps = {}
    for path, columns in mapped_paths(CTGOV_TABLES).items():
        expected = present.get(path, set()) & studies
        reached = set().union(*(filled[c] for c in columns))
        if expected - reached:
            gaps[path] = sorted(expected - reached)[:3]
    assert gaps == {}
