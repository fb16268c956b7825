"""Jobs: the queue backends a real worker is tried with."""

from __future__ import annotations

import secrets

import pytest


@pytest.fixture(params=["sqlite"])
def queue_env(request) -> dict:
    """Environment for a worker process: the embedded SQLite queue (the default)."""
    return {"MONITOR_QUEUE_URL": "", "MONITOR_QUEUE_NAME": f"tv-test-{secrets.token_hex(4)}"}
