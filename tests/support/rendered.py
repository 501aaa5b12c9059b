"""Rendered manifests of the sample environments: the session fixtures `rendered` and
`provider_schemas` (re-exported by tests/conftest.py) and helpers to read them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.provider_schema import Schema, load_schema, provider_wheel

ENVS = ("dev", "staging", "prod", "local", "aks-dev", "aks-prod")


@pytest.fixture(scope="session")
def provider_schemas(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Schema]:
    """kubernetes and helm provider schemas from the prebuilt bindings' jsii assemblies."""
    cache_plugin = getattr(pytestconfig, "cache", None)  # absent with -p no:cacheprovider
    cache = (
        cache_plugin.mkdir("provider-wheels")
        if cache_plugin is not None
        else tmp_path_factory.mktemp("provider-wheels")
    )
    return {name: load_schema(provider_wheel(name, cache)) for name in ("kubernetes", "helm")}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``underlay render ENV --out DIR`` for every sample environment."""
    from bootstrap.cli import cli
    from tests.support.envs import SAMPLE_ENV_DIR

    out = {}
    for env in ENVS:
        folder = tmp_path_factory.mktemp(f"render-{env}")
        cli.main(
            ["render", env, "--env-dir", str(SAMPLE_ENV_DIR), "--out", str(folder)],
            standalone_mode=False,
        )
        out[env] = folder
    return out


def load_all(folder: Path) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    return [d for f in sorted(folder.glob("*.yaml")) for d in yaml.load_all(f.read_text()) if d]
