"""A run with TRIALSYNC_PUBLISH_URL mirrors its publication to object storage, pointer last."""

from __future__ import annotations

from pathlib import Path

from flows.pipeline import run_publish, run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import fast_settings
from warehouse.object_store import published_snapshot


def test_sync_mirrors_its_publication_and_a_republish_moves_the_pointer(
    sample_studies, data_dir, tmp_path
):
    bucket = tmp_path / "bucket"
    url = bucket.as_uri()
    studies = [r for _, r in sorted(sample_studies.items())[:40]]
    with ReplayServer(studies) as server:
        settings = fast_settings(
            data_dir, server.base_url, publish_url=url, bootstrap_from_bulk=False
        )
        report = run_sync(settings, Scope())
    local = Path(report.published or "")
    current = published_snapshot(url)
    assert current == f"{url}/snapshots/{local.name}"
    mirrored = bucket / "snapshots" / local.name
    for path in local.rglob("*"):
        if path.is_file():
            copy = mirrored / path.relative_to(local)
            assert copy.read_bytes() == path.read_bytes(), path
    assert f"publication mirrored to {url}" in " ".join(report.notes)

    again = run_publish(settings)
    assert published_snapshot(url) == f"{url}/snapshots/{Path(again.published or '').name}"
