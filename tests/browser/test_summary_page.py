"""A summary page in a real headless Chromium: it renders, registry text cannot inject or run code.

Chromium is Debian's package (installed by .ci/run). A control page with a real inline script
proves the browser runs scripts and that the DOM check would see it.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from transforms.summaries import summarize

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
NCT = "NCT05803083"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCRIPT = (
    "<script>window.__pwned=1;document.documentElement.setAttribute('data-pwned','script')</script>"
)
IMAGE = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"


def _chromium(tmp_path: Path, *args: str) -> str:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        "chromium is not installed (see .ci/run)"
    )
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=3000",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def _hostile_page(sample_studies, tmp_path: Path) -> Path:
    record = copy.deepcopy(sample_studies[NCT])
    protocol = record["protocolSection"]
    protocol["descriptionModule"]["briefSummary"] = f"Before {SCRIPT} middle {IMAGE} after."
    protocol["conditionsModule"]["conditions"] = [f"Skin {IMAGE}"]
    protocol["identificationModule"]["officialTitle"] = f"Title {SCRIPT}"
    summary = summarize(record, generated_on=dt.date(2026, 11, 24))
    assert summary.ok
    page = tmp_path / f"{NCT}.html"
    page.write_text(summary.html, encoding="utf-8")
    return page


def test_control_page_proves_scripts_run_and_are_seen(tmp_path):
    control = tmp_path / "control.html"
    control.write_text(
        f"<!DOCTYPE html><html><body><p>x</p>{SCRIPT}</body></html>", encoding="utf-8"
    )
    dom = _chromium(tmp_path, "--dump-dom", control.as_uri())
    assert 'data-pwned="script"' in dom


def test_registry_text_is_shown_not_run(sample_studies, tmp_path):
    page = _hostile_page(sample_studies, tmp_path)
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "Quick facts" in dom and "Eligibility criteria" in dom and "How to take part" in dom
    assert 'data-pwned="' not in dom  # the payloads' text is on the page, their effect is not
    assert "<script" not in dom and "<img" not in dom
    assert "&lt;script&gt;window.__pwned=1;" in dom
    assert "&lt;img src=x onerror=" in dom


def test_a_screenshot_of_a_real_page(sample_studies, tmp_path):
    page = tmp_path / f"{NCT}.html"
    page.write_text(
        summarize(sample_studies[NCT], generated_on=dt.date(2026, 11, 24)).html, encoding="utf-8"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"summary-{NCT}.png"
    shot.unlink(missing_ok=True)
    _chromium(
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1000,2200",
        "--hide-scrollbars",
        page.as_uri(),
    )
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
