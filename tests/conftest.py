"""Session-wide fixtures: expensive things (emulators, synth output) are started once."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.azurite import Azurite, azurite_server
from tests.support.checkov import checkov_manifests, checkov_stacks
from tests.support.envs import copy_samples
from tests.support.moto_server import MotoServer, moto_server
from tests.support.rendered import provider_schemas, rendered
from tests.support.tools import provider_mirror, require_tool

# --dist loadgroup as xdist means it under the pinned pytest (tests/support/xdist_groups.py).
pytest_plugins = ["tests.support.xdist_groups"]

__all__ = [
    "Golden",
    "azurite",
    "checkov_manifests",
    "checkov_stacks",
    "golden",
    "moto",
    "provider_schemas",
    "rendered",
    "synth_out",
]

GOLDEN_DIFF_LINES = 60
TERRAFORM_GOGC = "400"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/**/golden/ from the current output "
        "(review the diff before committing)",
    )


@dataclass(frozen=True)
class Golden:
    """Compares generated text with files in the `golden/` folder next to the test module.

    With `pytest --update-goldens` it rewrites them instead, so every change of generated output
    shows up as a reviewable diff of those files."""

    folder: Path
    update: bool
    nodeid: str

    def check(self, name: str, text: str) -> None:
        path = self.folder / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
            return
        if not path.is_file():
            pytest.fail(
                f"golden file {path} is missing: run `pytest --update-goldens {self.nodeid}` "
                "and review the new file"
            )
        expected = path.read_text()
        if text != expected:
            diff = list(
                difflib.unified_diff(
                    expected.splitlines(), text.splitlines(), str(path), "actual", lineterm=""
                )
            )
            shown = "\n".join(diff[:GOLDEN_DIFF_LINES])
            more = (
                f"\n… {len(diff) - GOLDEN_DIFF_LINES} more diff lines"
                if len(diff) > GOLDEN_DIFF_LINES
                else ""
            )
            pytest.fail(
                f"{path} differs from the output (refresh with `pytest --update-goldens "
                f"{self.nodeid}` if the change is intended):\n{shown}{more}",
                pytrace=False,
            )

    def check_tree(self, name: str, folder: Path) -> None:
        """Every file under `folder` against `golden/<name>/`, and no file more or less."""
        produced = {
            p.relative_to(folder).as_posix(): p.read_text()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        target = self.folder / name
        if self.update and target.is_dir():
            for old in target.rglob("*"):
                if old.is_file() and old.relative_to(target).as_posix() not in produced:
                    old.unlink()
        elif not self.update:
            stored = (
                {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
                if target.is_dir()
                else set()
            )
            if stored and stored != set(produced):
                pytest.fail(
                    f"{target}: files differ (missing: {sorted(stored - set(produced))}, "
                    f"new: {sorted(set(produced) - stored)}); refresh with "
                    f"`pytest --update-goldens {self.nodeid}` if intended",
                    pytrace=False,
                )
        for rel, text in produced.items():
            self.check(f"{name}/{rel}", text)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Golden-file comparison for this test; `pytest --update-goldens` refreshes the files."""
    return Golden(
        request.path.parent / "golden",
        bool(request.config.getoption("--update-goldens")),
        request.node.nodeid,
    )


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
    # Terraform and the AWS provider are Go programs, and most of a test run's CPU is theirs
    # (each provider instance rebuilds its schema: 6-14 s of CPU per plan or apply of a cluster
    # stack). A lazier garbage collector cuts that by about a fifth for a little more memory
    # (docs/performance.md, "Test time"); it changes nothing they compute.
    env["GOGC"] = TERRAFORM_GOGC
    return env


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite blob emulator for the whole run; tests keep apart by container names."""
    with azurite_server() as server:
        yield server
