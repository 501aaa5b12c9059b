"""Session-wide fixtures: expensive things (emulators, synth output) are started once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.azurite import Azurite, azurite_server
from tests.support.envs import copy_samples
from tests.support.moto_server import MotoServer, moto_server
from tests.support.tools import provider_mirror, require_tool


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One moto server for the whole run; tests keep apart by resource names and regions."""
    with moto_server() as server:
        yield server


# Shared, noisy CI machines: judge properties, not speed.
settings.register_profile("underlay", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("underlay")


@pytest.fixture(scope="session")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample environment synthesized once, into a project copy of its own."""
    from stacks.app import synth_to

    root = tmp_path_factory.mktemp("project")
    env_dir = copy_samples(root)
    out = root / "cdktf.out"
    synth_to(out, env_dir)
    return out


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: the offline mirror, and one plugin cache for all inits."""
    from stacks.terraform_runner import MIRROR_ENV, terraform_environment

    require_tool("terraform")
    mirror = provider_mirror()
    base = {**os.environ, MIRROR_ENV: str(mirror)}
    env = terraform_environment(base, tmp_path_factory.mktemp("tfconfig"))
    env["TF_PLUGIN_CACHE_DIR"] = str(tmp_path_factory.mktemp("plugin-cache"))
    return env


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite blob emulator for the whole run; tests keep apart by container names."""
    with azurite_server() as server:
        yield server
