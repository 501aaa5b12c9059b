"""A thin layer over the ``terraform`` binary, and the offline-provider (mirror) settings.

Why not python-terraform: its ``plan`` passes the directory as a positional argument, which
Terraform >= 0.15 rejects ("Too many command line arguments"); the 0.14 fork fails the same way.
Each call here is one ``subprocess.run`` with ``-chdir``, so nothing depends on its quirks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stacks.errors import UnderlayError

__all__ = [
    "MIRROR_ENV",
    "Terraform",
    "TerraformError",
    "mirror_cli_config",
    "terraform_environment",
]

MIRROR_ENV = "UNDERLAY_TF_PLUGIN_MIRROR"


class TerraformError(UnderlayError):
    """Terraform itself failed; the message carries its last error lines."""

    exit_code = 1


def mirror_cli_config(mirror: Path, dest: Path) -> Path:
    """Write a Terraform CLI config that installs every provider from ``mirror`` only."""
    if not (mirror / "registry.terraform.io").is_dir():
        raise UnderlayError(
            f"{MIRROR_ENV}={mirror}: not a provider mirror (no registry.terraform.io folder inside)"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path = {json.dumps(str(mirror.resolve()))}\n  }}\n"
        "}\n",
        encoding="utf-8",
    )
    return dest


def terraform_environment(
    base: Mapping[str, str] | None = None, config_dir: Path = Path(".underlay")
) -> dict[str, str]:
    """The environment for Terraform and the cdktf CLI: mirror config, no update checks."""
    env = dict(os.environ if base is None else base)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env.setdefault("TF_IN_AUTOMATION", "1")
    mirror = env.get(MIRROR_ENV)
    if mirror:
        path = mirror_cli_config(Path(mirror), config_dir.resolve() / "terraform-mirror.tfrc")
        env["TF_CLI_CONFIG_FILE"] = str(path)
        # cdktf's own plugin cache would otherwise be tried before the mirror.
        env.setdefault("CDKTF_DISABLE_PLUGIN_CACHE_ENV", "1")
    return env


@dataclass(frozen=True)
class Terraform:
    """Terraform in one stack folder (``cdktf.out/stacks/<stack>``)."""

    workdir: Path
    env: Mapping[str, str] = field(default_factory=terraform_environment)
    binary: str = "terraform"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        exe = shutil.which(self.binary, path=self.env.get("PATH"))
        if exe is None:
            raise UnderlayError(f"{self.binary!r} not found on PATH; install Terraform >= 1.6")
        result = subprocess.run(
            [exe, f"-chdir={self.workdir}", *args],
            env=dict(self.env),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise TerraformError(f"terraform {args[0]} in {self.workdir} failed: {_tail(result)}")
        return result

    def init(self, *, backend: bool = True) -> None:
        self.run("init", "-input=false", "-no-color", f"-backend={str(backend).lower()}")

    def validate(self) -> dict[str, Any]:
        result = self.run("validate", "-json", "-no-color", check=False)
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    def apply(self, *extra: str) -> None:
        self.run("apply", "-input=false", "-no-color", "-auto-approve", *extra)

    def plan_exit_code(self, *extra: str) -> int:
        """``plan -detailed-exitcode``: 0 no changes, 2 changes; an error raises."""
        result = self.run(
            "plan", "-input=false", "-no-color", "-detailed-exitcode", *extra, check=False
        )
        if result.returncode not in (0, 2):
            raise TerraformError(f"terraform plan in {self.workdir} failed: {_tail(result)}")
        return result.returncode

    def refresh_only_plan(self, plan_file: Path) -> dict[str, Any]:
        """What changed outside Terraform: a refresh-only plan that takes no state lock and writes
        no state (only a plan file, outside the state), returned as ``show -json``."""
        result = self.run(
            "plan",
            "-refresh-only",
            "-lock=false",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            f"-out={plan_file}",
            check=False,
        )
        if result.returncode not in (0, 2):
            raise TerraformError(
                f"terraform plan -refresh-only in {self.workdir} failed: {_tail(result)}"
            )
        shown: dict[str, Any] = json.loads(
            self.run("show", "-json", "-no-color", str(plan_file)).stdout
        )
        return shown

    def state_addresses(self) -> list[str]:
        """Resources in the state (``state list``, read-only); empty when nothing is deployed."""
        return self.run("state", "list").stdout.split()

    def destroy(self) -> None:
        self.run("destroy", "-input=false", "-no-color", "-auto-approve")

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {k: v["value"] for k, v in raw.items()}


def _tail(result: subprocess.CompletedProcess[str], lines: int = 8) -> str:
    text = (result.stderr or result.stdout).strip().splitlines()
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())
