"""The dependency rules of STYLE.md §1, checked on the source: imports point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN = {"flows", "transforms", "schemas", "warehouse", "replay", "bench", "tests"}
ALLOWED = {
    "schemas": {"schemas"},
    "transforms": {"transforms", "schemas"},
    "warehouse": {"warehouse", "schemas"},
    "replay": {"replay", "schemas"},
    "flows": {"flows", "transforms", "schemas", "warehouse", "replay"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    bad = {
        str(p.relative_to(ROOT)): sorted((_imports(p) & OWN) - ALLOWED[package])
        for p in _sources(package)
    }
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("package", ["schemas", "transforms", "warehouse", "replay"])
def test_prefect_only_in_flows(package: str) -> None:
    assert [str(p) for p in _sources(package) if "prefect" in _imports(p)] == []


def test_ctgov_client_has_no_prefect() -> None:
    client = ROOT / "flows" / "ctgov_client.py"
    assert client.exists()
    assert "prefect" not in _imports(client)


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for package in ALLOWED:
        for path in _sources(package):
            text = path.read_text()
            if path != ROOT / "flows" / "settings.py" and (
                "os.environ" in text or "getenv" in text
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
