"""The Jinja2 template of a summary page (rendered with autoescape on).

The pages load nothing and run nothing: inline CSS only, and a Content-Security-Policy that
forbids scripts, images and other fetches, as a second line of defence behind escaping.
"""

from __future__ import annotations

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
"""

_STYLE = """<style>
body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
background:#fff;margin:0}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.7rem;line-height:1.25;margin:.2rem 0 .6rem}
h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.1rem 0 .3rem}
.official{color:#555;font-size:.95rem}
.meta{color:#555;font-size:.9rem}
.lede{font-size:1.15rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #eee}
th{width:12rem;font-weight:600}
blockquote,pre{margin:.5rem 0;padding:.5rem .9rem;background:#f6f6f6;border-left:4px solid #ccc}
blockquote{white-space:pre-line}
pre{white-space:pre-wrap;font:inherit}
.defs{font-size:.93rem;color:#333;background:#f3f8ff;padding:.4rem .7rem}
.tf{color:#555}
footer{margin-top:2.5rem;font-size:.85rem;color:#555;border-top:1px solid #ddd;padding-top:.6rem}
</style>
</head>
"""

PAGE_TEMPLATE = (
    _HEAD
    + """<title>{{ doc.headline.text }}</title>
"""
    + _STYLE
    + """{% macro s(item) %}<span class="s" data-t="{{ item.template_id }}" \
data-src="{{ item | src }}"\
{% if item.get('glossary_refs') %} data-glossary="{{ item.glossary_refs | join(' ') }}"{% endif %}>\
{{ item.text }}</span>{% endmacro %}
{% macro q(item) %}{% if item.get("label") %}<span class="tf">{{ item.label }}:</span> {% endif %}\
{% if item.get("is_heading") %}<strong data-src="{{ item.pointer }}">{{ item.text }}</strong>\
{% else %}<span data-src="{{ item.pointer }}">{{ item.text }}</span>{% endif %}\
{% if item.get("children") %}<ul>{% for c in item.children %}<li>{{ q(c) }}</li>{% endfor %}\
</ul>{% endif %}\
{% endmacro %}
{% macro sentences(items) %}{% for i in items if i.type == "sentence" %}{{ s(i) }}\
{% if not loop.last %} {% endif %}{% endfor %}{% endmacro %}
<body>
<main>
<article data-nct="{{ doc.nct_id }}">
<header>
<h1>{{ s(doc.headline) }}</h1>
{% if doc.official_title %}
<p class="official"><span data-src="{{ doc.official_title.pointer }}">\
{{ doc.official_title.text }}</span></p>
{% endif %}
<p class="meta">{% for c in meta %}{{ s(c) }} · {% endfor %}<span>{{ doc.nct_id }}</span></p>
{% if doc.lede %}
<p class="lede">{{ s(doc.lede) }}</p>
{% endif %}
{% if doc.lede_notes %}
<p class="defs">{{ sentences(doc.lede_notes) }}</p>
{% endif %}
</header>
{% for section in doc.sections %}
<section id="{{ section.key }}">
<h2>{{ section.heading }}</h2>
{% for part in section.parts %}
{% if part.title %}<h3>{{ part.title }}</h3>
{% endif %}
{% if part.kind == "table" %}
<table>
{% for c in part["items"] %}<tr><th scope="row">{{ c.label }}</th><td>{{ s(c) }}</td></tr>
{% endfor %}
</table>
{% elif part.kind == "paragraph" %}
<p{% if part.title == labels.words %} class="defs"{% endif %}>{{ sentences(part["items"]) }}</p>
{% elif part.kind == "bullets" %}
<ul>{% for c in part["items"] %}<li>{{ s(c) }}</li>{% endfor %}</ul>
{% elif part.kind == "steps" %}
<ol>{% for c in part["items"] %}<li>{{ s(c) }}</li>{% endfor %}</ol>
{% elif part.kind == "criteria" %}
<ul>{% for c in part["items"] %}<li>{{ q(c) }}</li>{% endfor %}</ul>
{% elif part.kind == "pre" %}
<pre data-src="{{ part["items"][0].pointer }}">{{ part["items"][0].text }}</pre>
{% else %}
{% for i in part["items"] %}{% if i.type == "sentence" %}<p>{{ s(i) }}</p>
{% elif i.get("children") %}<ul><li>{{ q(i) }}</li></ul>
{% else %}<blockquote data-src="{{ i.pointer }}">{{ i.text }}</blockquote>
{% endif %}{% endfor %}
{% endif %}
{% endfor %}
</section>
{% endfor %}
<p><a href="{{ study_url }}" rel="noopener noreferrer">{{ labels.view }} →</a></p>
<footer>
<p>{{ sentences(doc.footer) }}</p>
</footer>
</article>
</main>
</body>
</html>
"""
)
