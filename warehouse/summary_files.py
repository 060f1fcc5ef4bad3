"""The published summary files: `<folder>/summaries/<NCT>.json`, `<NCT>.html` and `index.html`.

Written from pub.summaries (never regenerated here), so the files always match the published
table. NCT ids are validated before they become file names; the index escapes every headline.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import duckdb

from schemas.ids import is_canonical_nct_id

log = logging.getLogger(__name__)

SUMMARIES_DIR = "summaries"
INDEX_TITLE = "Trial summaries"
_BATCH = 500

_INDEX_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
base-uri 'none'; form-action 'none'">
<title>{title}</title>
<style>body{{font:17px/1.55 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1.5rem 1rem}}
li{{margin:.3rem 0}} .id{{color:#555;font-size:.9rem}}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{count} studies.</p>
<ul>
"""
_INDEX_TAIL = """</ul>
</main>
</body>
</html>
"""


def _index_line(nct_id: str, headline: str) -> str:
    return (
        f'<li><a href="{nct_id}.html">{html.escape(headline)}</a> '
        f'<span class="id">{nct_id}</span></li>\n'
    )


def write_summary_files(con: duckdb.DuckDBPyConnection, folder: Path) -> int:
    """Write one JSON and one HTML file per summary, plus the index; returns the pages written.

    Rows whose NCT id is not canonical are skipped (and logged): an id becomes a file name.
    """
    out = folder / SUMMARIES_DIR
    out.mkdir(parents=True, exist_ok=True)
    ids = [r[0] for r in con.execute("SELECT nct_id FROM pub.summaries ORDER BY nct_id").fetchall()]
    lines, written = [], 0
    for start in range(0, len(ids), _BATCH):
        rows = con.execute(
            "SELECT nct_id, headline, document, html FROM pub.summaries "
            "WHERE nct_id >= ? AND nct_id <= ? ORDER BY nct_id",
            [ids[start], ids[min(start + _BATCH, len(ids)) - 1]],
        ).fetchall()
        for nct_id, headline, document, page in rows:
            if not is_canonical_nct_id(nct_id):
                log.warning("skipping a summary with a malformed NCT id: %r", nct_id)
                continue
            (out / f"{nct_id}.json").write_text(document, encoding="utf-8")
            (out / f"{nct_id}.html").write_text(page, encoding="utf-8")
            lines.append(_index_line(nct_id, headline))
            written += 1
    title = html.escape(INDEX_TITLE)
    index = _INDEX_HEAD.format(title=title, count=f"{written:,}") + "".join(lines) + _INDEX_TAIL
    (out / "index.html").write_text(index, encoding="utf-8")
    return written
