"""What this trial studies (purpose, treatments, groups, design) and Why it matters (outcomes)."""

from __future__ import annotations

import re

from transforms.summaries.eligibility import unescape
from transforms.summaries.facts import Arm, Fact, Facts, Intervention
from transforms.summaries.model import Part, Quote, Section, Sentence, Slot
from transforms.summaries.phrasing import (
    count_slot,
    fits,
    join,
    names_fill,
    say,
    slot,
    tested_interventions,
)
from transforms.summaries.templates import HEADINGS, LABELS, PHRASES, TEMPLATES

MAX_ARMS = 6
MAX_ARM_NAMES = 3
MAX_OUTCOMES = 5
# "Drug: Placebo" → "Placebo": armGroups[].interventionNames carry the intervention type first.
_TYPE_PREFIX = re.compile(
    r"^(?:Drug|Device|Biological|Procedure|Radiation|Behavioral|Genetic|Dietary Supplement"
    r"|Combination Product|Diagnostic Test|Other):\s+"
)


def _arm_sentence(arm: Arm, first: bool) -> Sentence | None:
    if arm.type is None and arm.label is not None:
        label = arm.label.value.strip()
        return say(
            f"studies.cohort.{'first' if first else 'next'}",
            {"label": label},
            [slot("label", arm.label, label)],
        )
    if arm.type is None or f"studies.arm.first.{arm.type.value}" not in TEMPLATES:
        return None
    template = f"studies.arm.{'first' if first else 'next'}.{arm.type.value}"
    shown = arm.intervention_names[:MAX_ARM_NAMES]
    names = [_TYPE_PREFIX.sub("", n.value.strip()) for n in shown]
    slots: list[Slot] = [slot("arm_type", arm.type, "")]
    slots += [
        slot(f"arm_interventions[{i}]", n, t)
        for i, (n, t) in enumerate(zip(shown, names, strict=True))
    ]
    if len(arm.intervention_names) > MAX_ARM_NAMES:
        names.append(PHRASES["other_treatments"])
    if "{interventions}" in TEMPLATES[template] and not names:
        return None
    sentence = say(template, {"interventions": join(names)}, slots)
    if fits(sentence):
        return sentence
    short = f"studies.arm.short.{'first' if first else 'next'}.{arm.type.value}"
    return say(short, None, slots[:1]) if short in TEMPLATES else None


def _groups(facts: Facts) -> list[Sentence]:
    arms, total = facts.arms, facts.arm_count
    if not arms or total is None:
        return []
    count = count_slot("count", total.value, total.pointer)
    out = [
        say(
            "studies.groups.one" if count.value == 1 else "studies.groups.many",
            {"count": count.text},
            [count],
        )
    ]
    said = 0
    for arm in arms[:MAX_ARMS]:
        sentence = _arm_sentence(arm, first=said == 0)
        if sentence is not None:
            out.append(sentence)
            said += 1
    if said and len(arms) > MAX_ARMS:
        out.append(say("studies.groups.more"))
    return out


def _what(facts: Facts) -> list[Sentence]:
    out = []
    purpose = facts.purpose
    if purpose is not None and f"studies.purpose.{purpose.value}" in TEMPLATES:
        out.append(say(f"studies.purpose.{purpose.value}", None, [slot("purpose", purpose, "")]))
    tested = tested_interventions(facts)[:MAX_ARM_NAMES]
    if tested and facts.study_type is not None and facts.study_type.value != "OBSERVATIONAL":
        out.append(_tests(facts, tested))
    return out + _groups(facts)


def _tests(facts: Facts, tested: list[Intervention]) -> Sentence:
    """What is being tested: the names (with a plain other name for code names) if they fit."""
    template = "studies.tests.one" if len(tested) == 1 else "studies.tests.many"
    for other_names in (True, False):
        names, slots = names_fill(tested, other_names=other_names)
        sentence = say(template, {"interventions": names}, slots)
        if fits(sentence):
            return sentence
    total = facts.intervention_count
    assert total is not None  # there are interventions
    count = count_slot("count", total.value, total.pointer)
    return say("studies.tests.listed", {"count": count.text}, [count])


