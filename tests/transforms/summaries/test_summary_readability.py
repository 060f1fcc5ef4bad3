"""The pinned readability implementation: syllable counts and the two Flesch formulas."""

from __future__ import annotations

import pytest

from transforms.summaries.readability import READABILITY_IMPL, score, syllables

# Dictionary syllable counts (Merriam-Webster hyphenation) of words common on the pages.
KNOWN = {
    "people": 2,
    "study": 2,
    "treatment": 2,
    "researchers": 3,
    "table": 2,
    "make": 1,
    "used": 1,
    "makes": 1,
    "create": 2,
    "trial": 2,
    "period": 3,
    "university": 5,
    "hospital": 3,
    "company": 3,
    "government": 3,
    "placebo": 3,
    "criteria": 4,
    "medicine": 3,
    "cancer": 2,
    "phase": 1,
    "approved": 2,
    "questions": 2,
    "different": 3,
    "children": 2,
    "looking": 2,
    "coin": 1,
    "flipping": 2,
    "chance": 1,
    "something": 2,
    "area": 3,
    "idea": 3,
    "video": 3,
    "radio": 3,
    "agency": 3,
    "network": 2,
    "safety": 2,
    "compared": 2,
    "measure": 2,
    "results": 2,
    "side": 1,
    "effects": 2,
    "symptoms": 2,
    "everyone": 3,
    "anyone": 3,
    "outside": 2,
    "female": 2,
    "several": 3,
    "because": 2,
    "doses": 2,
    "lives": 1,
    "before": 2,
    "therapy": 3,
    "disease": 2,
    "pressure": 2,
    "surgery": 3,
    "studies": 2,
    "agree": 2,
    "while": 1,
    "whole": 1,
    "simple": 2,
    "usual": 3,
    "sodium": 3,
    "various": 3,
    "special": 2,
    "nutrition": 3,
    "going": 2,
    "needed": 2,
    "started": 2,
    "joined": 1,
    "invited": 3,
    "taking": 2,
    "already": 3,
    "listed": 2,
    "written": 2,
    "description": 3,
    "contact": 2,
    "details": 2,
    "latest": 2,
    "health": 1,
    "problem": 2,
    "being": 2,
    "tested": 2,
    "groups": 1,
    "person": 2,
    "expected": 3,
    "month": 1,
    "condition": 3,
    "patients": 2,
    "outcome": 2,
    "infusion": 3,
    "tissue": 2,
    "blood": 1,
    "notice": 2,
    "sudden": 2,
}


def test_the_syllable_counter_matches_the_dictionary():
    wrong = {w: (n, syllables(w)) for w, n in KNOWN.items() if syllables(w) != n}
    assert len(wrong) / len(KNOWN) <= 0.03, wrong


@pytest.mark.parametrize(
    ("word", "count"),
    [
        pytest.param("18", 2, id="number-per-digit"),  # numbers: one syllable per digit, at most 3
        pytest.param("2026", 3, id="number-capped"),
        pytest.param("a", 1, id="short"),
        pytest.param("Phase", 1, id="capitalised"),
    ],
)
def test_syllables_of_edge_words(word, count):
    assert syllables(word) == count


def test_the_formulas():
    # 6 words, 6 syllables, 1 sentence:
    # FK = 0.39*6 + 11.8*1 - 15.59; FRE = 206.835 - 1.015*6 - 84.6.
    scores = score(["The cat sat on the mat."])
    assert scores is not None
    assert scores.fk_grade == pytest.approx(0.39 * 6 + 11.8 - 15.59, abs=0.01)
    assert scores.reading_ease == pytest.approx(206.835 - 6.09 - 84.6, abs=0.01)
    assert (scores.words, scores.sentences, scores.max_sentence_words) == (6, 1, 6)
    assert scores.impl == READABILITY_IMPL


def test_no_words_no_score():
    assert score([]) is None and score(["..."]) is None


def test_long_words_raise_the_grade():
    plain = score(["You can join the study now."])
    hard = score(["Participation necessitates comprehensive documentation."])
    assert plain is not None and hard is not None and hard.fk_grade > plain.fk_grade + 8
