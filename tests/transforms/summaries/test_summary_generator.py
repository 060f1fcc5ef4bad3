"""The template generator: sections and wording from fields, nothing invented, repeatable."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.tables.pub import SUMMARIES
from transforms.arrow_tables import arrow_table, unknown_keys
from transforms.summaries import summarize, summary_input_hash, summary_row
from transforms.summaries.inputs import summary_inputs

DAY = dt.date(2026, 11, 24)
ROOT = Path(__file__).resolve().parents[3]


def study(**modules: Any) -> dict[str, Any]:
    """A small hand-written record: an NCT id and title plus the given protocol modules."""
    protocol = {
        "identificationModule": {"nctId": "NCT01234567", "briefTitle": "A Small Study"},
        **modules,
    }
    return {"protocolSection": protocol, "hasResults": False}


def interventional(
    purpose: str = "TREATMENT", conditions: tuple[str, ...] = ("Asthma",), **extra: Any
):
    return study(
        designModule={
            "studyType": "INTERVENTIONAL",
            "phases": ["PHASE2"],
            "designInfo": {
                "primaryPurpose": purpose,
                "allocation": "RANDOMIZED",
                "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]},
            },
            "enrollmentInfo": {"count": 40, "type": "ESTIMATED"},
        },
        conditionsModule={"conditions": list(conditions)},
        armsInterventionsModule={
            "armGroups": [
                {"label": "Drug A", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Zetamab"]},
                {
                    "label": "Placebo",
                    "type": "PLACEBO_COMPARATOR",
                    "interventionNames": ["Drug: Placebo"],
                },
            ],
            "interventions": [
                {"type": "DRUG", "name": "Zetamab", "armGroupLabels": ["Drug A"]},
                {"type": "DRUG", "name": "Placebo", "armGroupLabels": ["Placebo"]},
            ],
        },
        **extra,
    )


def texts(summary) -> list[str]:
    return [s.text for s in summary.page.sentences()]


@pytest.mark.parametrize(
    ("purpose", "lede"),
    [
        # Each purpose has its own grammar (plain-language §3.3), never one verb slot.
        pytest.param(
            "TREATMENT", "This study is testing if Zetamab can help treat Asthma.", id="treatment"
        ),
        pytest.param(
            "PREVENTION",
            "This study is testing if Zetamab can help prevent Asthma.",
            id="prevention",
        ),
        pytest.param(
            "DIAGNOSTIC",
            "This study is testing if Zetamab can help doctors find Asthma.",
            id="diagnostic",
        ),
        pytest.param(
            "SCREENING",
            "This study is testing if Zetamab can help find Asthma early.",
            id="screening",
        ),
        # Purposes without a grammar of their own get the neutral lede.
        pytest.param("BASIC_SCIENCE", "This study is about Asthma.", id="basic-science"),
    ],
)
def test_the_lede_follows_the_purpose_and_leaves_the_placebo_out(purpose, lede):
    summary = summarize(interventional(purpose), generated_on=DAY)
    assert summary.page.lede is not None and summary.page.lede.text == lede
    assert summary.ok


def test_headline_names_the_tested_treatment_and_condition():
    summary = summarize(interventional(), generated_on=DAY)
    assert summary.page.headline.text == "Zetamab for Asthma"
    assert summary.page.official_title is None


def test_a_condition_naming_healthy_people_is_not_treated():
    summary = summarize(interventional(conditions=("Healthy Volunteers",)), generated_on=DAY)
    assert summary.page.lede.text == "This study is about Zetamab."


def test_design_is_explained_in_plain_words():
    all_text = " ".join(texts(summarize(interventional(), generated_on=DAY)))
    for expected in (
        "Phase 2 studies give a treatment to more people.",
        "People are put into groups by chance, like flipping a coin.",
        "People in the study and the researchers do not know who gets which treatment.",
        "In this study, people get a treatment or other care chosen by the researchers.",
        "The study plans to include about 40 people.",
        "Another group gets a placebo. "
        "A placebo looks like the real treatment but has no medicine in it.",
    ):
        assert expected in all_text


def test_ages_sex_and_healthy_volunteers_in_plain_words():
    record = study(
        eligibilityModule={
            "minimumAge": "6 Months",
            "maximumAge": "17 Years",
            "sex": "FEMALE",
            "healthyVolunteers": True,
        }
    )
    summary = summarize(record, generated_on=DAY)
    who = [
        i.text for s in summary.page.sections if s.key == "who" for p in s.parts for i in p.items
    ]
    assert who[:3] == [
        "You are 6 months to 17 years old.",
        "Only women can join.",
        "Healthy people can join.",
    ]
    assert "You are younger than 6 months." in who and "You are a man." in who
    cells = {s.label: s.text for s in summary.page.sentences() if s.kind == "cell"}
    assert cells["Ages"] == "6 months to 17 years" and cells["Sex"] == "Female"


def test_min_only_age_and_standard_age_groups():
    adults = summarize(study(eligibilityModule={"minimumAge": "18 Years"}), generated_on=DAY)
    assert "You are 18 years or older." in texts(adults)
    groups = summarize(study(eligibilityModule={"stdAges": ["CHILD", "ADULT"]}), generated_on=DAY)
    assert "The study is for children and adults." in texts(groups)


@pytest.mark.parametrize(
    ("count", "kind", "expected"),
    [
        pytest.param(1, "ACTUAL", "The study included 1 person.", id="one-person"),  # no "1 people"
        pytest.param(
            1200, "ESTIMATED", "The study plans to include about 1,200 people.", id="thousands"
        ),
        pytest.param(99999999, "ESTIMATED", None, id="unknown-sentinel"),  # API §11.4: never shown
        pytest.param(0, "ACTUAL", None, id="zero"),
    ],
)
def test_enrollment(count, kind, expected):
    record = study(
        designModule={
            "studyType": "INTERVENTIONAL",
            "enrollmentInfo": {"count": count, "type": kind},
        }
    )
    summary = summarize(record, generated_on=DAY)
    enrollment = [
        s.text for s in summary.page.sentences() if s.template_id.startswith("facts.enrollment")
    ]
    assert enrollment == ([expected] if expected else [])
    assert "99999999" not in summary.html


def test_a_code_name_gets_its_plain_other_name():
    record = interventional()
    record["protocolSection"]["armsInterventionsModule"]["interventions"][0].update(
        {"name": "JAB-21822", "otherNames": ["Glecirasib"]}
    )
    assert "The treatment being tested is JAB-21822 (also called Glecirasib)." in texts(
        summarize(record, generated_on=DAY)
    )


def test_withdrawn_study_shows_the_reason_as_written():
    record = study(statusModule={"overallStatus": "WITHDRAWN", "whyStopped": "No funding \\> 2023"})
    summary = summarize(record, generated_on=DAY)
    assert "The study stopped before anyone joined." in texts(summary)
    assert [q.text for q in summary.page.quotes()] == ["No funding > 2023"]


def test_a_bare_record_gives_only_what_it_has():
    summary = summarize(study(), generated_on=DAY)
    assert [s.key for s in summary.page.sections] == ["facts"]
    assert summary.page.headline.text == "A Small Study"
    assert summary.page.lede is None
    assert summary.ok
    assert "open to" not in summary.markdown and "None" not in summary.markdown


def test_sections_appear_only_with_their_fields(sample_summaries, sample_studies):
    no_sites = [
        n
        for n, r in sample_studies.items()
        if not r["protocolSection"].get("contactsLocationsModule", {}).get("locations")
    ]
    assert no_sites
    for nct in no_sites:
        assert "where" not in {s.key for s in sample_summaries[nct].page.sections}


def test_registry_text_is_escaped_in_html_and_markdown():
    record = interventional()
    record["protocolSection"]["descriptionModule"] = {
        "briefSummary": "<script>alert(1)</script> & <b>x</b>"
    }
    summary = summarize(record, generated_on=DAY)
    assert (
        "<script>alert" not in summary.html
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in summary.html
    )
    assert "<script>" not in summary.markdown and "&lt;script&gt;" in summary.markdown


def test_the_footer_is_honest():
    record = interventional()
    record["protocolSection"]["statusModule"] = {
        "lastUpdatePostDateStruct": {"date": "2026-01-05", "type": "ACTUAL"}
    }
    footer = " ".join(s.text for s in summarize(record, generated_on=DAY).page.footer)
    assert footer.startswith(
        "Generated automatically on November 24, 2026 from the ClinicalTrials.gov record "
        "last updated January 5, 2026 (NCT01234567). Not reviewed by a person. "
        "Not medical advice."
    )


def test_pages_use_only_the_declared_inputs(sample_studies):
    # A page made from the projection is byte-identical to one made from the whole record.
    for record in list(sample_studies.values())[:120]:
        whole = summarize(record, generated_on=DAY)
        cut = summarize(summary_inputs(record), generated_on=DAY)
        assert (cut.html, cut.markdown) == (whole.html, whole.markdown)


def test_the_input_hash_ignores_fields_the_page_does_not_use(sample_studies):
    record = sample_studies["NCT05803083"]
    before = summary_input_hash(record)
    unused = copy.deepcopy(record)
    unused["protocolSection"]["descriptionModule"]["detailedDescription"] = "Edited."
    unused["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2027-01-01"
    assert summary_input_hash(unused) == before
    used = copy.deepcopy(record)
    used["protocolSection"]["descriptionModule"]["briefSummary"] += " Edited."
    assert summary_input_hash(used) != before


def test_the_input_hash_covers_the_generator_version(sample_studies, monkeypatch):
    record = sample_studies["NCT05803083"]
    before = summary_input_hash(record)
    monkeypatch.setattr("transforms.summaries.inputs.GENERATOR_VERSION", "summaries-0")
    assert summary_input_hash(record) != before


def _digest(records) -> str:
    h = hashlib.sha256()
    for record in records:
        s = summarize(record, generated_on=DAY)
        h.update(s.html.encode() + s.markdown.encode() + s.json_bytes())
    return h.hexdigest()


def test_same_record_same_bytes_in_one_process_and_across_processes(sample_studies):
    ids = sorted(sample_studies)[::40]
    records = [sample_studies[n] for n in ids]
    assert _digest(records) == _digest(copy.deepcopy(records))
    code = (
        "import datetime as dt, hashlib, orjson\n"
        "from flows.settings import Settings\n"
        "from transforms.summaries import summarize\n"
        f"ids = {ids!r}\n"
        "h = hashlib.sha256()\n"
        "for n in ids:\n"
        "    r = orjson.loads((Settings().studies_dir / f'{n}.json').read_bytes())\n"
        f"    s = summarize(r, generated_on=dt.date({DAY.year}, {DAY.month}, {DAY.day}))\n"
        "    h.update(s.html.encode() + s.markdown.encode() + s.json_bytes())\n"
        "print(h.hexdigest())\n"
    )
    env_hash = {"PYTHONHASHSEED": "12345"}  # a different string-hash seed must not matter
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, **env_hash},
    )
    assert done.stdout.strip() == _digest(records)


def test_rows_fit_the_published_table(sample_studies, sample_summaries):
    rows = [
        summary_row(sample_summaries[n], sample_studies[n], backend="template")
        for n in sorted(sample_studies)
    ]
    assert unknown_keys(SUMMARIES, rows) == set()
    _, issues = arrow_table(SUMMARIES, rows)
    assert issues == []
    assert all(r["is_verified"] and r["generated_by"] == "template" for r in rows)


_junk = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.builds(dict),
)
_LISTS = (
    ("conditionsModule", "conditions"),
    ("armsInterventionsModule", "armGroups"),
    ("armsInterventionsModule", "interventions"),
    ("contactsLocationsModule", "locations"),
    ("contactsLocationsModule", "overallOfficials"),
    ("outcomesModule", "primaryOutcomes"),
    ("designModule", "phases"),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_never_raises_and_never_leaks_on_damaged_records(sample_studies, data):
    # Modules removed or replaced by junk, lists holding junk items: still a verified page.
    record = copy.deepcopy(sample_studies[data.draw(st.sampled_from(sorted(sample_studies)[:60]))])
    protocol = record["protocolSection"]
    for name in data.draw(
        st.lists(
            st.sampled_from(sorted(set(protocol) - {"identificationModule"})),
            max_size=3,
            unique=True,
        )
    ):
        junk = data.draw(_junk)
        if junk is None:
            del protocol[name]
        else:
            protocol[name] = junk
    for module, key in data.draw(st.lists(st.sampled_from(_LISTS), max_size=3, unique=True)):
        if isinstance(protocol.get(module), dict):
            protocol[module][key] = data.draw(st.lists(_junk, max_size=3))
    summary = summarize(record, generated_on=DAY)
    assert summary.ok, summary.verdict.failures[:3]
