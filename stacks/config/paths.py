"""Where environment files are found: the default folder and the variable that moves it.

Apart from the loader so the CLI can name them in its options without importing the model
(bootstrap/cli/__init__.py says what that saves)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_ENV_DIR", "ENV_DIR_VARIABLE"]

DEFAULT_ENV_DIR = Path("environments")
"""Where environment files live unless ``--env-dir`` / ``UNDERLAY_ENV_DIR`` say otherwise."""
ENV_DIR_VARIABLE = "UNDERLAY_ENV_DIR"
