"""Quick facts: the table of key facts, then what they mean in plain words."""

from __future__ import annotations

from transforms.summaries.facts import Fact, Facts
from transforms.summaries.model import Part, Section, Sentence, Slot
from transforms.summaries.phrasing import Age, age, count_slot, join, say, slot
from transforms.summaries.templates import HEADINGS, LABELS, PHRASES, TEMPLATES


def _cell(
    key: str, template_id: str, fills: dict[str, str] | None = None, slots: list[Slot] | None = None
) -> Sentence:
    return say(template_id, fills, slots or [], kind="cell", label=LABELS[key])


def _phase_cell(facts: Facts) -> Sentence | None:
    phases = facts.phases
    if not phases:
        return None
    if all(p.value == "NA" for p in phases):
        return _cell("phase", "fact.phase.NA", None, [slot("phase", phases[0], "")])
    known = [p for p in phases if f"phase.{p.value}" in PHRASES]
    if not known:
        return None
    texts = [PHRASES[f"phase.{p.value}"] for p in known]
    slots = [slot(f"phases[{n}]", p, PHRASES[f"phase.{p.value}"]) for n, p in enumerate(known)]
    return _cell("phase", "fact.phases", {"phases": join(texts)}, slots)


def _coded_cell(key: str, prefix: str, fact: Fact[str] | None) -> Sentence | None:
    if fact is None or f"{prefix}.{fact.value}" not in TEMPLATES:
        return None
    return _cell(key, f"{prefix}.{fact.value}", None, [slot(key, fact, "")])


def _enrollment_cell(facts: Facts) -> Sentence | None:
    count = facts.enrollment
    if count is None:
        return None
    kind = facts.enrollment_type
    slots = [slot("count", count, f"{count.value:,}")]
    template = "fact.enrollment"
    if kind is not None and f"fact.enrollment.{kind.value}" in TEMPLATES:
        template = f"fact.enrollment.{kind.value}"
        slots.append(slot("type", kind, ""))
    return _cell("enrollment", template, {"count": f"{count.value:,}"}, slots)


def age_texts(low: Age | None, high: Age | None) -> tuple[str, str]:
    """How the two limits read together: "18 to 80 years" drops the first unit when they match."""
    low_text = f"{low.number} {low.unit}" if low else ""
    high_text = f"{high.number} {high.unit}" if high else ""
    if low and high and low.unit == high.unit:
        low_text = str(low.number)
    return low_text, high_text


def age_limits(facts: Facts) -> tuple[Age | None, Age | None]:
    """The minimum (ignored when it is zero) and maximum age."""
    low, high = age(facts.min_age), age(facts.max_age)
    return (low if low and low.number > 0 else None), high


def _ages_cell(facts: Facts) -> Sentence | None:
    low, high = age_limits(facts)
    low_text, high_text = age_texts(low, high)
    fills = {"min": low_text, "max": high_text}
    slots = [
        slot(n, a.fact, t) for n, a, t in (("min", low, low_text), ("max", high, high_text)) if a
    ]
    if low and high:
        return _cell("ages", "fact.ages.range", fills, slots)
    if low or high:
        return _cell("ages", "fact.ages.min" if low else "fact.ages.max", fills, slots)
    groups = [g for g in facts.std_ages if f"age.{g.value}" in PHRASES]
    if not groups:
        return None
    text = join([PHRASES[f"age.{g.value}"] for g in groups])
    return _cell(
        "ages",
        "fact.ages.std",
        {"groups": text[:1].upper() + text[1:]},
        [slot(f"std_ages[{n}]", g, "") for n, g in enumerate(groups)],
    )


def _healthy_cell(facts: Facts) -> Sentence | None:
    if facts.healthy is None:
        return None
    code = "TRUE" if facts.healthy.value else "FALSE"
    return _cell("healthy", f"fact.healthy.{code}", None, [slot("healthy", facts.healthy, "")])


def _sponsor_cell(facts: Facts) -> Sentence | None:
    if facts.sponsor is None:
        return None
    name = facts.sponsor.value.strip()
    slots = [slot("sponsor", facts.sponsor, name)]
    kind = facts.sponsor_class
    if kind is not None and f"fact.sponsor.{kind.value}" in TEMPLATES:
        return _cell(
            "sponsor",
            f"fact.sponsor.{kind.value}",
            {"sponsor": name},
            [*slots, slot("class", kind, "")],
        )
    return _cell("sponsor", "fact.sponsor", {"sponsor": name}, slots)


