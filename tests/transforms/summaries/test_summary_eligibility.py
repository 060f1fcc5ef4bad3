"""The criteria splitter (plain-language §3.6): the case list, verbatim items, and the sample."""

from __future__ import annotations

import pytest

from transforms.summaries.eligibility import normalize_space, split_criteria, unescape


def _texts(items):
    return [i.text for i in items]


@pytest.mark.parametrize(
    ("text", "status", "inclusion", "exclusion"),
    [
        # The registry's standard layout.
        pytest.param(
            "Inclusion Criteria:\n\n* Age 18\n* Signed consent\n\n"
            "Exclusion Criteria:\n\n* Pregnant",
            "ok",
            ["Age 18", "Signed consent"],
            ["Pregnant"],
            id="standard",
        ),
        # Heading variants: prefix words, case, no colon, space before colon, bold, bullet heading.
        pytest.param(
            "Key Inclusion Criteria:\n* A\nKey Exclusion Criteria:\n* B",
            "ok",
            ["A"],
            ["B"],
            id="key",
        ),
        pytest.param(
            "INCLUSION CRITERIA\n- A\nEXCLUSION CRITERIA\n- B",
            "ok",
            ["A"],
            ["B"],
            id="upper-no-colon",
        ),
        pytest.param(
            "Inclusion criteria :\n* A\nExclusion criteria :\n* B",
            "ok",
            ["A"],
            ["B"],
            id="space-colon",
        ),
        pytest.param(
            "**Inclusion Criteria:**\n* A\n**EXCLUSION CRITERIA:**\n* B",
            "ok",
            ["A"],
            ["B"],
            id="bold",
        ),
        pytest.param(
            "-  INCLUSION CRITERIA:\n   - A\n-  EXCLUSION CRITERIA:\n   - B",
            "ok",
            ["A"],
            ["B"],
            id="heading-inside-bullet",
        ),
        pytest.param("Inclusion:\n1. A\nExclusion:\n1. B", "ok", ["A"], ["B"], id="bare-word"),
        # A criterion written on the heading line itself.
        pytest.param(
            "Inclusion Criteria: Age over 18\nExclusion Criteria: none",
            "ok",
            ["Age over 18"],
            ["none"],
            id="inline-criterion",
        ),
        # Cohort-named headings keep their name as a sub-heading.
        pytest.param(
            "Inclusion Criteria- All Cohorts\n* A\nExclusion Criteria- All Cohorts\n* B",
            "ok",
            ["Inclusion Criteria- All Cohorts", "A"],
            ["Exclusion Criteria- All Cohorts", "B"],
            id="cohort-heading",
        ),
        # Nested "one of the following" alternatives stay with their parent item.
        pytest.param(
            "Inclusion Criteria:\n* One of the following:\n  * X\n  * Y\n* Z\n"
            "Exclusion Criteria:\n* W",
            "ok",
            ["One of the following:", "Z"],
            ["W"],
            id="nested",
        ),
        # Wrapped continuation lines join their item.
        pytest.param(
            "Inclusion Criteria:\n* Long item that\n  wraps here\nExclusion Criteria:\n* W",
            "ok",
            ["Long item that wraps here"],
            ["W"],
            id="continuation",
        ),
        # CRLF line endings and tabs.
        pytest.param(
            "Inclusion Criteria:\r\n\t* A\r\nExclusion Criteria:\r\n\t* B",
            "ok",
            ["A"],
            ["B"],
            id="crlf-tabs",
        ),
        # Markdown escapes are removed (`\>` → `>`), and escaped numbering is a marker.
        pytest.param(
            "Inclusion Criteria:\n1\\. BMI \\>30\nExclusion Criteria:\n* \\[x\\]",
            "ok",
            ["BMI >30"],
            ["[x]"],
            id="escapes",
        ),
        # Paragraphs without bullets are items.
        pytest.param(
            "Inclusion Criteria:\nAdults with asthma.\n\nExclusion Criteria:\nSmokers.",
            "ok",
            ["Adults with asthma."],
            ["Smokers."],
            id="paragraphs",
        ),
        # Boilerplate mentioning both words is an item, not a heading.
        pytest.param(
            "Inclusion Criteria:\n* A\nExclusion Criteria:\n* B\n\n"
            "Other protocol-defined inclusion/exclusion "
            "criteria may apply",
            "ok",
            ["A"],
            ["B", "Other protocol-defined inclusion/exclusion criteria may apply"],
            id="boilerplate",
        ),
        # Preamble text before the first heading is kept apart (and shown), not dropped.
        pytest.param(
            "Participants must meet:\nInclusion Criteria:\n* A\nExclusion Criteria:\n* B",
            "ok",
            ["A"],
            ["B"],
            id="preamble",
        ),
        # NCI PDQ layout: no inclusion/exclusion headings, flagged as such.
        pytest.param(
            "DISEASE CHARACTERISTICS:\n* Stage IV\nPATIENT CHARACTERISTICS:\n* No infection",
            "pdq",
            ["Stage IV", "No infection"],
            [],
            id="pdq",
        ),
        # Inclusion-only lists are flagged, not guessed.
        pytest.param(
            "Inclusion Criteria:\n* A\n* B", "inclusion_only", ["A", "B"], [], id="inclusion-only"
        ),
        # A combined heading cannot say which list follows: refused.
        pytest.param(
            "Inclusion and Exclusion Criteria:\n* A\n* B", "combined", [], [], id="combined"
        ),
        # No headings at all.
        pytest.param("* A\n* B", "no_sections", [], [], id="no-headings"),
        pytest.param("", "empty", [], [], id="empty"),
    ],
)
def test_split_cases(text, status, inclusion, exclusion):
    split = split_criteria(text)
    assert split.status == status
    assert _texts(split.inclusion) == inclusion
    assert _texts(split.exclusion) == exclusion


def test_nested_items_are_children_of_their_parent():
    split = split_criteria("Inclusion Criteria:\n* One of:\n  * X\n  * Y\nExclusion Criteria:\n* W")
    assert split.inclusion[0].children == ("X", "Y")


def test_preamble_is_kept():
    split = split_criteria(
        "Participants must meet:\nInclusion Criteria:\n* A\nExclusion Criteria:\n* B"
    )
    assert _texts(split.preamble) == ["Participants must meet:"]


def test_every_sample_item_is_verbatim_and_the_split_rate_holds(sample_studies):
    statuses, items = [], 0
    for record in sample_studies.values():
        text = record["protocolSection"]["eligibilityModule"].get("eligibilityCriteria")
        split = split_criteria(text)
        statuses.append(split.status)
        source = normalize_space(unescape(text or ""))
        for item in (*split.preamble, *split.inclusion, *split.exclusion):
            for piece in (item.text, *item.children):
                items += 1
                assert normalize_space(piece) in source, piece
    assert items > 10_000
    split_rate = sum(s in ("ok", "pdq") for s in statuses) / len(statuses)
    assert split_rate >= 0.95
