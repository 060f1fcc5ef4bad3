"""The record fields a summary page reads, and the hash that decides when a page is regenerated.

Pages are generated from `summary_inputs(record)`, never from the whole record, so a field outside
`INPUT_PATHS` cannot change a page; `summary_input_hash` hashes exactly those fields (plus the
generator version), so an edit elsewhere in the record does not trigger regeneration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import orjson

from transforms.summaries.templates import GENERATOR_VERSION

_P = "protocolSection."
_ID = _P + "identificationModule."
_STATUS = _P + "statusModule."
_DESIGN = _P + "designModule."
_ARMS = _P + "armsInterventionsModule."
_ELIG = _P + "eligibilityModule."
_CONTACTS = _P + "contactsLocationsModule."

# `[]` marks list items; a path ending at a list keeps the list whole, one ending in `[]` keeps
# only how many items there are (the page says "12 other results", never which).
INPUT_PATHS: tuple[str, ...] = (
    _ID + "nctId",
    _ID + "briefTitle",
    _ID + "officialTitle",
    _STATUS + "overallStatus",
    _STATUS + "whyStopped",
    _STATUS + "startDateStruct",
    _STATUS + "completionDateStruct",
    _STATUS + "lastUpdatePostDateStruct.date",
    _P + "sponsorCollaboratorsModule.leadSponsor",
    _P + "descriptionModule.briefSummary",
    _P + "conditionsModule.conditions",
    _DESIGN + "studyType",
    _DESIGN + "phases",
    _DESIGN + "designInfo.allocation",
    _DESIGN + "designInfo.interventionModel",
    _DESIGN + "designInfo.primaryPurpose",
    _DESIGN + "designInfo.maskingInfo.masking",
    _DESIGN + "designInfo.maskingInfo.whoMasked",
    _DESIGN + "enrollmentInfo",
    _ARMS + "armGroups[].label",
    _ARMS + "armGroups[].type",
    _ARMS + "armGroups[].interventionNames",
    _ARMS + "interventions[].name",
    _ARMS + "interventions[].armGroupLabels",
    _ARMS + "interventions[].otherNames",
    _P + "outcomesModule.primaryOutcomes[].measure",
    _P + "outcomesModule.primaryOutcomes[].timeFrame",
    _P + "outcomesModule.secondaryOutcomes[]",
    _ELIG + "eligibilityCriteria",
    _ELIG + "healthyVolunteers",
    _ELIG + "sex",
    _ELIG + "genderBased",
    _ELIG + "genderDescription",
    _ELIG + "minimumAge",
    _ELIG + "maximumAge",
    _ELIG + "stdAges",
    _CONTACTS + "centralContacts[].name",
    _CONTACTS + "centralContacts[].phone",
    _CONTACTS + "centralContacts[].phoneExt",
    _CONTACTS + "centralContacts[].email",
    _CONTACTS + "overallOfficials[].name",
    _CONTACTS + "overallOfficials[].role",
    _CONTACTS + "overallOfficials[].affiliation",
    _CONTACTS + "locations[].facility",
    _CONTACTS + "locations[].city",
    _CONTACTS + "locations[].state",
    _CONTACTS + "locations[].country",
    "hasResults",
)

# Read by the footer only ("from the record last updated <date>"): a new date alone, which every
# edit anywhere in the record brings, must not regenerate a page whose content is unchanged.
NOT_HASHED: tuple[str, ...] = (_STATUS + "lastUpdatePostDateStruct.date",)

Tree = dict[str, Any]


def _tree(paths: tuple[str, ...]) -> Tree:
    root: Tree = {}
    for path in paths:
        node = root
        parts = path.replace("[]", ".[]").split(".")
        for i, key in enumerate(parts):
            if i == len(parts) - 1:
                node[key] = {} if key == "[]" else True
            else:
                child = node.setdefault(key, {})
                node = child if isinstance(child, dict) else node
    return root


_INPUT_TREE = _tree(INPUT_PATHS)
_HASHED_TREE = _tree(tuple(p for p in INPUT_PATHS if p not in NOT_HASHED))


def _project(value: Any, tree: Tree | bool) -> Any:
    if tree is True:
        return value
    assert isinstance(tree, dict)
    if "[]" in tree:
        if not isinstance(value, list):
            return None
        return [_project(item, tree["[]"]) for item in value]
    if not isinstance(value, Mapping):
        return None
    out = {}
    for key, sub in tree.items():
        if key in value:
            projected = _project(value[key], sub)
            if projected is not None:
                out[key] = projected
    return out


def summary_inputs(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record cut down to `INPUT_PATHS` (list positions kept, so pointers stay valid)."""
    projected = _project(record, _INPUT_TREE)
    return projected if isinstance(projected, dict) else {}


def summary_input_hash(record: Mapping[str, Any]) -> str:
    """Hash of the fields a page uses (minus `NOT_HASHED`) and the generator version."""
    payload = {"v": GENERATOR_VERSION, "inputs": _project(record, _HASHED_TREE)}
    try:
        body = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits (valid JSON, refused by orjson)
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        body = text.encode()
    return hashlib.sha256(body).hexdigest()
