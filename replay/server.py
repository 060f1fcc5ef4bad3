"""The replay server: a stand-in for ClinicalTrials.gov API v2 on 127.0.0.1, fed with real records.

It serves `/api/v2/version`, `/studies` (paging, filters, `fields`, `sort`), `/studies/{nctId}`,
`/studies/metadata` and the bulk `/studies/download?format=json.zip`, with the real API's quirks
(API reference, section 15): unsorted default order, opaque page tokens of varying length, the
phantom empty page after an exactly full last page, `totalCount` on the first page only, plain-text
400/404 errors, an nginx HTML 404 for unknown paths, 301 for alias ids. Faults are injected at
chosen requests through `server.faults` (see `replay.faults`).
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import hashlib
import itertools
import logging
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from replay.bulk_zip import build_bulk_zip, etag
from replay.faults import Fault, FaultPlan
from replay.pieces import PieceIndex
from replay.query import QueryError, Search, parse_fields, parse_search
from schemas.ids import InvalidNctId, normalize_nct_id

log = logging.getLogger(__name__)

API_PREFIX = "/api/v2"
API_VERSION = "2.0.5"
DEFAULT_DATA_TIMESTAMP = "2026-11-20T09:00:05"
_TOKEN_CAP = 100_000
_RESULT_CACHE = 32
_Row = tuple[tuple[Any, ...], str, Mapping[str, Any]]
_NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    b"</html>\r\n" + b"<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n" * 6
)
_MAINTENANCE_HTML = (
    b'<!DOCTYPE html>\n<html lang="en"><head><title>ClinicalTrials.gov</title></head>\n'
    b"<body><h1>Service temporarily unavailable</h1>\n"
    b"<p>We are performing scheduled maintenance. Please try again later.</p></body></html>\n"
)
_ERROR_BODIES = {
    "500": (500, b"Internal server error"),
    "503": (503, b"Service Unavailable"),
    "403": (403, b"Forbidden"),
    "429": (429, b"Too Many Requests"),
}


@dataclass
class LogEntry:
    """One request as the server saw it; `status` is None when no response was sent."""

    at: float  # time.monotonic() when the request arrived
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int | None = None
    fault: str | None = None
    body_sha256: str | None = None  # of the whole body the route produced (before truncation)


@dataclass
class Response:
    """What a route answers, before faults are applied."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Cursor:
    """Where a page token points: after `last_key` in the order of the query it is bound to."""

    binding: str
    last_key: tuple[Any, ...]
    data_timestamp: str


@dataclass(frozen=True)
class _State:
    """A snapshot of the served data; replaced, never mutated, so readers need no lock."""

    studies: Mapping[str, Mapping[str, Any]]
    aliases: Mapping[str, str]
    generation: int


