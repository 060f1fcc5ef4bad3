"""The replay server answers like the real API (reference §3–§6, §9, §15), over real HTTP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests

from replay.server import ReplayServer

ALIAS, CANONICAL = "NCT02380456", "NCT02300909"  # a merged duplicate in the sample


@pytest.fixture
def server(sample_studies: dict[str, dict[str, Any]], sample_dir: Path) -> Iterator[ReplayServer]:
    metadata = sample_dir / "spec" / "studies-metadata_2024-10.json"
    with ReplayServer(list(sample_studies.values()), metadata_path=metadata) as srv:
        yield srv


def get(server: ReplayServer, path: str, **params: str) -> requests.Response:
    return requests.get(server.base_url + path, params=params, timeout=10, allow_redirects=False)


def walk(server: ReplayServer, **params: str) -> list[dict[str, Any]]:
    """Every page of a /studies walk, following tokens with the same parameters."""
    pages = []
    token = None
    while True:
        query = dict(params, pageToken=token) if token else params
        response = get(server, "/studies", **query)
        assert response.status_code == 200, response.text
        doc = response.json()
        pages.append(doc)
        token = doc.get("nextPageToken")
        if not token:
            return pages


def ids_of(pages: list[dict[str, Any]]) -> list[str]:
    return [
        s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p["studies"]
    ]


def test_version_reports_api_version_and_data_timestamp(server: ReplayServer) -> None:
    assert get(server, "/version").json() == {
        "apiVersion": "2.0.5",
        "dataTimestamp": "2026-11-20T09:00:05",
    }
    server.set_data_timestamp("2026-11-23T09:00:04")
    assert get(server, "/version").json()["dataTimestamp"] == "2026-11-23T09:00:04"


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [
        pytest.param(None, 10, id="default-10"),
        pytest.param("0", 10, id="zero-means-10"),  # OAS: 0 or unset means 10
        pytest.param("5000", 670, id="clamped-to-1000"),  # silently coerced down (RECON-0810)
        pytest.param("7", 7, id="explicit"),
    ],
)
def test_page_size_rules(server: ReplayServer, page_size: str | None, expected: int) -> None:
    params = {"pageSize": page_size} if page_size else {}
    assert len(get(server, "/studies", **params).json()["studies"]) == expected


def test_default_order_is_stable_but_not_sorted_by_id(server: ReplayServer) -> None:
    first = ids_of(walk(server, pageSize="1000", fields="NCTId"))
    again = ids_of(walk(server, pageSize="1000", fields="NCTId"))
    assert first == again
    assert first != sorted(first)
    assert sorted(first) == sorted(server.studies)


def test_full_walk_has_the_phantom_empty_last_page(server: ReplayServer) -> None:
    # 670 studies at 67 per page: the 10th page is exactly full, so it still carries a token
    # and an 11th, empty page follows (reference §3.4).
    pages = walk(server, pageSize="67", fields="NCTId")
    assert [len(p["studies"]) for p in pages] == [67] * 10 + [0]
    assert pages[-1] == {"studies": []}
    assert sorted(ids_of(pages)) == sorted(server.studies)


def test_short_last_page_has_no_token(server: ReplayServer) -> None:
    pages = walk(server, pageSize="100", fields="NCTId")
    assert [len(p["studies"]) for p in pages] == [100] * 6 + [70]
    assert "nextPageToken" not in pages[-1]


def test_tokens_are_opaque_url_safe_and_vary_in_length(server: ReplayServer) -> None:
    pages = walk(server, pageSize="10", fields="NCTId")
    tokens = [p["nextPageToken"] for p in pages if "nextPageToken" in p]
    assert all(15 <= len(t) <= 60 for t in tokens)
    assert all(t.replace("-", "").replace("_", "").isalnum() for t in tokens)
    assert len({len(t) for t in tokens}) > 5
    assert len(set(tokens)) == len(tokens)


def test_count_total_on_the_first_page_only(server: ReplayServer) -> None:
    pages = walk(server, pageSize="300", countTotal="true", fields="NCTId")
    assert pages[0]["totalCount"] == 670
    assert all("totalCount" not in p for p in pages[1:])
    raw = get(server, "/studies", pageSize="2", countTotal="true", fields="NCTId").content
    # The body starts with totalCount and puts one study per line, as the real API does.
    assert raw.startswith(b'{"totalCount":670,"studies":[\n{')
    assert raw.count(b"\n") == 3


def test_token_bound_to_the_first_pages_parameters(server: ReplayServer) -> None:
    token = get(server, "/studies", pageSize="5", fields="NCTId").json()["nextPageToken"]
    other = get(server, "/studies", pageSize="5", fields="BriefTitle", pageToken=token)
    assert other.status_code == 400
    # pageSize and countTotal may change between pages (OAS).
    same = get(server, "/studies", pageSize="9", countTotal="true", fields="NCTId", pageToken=token)
    assert same.status_code == 200
    assert len(same.json()["studies"]) == 9
    assert get(server, "/studies", pageToken="nonsense").status_code == 400


@pytest.mark.parametrize(
    ("expire", "status"),
    [
        pytest.param(False, 200, id="tokens-survive-refresh-by-default"),
        pytest.param(True, 400, id="tokens-expire-when-configured"),  # [CYAN] claim
    ],
)
def test_token_expiry_on_data_refresh(server: ReplayServer, expire: bool, status: int) -> None:
    server.expire_tokens_on_refresh = expire
    token = get(server, "/studies", pageSize="5").json()["nextPageToken"]
    server.set_data_timestamp("2026-11-23T09:00:04")
    assert get(server, "/studies", pageSize="5", pageToken=token).status_code == status


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"query.bogus": "x"}, "`query.bogus` is unknown parameter", id="unknown"),
        pytest.param(
            {"filter.overallStatus": "RECRUITING,NOPE"},
            "Invalid value in parameter `overallStatus`: `NOPE`",
            id="bad-status",
        ),
        pytest.param(
            {"fields": "NCTId,NoSuchPiece"},
            "contains invalid field name: 'NoSuchPiece'",
            id="bad-field",
        ),
        pytest.param(
            {"filter.ids": "NCT02300909,NCT00000000"}, "incorrect format", id="one-bad-id"
        ),  # one malformed id rejects the whole batch (CYAN 2.3.3)
        pytest.param(
            {"filter.advanced": "SEARCH[Location](AREA[LocationCity]Boston)"},
            "replay server does not support",
            id="unsupported-essie",
        ),
        pytest.param({"format": "csv"}, "json only", id="csv"),
        pytest.param({"filter.advanced": "AREA[Nope]RANGE[1,2]"}, "Unknown area", id="bad-area"),
    ],
)
def test_bad_requests_are_plain_text_400s(
    server: ReplayServer, params: dict[str, str], message: str
) -> None:
    response = get(server, "/studies", **params)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert message in response.text


def test_filter_ids_matches_aliases_and_omits_unknown_ids(server: ReplayServer) -> None:
    doc = get(server, "/studies", **{"filter.ids": f"{ALIAS}|nct3103880|NCT09999999"}).json()
    assert sorted(ids_of([doc])) == [CANONICAL, "NCT03103880"]


def test_filter_overall_status(server: ReplayServer, sample_studies: dict[str, Any]) -> None:
    wanted = {"SUSPENDED", "WITHDRAWN"}
    expected = sorted(
        k
        for k, s in sample_studies.items()
        if s["protocolSection"]["statusModule"]["overallStatus"] in wanted
    )
    doc = get(server, "/studies", **{"filter.overallStatus": "SUSPENDED|WITHDRAWN"}).json()
    assert sorted(ids_of([doc])) == expected
    assert len(expected) == 8


def last_update(study: dict[str, Any]) -> str:
    return study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]


def test_advanced_range_selects_inclusive_window(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    expected = sorted(
        k for k, s in sample_studies.items() if "2025-06-01" <= last_update(s) <= "2025-06-30"
    )
    expr = "AREA[LastUpdatePostDate]RANGE[2025-06-01,2025-06-30]"
    pages = walk(server, pageSize="1000", **{"filter.advanced": expr})
    assert sorted(ids_of(pages)) == expected
    assert len(expected) > 3


def test_advanced_and_combination_with_min_and_max(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    expr = (
        "(AREA[LastUpdatePostDate]RANGE[MIN,2020-12-31]) AND "
        "AREA[StudyFirstPostDate]RANGE[2015-01-01,MAX]"
    )
    expected = sorted(
        k
        for k, s in sample_studies.items()
        if last_update(s) <= "2020-12-31"
        and s["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"] >= "2015-01-01"
    )
    assert sorted(ids_of(walk(server, pageSize="1000", **{"filter.advanced": expr}))) == expected
    assert expected


def test_sort_by_last_update_post_date(server: ReplayServer) -> None:
    asc = walk(server, pageSize="100", sort="LastUpdatePostDate:asc", fields="LastUpdatePostDate")
    dates = [last_update(s) for p in asc for s in p["studies"]]
    assert dates == sorted(dates)
    assert len(dates) == 670
    desc = get(
        server,
        "/studies",
        pageSize="50",
        sort="LastUpdatePostDate",
        fields="NCTId,LastUpdatePostDate",
    )
    got = [last_update(s) for s in desc.json()["studies"]]
    assert got == sorted(got, reverse=True)  # dates sort descending by default (OAS)


def test_fields_projection_keeps_only_requested_pieces(server: ReplayServer) -> None:
    doc = get(server, "/studies", pageSize="3", fields="NCTId|OverallStatus").json()
    for study in doc["studies"]:
        assert set(study) == {"protocolSection"}
        assert set(study["protocolSection"]) == {"identificationModule", "statusModule"}
        assert set(study["protocolSection"]["identificationModule"]) == {"nctId"}
        assert set(study["protocolSection"]["statusModule"]) == {"overallStatus"}


def test_fields_accepts_module_and_section_names(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    doc = get(server, f"/studies/{CANONICAL}", fields="IdentificationModule,derivedSection").json()
    original = sample_studies[CANONICAL]
    assert doc == {
        "protocolSection": {
            "identificationModule": original["protocolSection"]["identificationModule"]
        },
        "derivedSection": original["derivedSection"],
    }


def test_query_cond_is_a_word_match_approximation(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    doc = get(server, "/studies", pageSize="1000", **{"query.cond": "glioblastoma"}).json()
    found = set(ids_of([doc]))
    with_condition = {
        k
        for k, s in sample_studies.items()
        if any(
            "glioblastoma" in c.lower()
            for c in s["protocolSection"].get("conditionsModule", {}).get("conditions", [])
        )
    }
    assert with_condition
    assert with_condition <= found


def test_single_study_and_its_errors(server: ReplayServer, sample_studies: dict[str, Any]) -> None:
    assert get(server, f"/studies/{CANONICAL}").json() == sample_studies[CANONICAL]
    assert get(server, "/studies/nct2300909").json() == sample_studies[CANONICAL]
    moved = get(server, f"/studies/{ALIAS}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"/api/v2/studies/{CANONICAL}"
    malformed = get(server, "/studies/NCT1234567890")
    assert (malformed.status_code, malformed.headers["Content-Type"][:10]) == (400, "text/plain")
    assert "incorrect format" in malformed.text
    missing = get(server, "/studies/NCT09999999")
    assert (missing.status_code, missing.headers["Content-Type"][:10]) == (404, "text/plain")


def test_unknown_path_is_an_nginx_html_404(server: ReplayServer) -> None:
    for path in ("/query/full_studies", "/../nowhere"):
        response = get(server, path)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/html")
        assert b"<center>nginx</center>" in response.content


def test_metadata_is_the_captured_file(server: ReplayServer, sample_dir: Path) -> None:
    response = get(server, "/studies/metadata")
    assert response.content == (sample_dir / "spec" / "studies-metadata_2024-10.json").read_bytes()


def test_bulk_download_is_the_official_zip_layout(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    response = get(server, "/studies/download", format="json.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=ctg-studies.json.zip"
    assert int(response.headers["Content-Length"]) == len(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(f"{k[-2:]}/{k}.json" for k in sample_studies)
        assert (
            orjson.loads(archive.read(f"{CANONICAL[-2:]}/{CANONICAL}.json"))
            == sample_studies[CANONICAL]
        )


def test_bulk_download_supports_ranges(server: ReplayServer) -> None:
    full = get(server, "/studies/download", format="json.zip")
    tag, size = full.headers["ETag"], len(full.content)
    url = server.base_url + "/studies/download?format=json.zip"
    part = requests.get(url, headers={"Range": "bytes=1000-", "If-Range": tag}, timeout=10)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    assert part.content == full.content[1000:]
    stale = requests.get(url, headers={"Range": "bytes=1000-", "If-Range": '"old"'}, timeout=10)
    assert (stale.status_code, stale.content) == (200, full.content)
    past = requests.get(url, headers={"Range": f"bytes={size}-"}, timeout=10)
    assert past.status_code == 416


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            {"format": "json.zip", "query.cond": "x"},
            "Invalid prefix in parameter name: query.cond",
            id="filter",
        ),
        pytest.param({"format": "csv"}, "Invalid value in parameter `format`", id="format"),
    ],
)
def test_bulk_download_rejects_other_parameters(
    server: ReplayServer, params: dict[str, str], message: str
) -> None:
    response = get(server, "/studies/download", **params)
    assert response.status_code == 400
    assert response.text == message or message in response.text


def test_mutations_change_what_is_served(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    server.remove_studies([CANONICAL])
    assert get(server, f"/studies/{CANONICAL}").status_code == 404
    assert get(server, f"/studies/{ALIAS}").status_code == 404
    changed = orjson.loads(orjson.dumps(sample_studies[CANONICAL]))
    changed["protocolSection"]["identificationModule"]["briefTitle"] = "Edited"
    server.upsert_studies([changed])
    assert get(server, f"/studies/{CANONICAL}", fields="BriefTitle").json() == {
        "protocolSection": {"identificationModule": {"briefTitle": "Edited"}}
    }
    server.replace_studies([changed])
    assert get(server, "/studies", countTotal="true").json()["totalCount"] == 1


def test_request_log_records_every_request(server: ReplayServer) -> None:
    get(server, "/version")
    get(server, "/studies", pageSize="1")
    get(server, "/nope")
    assert [(e.path, e.status) for e in server.request_log] == [
        ("/api/v2/version", 200),
        ("/api/v2/studies", 200),
        ("/api/v2/nope", 404),
    ]
    assert server.request_log[1].query == {"pageSize": "1"}


def test_serves_a_folder_with_metadata_found_next_to_it(sample_dir: Path) -> None:
    with ReplayServer(sample_dir / "studies") as srv:
        assert len(srv.studies) == 670
        assert get(srv, "/studies/metadata").status_code == 200
        # Pieces beyond the built-in table resolve through the metadata file.
        assert get(srv, "/studies", fields="LocationCity").status_code == 200


def test_hand_built_records_work_without_metadata() -> None:
    record = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT00000001", "briefTitle": "Tiny"},
            "statusModule": {"lastUpdatePostDateStruct": {"date": "2026-01-02"}},
        },
        "hasResults": False,
    }
    with ReplayServer([record]) as srv:
        doc = get(srv, "/studies", fields="NCTId,LastUpdatePostDate").json()
        assert (
            doc["studies"][0]["protocolSection"]["statusModule"]
            == record["protocolSection"]["statusModule"]
        )
        assert get(srv, "/studies/metadata").status_code == 404
