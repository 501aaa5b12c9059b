"""The PR loop on moto with real Terraform: plan, apply exactly that plan, refuse it again.

The environment is ``review`` (``extends: local``, nothing else) in a scratch git history of a
project copy, on a moto server of its own: moto gives every EKS cluster the same OIDC issuer, so
``review`` and the shared ``local`` deployment cannot both exist on one server. Nothing destroys
it: its server is stopped right after, and the run's one destroy (of `local_deployment`) is what
shows an applied environment can be destroyed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import underlay_process
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer, moto_server
from tests.support.project_copy import commit_all, git, make_project

pytestmark = pytest.mark.deploy


def underlay(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return underlay_process(
        *args, "--env-dir", "environments", cwd=project, env={**env, "PYTHONPATH": str(project)}
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert needle in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def _node_group(moto: MotoServer) -> dict[str, object]:
    eks = moto.client("eks")
    group: dict[str, object] = eks.describe_nodegroup(
        clusterName="ul-review", nodegroupName="general"
    )["nodegroup"]
    return group


@pytest.fixture(scope="module")
def loop(
    tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]
) -> Iterator[tuple[Path, dict[str, str], MotoServer]]:
    project = make_project(tmp_path_factory.mktemp("delivery") / "project")
    (project / "environments" / "review.yaml").write_text("extends: local\n", encoding="utf-8")
    commit_all(project, "add the review environment")
    with moto_server() as moto:
        yield (
            project,
            {**terraform_env, **FAKE_CREDENTIALS, "UNDERLAY_AWS_ENDPOINT": moto.endpoint},
            moto,
        )


def test_plan_apply_change_and_refusals(loop: tuple[Path, dict[str, str], MotoServer]) -> None:
    project, env, moto = loop
    # 1. First rollout of the environment through plan + apply.
    first = ok(underlay(project, env, "plan", "review", "--out", "p0"))
    assert "review-cluster" in first
    assert "Terraform did not plan this stack" in first  # review-platform, no cluster here
    platform = json.loads((project / "p0" / "plan.json").read_text())["envs"]["review"]["stacks"][
        "review-platform"
    ]
    assert platform["planned"] is False
    assert f"Not reachable from here: {platform['reason']}." in first  # the why, in one place
    applied = ok(underlay(project, env, "apply", "review", "--plan", "p0"))
    assert "applied review-cluster" in applied
    assert _node_group(moto)["scalingConfig"] == {"minSize": 1, "maxSize": 2, "desiredSize": 1}

    # 2. A branch lets the node group grow: the change the issue names, and nothing else (a
    # lifecycle rule change would cost a second 55 s provider wait, docs/architecture.md). (moto
    # lacks EKS DescribeUpdate, which the provider polls after a node-group update; the test
    # emulator fills it in: tests/support/moto_patches.py.)
    git(project, "checkout", "-q", "-b", "grow")
    review = project / "environments" / "review.yaml"
    grow = "cluster:\n  node_groups:\n    general:\n      max_size: 3\n"
    review.write_text("extends: local\n" + grow, encoding="utf-8")
    commit_all(project, "review: up to three nodes")
    summary = ok(underlay(project, env, "plan", "--base", "main", "--out", "p1"))
    record = json.loads((project / "p1" / "plan.json").read_text())
    assert list(record["envs"]) == ["review"]
    assert list(record["envs"]["review"]["stacks"]) == ["review-cluster"]
    counts = record["envs"]["review"]["stacks"]["review-cluster"]["counts"]
    assert counts == {"create": 0, "update": 1, "replace": 0, "delete": 0}
    head = "\n".join(summary.splitlines()[:12])
    assert "review-cluster" in head
    assert "aws_eks_node_group" in summary.split("<details>")[1][:800]
    assert (project / "p1" / "summary.md").read_text() == summary

    # 3. Apply exactly that plan: moto shows the new size.
    ok(underlay(project, env, "apply", "review", "--plan", "p1"))
    assert _node_group(moto)["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 1}

    # 4. The same plan again: the state changed since, Terraform's own check refuses it.
    refused(underlay(project, env, "apply", "review", "--plan", "p1"), "stale")

    # 5. A plan from another commit, and a missing plan, are refused before Terraform runs. p1
    # stands for any plan of an earlier commit (planning afresh for it cost a synth and a plan):
    # the commit check comes first, and its words differ from the stale refusal p1 would
    # otherwise meet, so a missing commit check still fails here.
    (project / "README.md").write_text("a later commit\n", encoding="utf-8")
    commit_all(project, "a later commit")
    refused(underlay(project, env, "apply", "review", "--plan", "p1"), "is checked out; plan again")
    refused(underlay(project, env, "apply", "review", "--plan", "nowhere"), "no saved plan")

    # 6. A change that replaces a resource is listed first and marked.
    review.write_text(
        review.read_text().replace(grow, "") + "cluster:\n  node_groups:\n    general:\n"
        "      instance_types: [t3.large]\n      min_size: 1\n      max_size: 3\n"
        "      desired_size: 1\n",
        encoding="utf-8",
    )
    commit_all(project, "review: bigger instances (replaces the node group)")
    summary = ok(underlay(project, env, "plan", "--base", "HEAD~1", "--out", "p3"))
    must = summary.split("**Must not miss:**")[1].strip().splitlines()
    assert "replace" in must[0], must[:3]
    assert "aws_eks_node_group" in must[0], must[:3]
    section = summary.split("### review")[1]
    assert section.index("Must not miss") < section.index("to create"), "risky before counts"
