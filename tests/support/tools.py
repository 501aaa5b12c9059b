"""Finding external tools: in CI a missing tool fails the test; on a laptop it skips it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["provider_mirror", "require_tool"]


def require_tool(name: str, env_var: str | None = None) -> str:
    found = (os.environ.get(env_var) if env_var else None) or shutil.which(name)
    if found:
        return found
    message = f"{name} not found (PATH{f' or ${env_var}' if env_var else ''}); .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def provider_mirror() -> Path:
    """The offline provider mirror: $UNDERLAY_TF_PLUGIN_MIRROR, else /opt/tf-plugins."""
    mirror = Path(os.environ.get("UNDERLAY_TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
    if not (mirror / "registry.terraform.io").is_dir():
        message = f"no Terraform provider mirror at {mirror}; set UNDERLAY_TF_PLUGIN_MIRROR"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return mirror
