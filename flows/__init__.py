"""Orchestration: settings, the API client, Prefect flows, the CLI and the schedules."""