class ReplayServer:
    """A ClinicalTrials.gov API v2 stand-in serving on a background thread.

    Use as a context manager; `base_url` is `http://<host>:<port>/api/v2`.

    Args:
        studies: A folder of study JSON files (one per study, as in `ctgov-sample/studies`) or
            study records.
        host: Interface to bind.
        port: Port to bind (0 picks a free one).
        data_timestamp: What `/version` reports as `dataTimestamp`.
        metadata_path: A captured `/studies/metadata` response. Default: the newest
            `spec/studies-metadata_*.json` next to a studies folder, else a built-in table of
            common pieces.
        expire_tokens_on_refresh: Reject page tokens issued before the last `dataTimestamp`
            change (claimed by a third party, unverified; off by default).
        bind_tokens: Reject a token sent with parameters other than its first page's.
    """

    def __init__(
        self,
        studies: Path | Iterable[Mapping[str, Any]],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_timestamp: str = DEFAULT_DATA_TIMESTAMP,
        metadata_path: Path | None = None,
        expire_tokens_on_refresh: bool = False,
        bind_tokens: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.faults = FaultPlan()
        self.request_log: list[LogEntry] = []
        self.expire_tokens_on_refresh = expire_tokens_on_refresh
        self.bind_tokens = bind_tokens
        self._lock = threading.Lock()
        self._data_timestamp = data_timestamp
        self._state = _State({}, {}, 0)
        self._tokens: OrderedDict[str, _Cursor] = OrderedDict()
        self._serial = itertools.count(1)
        self._zip: tuple[int, bytes, str] | None = None
        self._results: OrderedDict[tuple[str, int], tuple[list[_Row], list[Any]]] = OrderedDict()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if metadata_path is None and isinstance(studies, Path):
            metadata_path = default_metadata(studies)
        self.metadata: bytes | None = metadata_path.read_bytes() if metadata_path else None
        self.pieces = (
            PieceIndex.from_metadata(orjson.loads(self.metadata))
            if self.metadata
            else PieceIndex.fallback()
        )
        self.replace_studies(_read_studies(studies) if isinstance(studies, Path) else studies)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        """Bind and serve on a daemon thread."""
        self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        # A short poll interval keeps stop() fast (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replay:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("replay server serving %d studies at %s", len(self._state.studies), self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open keep-alive connection."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://host:port/api/v2`."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    # -- state -------------------------------------------------------------------------------

    @property
    def data_timestamp(self) -> str:
        """What `/version` reports now."""
        return self._data_timestamp

    def set_data_timestamp(self, value: str) -> None:
        """Simulate a data refresh (optionally expiring page tokens)."""
        self._data_timestamp = value

    @property
    def studies(self) -> Mapping[str, Mapping[str, Any]]:
        """The served studies by canonical NCT id (a read-only snapshot)."""
        return self._state.studies

    def replace_studies(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Serve exactly `records` from now on."""
        self._commit(_by_id(records))

    def upsert_studies(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace studies (by canonical NCT id)."""
        self._commit({**self._state.studies, **_by_id(records)})

    def remove_studies(self, ids: Iterable[str]) -> None:
        """Stop serving these studies (deletions are invisible to delta queries, as live)."""
        gone = {normalize_nct_id(i) for i in ids}
        self._commit({k: v for k, v in self._state.studies.items() if k not in gone})

    def _commit(self, studies: dict[str, Mapping[str, Any]]) -> None:
        aliases = {
            normalize_nct_id(alias): nct_id
            for nct_id, study in studies.items()
            for alias in _identification(study).get("nctIdAliases") or ()
        }
        with self._lock:
            self._state = _State(studies, aliases, self._state.generation + 1)

    def requests_to(self, path: str) -> list[LogEntry]:
        """Logged requests whose path (below `/api/v2`) equals `path`."""
        return [e for e in list(self.request_log) if e.path == API_PREFIX + path]

    # -- routes ------------------------------------------------------------------------------

    def route(self, path: str, params: dict[str, str], headers: Mapping[str, str]) -> Response:
        """Answer one GET below `/api/v2` (faults are applied by the handler)."""
        try:
            if path == "/version":
                return self._version(params)
            if path == "/studies":
                return self._search(params)
            if path == "/studies/metadata":
                return self._metadata(params)
            if path == "/studies/download":
                return self._download(params, headers)
            if path.startswith("/studies/") and path.count("/") == 2:
                return self._single(path.rsplit("/", 1)[1], params)
        except QueryError as err:
            return Response(400, str(err).encode())
        return Response(404, _NGINX_404, "text/html")

    def _version(self, params: dict[str, str]) -> Response:
        _no_params(params, set())
        body = {"apiVersion": API_VERSION, "dataTimestamp": self._data_timestamp}
        return Response(200, orjson.dumps(body), "application/json")

    def _metadata(self, params: dict[str, str]) -> Response:
        _no_params(params, {"includeIndexedOnly", "includeHistoricOnly"})
        if self.metadata is None:
            return Response(404, b"the replay server was started without a metadata file")
        return Response(200, self.metadata, "application/json")

    def _search(self, params: dict[str, str]) -> Response:
        search = parse_search(params, self.pieces)
        state = self._state
        cursor = self._cursor(search) if search.page_token else None
        ordered, keys = self._ordered(search, state)
        start = bisect.bisect_right(keys, cursor.last_key) if cursor else 0
        page = ordered[start : start + search.page_size]
        # A full page always carries a token, even when it held the last records: the next
        # page is then empty (the phantom page, API reference section 3.4).
        token = self._issue_token(search, page[-1][0]) if len(page) == search.page_size else None
        total = len(ordered) if search.count_total and cursor is None else None
        studies = [search.fields.apply(s) if search.fields else s for _, _, s in page]
        return Response(200, page_body(studies, token, total), "application/json")

    def _ordered(self, search: Search, state: _State) -> tuple[list[_Row], list[tuple[Any, ...]]]:
        """The matching studies in result order, cached per query and data generation."""
        cache_key = (search.binding, state.generation)
        cached = self._results.get(cache_key)
        if cached is None:
            ordered = sorted(
                (search.order_key(nct_id, study), nct_id, study)
                for nct_id, study in state.studies.items()
                if search.predicate(study)
            )
            cached = (ordered, [row[0] for row in ordered])
            with self._lock:
                self._results[cache_key] = cached
                while len(self._results) > _RESULT_CACHE:
                    self._results.popitem(last=False)
        return cached

    def _cursor(self, search: Search) -> _Cursor:
        cursor = self._tokens.get(search.page_token or "")
        if cursor is None:
            raise QueryError(f"Invalid pageToken: `{search.page_token}`")
        if self.bind_tokens and cursor.binding != search.binding:
            raise QueryError(
                "pageToken was issued for other parameters: every page must have the same "
                "parameters as the first page"
            )
        if self.expire_tokens_on_refresh and cursor.data_timestamp != self._data_timestamp:
            raise QueryError("pageToken has expired after a data refresh; start from page 1")
        return cursor

    def _issue_token(self, search: Search, last_key: tuple[Any, ...]) -> str:
        serial = next(self._serial)
        digest = hashlib.blake2b(f"{serial}|{search.binding}".encode(), digest_size=48).digest()
        text = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        token = text[: 15 + digest[0] % 46]  # opaque, URL-safe, 15 to 60 characters
        with self._lock:
            self._tokens[token] = _Cursor(search.binding, last_key, self._data_timestamp)
            while len(self._tokens) > _TOKEN_CAP:
                self._tokens.popitem(last=False)
        return token

    def _single(self, raw_id: str, params: dict[str, str]) -> Response:
        _no_params(params, {"format", "markupFormat", "fields"})
        if params.get("format", "json") != "json":
            raise QueryError("the replay server serves format=json only")
        try:
            nct_id = normalize_nct_id(raw_id)
        except InvalidNctId:
            return Response(400, f"The NCT number `{raw_id}` has incorrect format".encode())
        state = self._state
        if nct_id in state.studies:
            projection = parse_fields(params.get("fields"), self.pieces)
            study = state.studies[nct_id]
            body = projection.apply(study) if projection else study
            return Response(200, orjson.dumps(body), "application/json")
        if nct_id in state.aliases:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            location = f"{API_PREFIX}/studies/{state.aliases[nct_id]}" + (
                f"?{query}" if query else ""
            )
            return Response(301, b"", headers={"Location": location})
        return Response(404, f"Study not found: {nct_id}".encode())

    def _download(self, params: dict[str, str], headers: Mapping[str, str]) -> Response:
        for name in params:
            if name != "format":
                raise QueryError(f"Invalid prefix in parameter name: {name}")
        if params.get("format") != "json.zip":
            raise QueryError(f"Invalid value in parameter `format`: `{params.get('format', '')}`")
        body, tag = self._bulk_zip()
        common = {
            "Content-Disposition": "attachment; filename=ctg-studies.json.zip",
            "ETag": tag,
            "Accept-Ranges": "bytes",
        }
        wanted = _byte_range(headers.get("range"), len(body))
        if_range = headers.get("if-range")
        if wanted is None or (if_range is not None and if_range != tag):
            return Response(200, body, "application/zip", common)
        start, end = wanted
        if start >= len(body):
            return Response(416, b"", headers={**common, "Content-Range": f"bytes */{len(body)}"})
        part = {**common, "Content-Range": f"bytes {start}-{end}/{len(body)}"}
        return Response(206, body[start : end + 1], "application/zip", part)

    def _bulk_zip(self) -> tuple[bytes, str]:
        state = self._state
        cached = self._zip
        if cached is None or cached[0] != state.generation:
            body = build_bulk_zip(state.studies.items())
            cached = (state.generation, body, etag(body))
            self._zip = cached
        return cached[1], cached[2]


def page_body(studies: list[Mapping[str, Any]], token: str | None, total: int | None) -> bytes:
    """A `/studies` response body as the API writes it: one study per line (section 3.3)."""
    head = b'{"totalCount":%d,"studies":[' % total if total is not None else b'{"studies":['
    parts = [head]
    if studies:
        parts += [b"\n", b",\n".join(orjson.dumps(s) for s in studies), b"\n"]
    parts.append(b"]")
    if token is not None:
        parts += [b',"nextPageToken":', orjson.dumps(token)]
    parts.append(b"}")
    return b"".join(parts)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range, else None."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            return max(size - int(last), 0), size - 1
        return int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None


def _no_params(params: Mapping[str, str], allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise QueryError(f"`{name}` is unknown parameter")


def _identification(study: Mapping[str, Any]) -> Mapping[str, Any]:
    section = study.get("protocolSection") or {}
    module = section.get("identificationModule") if isinstance(section, Mapping) else None
    return module if isinstance(module, Mapping) else {}


def _by_id(records: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for record in records:
        out[normalize_nct_id(str(_identification(record).get("nctId")))] = record
    return out


def _read_studies(folder: Path) -> list[Mapping[str, Any]]:
    if not folder.is_dir():
        raise FileNotFoundError(f"replay data folder not found: {folder}")
    return [orjson.loads(p.read_bytes()) for p in sorted(folder.glob("*.json"))]


def default_metadata(studies_dir: Path) -> Path | None:
    """The newest captured `/studies/metadata` beside a sample's studies folder, if any."""
    found = sorted((studies_dir.parent / "spec").glob("studies-metadata_*.json"))
    return found[-1] if found else None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], replay: ReplayServer
    ) -> None:
        self.replay = replay
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, so that stop() can end idle keep-alive connections too."""
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection as it closes."""
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every connection still open (a stopped server must stop answering)."""
        with self.connections_lock:
            open_now = list(self.connections)
            self.connections.clear()
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into `ReplayServer.route` calls and applies the planned faults."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; every response has a length
    timeout = 30
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs stall every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def version_string(self) -> str:
        """The `Server` header the real API sends."""
        return "istio-envoy"

    def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        """Serve a GET."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Serve a HEAD (the GET's headers, no body)."""
        self._serve(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Route the stdlib's access log to `logging` instead of stderr."""
        log.debug("%s " + format, self.address_string(), *args)

    def _serve(self, *, send_body: bool) -> None:
        replay = self.server.replay
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = LogEntry(time.monotonic(), self.command, url.path, params, headers)
        with replay._lock:
            replay.request_log.append(entry)
        if not url.path.startswith(API_PREFIX + "/"):
            self._send(entry, Response(404, _NGINX_404, "text/html"), send_body)
            return
        sub = url.path[len(API_PREFIX) :]
        fault = replay.faults.next_for(sub)
        entry.fault = fault.kind if fault else None
        try:
            self._answer(entry, sub, params, headers, fault, send_body)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("client went away during %s", url.path)
            self.close_connection = True

    def _answer(
        self,
        entry: LogEntry,
        sub: str,
        params: dict[str, str],
        headers: dict[str, str],
        fault: Fault | None,
        send_body: bool,
    ) -> None:
        if fault is not None and fault.kind == "reset":
            self._reset(entry)
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        early = _early_fault(fault)
        if early is not None:
            self._send(entry, early, send_body)
            return
        response = self.server.replay.route(sub, params, headers)
        if fault is not None and fault.kind == "missing_studies" and response.status == 200:
            response = Response(200, b'{"totalCount":0}', "application/json")
        if fault is not None and fault.kind == "extra_studies" and response.status == 200:
            response = _with_extra_studies(response, fault.records)
        truncate = fault is not None and fault.kind in {"truncated", "zip_truncated"}
        self._send(entry, response, send_body, truncate=truncate)

    def _send(
        self, entry: LogEntry, response: Response, send_body: bool, *, truncate: bool = False
    ) -> None:
        entry.status = response.status
        entry.body_sha256 = hashlib.sha256(response.body).hexdigest()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if send_body:
            self.wfile.write(
                response.body[: len(response.body) // 2] if truncate else response.body
            )
        self.wfile.flush()

    def _reset(self, entry: LogEntry) -> None:
        # SO_LINGER with a zero timeout turns close() into a TCP RST: the client sees a reset
        # connection and no response at all.
        entry.status = None
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _with_extra_studies(response: Response, records: tuple[Any, ...]) -> Response:
    """A page with `records` added after its own studies (paging and counts unchanged)."""
    page = orjson.loads(response.body)
    studies = [*page.get("studies", []), *records]
    body = page_body(studies, page.get("nextPageToken"), page.get("totalCount"))
    return Response(200, body, response.content_type, response.headers)


def _early_fault(fault: Fault | None) -> Response | None:
    """The response that replaces the real one for status and HTML faults."""
    if fault is None:
        return None
    if fault.kind in _ERROR_BODIES:
        status, body = _ERROR_BODIES[fault.kind]
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        return Response(status, body, headers=headers)
    if fault.kind == "html200":
        return Response(200, _MAINTENANCE_HTML, "text/html; charset=utf-8")
    if fault.kind == "bad_json":
        return Response(200, b'{"studies":[\n{"protocolSection":\n]}', "application/json")
    return None
