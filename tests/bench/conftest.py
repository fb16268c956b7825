"""Builders for the benchmark-harness tests: a tiny data-set size."""

from __future__ import annotations

import pytest

from bench.generate import Size


@pytest.fixture
def tiny() -> Size:
    """Small enough for the suite: 3 periods × 2 organisations × 3 wijken of returns."""
    return Size("T", stories=12, clients=10, years=(2025, 2025), organisations=2, wijken=3,
                photo_files=1, photo_share=0.5)
