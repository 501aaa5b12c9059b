"""The platform side of ``plan`` with real Terraform, offline: where the kubernetes/helm providers
are in the mirror but the cluster stack was never applied, the stack is not planned and
``plan.json`` / ``summary.md`` say why (the cluster stack's outputs are read with a real
``terraform init`` + ``output -json``)."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from bootstrap.delivery.plan import EnvParts, _platform_job, _Run
from bootstrap.delivery.trees import checkout, synth_dir
from stacks.terraform_runner import terraform_environment
from tests.support.tools import provider_mirror, require_tool


def _mirror_with_platform_providers(dest: Path) -> Path:
    """A FAKE mirror: the real AWS provider beside empty kubernetes/helm folders. Enough for the
    decision's first step; nothing here can install those two. (Terraform does not follow a
    linked provider folder, only linked files: the AWS binaries are linked one by one.)"""
    real = provider_mirror() / "registry.terraform.io"
    for binary in (real / "hashicorp" / "aws").rglob("*"):
        if binary.is_file():
            link = dest / "registry.terraform.io" / binary.relative_to(real)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(binary)
    for name in ("kubernetes", "helm"):
        (dest / "registry.terraform.io" / "hashicorp" / name).mkdir()
    return dest


def test_platform_of_a_cluster_never_applied_is_not_planned_and_says_why(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tool("terraform")
    mirror = _mirror_with_platform_providers(tmp_path / "mirror")
    monkeypatch.setenv("UNDERLAY_TF_PLUGIN_MIRROR", str(mirror))
    monkeypatch.delenv("UNDERLAY_PLAN_PLATFORM", raising=False)
    parts: Future[EnvParts] = Future()
    parts.set_result(([], [], "+kind: Namespace"))
    with checkout(project / "environments", None) as head, synth_dir(head, ["local"]) as out:
        run = _Run(head, tmp_path / "plans", out, terraform_environment(config_dir=tmp_path))
        report, entry = _platform_job(run, "local-platform", "sha256:x", parts)
        assert (out / "stacks" / "local-cluster" / ".terraform").is_dir()  # inited for real
    reason = "local-cluster has no cluster_endpoint output yet (not applied here)"
    assert entry == {"planned": False, "synth_hash": "sha256:x", "reason": reason}
    assert not report.planned
    assert report.note.startswith(f"Not reachable from here: {reason}.")
    assert report.render_diff == "+kind: Namespace"
