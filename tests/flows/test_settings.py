from __future__ import annotations

from pathlib import Path

from flows.settings import Settings, env_example

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_documents_every_setting():
    # Regenerate with: python -m flows.settings > .env.example
    assert (ROOT / ".env.example").read_text() == env_example()


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIALSYNC_PAGE_SIZE", "7")
    monkeypatch.setenv("TRIALSYNC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRIALSYNC_API_URL", "http://127.0.0.1:1/api/v2/")
    settings = Settings()
    assert settings.page_size == 7
    assert settings.data_dir == tmp_path
    assert settings.api_url == "http://127.0.0.1:1/api/v2"  # trailing slash dropped


def test_sample_dir_defaults_to_the_shared_folder():
    assert Settings().sample_dir == ROOT.parent / "shared" / "ctgov-sample"
