"""``underlay plan`` plans the platform stack for real where it can: a Kubernetes API server
(``KUBECONFIG``) and the kubernetes/helm providers in the provider mirror.

Marked ``cluster`` and skipped unless ``KUBECONFIG`` is set, like the other tests in this
folder (docs/platform.md). With ``KUBECONFIG`` set, a mirror without the kubernetes/helm
providers fails the test in CI (skips it elsewhere, as ``require_tool`` does): the test must not
pass by quietly not planning.

The scenario: env ``review`` (``extends: local``) in a scratch project; the cluster stack's
state is written by the test with outputs that point at the ``KUBECONFIG`` cluster (its server
and CA), because the platform stack's providers read the cluster from those outputs. The
cluster stack itself is planned against moto. Then ``underlay plan review`` must decide the
platform stack is reachable and plan it with Terraform: counts in ``plan.json``, its
``<stack>.json``, and a ``summary.md`` line with counts instead of "Terraform did not plan".

Not run on the machine this was written on (no API server there); the offline pieces of the
decision are tested in ``tests/bootstrap/delivery/test_reach.py``.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from bootstrap.delivery.reach import missing_providers
from stacks.clouds.contract import OUTPUT_NAMES
from tests.support.cli import underlay_process
from tests.support.cluster import require_kubeconfig
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer
from tests.support.project_copy import commit_all, make_project
from tests.support.tools import provider_mirror, require_tool

pytestmark = pytest.mark.cluster


@pytest.fixture(autouse=True)
def _cluster() -> None:
    require_kubeconfig()


def _require_platform_providers() -> Path:
    mirror = provider_mirror()
    missing = missing_providers(mirror)
    if missing:
        message = f"provider mirror {mirror} lacks {', '.join(missing)} (needed to plan platform)"
        pytest.fail(message, pytrace=False)
    return mirror


def _kube_cluster() -> tuple[str, str]:
    """The current context's API server and its CA (base64 PEM), from KUBECONFIG."""
    raw = subprocess.run(
        [require_tool("kubectl"), "config", "view", "--raw", "--minify", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cluster = json.loads(raw)["clusters"][0]["cluster"]
    ca = cluster.get("certificate-authority-data")
    if ca is None and cluster.get("certificate-authority"):
        ca = base64.b64encode(Path(cluster["certificate-authority"]).read_bytes()).decode()
    return cluster["server"], ca or ""


def test_plan_plans_the_platform_stack_where_the_cluster_answers(
    tmp_path: Path, moto: MotoServer, terraform_env: dict[str, str]
) -> None:
    mirror = _require_platform_providers()
    server, ca = _kube_cluster()
    project = make_project(tmp_path / "project")
    env_dir = project / "environments"
    (env_dir / "review.yaml").write_text("extends: local\n", encoding="utf-8")
    commit_all(project, "add the review environment")
    from stacks.config import load_environment

    state_dir = project / load_environment("review", env_dir).env.state.directory  # type: ignore[union-attr]
    state_dir.mkdir(parents=True, exist_ok=True)
    values = {name: f"test-{name}" for name in OUTPUT_NAMES}
    values |= {"cluster_endpoint": server, "cluster_ca_data": ca}
    (state_dir / "review-cluster.tfstate").write_text(
        json.dumps(
            {
                "version": 4,
                "terraform_version": "1.11.4",
                "serial": 1,
                "lineage": "underlay-cluster-test",
                "outputs": {k: {"value": v, "type": "string"} for k, v in values.items()},
                "resources": [],
                "check_results": None,
            }
        ),
        encoding="utf-8",
    )
    env = {
        **terraform_env,
        **FAKE_CREDENTIALS,
        "UNDERLAY_AWS_ENDPOINT": moto.endpoint,
        "UNDERLAY_TF_PLUGIN_MIRROR": str(mirror),
        "PYTHONPATH": str(project),
    }
    env.pop("UNDERLAY_PLAN_PLATFORM", None)  # the automatic decision is under test
    result = underlay_process("plan", "review", "--out", "plans", cwd=project, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((project / "plans" / "plan.json").read_text())
    platform = record["envs"]["review"]["stacks"]["review-platform"]
    assert platform["planned"] is True, platform
    assert platform["counts"]["create"] > 0
    shown = json.loads((project / "plans" / "review-platform.json").read_text())
    types = {rc["type"] for rc in shown["resource_changes"]}
    assert {"kubernetes_namespace_v1", "helm_release"} <= types, types
    summary = (project / "plans" / "summary.md").read_text()
    assert f"- `review-platform`: {platform['counts']['create']} to create" in summary
    assert "Terraform did not plan this stack" not in summary
