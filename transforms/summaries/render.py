"""Rendering a page document as Markdown and as HTML (Jinja2, autoescaped); both are pure.

All registry text is escaped: HTML through Jinja2's autoescape, Markdown by entity-escaping `& < >`
and backslash-escaping Markdown's own characters. HTML spans carry the template id and the JSON
Pointers of their values (`data-t`, `data-src`), so a page can be audited from its source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, StrictUndefined

from transforms.summaries.html_templates import PAGE_TEMPLATE
from transforms.summaries.templates import LABELS

CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")

Doc = Mapping[str, Any]


def _pointers(item: Mapping[str, Any]) -> str:
    if item.get("type") == "quote":
        return str(item.get("pointer", ""))
    ptrs = [s["pointer"] for s in item.get("slots", []) if s.get("pointer")]
    return " ".join(dict.fromkeys(ptrs))


def _environment() -> Environment:
    env = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["src"] = _pointers
    return env


_ENV = _environment()
_PAGE = _ENV.from_string(PAGE_TEMPLATE)


def meta_line(doc: Doc) -> list[Mapping[str, Any]]:
    """The cells shown under the headline: phase and sponsor (from Quick facts)."""
    wanted = (LABELS["phase"], LABELS["sponsor"])
    cells = [
        i
        for s in doc["sections"]
        if s["key"] == "facts"
        for p in s["parts"]
        if p["kind"] == "table"
        for i in p["items"]
    ]
    return [
        c
        for label in wanted
        for c in cells
        if c.get("label") == label and c.get("template_id") != "fact.phase.NA"
    ]


def render_html(doc: Doc) -> str:
    """The page as one self-contained HTML document (no scripts, a strict content policy)."""
    return _PAGE.render(
        doc=doc, labels=LABELS, meta=meta_line(doc), study_url=CTGOV_STUDY_URL + doc["nct_id"]
    )


def md_escape(text: str) -> str:
    """Registry text made inert in Markdown: HTML entities for `& < >`, backslashes for the rest."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _md_sentences(items: Sequence[Mapping[str, Any]]) -> str:
    return " ".join(md_escape(i["text"]) for i in items if i.get("type") == "sentence")


def _md_quote(item: Mapping[str, Any], depth: int = 0) -> list[str]:
    pad = "  " * depth
    label = f"{md_escape(item['label'])}: " if item.get("label") else ""
    text = " ".join(md_escape(item["text"]).split())
    text = f"**{text}**" if item.get("is_heading") else text
    lines = [f"{pad}- {label}{text}"]
    for child in item.get("children", []):
        lines += _md_quote(child, depth + 1)
    return lines


def _md_part(part: Mapping[str, Any]) -> list[str]:
    items, kind = part["items"], part["kind"]
    out = [f"**{md_escape(part['title'])}**", ""] if part.get("title") else []
    if kind == "table":
        out += ["| | |", "|---|---|"]
        out += [f"| {md_escape(i['label'])} | {md_escape(i['text'])} |" for i in items]
    elif kind == "paragraph":
        out.append(_md_sentences(items))
    elif kind in ("bullets", "steps"):
        out += [
            f"{f'{n + 1}.' if kind == 'steps' else '-'} {md_escape(i['text'])}"
            for n, i in enumerate(items)
        ]
    elif kind == "pre":
        out += [
            "> " + md_escape(line) if line.strip() else ">" for line in items[0]["text"].split("\n")
        ]
    else:  # quotes, criteria
        if note := _md_sentences(items):
            out += [note, ""]
        for item in items:
            if item.get("type") == "quote":
                out += (
                    _md_quote(item)
                    if kind == "criteria" or item.get("children")
                    else [
                        "> " + md_escape(line) if line.strip() else ">"
                        for line in item["text"].split("\n")
                    ]
                )
    return out + [""]


def render_markdown(doc: Doc) -> str:
    """The page as Markdown."""
    out = [f"# {md_escape(doc['headline']['text'])}", ""]
    if doc.get("official_title"):
        out += [
            f"*{md_escape(LABELS['official_title'])}:* {md_escape(doc['official_title']['text'])}",
            "",
        ]
    out += [" · ".join([*(md_escape(c["text"]) for c in meta_line(doc)), doc["nct_id"]]), ""]
    if doc.get("lede"):
        out += [
            " ".join(md_escape(s["text"]) for s in [doc["lede"], *doc.get("lede_notes", [])]),
            "",
        ]
    for section in doc["sections"]:
        out += [f"## {md_escape(section['heading'])}", ""]
        for part in section["parts"]:
            out += _md_part(part)
    out += [f"[{md_escape(LABELS['view'])}]({CTGOV_STUDY_URL}{doc['nct_id']})", "", "---", ""]
    out += [" ".join(md_escape(s["text"]) for s in doc["footer"]), ""]
    return "\n".join(out)
