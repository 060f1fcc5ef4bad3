"""The API's field list (`/studies/metadata`) vs our paths: the real capture and mutated copies."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.coverage import mapped_paths
from schemas.tables import CTGOV_TABLES
from transforms.metadata_drift import (
    METADATA_UNLISTED,
    MetadataDrift,
    ancestors,
    known_paths,
    metadata_drift,
    metadata_leaves,
)

Node = dict[str, Any]
LIMITATIONS = "resultsSection.moreInfoModule.limitationsAndCaveats"
GEO = "protocolSection.contactsLocationsModule.locations[].geoPoint"


@pytest.fixture(scope="module")
def capture(sample_dir: Path) -> list[Node]:
    """The real `/studies/metadata` response of October 2024."""
    return orjson.loads((sample_dir / "spec" / "studies-metadata_2024-10.json").read_bytes())


@pytest.fixture
def nodes(capture: list[Node]) -> list[Node]:
    """A copy to mutate."""
    return copy.deepcopy(capture)


def node_at(nodes: list[Node], path: str) -> Node:
    """The FieldNode at our dotted path (`[]` steps are implied by the node's type)."""
    current: list[Node] = nodes
    found: Node = {}
    for name in path.replace("[]", "").split("."):
        found = next(n for n in current if n["name"] == name)
        current = found.get("children", [])
    return found


def parent_of(nodes: list[Node], path: str) -> list[Node]:
    head = path.replace("[]", "").rpartition(".")[0]
    return node_at(nodes, head)["children"] if head else nodes


def test_the_real_capture_matches_the_model(capture):
    assert metadata_drift(capture) == []


def test_what_the_real_capture_differs_in_is_explained(capture):
    # Documented noise: the capture describes geoPoint as one leaf (a FUNC of type GeoPoint) where
    # the spec has lat/lon, and it never lists the OAS-only reasons[].numUnits.
    listed = metadata_leaves(capture)
    assert listed[GEO] == "LocationGeoPoint (GeoPoint)"
    assert f"{GEO}.lat" not in listed and f"{GEO}.lat" in known_paths().expected
    assert set(METADATA_UNLISTED).isdisjoint(listed)
    assert len(listed) == 342


def test_a_renamed_leaf_is_one_new_and_one_vanished_path(nodes):
    # AACT #925: limitationsAndCaveats.description was renamed upstream and AACT's column went
    # silently empty. The rename is two observations: the new name, and the mapped one gone.
    node_at(nodes, f"{LIMITATIONS}.description")["name"] = "descriptionText"
    assert metadata_drift(nodes) == [
        MetadataDrift(
            f"{LIMITATIONS}.descriptionText",
            "new_metadata_path",
            "LimitationsAndCaveatsDescription (markup)",
        ),
        MetadataDrift(
            f"{LIMITATIONS}.description",
            "vanished_metadata_path",
            "ctgov.studies.limitations_and_caveats",
        ),
    ]


def test_a_new_leaf_is_reported_with_its_piece_and_type(nodes):
    module = node_at(nodes, "protocolSection.statusModule")
    module["children"].append({"name": "pauseReason", "piece": "PauseReason", "type": "markup"})
    assert metadata_drift(nodes) == [
        MetadataDrift(
            "protocolSection.statusModule.pauseReason", "new_metadata_path", "PauseReason (markup)"
        )
    ]


def test_a_leaf_that_became_a_list_changes_path(nodes):
    # `conditions` of type text[] is the leaf `conditions[]`; typed `text` it would be `conditions`.
    node_at(nodes, "protocolSection.conditionsModule.conditions")["type"] = "text"
    found = {(d.path, d.kind) for d in metadata_drift(nodes)}
    assert found == {
        ("protocolSection.conditionsModule.conditions", "new_metadata_path"),
        ("protocolSection.conditionsModule.conditions[]", "vanished_metadata_path"),
    }


def test_a_removed_module_vanishes_every_mapped_leaf_below_it(nodes):
    siblings = parent_of(nodes, "protocolSection.oversightModule")
    siblings[:] = [n for n in siblings if n["name"] != "oversightModule"]
    found = metadata_drift(nodes)
    expected = {
        p for p in known_paths().expected if p.startswith("protocolSection.oversightModule.")
    }
    assert {d.path for d in found} == expected
    assert {d.kind for d in found} == {"vanished_metadata_path"}
    assert all(d.example.startswith("ctgov.studies.") for d in found)


def test_indexed_only_and_historic_only_fields_are_not_drift(nodes):
    # Search-index fields records never carry; /studies/metadata lists them only when asked.
    module = node_at(nodes, "protocolSection.statusModule")
    module["children"] += [
        {"name": "statusIndex", "piece": "StatusIndex", "type": "text", "indexedOnly": True},
        {"name": "oldStatus", "piece": "OldStatus", "type": "text", "historicOnly": True},
    ]
    assert metadata_drift(nodes) == []


def test_finer_or_coarser_metadata_granularity_is_not_drift(nodes):
    # The metadata may split a leaf we know as a whole, or (like geoPoint) merge parts we know.
    geo = node_at(nodes, GEO)
    geo["children"] = [
        {"name": "lat", "piece": "LocationLatitude", "type": "number"},
        {"name": "lon", "piece": "LocationLongitude", "type": "number"},
    ]
    assert metadata_drift(nodes) == []
    node_at(nodes, "protocolSection.contactsLocationsModule.locations").pop("children")
    assert metadata_drift(nodes) == []


def test_every_spec_leaf_and_column_source_is_expected_unless_explained():
    known = known_paths()
    assert set(mapped_paths(CTGOV_TABLES)) - set(known.expected) <= {
        *METADATA_UNLISTED,
        *(p for p in mapped_paths(CTGOV_TABLES) if "modelPredictions" in p),
    }
    assert (
        known.expected["protocolSection.identificationModule.briefTitle"]
        == "ctgov.studies.brief_title"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("a", [], id="top-level"),
        pytest.param("a.b[].c", ["a", "a.b[]"], id="through a list of objects"),
        pytest.param("a.b[]", ["a"], id="list of scalars: the list is not an object"),
    ],
)
def test_ancestors(path, expected):
    assert list(ancestors(path)) == expected


