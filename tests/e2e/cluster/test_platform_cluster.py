"""Against a real Kubernetes API server (kind, or any cluster you may write to), only when
``KUBECONFIG`` is set: applies the core objects ``underlay render`` writes for the `local`
env and checks what the API server enforces. Skipped otherwise: there is no API server on the
machines these tests usually run on, and nothing here pretends to be one.

Run: ``kind create cluster --name underlay && KUBECONFIG=$HOME/.kube/config pytest -m cluster``
(docs/platform.md). It creates and deletes namespaces flux-system, gateway-system, monitoring,
underlay-backup and team-a: use a throwaway cluster.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import require_kubeconfig
from tests.support.tools import require_tool

pytestmark = pytest.mark.cluster


@pytest.fixture(autouse=True)
def _cluster() -> None:
    require_kubeconfig()


def kubectl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("kubectl"), *args], capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="module")
def applied(rendered: dict[str, Path]) -> Iterator[Path]:
    objects = rendered["local"] / "objects"
    kubectl("apply", "--server-side", "--field-manager=underlay-test", "-f", str(objects))
    try:
        yield objects
    finally:
        kubectl("delete", "--wait=false", "--ignore-not-found", "-f", str(objects), check=False)


def test_namespaces_enforce_restricted_pod_security(applied: Path) -> None:
    ns = json.loads(kubectl("get", "namespace", "team-a", "-o", "json").stdout)
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    privileged = kubectl(
        "run",
        "psa-probe",
        "-n",
        "team-a",
        "--image=registry.k8s.io/pause:3.10",
        "--privileged",
        "--dry-run=server",
        check=False,
    )
    assert privileged.returncode != 0
    assert "violates PodSecurity" in privileged.stderr


def test_backup_cronjob_and_quota_exist_as_rendered(applied: Path) -> None:
    cron = json.loads(
        kubectl(
            "get", "cronjob", "-n", "underlay-backup", "manifest-repo-backup", "-o", "json"
        ).stdout
    )
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["suspend"] is True  # local has no manifest repo
    quota = json.loads(
        kubectl("get", "resourcequota", "-n", "team-a", "quota", "-o", "json").stdout
    )
    assert quota["spec"]["hard"]["pods"] == "30"