def _masking(facts: Facts) -> list[Sentence]:
    masking = facts.masking
    if masking is None:
        return []
    base = [slot("masking", masking, "")]
    if masking.value == "NONE":
        return [say("studies.masking.NONE", None, base)]
    if masking.value not in ("SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"):
        return []
    roles = [w for w in facts.who_masked if f"mask.{w.value}" in PHRASES]
    if roles:
        who = join([PHRASES[f"mask.{w.value}"] for w in roles])
        slots = base + [slot(f"who_masked[{n}]", w, "") for n, w in enumerate(roles)]
        first = say("studies.masking.who", {"who": who}, slots)
    else:
        first = say("studies.masking.some", None, base)
    return [first, say("studies.masking.why", None, base)]


def _design(facts: Facts) -> list[Sentence]:
    out = []
    allocation = facts.allocation
    if allocation is not None and f"studies.allocation.{allocation.value}" in TEMPLATES:
        s = [slot("allocation", allocation, "")]
        out.append(say(f"studies.allocation.{allocation.value}", None, s))
        if f"studies.allocation.{allocation.value}.why" in TEMPLATES:
            out.append(say(f"studies.allocation.{allocation.value}.why", None, s))
    out += _masking(facts)
    model = facts.model
    if model is not None and f"studies.model.{model.value}" in TEMPLATES:
        out.append(say(f"studies.model.{model.value}", None, [slot("model", model, "")]))
    return out


def _summary(fact: Fact[str] | None) -> Part | None:
    if fact is None:
        return None
    quote = Quote(unescape(fact.value).strip(), fact.pointer, "unescaped")
    return Part("quotes", (say("studies.summary.note"), quote), LABELS["summary"])


def studies_section(facts: Facts) -> Section | None:
    """What this trial studies: purpose, what is tested, groups, design, the team's own words."""
    parts = []
    if what := _what(facts):
        parts.append(Part("paragraph", tuple(what)))
    if design := _design(facts):
        parts.append(Part("paragraph", tuple(design), LABELS["design"]))
    if summary := _summary(facts.brief_summary):
        parts.append(summary)
    return Section("studies", HEADINGS["studies"], tuple(parts)) if parts else None


def _outcome_quotes(facts: Facts) -> tuple[Quote, ...]:
    quotes = []
    for outcome in facts.primary_outcomes[:MAX_OUTCOMES]:
        frame = outcome.time_frame
        children = (
            (
                Quote(
                    unescape(frame.value).strip(),
                    frame.pointer,
                    "unescaped",
                    label=LABELS["time_frame"],
                ),
            )
            if frame
            else ()
        )
        quotes.append(
            Quote(
                unescape(outcome.measure.value).strip(),
                outcome.measure.pointer,
                "unescaped",
                children,
            )
        )
    return tuple(quotes)


def _outcome_parts(facts: Facts) -> list[Part]:
    count = facts.primary_count
    if count is None or not facts.primary_outcomes:
        return []
    c = count_slot("count", count.value, count.pointer)
    intro = [say("why.primary.one" if c.value == 1 else "why.primary.many", {"count": c.text}, [c])]
    if len(facts.primary_outcomes) > MAX_OUTCOMES:
        intro.append(say("why.primary.shown", None, [c]))
    return [
        Part("paragraph", tuple(intro)),
        Part("quotes", _outcome_quotes(facts), LABELS["outcomes"]),
    ]


def _more_results(facts: Facts) -> list[Sentence]:
    out = []
    if (second := facts.secondary_count) is not None:
        c = count_slot("count", second.value, second.pointer)
        out.append(
            say(
                "why.secondary.one" if c.value == 1 else "why.secondary.many",
                {"count": c.text},
                [c],
            )
        )
    done = facts.status is not None and facts.status.value in ("COMPLETED", "TERMINATED")
    if facts.has_results is not None and facts.has_results.value:
        out.append(say("why.results.posted", None, [slot("has_results", facts.has_results, "")]))
    elif facts.has_results is not None and done and facts.status is not None:
        out.append(
            say(
                "why.results.none",
                None,
                [slot("has_results", facts.has_results, ""), slot("status", facts.status, "")],
            )
        )
    return out


def why_section(facts: Facts) -> Section | None:
    """Why it matters: what will be measured and whether results are posted; never a claim."""
    parts = _outcome_parts(facts)
    more = _more_results(facts)
    posted = facts.has_results is not None and facts.has_results.value
    if not parts and facts.secondary_count is None and not posted:
        return None
    parts.append(Part("paragraph", (*more, say("why.no_claims"))))
    return Section("why", HEADINGS["why"], tuple(parts))
