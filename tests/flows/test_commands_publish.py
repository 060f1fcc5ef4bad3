"""`trialsync publish`: refuses an empty data folder without creating a warehouse there.

The gate refusal and `--force` are exercised end to end in tests/warehouse/test_gate.py.
"""

from __future__ import annotations

import pytest

from flows.commands.publish import run_publish
from flows.pipeline import DB_NAME
from tests.support.warehouse import fast_settings
from warehouse.publish import PublishError


def test_nothing_to_publish_in_an_empty_data_folder(data_dir):
    with pytest.raises(PublishError, match="nothing to publish"):
        run_publish(fast_settings(data_dir, "http://127.0.0.1:9/api/v2"))
    assert not (data_dir / DB_NAME).exists()
    assert not (data_dir / "published").exists()
