"""The optional LLM backend against a local OpenAI-compatible stub on 127.0.0.1 (never hosted)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from flows.settings import Settings
from flows.summarizing import llm_backend_from_settings
from transforms.summaries import summarize

DAY = dt.date(2026, 11, 24)
# Fields offered: briefTitle "The Effect of Oral Hyaluronic Acid on the Skin", one condition.
NCT = "NCT05803083"


class _Stub(ThreadingHTTPServer):
    reply: dict[str, Any] | str = {}
    requests: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Stub

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        content = (
            self.server.reply
            if isinstance(self.server.reply, str)
            else json.dumps(self.server.reply)
        )
        payload = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": content}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[_Stub]:
    server = _Stub(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _settings(url: str, tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        summary_backend="openai",
        llm_base_url=url,
        llm_model="stub-1",
        llm_api_key="k-123",
        llm_timeout=5,
    )


def _backend(stub: _Stub, tmp_path):
    backend = llm_backend_from_settings(
        _settings(f"http://127.0.0.1:{stub.server_port}/v1", tmp_path)
    )
    assert backend is not None
    return backend


GOOD = {
    "headline": {"text": "Oral hyaluronic acid and the skin", "fields": ["F1"]},
    "lede": {
        "text": "This study looks at the effect of oral hyaluronic acid on the skin.",
        "fields": ["F1"],
    },
}


def test_good_output_is_accepted_and_cited(stub, tmp_path, sample_studies):
    stub.reply = GOOD
    summary = summarize(sample_studies[NCT], generated_on=DAY, backend=_backend(stub, tmp_path))
    assert summary.generated_by == "llm:stub-1" and summary.backend_note == ""
    assert summary.page.headline.text == GOOD["headline"]["text"]
    assert summary.page.lede.text == GOOD["lede"]["text"]
    assert summary.page.lede.slots[0].pointer == "/protocolSection/identificationModule/briefTitle"
    assert summary.ok
    sent = stub.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer k-123"
    assert sent["body"]["model"] == "stub-1" and sent["body"]["temperature"] == 0
    assert sent["body"]["response_format"]["type"] == "json_schema"
    assert (
        "F1 briefTitle: The Effect of Oral Hyaluronic Acid on the Skin"
        in sent["body"]["messages"][1]["content"]
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        # A number the cited field does not have.
        pytest.param(
            {
                **GOOD,
                "lede": {
                    "text": "This study gives 300 mg of hyaluronic acid for the skin.",
                    "fields": ["F1"],
                },
            },
            "number",
            id="invented-number",
        ),
        # An efficacy claim.
        pytest.param(
            {**GOOD, "lede": {"text": "Hyaluronic acid may cure dry skin.", "fields": ["F1"]}},
            "claim",
            id="cure",
        ),
        # A drug name from nowhere.
        pytest.param(
            {
                **GOOD,
                "lede": {
                    "text": "This study compares hyaluronic acid with Botox for the skin.",
                    "fields": ["F1"],
                },
            },
            "word",
            id="invented-name",
        ),
        # A field key that was never offered.
        pytest.param(
            {**GOOD, "lede": {"text": "This study looks at the skin.", "fields": ["F9"]}},
            "cite",
            id="unknown-field",
        ),
        # Not JSON at all.
        pytest.param("Sure! Here is a headline: ...", "JSON", id="not-json"),
    ],
)
def test_bad_output_falls_back_to_the_template(stub, tmp_path, sample_studies, reply, reason):
    stub.reply = reply
    record = sample_studies[NCT]
    summary = summarize(record, generated_on=DAY, backend=_backend(stub, tmp_path))
    template = summarize(record, generated_on=DAY)
    assert summary.generated_by == "template" and reason in summary.backend_note
    assert (summary.page.headline, summary.page.lede) == (
        template.page.headline,
        template.page.lede,
    )
    assert summary.ok


def test_endpoint_down_falls_back(tmp_path, sample_studies, unused_port):
    backend = llm_backend_from_settings(_settings(f"http://127.0.0.1:{unused_port}/v1", tmp_path))
    assert backend is not None
    summary = summarize(sample_studies[NCT], generated_on=DAY, backend=backend)
    assert summary.generated_by == "template" and summary.backend_note.startswith("endpoint error")
    assert summary.ok


def test_off_by_default_and_refused_when_half_configured(tmp_path):
    assert llm_backend_from_settings(Settings(data_dir=tmp_path)) is None
    with pytest.raises(ValueError, match="LLM_BASE_URL"):
        llm_backend_from_settings(Settings(data_dir=tmp_path, summary_backend="openai"))


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
