"""The one settings object: every knob trialsync has, read from TRIALSYNC_* variables or .env."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_URL = "https://clinicaltrials.gov/api/v2"


class Settings(BaseSettings):
    """Configuration for every trialsync command.

    Built once at an entry point (CLI command or flow) and passed down as plain values, so that
    nothing below `flows/` reads the environment.
    """

    model_config = SettingsConfigDict(
        env_prefix="TRIALSYNC_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    api_url: str = Field(DEFAULT_API_URL, description="Base URL of the ClinicalTrials.gov API v2.")
    page_size: int = Field(1000, ge=1, le=1000, description="Studies per API page (API max 1000).")
    requests_per_second: float = Field(
        1.0, gt=0, description="Request rate ceiling, shared by every thread of one process."
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to wait for a TCP connect.")
    read_timeout: float = Field(
        120.0, gt=0, description="Seconds to wait for bytes; a full 1000-study page is ~17 MB."
    )
    max_attempts: int = Field(8, ge=1, description="Attempts per request before giving up.")
    backoff_initial: float = Field(1.0, ge=0, description="First retry delay, in seconds.")
    backoff_max: float = Field(60.0, ge=0, description="Longest retry delay, in seconds.")
    user_agent: str = Field(
        "trialsync/0.1 (+https://github.com/trialsync/trialsync; data pipeline)",
        description="User-Agent sent with every request.",
    )
    data_dir: Path = Field(Path("data"), description="Data folder: warehouse, raw pages, outputs.")
    sample_dir: Path = Field(
        REPO_ROOT.parent / "shared" / "ctgov-sample",
        description="Folder of real API records used by the demo, tests and benchmarks.",
    )
    batch_size: int = Field(1000, ge=1, description="Studies per load transaction.")
    bootstrap_from_bulk: bool = Field(
        True, description="First sync into an empty warehouse loads the bulk ZIP, then pages."
    )
    duckdb_memory_limit: str = Field("6GB", description="DuckDB memory_limit for the writer.")
    duckdb_threads: int = Field(
        2,
        ge=1,
        description="DuckDB worker threads of the writer (scans, checkpoints, publishing); a "
        "batch's ~70 appends run on one, where each costs less than half as much.",
    )
    duckdb_wal_autocheckpoint: str = Field(
        "1GB",
        description="WAL size at which the writer checkpoints. DuckDB's 16MB default "
        "checkpointed after every 1,000-study batch (~38MB of WAL), and a checkpoint costs more "
        "the bigger the warehouse: loading 200,000 studies spent 48 s of 129 in checkpoints "
        "at 256MB, 24 s of 119 at 1GB.",
    )
    duckdb_row_group_size: int = Field(
        32_768,
        ge=2048,
        multiple_of=2048,
        description="Rows per DuckDB row group in the working database (DuckDB's default is "
        "122,880). Each checkpoint stores new rows as row groups of their own and then merges "
        "neighbours that fit into fewer, rewriting them: with 122,880, loading 200,000 studies "
        "rewrote the one-row-per-study tables again and again (22-25 s of checkpoints in a "
        "118-123 s load); with 32,768 a checkpoint's ~30,000 studies fill a row group and stay "
        "put (13-14 s in 106-113 s).",
    )
    keep_snapshots: int = Field(3, ge=1, description="Published snapshots kept on disk.")
    reconcile_slice: int = Field(
        5000,
        ge=0,
        description="Studies `trialsync reconcile` re-fetches per run, longest-unfetched first, to "
        "catch derived-data changes that do not move lastUpdatePostDate.",
    )
    summary_backend: Literal["template", "openai"] = Field(
        "template",
        description="Who writes summary headlines and ledes: 'template' (default) or 'openai' "
        "(an OpenAI-compatible endpoint, checked by the verifier, template text on any failure).",
    )
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible API base including the version, e.g. http://127.0.0.1:8080/v1.",
    )
    llm_model: str | None = Field(None, description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(
        None, description="Bearer token for the LLM endpoint, if it needs one."
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for one LLM reply.")
    metadata_check_hours: float = Field(
        24.0,
        ge=0,
        description="Compare the API's field list (/studies/metadata) with the model at most this "
        "often (hours; 0 = every sync).",
    )
    gate_max_row_drop: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Publishing gate: refuse to publish when a table lost more than this share of "
        "the rows it had in the last publication (tables of 100+ rows).",
    )
    gate_max_fill_drop: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Publishing gate: refuse to publish when a registry column's share of "
        "non-NULL values fell by more than this (absolute) since the last publication (tables "
        "of 100+ rows).",
    )

    summarize_in_runs: bool = Field(
        True,
        description="Every sync, load and reconcile regenerates the summary pages whose inputs "
        "changed before it publishes.",
    )
    orchestration: Literal["prefect", "plain"] = Field(
        "prefect",
        description="How the CLI runs sync, load-bulk, reconcile and publish: as Prefect flows "
        "(tasks, retries, artifacts, events) or as plain function calls.",
    )
    task_retries: int = Field(
        3,
        ge=0,
        description="Prefect task retries of an API call that failed after the client's own "
        "retries (an outage rather than a blip).",
    )
    task_retry_delay: float = Field(
        30.0,
        ge=0,
        description="Backoff factor of those task retries, in seconds (exponential, jittered).",
    )
    api_rate_limit_name: str = Field(
        "ctgov-api",
        description="Prefect global concurrency limit (a rate limit) shared by every API call "
        "when a Prefect server is configured (PREFECT_API_URL); create it with "
        "`prefect gcl create ctgov-api --limit 1 --slot-decay-per-second 1`.",
    )
    prefect_startup_timeout: float = Field(
        90.0,
        gt=0,
        description="Seconds to wait for Prefect's temporary local server when PREFECT_API_URL "
        "is not set (a cold start takes 6-12 s, more on a busy machine).",
    )
    sync_cron: str = Field(
        "30 9 * * 1-5",
        description="Schedule of the daily sync (cron, UTC): weekdays, after the registry's "
        "refresh around 09:00 UTC.",
    )
    reconcile_cron: str = Field(
        "0 11 * * 6",
        description="Schedule of the weekly reconcile (cron, UTC).",
    )
    publish_cron: str = Field(
        "30 11 * * 1-5",
        description="Schedule of the publish flow (cron, UTC): republishes after the sync, a "
        "safety net for a publication the sync could not finish.",
    )

    task_runner: Literal["auto", "local", "processes", "dask"] = Field(
        "auto",
        description="Where bulk ZIP shards are screened and normalized: 'local' (this process), "
        "'processes' (worker processes beside the writer), 'dask' (a Dask cluster through "
        "prefect-dask; install the `dask` extra), or 'auto': 'processes' for a ZIP of 5,000 "
        "studies or more when this process may use more than one CPU, else 'local'.",
    )
    shard_workers: int = Field(
        0,
        ge=0,
        description="Worker processes of TRIALSYNC_TASK_RUNNER=processes; 0 = as many as the CPUs "
        "this process may use (the writer mostly waits for them). Each holds one shard's records "
        "(~0.5 GB at 1,000 studies).",
    )
    dask_address: str = Field(
        "",
        description="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786; empty starts "
        "a LocalCluster. Workers must see the data folder at the same path.",
    )
    dask_shards_ahead: int = Field(
        16,
        ge=1,
        description="Bulk ZIP shards normalized ahead of the single writer (bounds the disk "
        "used by shard files waiting to be loaded).",
    )
    publish_url: str = Field(
        "",
        description="Also mirror each publication to object storage: s3://bucket/prefix, "
        "gs://bucket/prefix or file:///abs/path (credentials from the usual AWS_*/GOOGLE_* "
        "variables); empty = local only.",
    )

    @field_validator("api_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def bulk_download_url(self) -> str:
        """The official full-registry ZIP (not in the OAS; see the API reference, section 9)."""
        return f"{self.api_url}/studies/download?format=json.zip"

    @property
    def studies_dir(self) -> Path:
        """Complete study records of the sample (one JSON file per study)."""
        return self.sample_dir / "studies"


def env_example() -> str:
    """The text of `.env.example`: every setting, its default and what it is for."""
    lines = [
        "# trialsync settings: every TRIALSYNC_* variable with its default.",
        "# Copy to .env (or export them); command-line options such as --data-dir win over both.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        if hasattr(default, "get_secret_value"):
            default = ""
        value = "" if default is None else str(default)
        if name == "sample_dir":
            value = "../shared/ctgov-sample"
        lines.append(f"# {field.description}")
        lines.append(f"TRIALSYNC_{name.upper()}={value}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(env_example())
