"""Hostile input: SQL in every option, path traversal in NCT ids, markup in registry text.

What must hold: option values travel as data (to the API as query parameters, into the database
as bound parameters), never as SQL; an NCT id never becomes a path until it is canonical, so
every file stays inside the data folder; registry text is escaped wherever it is shown (HTML
pages, terminal tables), and no input crashes a command or leaves a traceback.

The commands run in-process (typer's runner, `cli`): these tests are about messages and data.
"""

from __future__ import annotations

import copy
import html.parser
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from tests.reliability.conftest import EDIT_DAY, error_lines, scenario_settings
from tests.support.publication import read_publication
from tests.support.warehouse import RUN_BOOKKEEPING, content_snapshot, rows


def assert_clean_exit(result: Any, codes: tuple[int, ...] = (0, 1)) -> None:
    """Exit 0, or 1 with exactly one `error:` line; never an escaped exception."""
    assert result.exit_code in codes, (result.exit_code, result.output[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 1:
        assert len(error_lines(result.stderr)) == 1, result.stderr


# (option, value, API parameter it must reach verbatim; None: refused before any request)
SYNC_OPTIONS = [
    pytest.param("--cond", "x'); DROP TABLE ctgov.studies; --", "query.cond", id="cond"),
    # Rich markup too: the API's 400 quotes it back whole, and the error line prints it as text.
    pytest.param("--term", "[/x] ' OR 1=1 --", "query.term", id="term"),
    # Accepted by the API (no match): the run succeeds and its report quotes the scope.
    pytest.param("--intr", '"[/i]" OR "1"="1"', "query.intr", id="intr"),
    pytest.param("--locn", "Robert'); DROP TABLE pipeline.runs;--", "query.locn", id="locn"),
    pytest.param("--spons", '"; DELETE FROM history.study_state; --', "query.spons", id="spons"),
    pytest.param(
        "--advanced", "AREA[Phase]PHASE3) OR 1=1; DROP TABLE x --", "filter.advanced", id="advanced"
    ),
    pytest.param("--status", "RECRUITING'; DROP TABLE ctgov.studies; --", None, id="status"),
    pytest.param("--ids", "NCT00000001'; DROP TABLE ctgov.studies; --", None, id="ids"),
]


@pytest.mark.parametrize(("option", "value", "param"), SYNC_OPTIONS)
def test_sql_in_a_sync_option_travels_as_data(
    option, value, param, cli, scenario, clean, base_copy
):
    with scenario.serve(1) as server:
        result = cli(
            "sync", option, value, "--api-url", server.base_url, "--data-dir", str(base_copy)
        )
        sent = [
            e.query.get(param or "", "") for e in server.request_log if e.path.endswith("/studies")
        ]

    assert_clean_exit(result)
    db = base_copy / DB_NAME
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.first  # nothing dropped or lost
    if param is None:
        assert sent == [] and "error:" in result.stderr
        return
    assert sent and all(value in s for s in sent), sent  # the API got the text, unaltered
    if option == "--term":
        assert result.exit_code == 1 and value in " ".join(result.stderr.split())
    (params,) = rows(db, "SELECT params FROM pipeline.runs ORDER BY started_at DESC LIMIT 1")[0]
    assert orjson.loads(params)["scope"]["query"][param] == value  # stored as a bound value


def test_sql_in_a_read_option_filters_nothing_in_and_drops_nothing(cli, clean):
    data = str(clean.second_dir)  # read-only commands: the clean folder itself
    events = cli("changes", "--type", "status_changed", "--format", "json", "--data-dir", data)
    assert_clean_exit(events, (0,))
    assert orjson.loads(events.stdout), "the control query must find events"
    for option, value in [
        ("--type", "x' OR '1'='1"),
        ("--run", "' OR 1=1 --"),
        ("--type", "status_changed'; DROP TABLE history.change_events; --"),
    ]:
        injected = cli("changes", option, value, "--format", "json", "--data-dir", data)
        assert_clean_exit(injected, (0,))
        assert orjson.loads(injected.stdout) == [], (option, value)
    bad_nct = cli("changes", "--nct", "NCT00000001' OR '1'='1", "--data-dir", data)
    assert_clean_exit(bad_nct, (1,))
    assert "not a valid NCT id" in bad_nct.stderr
    bad_date = cli("changes", "--since", "2024-01-01'; DROP TABLE x; --", "--data-dir", data)
    assert_clean_exit(bad_date, (2,))  # refused by the option's date format
    dropped = cli("sql", "DROP TABLE studies", "--data-dir", data)
    assert_clean_exit(dropped, (1,))  # the publication is opened read-only
    assert read_publication(clean.second_dir).problems == []
    assert read_publication(clean.second_dir).manifest == clean.second_publication.manifest


def test_markup_in_query_results_prints_as_text(cli, clean):
    # Registry text (and the user's own column names) may hold rich markup: printed literally,
    # never styled, linked or crashing on an unmatched `[/x]`.
    query = "SELECT '[/x] [red]t[/red] [link=javascript:alert(1)]y[/link]' AS \"[bold]h\""
    shown = cli("sql", query, "--data-dir", str(clean.second_dir))
    assert_clean_exit(shown, (0,))
    text = " ".join(shown.stdout.split())
    assert "[/x] [red]t[/red] [link=javascript:alert(1)]y[/link]" in text and "[bold]h" in text


TRAVERSALS = [
    "../../etc/passwd",
    "NCT00000001/../../escape",
    "/etc/passwd",
    "NCT٠٠٠٠٠٠٠١",  # Arabic-Indic digits: \d would take them
    "ＮＣＴ00000001",  # full-width letters
    "NCT00000001\n../escape",  # `$` would stop at the newline
    "NCT00000001%2F..%2Fescape",
    "NCT00000001\x00.html",
]


def test_nct_ids_with_path_traversal_are_refused_before_any_use(cli, clean, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(clean.second_dir, data_dir, symlinks=True)
    before = _tree(tmp_path)
    for bad in TRAVERSALS:
        for args in (
            ("summarize", bad),
            ("sync", "--ids", bad, "--api-url", "http://127.0.0.1:9/api/v2"),
            ("changes", "--nct", bad),
        ):
            result = cli(*args, "--data-dir", str(data_dir))
            assert_clean_exit(result, (1,))
            assert "not a valid NCT id" in result.stderr, (args, result.stderr)
    assert _tree(tmp_path) == before  # nothing written, inside the data folder or out of it


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
    }


HOSTILE_IDS = [
    "../../../../../../../../tmp/trialsync-escape",
    "NCT00000001/../../escape",
    "NCT٠١٢٣٤٥٦٧",
    "nct00000042",  # what a user may type, but never what a record carries
    "NCT00000001\x00",
]
SCRIPT = "<script>alert(1)</script>"


def _hostile_text(record: dict[str, Any], nct_id: str) -> dict[str, Any]:
    """A real record under `nct_id`, posted on EDIT_DAY, with markup in the texts pages show."""
    out = copy.deepcopy(record)
    section = out["protocolSection"]
    ident = section["identificationModule"]
    ident["nctId"] = nct_id
    ident["briefTitle"] = f"{SCRIPT} [/x] Trial of <img src=x onerror=alert(2)> & more"
    ident["officialTitle"] = '"><svg onload=alert(3)> Official'
    section["statusModule"]["lastUpdatePostDateStruct"] = {"date": EDIT_DAY, "type": "ACTUAL"}
    section["descriptionModule"] = {
        "briefSummary": 'See <a href="javascript:alert(4)">this</a> and '
        f"[that](javascript:alert(5)). {SCRIPT}"
    }
    section["conditionsModule"] = {"conditions": ["<b>Bold</b> condition", "[red]Markup[/red]"]}
    section.setdefault("eligibilityModule", {})["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* <iframe src=//evil.example></iframe> adults\n"
    )
    return out


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bad_attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad_attrs.append((name, value))


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


@pytest.mark.slow
def test_hostile_records_are_quarantined_or_escaped_and_no_path_leaves_the_data_folder(
    scenario, clean, sample_studies, tmp_path, cli
):
    # The data folder's own path is full of SQL metacharacters (but no quote, see below).
    data_dir = tmp_path / "data; DROP TABLE ctgov.studies; --"
    shutil.copytree(clean.first_dir, data_dir, symlinks=True)
    real = sample_studies[sorted(sample_studies)[3]]
    hostile = [_hostile_text(real, nct) for nct in HOSTILE_IDS]
    shown = _hostile_text(real, "NCT99999901")
    with scenario.serve(2) as server:
        server.faults.add("extra_studies", on=1, records=[*hostile, shown])
        report = run_sync(scenario_settings(data_dir, server.base_url), Scope())
    assert report.status == "succeeded"

    db = data_dir / DB_NAME
    reasons = rows(db, "SELECT reason FROM pipeline.quarantine")
    assert len(reasons) == len(HOSTILE_IDS) and all("nctId" in r for (r,) in reasons), reasons
    assert rows(db, "SELECT brief_title FROM ctgov.studies WHERE nct_id = 'NCT99999901'") == [
        (shown["protocolSection"]["identificationModule"]["briefTitle"],)
    ]
    for path in data_dir.rglob("*"):
        assert path.resolve().is_relative_to(data_dir.resolve()), path
    assert not list(tmp_path.parent.rglob("*escape*")) and not list(
        Path("/tmp").glob("trialsync-escape*")
    )

    summaries = data_dir / "published" / "summaries"
    page = (summaries / "NCT99999901.html").read_text()
    tags = _tags(page)
    assert not {"script", "img", "svg", "iframe", "b"} & set(tags.tags), tags.tags
    assert tags.bad_attrs == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    index = (summaries / "index.html").read_text()
    assert "script" not in _tags(index).tags and _tags(index).bad_attrs == []
    assert sorted(p.name for p in summaries.iterdir()) == sorted(
        [f"{n}.{ext}" for n in _published_ids(db) for ext in ("html", "json")] + ["index.html"]
    )
    # The terminal shows the stored title as text too.
    title = cli(
        "sql",
        "SELECT brief_title FROM studies WHERE nct_id = 'NCT99999901'",
        "--data-dir",
        str(data_dir),
    )
    assert_clean_exit(title, (0,))
    assert f"{SCRIPT} [/x] Trial" in " ".join(title.stdout.split())


def _published_ids(db: Path) -> list[str]:
    return [n for (n,) in rows(db, "SELECT nct_id FROM pub.summaries")]


def test_a_data_folder_path_with_a_quote_is_refused_clearly(cli, clean, tmp_path):
    # Paths go into DuckDB's COPY and read_parquet as literals; a quote is refused, not spliced.
    data_dir = tmp_path / "it's'; DROP TABLE ctgov.studies; --"
    shutil.copytree(clean.first_dir, data_dir, symlinks=True)
    before = read_publication(data_dir)
    result = cli("publish", "--data-dir", str(data_dir))
    assert_clean_exit(result, (1,))
    assert "containing a quote" in result.stderr
    after = read_publication(data_dir)
    assert after.problems == [] and after.manifest == before.manifest
    assert content_snapshot(data_dir / DB_NAME, ignore=RUN_BOOKKEEPING) == clean.first
