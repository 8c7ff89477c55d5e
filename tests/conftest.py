"""Fixtures shared by several test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from idrs_sim import cache


@pytest.fixture
def cache_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory for the test, with the process-memory entries forgotten."""
    where = tmp_path / "cache"
    monkeypatch.setenv("IDRS_SIM_CACHE_DIR", str(where))
    monkeypatch.setattr(cache, "_ENTRIES", {})
    return where
