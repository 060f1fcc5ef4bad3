"""HTTP client for ClinicalTrials.gov API v2: token paging, shared rate limit, retries. No Prefect.

Behaviour follows the API reference (`../shared/reference/ctgov-api-v2.md`):
- Paging (section 3.4): every page repeats the first page's parameters plus `pageToken`; the walk
  stops only when `nextPageToken` is absent, and an empty last page is normal. Tokens are never
  stored.
- Politeness (section 7): one rate limiter per client, shared by all threads, ~1 request/s.
- Retries (sections 6, 7, 13): 429, 5xx, 403, timeouts, connection errors and resets, truncated
  or non-JSON bodies, HTML served with 200 and pages without `studies` are retried with
  exponential backoff and full jitter, honouring `Retry-After`. 400 and 404 are never retried:
  they raise `ApiError` quoting the API's plain-text message.
- NCT ids are validated (`schemas.ids`) before any request is made.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import orjson
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_random_exponential
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from schemas.ids import InvalidNctId, normalize_nct_id, parse_nct_id_list
from transforms.normalize import gc_paused
from warehouse.bulk import BulkArchiveError, verify_zip
from warehouse.files import fsync_dir

if TYPE_CHECKING:
    from flows.settings import Settings

__all__ = [
    "ApiError",
    "ApiUnavailable",
    "ApiUnreachable",
    "ApiVersion",
    "CtgovClient",
    "InvalidNctId",
    "MalformedPage",
    "Page",
    "RateLimiter",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_USER_AGENT = "trialsync/0.1 (+https://github.com/trialsync/trialsync; data pipeline)"
_ID_FILTERS = ("filter.ids", "postFilter.ids")
_CHUNK = 1 << 20
_RETRY_AFTER_MAX = 900.0  # a sane ceiling for a server-given wait
_STARTS_WITH_TAG = re.compile(rb"\s*<")
_OPENS_OBJECT = re.compile(rb"\s*\{")
# While the API has never answered, a connection-level failure is most likely "offline": give up
# after a few quick attempts instead of backing off for minutes.
_OFFLINE_ATTEMPTS = 3
_OFFLINE_SECONDS = 5.0


class ApiError(Exception):
    """The API refused a request (400/404), or could not be used after every retry."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class ApiUnavailable(ApiError):
    """Every attempt failed with a transient error (429, 5xx, timeouts, broken bodies)."""


class ApiUnreachable(ApiUnavailable):
    """The very first request could not connect at all (offline, DNS failure, refused)."""


class MalformedPage(ApiError):
    """A page that looked complete, and was landed, is not valid JSON with a `studies` list."""


@dataclass(frozen=True)
class ApiVersion:
    """`GET /version`: the API release and the data refresh stamp (UTC, no zone suffix)."""

    api_version: str
    data_timestamp: str


@dataclass(frozen=True)
class Page:
    """One `/studies` page: its number in the walk (from 1), the studies and the raw body."""

    page_no: int
    studies: list[dict[str, Any]]
    next_page_token: str | None
    total_count: int | None
    raw: bytes


class Limiter(Protocol):
    """Anything that blocks until the next request may go (the client's own, or Prefect's)."""

    def wait(self) -> float:
        """Block until the caller may send; returns the seconds waited."""
        ...


# How a caller runs one API call (already retried by the client): directly, or as a Prefect task
# with its own retries for outages longer than the client's budget.
CallRunner = Callable[[str, Callable[[], Any]], Any]


def call_directly(what: str, call: Callable[[], T]) -> T:
    """The default `CallRunner`."""
    del what
    return call()


class RateLimiter:
    """At most `rate` calls to `wait()` per second, across every thread that shares it.

    Each caller reserves the next free slot under a lock, then sleeps outside it, so threads
    queue up fairly and the spacing holds however many threads share the limiter.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until this caller's slot; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


class _Transient(Exception):
    """A failure worth retrying; `reason` is what the retry log says."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.unreachable = unreachable


