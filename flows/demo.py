"""`make demo`: the whole pipeline, offline, against the replay server fed by the real sample.

1. Serve the sample (plus the older capture of the studies in `versions/`) on 127.0.0.1.
2. Sync into an empty demo data folder: it bootstraps from the replay server's bulk ZIP.
3. The registry "moves on": three recruiting studies get real-looking edits (a status change, an
   enrollment update, a completion date that slips, a site that stops recruiting) posted a day
   later, and the `versions/` studies are re-served in their newer capture (refresh noise only).
4. Sync again (incremental) and re-fetch the `versions/` studies by id: the edits become typed
   change events, the noise produces none.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from flows.pipeline import run_sync
from flows.runs import RunReport
from flows.scopes import Scope
from flows.settings import Settings
from replay.server import ReplayServer, default_metadata

DEMO_MARKER = ".trialsync-demo"
FIRST_REFRESH = "2026-11-20T09:00:05"
SECOND_REFRESH = "2026-11-23T09:00:04"


@dataclass(frozen=True)
class DemoResult:
    """The reports of the demo's runs and the ids it edited."""

    reports: list[RunReport]
    edited: list[str]
    refreshed: list[str]


def _read(paths: Iterable[Path]) -> list[dict[str, Any]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(paths)]


def _nct(record: dict[str, Any]) -> str:
    return str(record["protocolSection"]["identificationModule"]["nctId"])


def edited_studies(studies: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """Three recruiting studies, each with the kind of edit the registry's history shows."""
    recruiting = [
        s
        for s in studies
        if s["protocolSection"]["statusModule"].get("overallStatus") == "RECRUITING"
        and s["protocolSection"].get("contactsLocationsModule", {}).get("locations")
        and s["protocolSection"].get("designModule", {}).get("enrollmentInfo")
    ][:3]
    edits: list[dict[str, Any]] = []
    for number, original in enumerate(recruiting):
        record = copy.deepcopy(original)
        status = record["protocolSection"]["statusModule"]
        status["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
        status["lastUpdateSubmitDate"] = day
        if number == 0:
            status["overallStatus"] = "ACTIVE_NOT_RECRUITING"
        enrollment = record["protocolSection"]["designModule"]["enrollmentInfo"]
        if number == 1:
            enrollment["count"] = int(enrollment.get("count") or 0) + 25
        if number in (1, 2):
            completion = status.get("primaryCompletionDateStruct") or {}
            status["primaryCompletionDateStruct"] = {
                "date": "2028-12",
                "type": completion.get("type", "ESTIMATED"),
            }
        site = record["protocolSection"]["contactsLocationsModule"]["locations"][0]
        if number == 2:
            site["status"] = "COMPLETED"
        edits.append(record)
    return edits


SyncRunner = Callable[[Settings, Scope], RunReport]


def run_demo(
    settings: Settings, *, say: Callable[[str], None], sync: SyncRunner = run_sync
) -> DemoResult:
    """Run the demo into `settings.data_dir` (a fresh folder; an old demo folder is replaced).

    `sync` runs one sync: the plain function, or the Prefect `sync` flow (the CLI's default).
    """
    _fresh_folder(settings.data_dir)
    sample = settings.sample_dir
    studies = _read((sample / "studies").glob("*.json"))
    older = _read((sample / "versions").glob("*.v1.json"))
    newer = _read((sample / "versions").glob("*.v2.json"))
    reports: list[RunReport] = []
    served = [*studies, *older]
    metadata = default_metadata(sample / "studies")
    with ReplayServer(served, data_timestamp=FIRST_REFRESH, metadata_path=metadata) as server:
        demo = settings.model_copy(update={"api_url": server.base_url})
        say(f"replay server on {server.base_url} serving {len(studies) + len(older)} real studies")
        reports.append(sync(demo, Scope()))
        edits = edited_studies(studies, "2026-11-21")
        server.upsert_studies([*edits, *newer])
        server.set_data_timestamp(SECOND_REFRESH)
        say(
            f"the registry moved on: {len(edits)} studies edited, "
            f"{len(newer)} re-captured (noise only)"
        )
        reports.append(sync(demo, Scope()))
        reports.append(sync(demo, Scope(ids=tuple(_nct(r) for r in newer))))
    return DemoResult(reports, [_nct(e) for e in edits], [_nct(r) for r in newer])


def _fresh_folder(folder: Path) -> None:
    if folder.exists():
        if not (folder / DEMO_MARKER).exists() and any(folder.iterdir()):
            raise FileExistsError(
                f"{folder} exists and is not a demo folder; choose another --data-dir for the demo"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text(f"created by trialsync demo on {dt.date.today()}\n")
