"""`trialsync serve`'s deployments: schedules from the settings, one run at a time."""

from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitStrategy
from typer.testing import CliRunner

from flows.cli import app
from flows.deployments import build_deployments
from flows.settings import Settings


def test_deployments_carry_the_configured_schedules_and_a_limit_of_one(tmp_path):
    settings = Settings(data_dir=tmp_path, sync_cron="15 10 * * 1-5")
    deployments = {d.name: d for d in build_deployments(settings)}
    assert set(deployments) == {"daily-sync", "weekly-reconcile", "publish"}
    crons = {n: [s.schedule.cron for s in d.schedules] for n, d in deployments.items()}
    assert crons == {
        "daily-sync": ["15 10 * * 1-5"],
        "weekly-reconcile": [settings.reconcile_cron],
        "publish": [settings.publish_cron],
    }
    for deployment in deployments.values():
        assert [s.schedule.timezone for s in deployment.schedules] == ["UTC"]
        assert deployment.concurrency_limit == 1
        assert deployment.concurrency_options is not None
        assert (
            deployment.concurrency_options.collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW
        )
        assert deployment.parameters == {"data_dir": str(tmp_path.resolve())}
    assert deployments["daily-sync"].entrypoint.endswith("flows/orchestration.py:sync_flow")


def test_the_default_sync_runs_on_weekdays_after_the_registry_refresh():
    minute, hour, _, _, weekdays = Settings().sync_cron.split()
    assert (int(hour), int(minute)) > (9, 0) and weekdays == "1-5"


def test_serve_help_documents_the_schedules():
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for text in ("daily-sync", "30 9 * * 1-5", "weekly-reconcile", "TRIALSYNC_SYNC_CRON"):
        assert text in result.output, text


def test_prefect_yaml_matches_the_served_deployments():
    import yaml

    from tests.support.warehouse import ROOT

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    declared = {d["name"]: d for d in config["deployments"]}
    settings = Settings()
    for deployment in build_deployments(settings):
        entry = declared[deployment.name]
        assert entry["entrypoint"] == deployment.entrypoint
        assert [s["cron"] for s in entry["schedules"]] == [
            s.schedule.cron for s in deployment.schedules
        ]
        assert entry["concurrency_limit"]["limit"] == 1
