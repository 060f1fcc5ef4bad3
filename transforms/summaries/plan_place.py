"""Where the trial runs, whom to contact, how to take part, the conditions, and the footer."""

from __future__ import annotations

import datetime as dt

from transforms.summaries.eligibility import unescape
from transforms.summaries.facts import Contact, Fact, Facts, Place, present
from transforms.summaries.model import Part, Quote, Section, Sentence, Slot
from transforms.summaries.phrasing import count_slot, date_text, say, slot
from transforms.summaries.plan_facts import country_count, place_text
from transforms.summaries.templates import HEADINGS, LABELS, PHRASES, TEMPLATES

MAX_PLACES = 10
MAX_CONTACTS = 5
OPEN = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"})


def _place(place: Place) -> Sentence | None:
    text, slots = place_text(
        [("city", place.city), ("state", place.state), ("country", place.country)]
    )
    return say("where.place", {"place": text}, slots, kind="cell") if text else None


def where_section(facts: Facts) -> Section | None:
    """How many sites, and the first distinct places as written."""
    size = facts.place_count
    if size is None or not facts.places:
        return None
    count = count_slot("count", size.value, size.pointer)
    countries = country_count(facts)
    if countries > 1:
        c = count_slot("countries", countries, size.pointer, "count_distinct:country")
        intro = say("where.countries", {"count": count.text, "countries": c.text}, [count, c])
    else:
        intro = say(
            "where.one" if size.value == 1 else "where.many", {"count": count.text}, [count]
        )
    # Distinct places in registry order; sentences only for the ones shown (a study may list
    # thousands of sites).
    keys: dict[str, Place] = {}
    for place in facts.places:
        key = ", ".join(
            v.strip().lower()
            for k in ("city", "state", "country")
            if present(v := place.item.get(k))
        )
        if key:
            keys.setdefault(key, place)
    shown = [s for p in list(keys.values())[:MAX_PLACES] if (s := _place(p)) is not None]
    parts = [Part("paragraph", (intro,))]
    if shown:
        parts.append(Part("bullets", tuple(shown)))
    if len(keys) > MAX_PLACES:
        parts.append(Part("paragraph", (say("where.more"),)))
    return Section("where", HEADINGS["where"], tuple(parts))


def _contact(contact: Contact) -> Sentence:
    texts, slots = [], []
    if contact.name:
        texts.append(contact.name.value.strip())
        slots.append(slot("name", contact.name, texts[-1]))
    if contact.phone:
        phone = contact.phone.value.strip()
        slots.append(slot("phone", contact.phone, phone))
        if contact.phone_ext:
            slots.append(slot("phone_ext", contact.phone_ext, contact.phone_ext.value.strip()))
            phone = f"{phone} {PHRASES['ext']} {contact.phone_ext.value.strip()}"
        texts.append(phone)
    if contact.email:
        texts.append(contact.email.value.strip())
        slots.append(slot("email", contact.email, texts[-1]))
    return say("contacts.central", {"contact": " · ".join(texts)}, slots, kind="cell")


def _official(official: Contact) -> Sentence | None:
    pieces = [f for f in (official.name, official.affiliation) if f is not None]
    if not pieces:
        return None
    text = ", ".join(f.value.strip() for f in pieces)
    slots: list[Slot] = [
        slot(n, f, f.value.strip())
        for n, f in (("name", official.name), ("affiliation", official.affiliation))
        if f
    ]
    role = official.role
    if role is not None and f"contacts.official.{role.value}" in TEMPLATES:
        return say(
            f"contacts.official.{role.value}",
            {"official": text},
            [*slots, slot("role", role, "")],
            kind="cell",
        )
    return say("contacts.official", {"official": text}, slots, kind="cell")


def contacts_section(facts: Facts) -> Section | None:
    """Central contacts and the people who lead the study, as written."""
    parts = []
    central = [_contact(c) for c in facts.central_contacts[:MAX_CONTACTS]]
    if central:
        parts += [
            Part("paragraph", (say("contacts.central.intro"),)),
            Part("bullets", tuple(central)),
        ]
    officials = [s for o in facts.officials[:MAX_CONTACTS] if (s := _official(o)) is not None]
    if officials:
        parts += [
            Part("paragraph", (say("contacts.officials.intro"),)),
            Part("bullets", tuple(officials)),
        ]
    return Section("contacts", HEADINGS["contacts"], tuple(parts)) if parts else None


