"""The one mechanism for Terraform blocks (stacks/l1.py): plain Python blocks, declared per
stack, refused when declared twice, and written into cdk.tf.json by every synth path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.engine import engine
from stacks.l1 import Provider, ResourceGroup, UnderlayApp, UnderlayStack, tf_name
from tests.support.envs import SAMPLE_ENV_DIR

ROOT = Path(__file__).resolve().parents[2]


def _app_with_one_stack(out: Path) -> tuple[UnderlayApp, UnderlayStack]:
    app = UnderlayApp(out)
    stack = UnderlayStack(app, "demo")
    group = ResourceGroup(stack, "namespaces")
    ns = group.resource("kubernetes_namespace_v1", "team-a", {"metadata": {"name": "team-a"}})
    group.resource(
        "kubernetes_resource_quota_v1",
        "q",
        {"spec": None, "metadata": {"labels": None, "name": "q"}},
        depends_on=[ns],
        checkov_skips={"CKV_1": "a reason long enough"},
    )
    group.data("terraform_remote_state", "outputs", {"backend": "local"})
    stack.blocks.add_provider(Provider("helm", "hashicorp/helm", "~> 3.1.1", {"debug": False}))
    stack.blocks.add_output("names", ["team-a"], "Namespaces")
    stack.blocks.set_backend("s3", {"bucket": "b", "key": "k"})
    return app, stack


def test_a_plain_synth_writes_every_block(tmp_path: Path) -> None:
    app, _ = _app_with_one_stack(tmp_path)
    app.synth()
    data = json.loads((tmp_path / "stacks" / "demo" / "cdk.tf.json").read_text())
    assert data["resource"]["kubernetes_namespace_v1"]["namespaces_team_a"] == {
        "metadata": {"name": "team-a"}
    }
    assert data["resource"]["kubernetes_resource_quota_v1"]["namespaces_q"] == {
        "metadata": {"name": "q"},  # None values are left out, not written as null
        "depends_on": ["kubernetes_namespace_v1.namespaces_team_a"],
        "//": "checkov:skip=CKV_1:a reason long enough",
    }
    assert data["data"]["terraform_remote_state"]["namespaces_outputs"] == {"backend": "local"}
    assert data["provider"]["helm"] == [{"debug": False}]
    assert data["terraform"]["required_providers"]["helm"] == {
        "source": "hashicorp/helm",
        "version": "~> 3.1.1",
    }
    # The declared backend replaces cdktf's local default, in the JSON and its metadata.
    assert data["terraform"]["backend"] == {"s3": {"bucket": "b", "key": "k"}}
    assert data["//"]["metadata"]["backend"] == "s3"
    assert data["output"]["names"] == {"value": ["team-a"], "description": "Namespaces"}
    assert data["//"]["outputs"] == {"demo": {"names": "names"}}


def test_everything_declared_twice_is_refused_where_it_is_declared(tmp_path: Path) -> None:
    _, stack = _app_with_one_stack(tmp_path)
    with pytest.raises(ValueError, match="construct id 'namespaces' is used twice"):
        ResourceGroup(stack, "namespaces")
    other = ResourceGroup(stack, "other")
    other.resource("kubernetes_namespace_v1", "x", {})
    with pytest.raises(ValueError, match=r"kubernetes_namespace_v1\.other_x is declared twice"):
        other.resource("kubernetes_namespace_v1", "x", {})
    with pytest.raises(ValueError, match="provider helm declared twice"):
        stack.blocks.add_provider(Provider("helm", "hashicorp/helm", "~> 3", {}))
    with pytest.raises(ValueError, match="output 'names' declared twice"):
        stack.blocks.add_output("names", [], "again")
    with pytest.raises(ValueError, match="backend declared twice"):
        stack.blocks.set_backend("local", {"path": "x"})


def test_blocks_belong_to_an_underlay_stack_of_an_underlay_app(tmp_path: Path) -> None:
    app = UnderlayApp(tmp_path)
    with pytest.raises(TypeError, match="scope must be an UnderlayStack"):
        ResourceGroup(app, "loose")
    plain = engine.App(outdir=str(tmp_path / "plain"))
    with pytest.raises(TypeError, match="belongs to an UnderlayApp"):
        UnderlayStack(plain, "orphan")


def test_release_blocks_drops_what_was_written(tmp_path: Path) -> None:
    app, stack = _app_with_one_stack(tmp_path)
    app.synth()
    app.release_blocks()
    again = tmp_path / "again"
    stack.blocks.write_into(_copy_stack_json(tmp_path, again))
    assert "resource" not in json.loads(again.read_text())


def _copy_stack_json(out: Path, target: Path) -> Path:
    target.write_text('{"terraform": {}}')
    return target


def test_tf_name() -> None:
    assert tf_name("network", "private-0") == "network_private_0"
    assert tf_name("", "a.b/c") == "a_b_c"


def test_the_cdktf_app_entry_point_writes_complete_stacks(tmp_path: Path) -> None:
    """`cdktf synth`/`deploy` run main.py: its output has every stack's blocks."""
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path), "UNDERLAY_ENV_DIR": str(SAMPLE_ENV_DIR)}
    subprocess.run(
        [sys.executable, str(ROOT / "main.py")], env=env, check=True, capture_output=True
    )
    platform = json.loads((tmp_path / "stacks" / "local-platform" / "cdk.tf.json").read_text())
    assert len(platform["resource"]["kubernetes_namespace_v1"]) == 5
    assert set(platform["provider"]) == {"kubernetes", "helm"}
    path = platform["terraform"]["backend"]["local"]["path"]
    assert path.endswith("/terraform-state/local-platform.tfstate")
    cluster = json.loads((tmp_path / "stacks" / "local-cluster" / "cdk.tf.json").read_text())
    assert "aws_eks_cluster" in cluster["resource"]
    assert set(cluster["provider"]) == {"aws"}
    assert "backup_identity" in cluster["output"]
