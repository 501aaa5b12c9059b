"""Fixtures for the delivery tests: a scratch project copy with its own git history."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.project_copy import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")