class CtgovClient:
    """ClinicalTrials.gov API v2 client (thread-safe; share one per process).

    Args:
        base_url: `https://clinicaltrials.gov/api/v2`, or a replay server's URL.
        page_size: `pageSize` sent when the caller's params have none (API max 1000).
        requests_per_second: Ceiling shared by every thread using this client.
        connect_timeout: Seconds to wait for a TCP connection.
        read_timeout: Seconds to wait for the next bytes of a response.
        max_attempts: Attempts per request, the first included.
        backoff_initial: Scale of the first retry delay (full jitter: uniform in 0..scale).
        backoff_max: Cap of the exponential backoff.
        user_agent: A descriptive User-Agent with a contact.
        session: A `requests.Session` to use (for connection pooling or tests).
        limiter: Replaces the client's own rate limiter (e.g. a Prefect global rate limit).
        around_call: How each API call (with its retries) is run; flows make it a task.
    """

    def __init__(
        self,
        base_url: str,
        *,
        page_size: int = 1000,
        requests_per_second: float = 1.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        max_attempts: int = 8,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        user_agent: str = DEFAULT_USER_AGENT,
        session: requests.Session | None = None,
        limiter: Limiter | None = None,
        around_call: CallRunner = call_directly,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_attempts = max(1, max_attempts)
        self.limiter: Limiter = limiter or RateLimiter(requests_per_second)
        self.around_call = around_call
        self._backoff = wait_random_exponential(multiplier=backoff_initial, max=backoff_max)
        self._connected = False
        self.session = session or requests.Session()
        self.session.headers.update(
            {"User-Agent": user_agent, "Accept-Encoding": "gzip", "Accept": "application/json"}
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CtgovClient:
        """A client configured from `Settings` (keyword overrides win)."""
        options: dict[str, Any] = {
            "page_size": settings.page_size,
            "requests_per_second": settings.requests_per_second,
            "connect_timeout": settings.connect_timeout,
            "read_timeout": settings.read_timeout,
            "max_attempts": settings.max_attempts,
            "backoff_initial": settings.backoff_initial,
            "backoff_max": settings.backoff_max,
            "user_agent": settings.user_agent,
        }
        options.update(overrides)
        base_url = options.pop("base_url", settings.api_url)
        return cls(base_url, **options)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- endpoints ---------------------------------------------------------------------------

    def version(self) -> ApiVersion:
        """`GET /version` (read it before and after a run: a change means a data refresh)."""
        doc = self._call(lambda: _json_object(self._get("/version", {})), "GET /version")
        return ApiVersion(str(doc.get("apiVersion", "")), str(doc.get("dataTimestamp", "")))

    def metadata(self) -> list[dict[str, Any]]:
        """`GET /studies/metadata`: the registry's field tree (`FieldNode[]`), with retries.

        Indexed-only and historic-only fields are not asked for: records never carry them.
        """
        return self._call(
            lambda: _json_array(self._get("/studies/metadata", {})), "GET /studies/metadata"
        )

    def iter_pages(
        self,
        params: Mapping[str, str],
        *,
        on_page: Callable[[int, bytes], None] | None = None,
    ) -> Iterator[Page]:
        """Walk `/studies` page by page with the same parameters on every page.

        `on_page(page_no, raw_body)` runs before the body is parsed, so a landing hook puts
        every page on disk first. The walk ends only when a page has no `nextPageToken`; the
        empty page that follows an exactly full last page is yielded like any other.

        Raises:
            InvalidNctId: before any request, for a malformed id in `filter.ids`.
            ApiError: for 400/404, quoting the API's message; ApiUnavailable after retries.
            MalformedPage: if a landed page turns out not to be valid JSON.
        """
        base = self._page_params(params)
        token: str | None = None
        page_no = 0
        while True:
            page_no += 1
            query = base if token is None else {**base, "pageToken": token}
            raw = self._call(partial(self._page, query), f"page {page_no}")
            if on_page is not None:
                on_page(page_no, raw)
            page = _parse_page(page_no, raw, self.base_url)
            yield page
            token = page.next_page_token
            if not token:
                return

    def get_study(self, nct_id: str) -> dict[str, Any]:
        """One study by id; an alias id is answered with the canonical record (301 followed).

        Raises:
            InvalidNctId: before any request, for a malformed id.
            ApiError: status 404 for an unknown id.
        """
        path = f"/studies/{normalize_nct_id(nct_id)}"
        for _ in range(3):
            answer = self._call(partial(self._study_or_location, path), f"GET {path}")
            if isinstance(answer, dict):
                return answer
            path = answer.split("/api/v2", 1)[-1].split("?", 1)[0]
            log.info("study %s is an alias; following the redirect to %s", nct_id, path)
        raise ApiError(f"too many redirects for study {nct_id}", url=self.base_url + path)

    def list_ids(
        self, extra_params: Mapping[str, str] | None = None
    ) -> Iterator[tuple[str, date | None]]:
        """Every (nct_id, last update post date) matching `extra_params`, 1000 per page."""
        params = {**(extra_params or {}), "fields": "NCTId,LastUpdatePostDate", "pageSize": "1000"}
        for page in self.iter_pages(params):
            for study in page.studies:
                protocol = study.get("protocolSection") or {}
                nct_id = (protocol.get("identificationModule") or {}).get("nctId")
                posted = (
                    (protocol.get("statusModule") or {}).get("lastUpdatePostDateStruct") or {}
                ).get("date")
                if nct_id:
                    yield nct_id, date.fromisoformat(posted) if posted else None

    def download_bulk(
        self,
        dest: Path,
        *,
        expected_size: int | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Path:
        """Stream the full-registry ZIP to `dest`, resumably, check it, then rename it into place.

        Bytes go to `<dest>.part` (kept across failures and calls); a later attempt resumes with
        `Range` + `If-Range`, so an unchanged archive continues where it stopped and a changed
        one restarts. The finished file must have a readable central directory with study
        entries (`warehouse.bulk.verify_zip`) before it is renamed to `dest`.

        Raises:
            ApiUnavailable: if the download keeps failing; the partial file stays for next time.
            BulkArchiveError: if the complete download is not a usable ZIP (it is discarded).
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        tag_file = dest.with_name(dest.name + ".part.etag")
        self._call(lambda: self._download_attempt(part, tag_file, progress), "bulk download")
        size = part.stat().st_size
        if expected_size is not None and size != expected_size:
            raise BulkArchiveError(f"bulk download is {size:,} bytes, expected {expected_size:,}")
        try:
            info = verify_zip(part)
        except BulkArchiveError:
            part.unlink(missing_ok=True)
            tag_file.unlink(missing_ok=True)
            raise
        part.replace(dest)
        tag_file.unlink(missing_ok=True)
        fsync_dir(dest.parent)
        log.info("bulk ZIP ready: %s (%d bytes, %d studies)", dest, size, info.study_entries)
        return dest

    # -- internals ---------------------------------------------------------------------------

    def _page(self, params: Mapping[str, str]) -> bytes:
        return _page_body(self._get("/studies", params))

    def _study_or_location(self, path: str) -> dict[str, Any] | str:
        """The study at `path`, or the `Location` of a 301 (an alias id)."""
        response = self._get(path, {}, redirect=True)
        if response.status_code == 301:
            return response.headers.get("Location", "")
        return _json_object(response)

    def _page_params(self, params: Mapping[str, str]) -> dict[str, str]:
        out = {k: str(v) for k, v in params.items()}
        for name in _ID_FILTERS:
            if name in out:
                ids = parse_nct_id_list(out[name])  # raises InvalidNctId: no request is made
                if not ids:
                    raise InvalidNctId(f"{name} is empty")
                out[name] = "|".join(ids)
        if "pageToken" in out:
            raise ValueError("pageToken is managed by iter_pages; do not pass it")
        out.setdefault("pageSize", str(self.page_size))
        return out

    def _call(self, attempt: Callable[[], T], what: str) -> T:
        """Run `attempt` with the retry policy, the way `around_call` runs calls."""
        result: T = self.around_call(what, partial(self._retrying, attempt, what))
        return result

    def _retrying(self, attempt: Callable[[], T], what: str) -> T:
        """Run `attempt` with the retry policy; transient failures end as ApiUnavailable."""
        retrying = Retrying(
            stop=self._should_stop,
            wait=self._delay,
            retry=retry_if_exception_type(_Transient),
            before_sleep=lambda state: self._log_retry(state, what),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Transient as err:
            if err.unreachable and not self._connected:
                raise ApiUnreachable(
                    f"cannot reach the ClinicalTrials.gov API at {self.base_url}: {err.reason}. "
                    "Check your connection, or run `make demo` to work offline against the "
                    "replay server.",
                    url=self.base_url,
                ) from err
            attempts = retrying.statistics.get("attempt_number", self.max_attempts)
            raise ApiUnavailable(
                f"{what} failed after {attempts} attempts; last error: {err.reason}",
                status=err.status,
                url=self.base_url,
            ) from err

    def _offline(self, state: RetryCallState) -> bool:
        err = state.outcome.exception() if state.outcome else None
        return isinstance(err, _Transient) and err.unreachable and not self._connected

    def _should_stop(self, state: RetryCallState) -> bool:
        if self._offline(state):
            return (
                state.attempt_number >= min(_OFFLINE_ATTEMPTS, self.max_attempts)
                or (state.seconds_since_start or 0.0) >= _OFFLINE_SECONDS
            )
        return state.attempt_number >= self.max_attempts

    def _delay(self, state: RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, _Transient) and err.retry_after is not None:
            return min(err.retry_after, _RETRY_AFTER_MAX)  # the server said when; honour it
        if self._offline(state):
            return 0.5 * state.attempt_number
        return float(self._backoff(state))

    def _log_retry(self, state: RetryCallState, what: str) -> None:
        err = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        # Before the API has ever answered, failed connects are the "offline" case: the final
        # one-line error says it all, so the attempts are only debug detail.
        level = logging.DEBUG if self._offline(state) else logging.WARNING
        log.log(
            level,
            "retrying %s after %s (attempt %d of %d failed); waiting %.2f s",
            what,
            err.reason if isinstance(err, _Transient) else err,
            state.attempt_number,
            self.max_attempts,
            delay,
        )

    def _get(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        redirect: bool = False,
        accept: tuple[int, ...] = (200,),
    ) -> requests.Response:
        """One rate-limited GET; transient failures raise `_Transient`, 4xx raise `ApiError`."""
        self.limiter.wait()
        url = self.base_url + path
        # Before the first answer, cap the connect wait so an offline start fails in seconds.
        connect = self.connect_timeout if self._connected else min(self.connect_timeout, 4.0)
        try:
            response = self.session.get(
                url,
                params=params,
                headers=headers,
                timeout=(connect, self.read_timeout),
                stream=stream,
                allow_redirects=False,
            )
        except requests.RequestException as err:
            raise _Transient(_describe(err), unreachable=_is_unreachable(err)) from err
        self._connected = True
        log.debug("GET %s -> %d", response.url, response.status_code)
        return _classify(response, accept=(*accept, 301) if redirect else accept)

    def _download_attempt(
        self, part: Path, tag_file: Path, progress: Callable[[int, int | None], None] | None
    ) -> None:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}  # byte offsets must be the file's own
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if tag_file.exists():
                headers["If-Range"] = tag_file.read_text().strip()
        response = self._get(
            "/studies/download",
            {"format": "json.zip"},
            headers=headers,
            stream=True,
            accept=(200, 206, 416),
        )
        with response:
            if response.status_code == 416:
                _check_complete(part, response, offset)
                return
            if response.status_code == 206:
                log.info("resuming the bulk download at byte %d", offset)
            else:
                offset = 0  # a full answer: the archive changed, or the server ignored Range
                if tag := response.headers.get("ETag"):
                    tag_file.write_text(tag)
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length and length.isdigit() else None
            _stream_to(part, response, offset, total, progress)


def _stream_to(
    part: Path,
    response: requests.Response,
    offset: int,
    total: int | None,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    done = offset
    with part.open("ab" if offset else "wb") as handle:
        try:
            for chunk in response.iter_content(_CHUNK):
                handle.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        except requests.RequestException as err:
            raise _Transient(
                f"bulk download interrupted at byte {done:,}: {_describe(err)}"
            ) from err
        finally:
            handle.flush()
            os.fsync(handle.fileno())
    if total is not None and done != total:
        raise _Transient(f"bulk download stopped at byte {done:,} of {total:,}")


def _check_complete(part: Path, response: requests.Response, offset: int) -> None:
    """A 416 means our offset is past the end: fine if the part is exactly the whole file."""
    total = response.headers.get("Content-Range", "").rpartition("/")[2]
    if total.isdigit() and int(total) == offset:
        return
    part.unlink(missing_ok=True)
    raise _Transient(f"partial download ({offset:,} bytes) does not fit the archive; restarting")


def _classify(response: requests.Response, *, accept: tuple[int, ...]) -> requests.Response:
    status = response.status_code
    if status in accept:
        return response
    if status in (403, 429) or status >= 500:
        raise _Transient(
            f"HTTP {status}",
            status=status,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    message = response.text.strip()[:500]
    raise ApiError(
        f'ClinicalTrials.gov API answered {status} for {response.url}: "{message}"',
        status=status,
        url=response.url,
    )


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _body(response: requests.Response) -> bytes:
    """The complete body, or `_Transient` if it is short of its Content-Length or is HTML."""
    body = response.content
    declared = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if declared and declared.isdigit() and not encoded and len(body) != int(declared):
        raise _Transient(f"truncated body ({len(body):,} of {int(declared):,} bytes)")
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type or _STARTS_WITH_TAG.match(body):
        raise _Transient(f"HTML page served with status {response.status_code}")
    return body


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        doc = orjson.loads(_body(response))
    except orjson.JSONDecodeError as err:
        raise _Transient(f"body is not JSON ({err})") from err
    if not isinstance(doc, dict):
        raise _Transient("body is not a JSON object")
    return doc


def _json_array(response: requests.Response) -> list[dict[str, Any]]:
    try:
        doc = orjson.loads(_body(response))
    except orjson.JSONDecodeError as err:
        raise _Transient(f"body is not JSON ({err})") from err
    if not isinstance(doc, list):
        raise _Transient("body is not a JSON array")
    return doc


def _page_body(response: requests.Response) -> bytes:
    """A `/studies` body that looks like a whole page; checked without parsing it."""
    body = _body(response)
    # Look at the ends only: no copy or scan of a page that can weigh ~17 MB.
    if not (_OPENS_OBJECT.match(body) and body[-64:].rstrip().endswith(b"}")):
        raise _Transient("body is not a JSON object")
    if b'"studies"' not in body:
        raise _Transient("JSON page without `studies`")
    return body


def _parse_page(page_no: int, raw: bytes, base_url: str) -> Page:
    try:
        with gc_paused():  # ~10^6 objects: the cyclic GC would rescan them as they come
            doc = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise MalformedPage(f"page {page_no} is not valid JSON ({err})", url=base_url) from err
    studies = doc.get("studies") if isinstance(doc, dict) else None
    if not isinstance(studies, list):
        raise MalformedPage(f"page {page_no} has no `studies` list", url=base_url)
    token = doc.get("nextPageToken")
    total = doc.get("totalCount")
    return Page(
        page_no,
        studies,
        token if isinstance(token, str) and token else None,
        total if isinstance(total, int) else None,
        raw,
    )


def _causes(err: BaseException) -> Iterator[BaseException]:
    """`err` and everything it wraps (args, `.reason`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    stack = [err]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [*current.args, getattr(current, "reason", None)]
        nested += [current.__cause__, current.__context__]
        stack.extend(e for e in nested if isinstance(e, BaseException))


def _is_unreachable(err: BaseException) -> bool:
    """No connection was made at all (DNS failure, refused, unreachable, connect timeout)."""
    return any(
        isinstance(e, NewConnectionError | ConnectTimeoutError | requests.ConnectTimeout)
        for e in _causes(err)
    )


def _describe(err: BaseException) -> str:
    """A short, one-line cause for logs and error messages."""
    causes = list(_causes(err))
    if any(isinstance(e, NameResolutionError) for e in causes):
        return "could not resolve the host name"
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return "connection refused"
    if any(isinstance(e, ConnectTimeoutError | requests.ConnectTimeout) for e in causes):
        return "connection timed out"
    if any(isinstance(e, ConnectionResetError) for e in causes):
        return "connection reset by peer"
    if isinstance(err, requests.ReadTimeout):
        return "read timed out"
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "truncated body (connection closed early)"
    for e in causes:
        if isinstance(e, OSError) and e.strerror:
            return e.strerror.lower()
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:160]
