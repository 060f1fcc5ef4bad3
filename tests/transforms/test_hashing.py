from __future__ import annotations

import copy
import random

from transforms.hashing import canonical_content, content_hash, record_hash, study_hashes


def test_noise_pairs_share_a_content_hash(version_pairs):
    assert len(version_pairs) == 9
    for nct, (older, newer) in version_pairs.items():
        assert content_hash(older) == content_hash(newer), nct


def test_noise_pairs_that_differ_beyond_version_holder_change_record_hash(version_pairs):
    changed = [nct for nct, (a, b) in version_pairs.items() if record_hash(a) != record_hash(b)]
    # versionHolder alone never changes record_hash; the browse reorders and posted-date types do.
    assert changed and len(changed) < len(version_pairs)


def test_real_edit_changes_both_hashes(sample_studies):
    study = next(iter(sample_studies.values()))
    edited = copy.deepcopy(study)
    status = edited["protocolSection"]["statusModule"]
    status["overallStatus"] = "WITHDRAWN" if status["overallStatus"] != "WITHDRAWN" else "COMPLETED"
    assert content_hash(edited) != content_hash(study)
    assert record_hash(edited) != record_hash(study)


def test_hash_ignores_key_order(sample_studies):
    study = next(iter(sample_studies.values()))

    def shuffled(obj, rng):
        if isinstance(obj, dict):
            keys = list(obj)
            rng.shuffle(keys)
            return {k: shuffled(obj[k], rng) for k in keys}
        if isinstance(obj, list):
            return [shuffled(v, rng) for v in obj]
        return obj

    other = shuffled(study, random.Random(7))
    assert list(other) != list(study) or len(study) < 2
    assert content_hash(other) == content_hash(study)
    assert record_hash(other) == record_hash(study)


def test_canonical_content_does_not_mutate_input(version_pairs):
    older, _ = version_pairs["NCT02552212"]
    before = copy.deepcopy(older)
    canonical_content(older)
    assert older == before


def test_the_content_hash_of_both_at_once_is_the_content_hash_alone(sample_studies, version_pairs):
    records = [*sample_studies.values(), *(r for pair in version_pairs.values() for r in pair)]
    for record in records:
        content, whole = study_hashes(record)
        assert content == content_hash(record)
        assert whole != content


def test_each_noise_class_changes_the_record_hash_but_not_the_content_hash(sample_studies):
    study = next(
        r
        for r in sample_studies.values()
        if len(r.get("derivedSection", {}).get("conditionBrowseModule", {}).get("meshes", [])) > 1
    )
    reordered = copy.deepcopy(study)
    reordered["derivedSection"]["conditionBrowseModule"]["meshes"].reverse()
    retyped = copy.deepcopy(study)
    posted = retyped["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]
    posted["type"] = "ESTIMATED" if posted.get("type") != "ESTIMATED" else "ACTUAL"
    refreshed = copy.deepcopy(study)
    refreshed["derivedSection"]["miscInfoModule"]["versionHolder"] = "2099-01-01"
    for noisy in (reordered, retyped):
        assert content_hash(noisy) == content_hash(study)
        assert record_hash(noisy) != record_hash(study)
    assert study_hashes(refreshed) == study_hashes(study)
