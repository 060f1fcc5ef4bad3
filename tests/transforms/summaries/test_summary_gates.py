"""The hard gates of bench/summaries.py, as tests on every sample study (plain-language §5.2)."""

from __future__ import annotations

import statistics

import pytest

from bench.summaries import Totals, measure, rows


@pytest.fixture(scope="module")
def totals(sample_studies) -> Totals:
    return measure(list(sample_studies.values()))


def test_grade_of_generated_prose(totals):
    fk = sorted(totals.fk)
    assert statistics.median(fk) <= 8  # aim: 6.5
    assert fk[int(0.9 * len(fk)) - 1] <= 9


def test_every_sentence_traceable_every_number_faithful(totals):
    assert totals.failures == []
    assert totals.failed_sentences == 0 and totals.sentences > 30_000
    assert totals.failed_quotes == 0
    assert totals.numbers_ok == totals.numbers > 10_000


def test_no_placeholder_leaks_and_full_section_coverage(totals):
    assert totals.leaks == 0
    assert totals.coverage_ok == totals.coverage_total


def test_byte_identical_reruns(totals, sample_studies):
    assert totals.rerun_identical == len(sample_studies)


def test_eligibility_split_rate(totals, sample_studies):
    split = (totals.split["ok"] + totals.split["pdq"]) / (
        len(sample_studies) - totals.split["empty"]
    )
    assert split >= 0.95
    assert totals.items_verbatim == totals.items


def test_every_hard_gate_of_the_benchmark_passes(totals, sample_studies):
    table = rows(totals, len(sample_studies), None, (0.0, 0.0))
    assert [r[0] for r in table if r[4] is False] == []
