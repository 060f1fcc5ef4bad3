"""The scheduled deployments `trialsync serve` runs: daily sync, weekly reconcile, publish.

The registry refreshes once a day, Monday to Friday, around 09:00 UTC (the API reference), so
the sync runs on weekdays shortly after; weekends bring no new data. Each deployment allows one
run at a time, and a run that would overlap the previous one is cancelled rather than queued
(the warehouse's writer lock would refuse it anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import Flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.orchestration import publish_flow, reconcile_flow, sync_flow
from flows.runs import RunReport
from flows.settings import Settings

TIMEZONE = "UTC"


@dataclass(frozen=True)
class Schedule:
    """One deployment: its name, flow, cron and what it is for."""

    name: str
    cron: str
    purpose: str


def schedules(settings: Settings) -> list[Schedule]:
    """The deployments and their crons, from the settings (TRIALSYNC_*_CRON)."""
    return [
        Schedule("daily-sync", settings.sync_cron, "incremental sync, summaries, publish"),
        Schedule("weekly-reconcile", settings.reconcile_cron, "removed/merged/missed studies"),
        Schedule("publish", settings.publish_cron, "republish if a run could not"),
    ]


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """The deployments, ready for `prefect.serve` (nothing is sent to a server here)."""
    flows: dict[str, Flow[..., RunReport]] = {
        "daily-sync": sync_flow,
        "weekly-reconcile": reconcile_flow,
        "publish": publish_flow,
    }
    one_at_a_time = ConcurrencyLimitConfig(
        limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
    )
    params = {"data_dir": str(settings.data_dir.resolve())}
    deployments: list[RunnerDeployment] = [
        flows[s.name].to_deployment(  # type: ignore[misc]  # sync outside an event loop
            name=s.name,
            schedule=Cron(s.cron, timezone=TIMEZONE),
            concurrency_limit=one_at_a_time,
            parameters=params,
            description=f"{s.purpose} (cron {s.cron} {TIMEZONE})",
            tags=["trialsync"],
        )
        for s in schedules(settings)
    ]
    return deployments