def place_text(parts: list[tuple[str, Fact[str] | None]]) -> tuple[str, list[Slot]]:
    """A place as "City, State, Country" from the parts present, one slot each."""
    present = [(n, f) for n, f in parts if f is not None]
    text = ", ".join(f.value.strip() for _, f in present)
    return text, [slot(n, f, f.value.strip()) for n, f in present]


def country_count(facts: Facts) -> int:
    """Distinct countries among the sites."""
    # Counted as the verifier counts it (distinct non-empty text, placeholders included), so the
    # number is checkable from the record alone.
    countries = {c.strip() for p in facts.places if isinstance(c := p.item.get("country"), str)}
    return len(countries - {""})


def _places_cell(facts: Facts) -> Sentence | None:
    places, size = facts.places, facts.place_count
    if not places or size is None:
        return None
    total = size.value
    count = count_slot("count", total, size.pointer)
    if total == 1:
        p = places[0]
        text, slots = place_text([("city", p.city), ("state", p.state), ("country", p.country)])
        if text:
            return _cell("places", "fact.places.one", {"place": text}, [count, *slots])
        return _cell("places", "fact.places.one_bare", None, [count])
    countries = country_count(facts)
    if countries > 1:
        slots = [count, count_slot("countries", countries, size.pointer, "count_distinct:country")]
        return _cell(
            "places",
            "fact.places.countries",
            {"count": count.text, "countries": str(countries)},
            slots,
        )
    return _cell("places", "fact.places.many", {"count": count.text}, [count])


def _table(facts: Facts) -> list[Sentence]:
    cells = [
        _phase_cell(facts),
        _coded_cell("study_type", "fact.study_type", facts.study_type),
        _coded_cell("status", "fact.status", facts.status),
        _enrollment_cell(facts),
        _ages_cell(facts),
        _coded_cell("sex", "fact.sex", facts.sex),
        _healthy_cell(facts),
        _sponsor_cell(facts),
        _places_cell(facts),
    ]
    nct = facts.nct_id
    assert nct is not None
    cells.append(_cell("nct_id", "fact.nct_id", {"nct_id": nct.value}, [slot("nct_id", nct)]))
    return [c for c in cells if c is not None]


def _phase_sentences(facts: Facts) -> list[Sentence]:
    out = []
    for n, phase in enumerate(facts.phases):
        if f"facts.phase.{phase.value}" in TEMPLATES:
            s = [slot(f"phases[{n}]", phase, "")]
            out += [
                say(f"facts.phase.{phase.value}", None, s),
                say(f"facts.phase.{phase.value}.2", None, s),
            ]
    return out


def _type_sentences(facts: Facts) -> list[Sentence]:
    kind = facts.study_type
    if kind is None or f"facts.type.{kind.value}" not in TEMPLATES:
        return []
    refs = {
        "INTERVENTIONAL": "interventional",
        "OBSERVATIONAL": "observational",
        "EXPANDED_ACCESS": "expanded-access",
    }
    s = [slot("study_type", kind, "")]
    out = [say(f"facts.type.{kind.value}", None, s, refs=[refs[kind.value]])]
    if f"facts.type.{kind.value}.2" in TEMPLATES:
        out.append(say(f"facts.type.{kind.value}.2", None, s))
    return out


def _enrollment_sentence(facts: Facts) -> list[Sentence]:
    count = facts.enrollment
    if count is None:
        return []
    kind = facts.enrollment_type
    slots = [slot("count", count, f"{count.value:,}")]
    template = "facts.enrollment"
    if kind is not None and f"facts.enrollment.{kind.value}" in TEMPLATES:
        template = f"facts.enrollment.{kind.value}" + (".one" if count.value == 1 else "")
        slots.append(slot("type", kind, ""))
    return [say(template, {"count": f"{count.value:,}"}, slots)]


def facts_section(facts: Facts) -> Section:
    """Quick facts: the table, then the meaning of phase, study type and size."""
    meaning = _phase_sentences(facts) + _type_sentences(facts) + _enrollment_sentence(facts)
    parts = [Part("table", tuple(_table(facts)))]
    if meaning:
        parts.append(Part("paragraph", tuple(meaning), LABELS["facts_meaning"]))
    return Section("facts", HEADINGS["facts"], tuple(parts))
