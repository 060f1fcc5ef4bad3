"""Who should consider this trial (from structured fields only) and the eligibility criteria."""

from __future__ import annotations

from transforms.summaries.eligibility import Criterion, split_criteria, unescape
from transforms.summaries.facts import Facts
from transforms.summaries.model import Part, Quote, Section, Sentence
from transforms.summaries.phrasing import join, say, slot
from transforms.summaries.plan_facts import age_limits, age_texts
from transforms.summaries.templates import HEADINGS, LABELS, PHRASES


def _age_good_fit(facts: Facts) -> list[Sentence]:
    low, high = age_limits(facts)
    low_text, high_text = age_texts(low, high)
    if low and high:
        slots = [slot("min", low.fact, low_text), slot("max", high.fact, high_text)]
        return [say("who.fit.age.range", {"min": low_text, "max": high_text}, slots)]
    if low or high:
        kind, limit = ("min", low) if low else ("max", high)
        assert limit is not None
        text = f"{limit.number} {limit.unit}"
        return [say(f"who.fit.age.{kind}", {kind: text}, [slot(kind, limit.fact, text)])]
    groups = [g for g in facts.std_ages if f"age.{g.value}" in PHRASES]
    if not groups:
        return []
    text = join([PHRASES[f"age.{g.value}"] for g in groups])
    return [
        say(
            "who.fit.age.std",
            {"groups": text},
            [slot(f"std_ages[{n}]", g, "") for n, g in enumerate(groups)],
        )
    ]


def _age_fit(facts: Facts) -> tuple[list[Sentence], list[Sentence]]:
    """Good fit: the age range in words; not a fit: below the minimum or above the maximum."""
    not_fit = []
    for kind, limit in zip(("min", "max"), age_limits(facts), strict=True):
        if limit is not None:
            text = f"{limit.number} {limit.unit}"
            not_fit.append(say(f"who.not.age.{kind}", {kind: text}, [slot(kind, limit.fact, text)]))
    return _age_good_fit(facts), not_fit


def _sex_fit(facts: Facts) -> tuple[list[Sentence], list[Sentence]]:
    sex = facts.sex
    if sex is None or sex.value not in ("ALL", "FEMALE", "MALE"):
        return [], []
    s = [slot("sex", sex, "")]
    not_fit = [] if sex.value == "ALL" else [say(f"who.not.sex.{sex.value}", None, s)]
    return [say(f"who.fit.sex.{sex.value}", None, s)], not_fit


def _healthy_fit(facts: Facts) -> tuple[list[Sentence], list[Sentence]]:
    healthy = facts.healthy
    if healthy is None:
        return [], []
    s = [slot("healthy", healthy, "")]
    if healthy.value:
        return [say("who.fit.healthy.TRUE", None, s)], []
    return [say("who.fit.healthy.FALSE", None, s)], [say("who.not.healthy.FALSE", None, s)]


def who_section(facts: Facts) -> Section | None:
    """Good fit / Not a fit, built only from ages, sex and healthy volunteers."""
    fit: list[Sentence] = []
    not_fit: list[Sentence] = []
    for part in (_age_fit(facts), _sex_fit(facts), _healthy_fit(facts)):
        fit += part[0]
        not_fit += part[1]
    if not fit and not not_fit:
        return None
    parts = [Part("bullets", tuple(fit), LABELS["fit"])] if fit else []
    if not_fit:
        parts.append(Part("bullets", tuple(not_fit), LABELS["not_fit"]))
    described = facts.gender_description
    if facts.gender_based and facts.gender_based.value and described is not None:
        quote = Quote(unescape(described.value).strip(), described.pointer, "unescaped")
        parts.append(
            Part(
                "quotes",
                (
                    say("who.gender.note", None, [slot("gender_based", facts.gender_based, "")]),
                    quote,
                ),
            )
        )
    if facts.criteria is not None:
        parts.append(Part("paragraph", (say("who.more"),)))
    return Section("who", HEADINGS["who"], tuple(parts))


def _quote(item: Criterion, ptr: str) -> Quote:
    kids = tuple(Quote(c, ptr, "substring") for c in item.children)
    return Quote(item.text, ptr, "substring", kids, is_heading=item.is_heading)


def eligibility_section(facts: Facts) -> tuple[Section | None, str]:
    """The criteria as written, split into two lists when the text allows; and the split status."""
    criteria = facts.criteria
    if criteria is None:
        return None, "empty"
    split = split_criteria(criteria.value)
    ptr = criteria.pointer
    intro = [say("eligibility.intro", refs=["eligibility-criteria"]), say("eligibility.note")]
    lists = []
    if split.status in ("no_sections", "combined", "empty"):
        intro.append(say("eligibility.unsplit"))
        lists.append(Part("pre", (Quote(unescape(criteria.value).strip(), ptr, "unescaped"),)))
    else:
        if split.preamble:
            lists.append(Part("criteria", tuple(_quote(i, ptr) for i in split.preamble)))
        title = LABELS["criteria"] if split.status == "pdq" else LABELS["inclusion"]
        if split.inclusion:
            lists.append(Part("criteria", tuple(_quote(i, ptr) for i in split.inclusion), title))
        if split.exclusion:
            lists.append(
                Part(
                    "criteria", tuple(_quote(i, ptr) for i in split.exclusion), LABELS["exclusion"]
                )
            )
    section = Section(
        "eligibility", HEADINGS["eligibility"], (Part("paragraph", tuple(intro)), *lists)
    )
    return section, split.status
