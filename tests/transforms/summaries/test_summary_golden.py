"""Golden pages for a varied handful of real records.

Refresh with `pytest tests/transforms/summaries --update-golden`, then review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "golden" / "summaries"

GOLDEN = [
    # PDQ-style criteria (no inclusion/exclusion headings), terminated with a reason, one site.
    pytest.param("NCT00003454", id="pdq-terminated"),
    # Randomized, placebo, masked, healthy women only, recruiting, a definition in a paragraph.
    pytest.param("NCT05803083", id="placebo-healthy-women"),
    # Withdrawn before enrolment, no sites.
    pytest.param("NCT02795884", id="withdrawn-no-sites"),
    # Ages in months, phase 2/3.
    pytest.param("NCT01949129", id="ages-in-months"),
    # 1,148 sites in 2 countries, NIH sponsor, arms with many treatments.
    pytest.param("NCT04267848", id="many-sites"),
    # Observational study with named groups.
    pytest.param("NCT00934284", id="observational"),
    # Results posted, criteria without headings (shown as written).
    pytest.param("NCT00089661", id="results-unsplit-criteria"),
    # Sub-population criteria layout (exclusion heading only).
    pytest.param("NCT03630471", id="sub-populations"),
]


@pytest.mark.parametrize("nct_id", GOLDEN)
def test_golden_page(nct_id, sample_summaries, update_golden):
    summary = sample_summaries[nct_id]
    assert summary.ok
    for suffix, text in ((".md", summary.markdown), (".html", summary.html)):
        path = GOLDEN_DIR / f"{nct_id}{suffix}"
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), (
            f"no golden file {path}; run pytest tests/transforms/summaries --update-golden"
        )
        assert text == path.read_text(encoding="utf-8"), (
            f"{path.name} changed; review, then --update-golden"
        )