def _date_sentence(
    kind: str, date: Fact[str] | None, date_type: Fact[str] | None
) -> Sentence | None:
    text = date_text(date.value) if date is not None else None
    if date is None or text is None:
        return None
    slots = [slot("date", date, text)]
    template = f"how.{kind}"
    if date_type is not None or kind != "start":
        # "started on March 18, 1996", "ended in March 2021": the preposition follows the precision.
        text = ("on " if "," in text else "in ") + text
    if date_type is not None and f"how.{kind}.{date_type.value}" in TEMPLATES:
        template = f"how.{kind}.{date_type.value}"
        slots.append(slot("type", date_type, ""))
    return say(template, {"date": text}, slots)


def _status(facts: Facts) -> list[Part]:
    status = facts.status
    said = []
    if status is not None and f"how.status.{status.value}" in TEMPLATES:
        said.append(say(f"how.status.{status.value}", None, [slot("status", status, "")]))
    for sentence in (
        _date_sentence("start", facts.start_date, facts.start_type),
        _date_sentence("end", facts.end_date, facts.end_type),
    ):
        if sentence is not None:
            said.append(sentence)
    parts = [Part("paragraph", tuple(said))] if said else []
    if facts.why_stopped is not None:
        why = facts.why_stopped
        quote = Quote(unescape(why.value).strip(), why.pointer, "unescaped")
        parts.append(Part("quotes", (say("how.why_stopped"), quote)))
    return parts


def how_section(facts: Facts) -> Section | None:
    """How to take part: the status in plain words, the dates, then the steps (or why not)."""
    parts = _status(facts)
    status = facts.status
    if status is not None and status.value in OPEN:
        s = [slot("status", status, "")]
        steps = [say("how.step.rules", None, s)]
        if facts.central_contacts or facts.officials:
            steps += [say("how.step.contact", None, s), say("how.step.ask", None, s)]
        else:
            steps.append(say("how.step.find_contact", None, s))
        steps.append(say("how.step.news"))
        parts.append(Part("steps", tuple(steps), LABELS["steps"]))
    elif status is not None:
        parts.append(
            Part(
                "paragraph",
                (say("how.closed", None, [slot("status", status, "")]), say("how.step.news")),
            )
        )
    return Section("how", HEADINGS["how"], tuple(parts)) if parts else None


def conditions_section(facts: Facts) -> Section | None:
    """Every condition as the study team wrote it."""
    items = [
        say(
            "conditions.item",
            {"condition": c.value.strip()},
            [slot(f"conditions[{n}]", c, c.value.strip())],
            kind="cell",
        )
        for n, c in enumerate(facts.conditions)
    ]
    return (
        Section("conditions", HEADINGS["conditions"], (Part("bullets", tuple(items)),))
        if items
        else None
    )


def footer(
    facts: Facts, generated_on: dt.date, glossary_ids: list[str], source_names: list[str]
) -> tuple[Sentence, ...]:
    """The honest footer: made automatically, when, from which record; not reviewed; sources."""
    nct = facts.nct_id
    assert nct is not None
    generated = generated_on.isoformat()
    when = Slot("generated_on", generated, None, date_text(generated) or generated)
    updated = date_text(facts.last_update.value) if facts.last_update else None
    fills = {"generated_on": when.text, "nct_id": nct.value}
    slots = [when, slot("nct_id", nct)]
    if updated and facts.last_update:
        fills["last_updated"] = updated
        first = say(
            "footer.generated",
            fills,
            [*slots, slot("last_updated", facts.last_update, updated)],
            kind="footer",
        )
    else:
        first = say("footer.generated.no_update", fills, slots, kind="footer")
    out = [first, say("footer.review", kind="footer")]
    if glossary_ids:
        out.append(
            say(
                "footer.sources",
                {"sources": "; ".join(source_names)},
                refs=glossary_ids,
                kind="footer",
            )
        )
    return tuple(out)