@pytest.mark.parametrize(
    "response",
    [
        pytest.param([], id="empty list"),
        pytest.param([1, "x", None, {"name": 3, "type": "text"}], id="no usable node"),
        pytest.param({"name": "protocolSection"}, id="not a list"),
    ],
)
def test_a_response_without_fields_is_an_error_not_total_drift(response):
    with pytest.raises(ValueError, match="lists no fields"):
        metadata_drift(response)


def test_junk_nodes_next_to_real_ones_are_skipped(nodes):
    nodes += [1, None, {"name": "", "type": "text"}, {"name": "x"}, {"type": "text"}]
    node_at(nodes, "protocolSection")["children"].append("junk")
    assert metadata_drift(nodes) == []


def _json() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["name", "type", "piece", "children", "indexedOnly"]),
                inner,
                max_size=5,
            )
        ),
        max_leaves=25,
    )


@settings(max_examples=200, deadline=None)
@given(_json())
def test_never_raises_anything_but_value_error_on_any_json(doc):
    try:
        found = metadata_drift(doc)
    except ValueError:
        return
    assert all(d.kind in ("new_metadata_path", "vanished_metadata_path") for d in found)


def test_paths_use_our_list_notation(capture):
    listed = set(metadata_leaves(capture))
    assert "protocolSection.conditionsModule.conditions[]" in listed
    assert "protocolSection.contactsLocationsModule.locations[].facility" in listed
    assert (
        "resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].categories[].measurements[].value"
        in listed
    )
