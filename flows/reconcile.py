"""`trialsync reconcile`: what an incremental sync cannot see (API reference, section 8.4).

1. List every id in scope (`fields=NCTId,LastUpdatePostDate`, 1000 per page): the whole registry,
   or the union of the scopes the warehouse keeps cursors for.
2. Compare with history.study_state, then fetch through `filter.ids` pages, landed and loaded like a
   sync's pages (so a rebuild replays them): the ids the warehouse lacks or marked removed, the ids
   listed with a newer lastUpdatePostDate than stored, every id that disappeared from the list, and
   a rotating slice of the studies fetched longest ago (derived data, such as MeSH terms, changes
   without a new lastUpdatePostDate; AACT re-fetches its stalest ids the same way).
3. Resolve each disappeared id from that `filter.ids` answer, which matches aliases and answers
   with the canonical record: back under its own id, it is still there (outside the listed scope);
   named in a returned record's `nctIdAliases`, it was merged (`study_merged`, the old id flagged
   removed); absent, it was removed (`study_removed`). Nothing is deleted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from flows.ctgov_client import CtgovClient
from flows.ingest import RunMeta, load_page, run_of
from flows.runs import RunReport, parse_timestamp, utcnow
from flows.scopes import Scope
from flows.session import NO_HOOKS, Hooks, run_context
from flows.settings import Settings
from schemas.tables.history import CHANGE_EVENTS
from transforms._json import get_path
from transforms.arrow_tables import arrow_table
from transforms.changes import EventContext, lifecycle_event
from warehouse import removals, state
from warehouse.raw import LandedPage, RawStore, RunLanding

log = logging.getLogger(__name__)

# AACT re-fetches its stalest ids 500 per `filter.ids` request; ~6 KB of URL, well within limits.
IDS_PER_REQUEST = 500
_ID = "protocolSection.identificationModule.nctId"
_ALIASES = "protocolSection.identificationModule.nctIdAliases"


@dataclass
class Answered:
    """What the `filter.ids` pages returned: canonical ids, and which alias points where."""

    ids: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, study: Any) -> None:
        """Note one returned record."""
        nct_id = get_path(study, _ID)
        if not isinstance(nct_id, str):
            return
        self.ids.add(nct_id)
        aliases = get_path(study, _ALIASES)
        for alias in aliases if isinstance(aliases, list) else ():
            if isinstance(alias, str):
                self.aliases[alias] = nct_id


def run_reconcile(
    settings: Settings,
    *,
    client: CtgovClient | None = None,
    hooks: Hooks = NO_HOOKS,
    slice_size: int | None = None,
    publish: bool = True,
) -> RunReport:
    """Find removed, merged, missed and silently changed studies, and bring the warehouse level."""
    size = settings.reconcile_slice if slice_size is None else slice_size
    params: dict[str, object] = {"slice": size}
    context = run_context(
        settings, "reconcile", "all synced scopes", params, publish=publish, hooks=hooks
    )
    with context as (con, raw, report, _steps):
        if state.study_count(con) == 0:
            report.notes.append("the warehouse is empty: nothing to reconcile (run a sync first)")
        else:
            _reconcile(con, raw, report, client or CtgovClient.from_settings(settings), size, hooks)
    return report


def _reconcile(
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    report: RunReport,
    api: CtgovClient,
    size: int,
    hooks: Hooks,
) -> None:
    version = api.version()
    report.data_timestamp_start = parse_timestamp(version.data_timestamp)
    listings = listing_params(state.synced_scopes(con))
    log.info("listing every id in scope (the whole registry is ~600 requests at 1000 per page)")
    with report.timed("list_ids"):
        listed = listed_ids(api, listings)
    plan = removals.compare_listing(con, listed)
    rotation = removals.oldest_fetched(con, size, exclude=[*plan.outdated, *plan.gone])
    meta = RunMeta("reconcile", "api", Scope().key, Scope().model_dump_json(), emit_added=True)
    landing = raw.start_run(report.run_id, meta.as_dict())
    fetcher = _Fetcher(con, api, landing, meta, version.data_timestamp, report, hooks)
    with report.timed("fetch_and_load"):
        answered = fetcher.fetch([*plan.missing, *plan.outdated, *rotation, *plan.gone])
    found = disappeared(plan.gone, answered)
    # Dated by the registry data the listing showed, so a rebuild reproduces the same rows.
    detected_at = report.data_timestamp_start or utcnow()
    with report.timed("remove"):
        removals.land_removals(landing.folder, removals.LandedRemovals(detected_at, found))
        report.outcome.events.update(apply_landed_removals(con, raw, report.run_id))
    report.data_timestamp_end = parse_timestamp(api.version().data_timestamp)
    report.notes.append(_summary(listed.num_rows, plan, len(rotation), found))
    log.info("%s", report.notes[-1])


def listing_params(scopes: Sequence[str]) -> list[dict[str, str]]:
    """The `/studies` parameters that list every id in scope, one dict per listing.

    The whole registry when the warehouse syncs it (or has no cursor yet); otherwise each synced
    scope's own selection, without its window.
    """
    parsed = [Scope.model_validate_json(s) for s in scopes]
    if not parsed or any(not (s.ids or s.query) for s in parsed):
        return [{}]
    return [
        {k: v for k, v in s.params(None).items() if k not in {"sort", "countTotal"}} for s in parsed
    ]


def listed_ids(api: CtgovClient, listings: Sequence[dict[str, str]]) -> pa.Table:
    """(nct_id, last_update_post_date) of every listed study, once each."""
    seen: dict[str, Any] = {}
    for params in listings:
        for nct_id, posted in api.list_ids(params):
            if nct_id not in seen or (posted and (seen[nct_id] is None or posted > seen[nct_id])):
                seen[nct_id] = posted
    return pa.table(
        {
            "nct_id": pa.array(list(seen), pa.string()),
            "last_update_post_date": pa.array(list(seen.values()), pa.date32()),
        }
    )


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(items))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


@dataclass
class _Fetcher:
    """Fetches ids through `filter.ids`: every page lands, then loads in one transaction."""

    con: duckdb.DuckDBPyConnection
    api: CtgovClient
    landing: RunLanding
    meta: RunMeta
    data_timestamp: str
    report: RunReport
    hooks: Hooks
    answered: Answered = field(default_factory=Answered)

    def fetch(self, ids: Sequence[str]) -> Answered:
        """Fetch and load `ids`, `IDS_PER_REQUEST` at a time; returns what the API answered."""
        for chunk in _chunks(ids, IDS_PER_REQUEST):
            self._fetch_chunk({"filter.ids": "|".join(chunk)})
        return self.answered

    def _fetch_chunk(self, params: dict[str, str]) -> None:
        first_page = self.report.pages
        landed: dict[int, LandedPage] = {}

        def land(page_no: int, body: bytes) -> None:
            landed[page_no] = self.landing.land_page(
                first_page + page_no,
                body,
                data_timestamp=self.data_timestamp,
                fetched_at=utcnow(),
                scope_key=self.meta.scope_key,
                params=params,
            )

        for page in self.api.iter_pages(params, on_page=land):
            outcome = load_page(self.con, landed.pop(page.page_no), page.studies, self.meta)
            self.report.outcome.add(outcome)
            for study in page.studies:
                self.answered.add(study)
            self.report.pages += 1
            self.report.fetched += len(page.studies)
            if self.hooks.pages:
                self.hooks.pages(1, len(page.studies))


def disappeared(gone: Sequence[str], answered: Answered) -> list[removals.Removal]:
    """What became of each id missing from the listing, judged from the `filter.ids` answer."""
    found: list[removals.Removal] = []
    for nct_id in gone:
        if nct_id in answered.ids:
            continue  # still in the registry, only outside the listed scope (or listed late)
        merged_into = answered.aliases.get(nct_id)
        if merged_into is not None and merged_into != nct_id:
            found.append(removals.Removal(nct_id, "study_merged", merged_into))
        else:
            found.append(removals.Removal(nct_id, "study_removed"))
    return found


def apply_landed_removals(
    con: duckdb.DuckDBPyConnection, raw: RawStore, run_id: str
) -> Counter[str]:
    """Apply the removals a reconcile run landed (live, and again by a rebuild): events by type.

    Each event describes the study's current version at that point, and is dated by the registry
    data time the run listed, so applying the same file again reproduces the same rows.
    """
    landed = removals.read_landed_removals(raw.raw_dir / run_id)
    if landed is None:
        return Counter()
    states = state.study_states(con, [r.nct_id for r in landed.removals])
    rows: list[dict[str, Any]] = []
    for removal in landed.removals:
        current = states.get(removal.nct_id)
        if current is None or current.is_removed:
            continue
        ctx = EventContext(
            removal.nct_id,
            current.version_no,
            current.version_no,
            current.last_update_post_date,
            landed.detected_at,
            run_of(run_id),
        )
        details = {"merged_into": removal.merged_into} if removal.merged_into else None
        rows.append(lifecycle_event(removal.event_type, ctx, details))
    events, issues = arrow_table(CHANGE_EVENTS, rows)
    if issues:
        raise ValueError(f"removal events of the wrong type: {issues[:3]}")
    removals.mark_removed(con, [r["nct_id"] for r in rows], landed.detected_at, events)
    return Counter(r["event_type"] for r in rows)


def _summary(
    listed: int, plan: removals.ListingComparison, rotated: int, found: Sequence[removals.Removal]
) -> str:
    kinds = Counter(r.event_type for r in found)
    return (
        f"reconcile: {listed:,} ids listed; fetched {len(plan.missing):,} missing, "
        f"{len(plan.outdated):,} outdated, {len(plan.gone):,} no longer listed and {rotated:,} "
        f"fetched longest ago; {kinds['study_removed']:,} removed, {kinds['study_merged']:,} merged"
    )
