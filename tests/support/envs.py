"""Writing throwaway environment folders for tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

__all__ = ["MINIMAL_DEV", "SAMPLE_ENV_DIR", "copy_samples", "write_envs"]

SAMPLE_ENV_DIR = Path(__file__).resolve().parents[2] / "environments"

# The smallest valid environment: what bad-input cases extend and break one key of.
MINIMAL_DEV = """
cloud:
  kind: aws
  region: eu-west-1
cluster:
  node_groups:
    general:
      instance_types: [m6i.large]
      min_size: 1
      max_size: 3
      desired_size: 2
"""


def write_envs(root: Path, files: dict[str, str]) -> Path:
    """Write ``{name: yaml text}`` as ``root/environments/<name>.yaml``; returns the folder."""
    env_dir = root / "environments"
    env_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (env_dir / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return env_dir


def copy_samples(root: Path) -> Path:
    env_dir = root / "environments"
    shutil.copytree(SAMPLE_ENV_DIR, env_dir)
    return env_dir
