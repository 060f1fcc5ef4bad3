"""The path maps: every leaf and container of the Study record, with kinds read from the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from schemas.study import _generate
from schemas.study.extras import KNOWN_EXTRAS
from schemas.study.paths import (
    KNOWN_EXTRA_PATHS,
    KNOWN_EXTRA_ROOTS,
    ContainerSpec,
    LeafSpec,
    container_specs,
    extra_container_specs,
    extra_leaf_specs,
    leaf_specs,
    path_segments,
)

KINDS = {
    "string",
    "markup",
    "integer",
    "number",
    "boolean",
    "date",
    "partial_date",
    "datetime_minutes",
    "enum",
    "nct",
}


@pytest.fixture(scope="session")
def oas(sample_dir: Path) -> dict[str, Any]:
    text = (sample_dir / "spec" / _generate.SPEC_NAME).read_text()
    return yaml.safe_load(text)["components"]["schemas"]


@pytest.fixture(scope="session")
def sample_paths(sample_dir: Path) -> tuple[set[str], set[str]]:
    """(leaf paths, container paths) seen in every sample record (studies, versions, partial)."""
    leaves: set[str] = set()
    containers: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if path:
                containers.add(path)
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            containers.add(path)
            for child in value:
                walk(child, f"{path}[]")
        else:
            leaves.add(path)

    for folder in ("studies", "versions", "partial"):
        for file in (sample_dir / folder).glob("*.json"):
            walk(orjson.loads(file.read_bytes()), "")
    return leaves, containers


@pytest.mark.parametrize(
    ("path", "kind", "enum"),
    [
        pytest.param("protocolSection.conditionsModule.conditions[]", "string", None, id="list"),
        pytest.param(
            "protocolSection.contactsLocationsModule.locations[].geoPoint.lat",
            "number",
            None,
            id="nested-number",
        ),
        pytest.param("protocolSection.identificationModule.nctId", "nct", None, id="nct"),
        pytest.param(
            "protocolSection.statusModule.overallStatus", "enum", "Status", id="enum-status"
        ),
        pytest.param(
            # RecruitmentStatus, not Status: a different 9-value enum (API reference 11.6)
            "protocolSection.contactsLocationsModule.locations[].status",
            "enum",
            "RecruitmentStatus",
            id="enum-location-status",
        ),
        pytest.param(
            "protocolSection.identificationModule.organization.class",
            "enum",
            "AgencyClass",
            id="keyword-property",  # `class` is `class_` in Python, `class` in the path
        ),
        pytest.param("protocolSection.designModule.phases[]", "enum", "Phase", id="enum-list"),
        pytest.param(
            "protocolSection.statusModule.startDateStruct.date",
            "partial_date",
            None,
            id="partial-date",
        ),
        pytest.param(
            "protocolSection.statusModule.lastUpdatePostDateStruct.date",
            "date",
            None,
            id="date-struct",
        ),
        pytest.param(
            "protocolSection.statusModule.studyFirstSubmitDate", "date", None, id="plain-date"
        ),
        pytest.param(
            "documentSection.largeDocumentModule.largeDocs[].uploadDate",
            "datetime_minutes",
            None,
            id="datetime-minutes",
        ),
        pytest.param(
            "protocolSection.designModule.enrollmentInfo.count", "integer", None, id="integer"
        ),
        pytest.param("hasResults", "boolean", None, id="top-level-boolean"),
        pytest.param("protocolSection.descriptionModule.briefSummary", "markup", None, id="markup"),
        pytest.param(
            "protocolSection.identificationModule.briefTitle", "string", None, id="plain-text"
        ),
        pytest.param(
            "resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].categories[]"
            ".measurements[].value",
            "string",  # numeric results stay strings in the API
            None,
            id="deep-results",
        ),
        pytest.param(
            "annotationSection.annotationModule.violationAnnotation.violationEvents[].type",
            "enum",
            "ViolationEventType",
            id="annotation",
        ),
        pytest.param(
            "derivedSection.interventionBrowseModule.browseLeaves[].relevance",
            "enum",
            "BrowseLeafRelevance",
            id="derived",
        ),
    ],
)
def test_leaf_kinds(path: str, kind: str, enum: str | None) -> None:
    spec = leaf_specs()[path]
    assert (spec.path, spec.kind, spec.enum) == (path, kind, enum)


def test_age_leaves_carry_the_spec_pattern() -> None:
    spec = leaf_specs()["protocolSection.eligibilityModule.minimumAge"]
    assert spec.kind == "string"
    assert spec.pattern is not None and "Years" in spec.pattern


def test_containers() -> None:
    containers = container_specs()
    locations = "protocolSection.contactsLocationsModule.locations"
    assert containers[locations] == ContainerSpec(locations, "list", "Location")
    assert containers[f"{locations}[]"] == ContainerSpec(f"{locations}[]", "object", "Location")
    conditions = "protocolSection.conditionsModule.conditions"
    assert containers[conditions] == ContainerSpec(conditions, "list", None)
    assert containers["protocolSection"].schema == "ProtocolSection"
    assert "" not in containers


def test_only_known_kinds_and_every_kind_is_used() -> None:
    assert {spec.kind for spec in leaf_specs().values()} == KINDS


def test_every_property_of_every_reachable_schema_has_a_path(oas: dict[str, Any]) -> None:
    specs = [*leaf_specs().values(), *container_specs().values()]
    covered = {(s.schema, s.field) for s in specs if isinstance(s, LeafSpec)}
    for spec in specs:  # a property holding an object or list is a container under its owner
        if isinstance(spec, ContainerSpec) and not spec.path.endswith("[]"):
            owner = _owner_schema(spec.path)
            covered.add((owner, path_segments(spec.path)[-1]))
    expected = {
        (name, prop)
        for name in _generate.reachable(oas)
        if "properties" in oas[name]
        for prop in oas[name]["properties"]
    }
    assert expected - covered == set()


def _owner_schema(path: str) -> str:
    parent = path.rpartition(".")[0]
    return container_specs()[parent].schema or "" if parent else "Study"


def test_enum_values_are_the_spec_values_in_spec_order(oas: dict[str, Any]) -> None:
    enums = [s for s in leaf_specs().values() if s.kind == "enum"]
    assert len(enums) == 55
    for spec in enums:
        assert spec.enum is not None
        assert list(spec.values) == oas[spec.enum]["enum"], spec.path


def test_every_leaf_and_container_in_the_sample_is_known(
    sample_paths: tuple[set[str], set[str]],
) -> None:
    leaves, containers = sample_paths
    assert leaves - set(leaf_specs()) - set(KNOWN_EXTRA_PATHS) == set()
    assert containers - set(container_specs()) - set(KNOWN_EXTRA_PATHS) == set()


def test_the_sample_uses_most_of_the_spec(sample_paths: tuple[set[str], set[str]]) -> None:
    # Guards the sample itself: a sample that lost its results records would hollow out the
    # coverage test above without failing it.
    leaves, _ = sample_paths
    assert len(leaves & set(leaf_specs())) > 250


def test_known_extra_paths_are_outside_the_spec_and_each_has_a_reason(
    sample_paths: tuple[set[str], set[str]],
) -> None:
    assert set(KNOWN_EXTRA_PATHS).isdisjoint(leaf_specs())
    assert set(KNOWN_EXTRA_PATHS).isdisjoint(container_specs())
    assert set(KNOWN_EXTRA_PATHS) == set(extra_leaf_specs()) | set(extra_container_specs())
    assert all(len(reason) > 40 for reason in KNOWN_EXTRA_PATHS.values())
    assert set(KNOWN_EXTRA_ROOTS) == {extra.path for extra in KNOWN_EXTRAS}
    leaves, containers = sample_paths
    assert set(KNOWN_EXTRA_ROOTS) <= containers  # each is real: seen in the sample


def test_known_extra_leaves_have_the_kinds_of_what_they_mirror() -> None:
    extras = extra_leaf_specs()
    nested = "protocolSection.contactsLocationsModule.locations_nested[]"
    assert extras[f"{nested}.geoPoint.lat"].kind == "number"
    assert extras[f"{nested}.status"].enum == "RecruitmentStatus"
    assert extras["derivedSection.miscInfoModule.modelPredictions.bmiLimits.maxBmi"].kind == (
        "number"
    )


def test_maps_are_fresh_copies() -> None:
    leaf_specs().clear()
    container_specs().clear()
    assert len(leaf_specs()) == 344
    assert len(container_specs()) > 100


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        pytest.param("hasResults", ("hasResults",), id="top"),
        pytest.param("a.b[].c", ("a", "b", "[]", "c"), id="list-of-objects"),
        pytest.param("a.b[]", ("a", "b", "[]"), id="list-item"),
    ],
)
def test_path_segments(path: str, segments: tuple[str, ...]) -> None:
    assert path_segments(path) == segments
