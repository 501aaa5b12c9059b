"""One platform, two clouds: two environments that differ only in their cloud (and where their
state lives) get the same Kubernetes objects and the same platform stack, apart from the cloud's
own facts (the backup service account's workload-identity binding, the exec auth, the state
backend). Anything else differing would mean cloud knowledge leaked out of the cloud module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bootstrap.cli import cli
from tests.support.envs import write_envs
from tests.support.synth import load_stack

SHARED = """
cluster:
  node_groups:
    system:
      instance_types: [{size}]
      min_size: 2
      max_size: 4
      desired_size: 2
    general:
      instance_types: [{size}]
      min_size: 2
      max_size: 6
      desired_size: 3
      labels: {{workload: general}}
gitops:
  repo: https://git.example.com/platform/manifests.git
versions:
  images:
    backup: registry.example.com/underlay/backup-job@sha256:{digest}
platform:
  teams:
    team-a: {{}}
  gateway:
    listeners:
      https: {{protocol: HTTPS, port: 443, hostname: "*.example.com", tls_secret: wildcard}}
  flux:
    sops: {{enabled: true}}
"""
# One environment name, one file per cloud, in two project folders.
CLOUDS = {
    "aws": "cloud: {kind: aws, region: eu-west-1}\n"
    + SHARED.format(size="m6i.large", digest="ab" * 32),
    "azure": "cloud: {kind: azure, location: westeurope}\n"
    + "state: {backend: azurerm, resource_group_name: tf, storage_account_name: tfstate}\n"
    + SHARED.format(size="Standard_D4ds_v5", digest="ab" * 32),
}


Path_ = tuple[str | int, ...]


def diff(a: Any, b: Any, at: Path_ = ()) -> list[Path_]:
    """The paths at which two JSON-like values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(set(a) | set(b)) for p in diff(a.get(k), b.get(k), (*at, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [p for i, (x, y) in pairs for p in diff(x, y, (*at, i))]
    return [] if a == b else [at]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    roots = {}
    for cloud, text in CLOUDS.items():
        root = tmp_path_factory.mktemp(f"on-{cloud}")
        env_dir = write_envs(root, {"pair": text})
        for command in (
            ["synth", "--out", str(root / "out")],
            ["render", "pair", "--out", str(root / "render")],
        ):
            cli.main([*command, "--env-dir", str(env_dir)], standalone_mode=False)
        roots[cloud] = root
    return roots


def _rendered(folder: Path) -> dict[str, list[Any]]:
    """Every rendered file's documents (objects, custom resources, chart values), by path."""
    yaml = YAML(typ="safe", pure=True)
    return {
        f.relative_to(folder).as_posix(): [d for d in yaml.load_all(f.read_text()) if d]
        for f in sorted(folder.rglob("*.yaml"))
    }


def test_rendered_objects_differ_only_in_the_workload_identity(
    projects: dict[str, Path],
) -> None:
    aws, azure = _rendered(projects["aws"] / "render"), _rendered(projects["azure"] / "render")
    assert sorted(aws) == sorted(azure)
    differences = {(f, *path) for f in aws for path in diff(aws[f], azure[f])}
    service_account = ("objects/backup.yaml", 0, "metadata", "annotations")
    # documents 1 and 2: the backup and the restore-drill CronJobs
    pod_labels = [
        ("objects/backup.yaml", i, "spec", "jobTemplate", "spec", "template") for i in (1, 2)
    ]
    assert differences == {
        (*service_account, "azure.workload.identity/client-id"),
        (*service_account, "eks.amazonaws.com/role-arn"),
        *((*labels, "metadata", "labels", "azure.workload.identity/use") for labels in pod_labels),
    }


def test_platform_stacks_differ_only_in_cloud_facts(projects: dict[str, Path]) -> None:
    aws = load_stack(projects["aws"] / "out", "pair-platform")
    azure = load_stack(projects["azure"] / "out", "pair-platform")
    differences = {"/".join(map(str, p[:2])) for p in diff(aws, azure)}
    # Provider exec auth (aws eks get-token vs kubelogin), where state lives and the cluster
    # outputs are read from (local vs azurerm), and the backup identity binding.
    assert differences == {
        "provider/kubernetes",
        "provider/helm",
        "terraform/backend",
        "data/terraform_remote_state",
        "resource/kubernetes_service_account_v1",
        "resource/kubernetes_cron_job_v1",
        "///metadata",  # cdktf's own record of the backend and overrides
    }
    assert "provider/kubernetes" in differences


def test_the_diff_sees_a_leak() -> None:
    a = {"spec": {"storageClassName": "gp3", "x": [1, 2]}}
    b = {"spec": {"storageClassName": "managed-csi", "x": [1, 3]}}
    assert diff(a, b) == [("spec", "storageClassName"), ("spec", "x", 1)]
