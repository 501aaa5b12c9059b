"""Direct blocks (stacks/platform/direct.py) land in cdk.tf.json on every synth path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.platform.direct import (
    DirectBlocks,
    DirectProvider,
    DirectResourceGroup,
    merge_direct_blocks,
)
from tests.support.envs import SAMPLE_ENV_DIR

ROOT = Path(__file__).resolve().parents[3]


def test_merge_adds_blocks_and_providers_and_refuses_a_clash(tmp_path: Path) -> None:
    stack_file = tmp_path / "cdk.tf.json"
    stack_file.write_text(json.dumps({"terraform": {"required_providers": {}}, "resource": {}}))
    blocks = DirectBlocks()
    group = DirectResourceGroup(blocks, "namespaces")
    ns = group.resource("kubernetes_namespace_v1", "team-a", {"metadata": {"name": "team-a"}})
    group.resource("kubernetes_resource_quota_v1", "q", {"spec": None}, depends_on=[ns])
    blocks.providers.append(DirectProvider("helm", "hashicorp/helm", "~> 3.1.1", {"debug": False}))
    merge_direct_blocks(stack_file, blocks)
    data = json.loads(stack_file.read_text())
    assert data["resource"]["kubernetes_namespace_v1"]["namespaces_team_a"] == {
        "metadata": {"name": "team-a"}
    }
    assert data["resource"]["kubernetes_resource_quota_v1"]["namespaces_q"] == {
        "depends_on": ["kubernetes_namespace_v1.namespaces_team_a"]
    }
    assert data["provider"]["helm"] == [{"debug": False}]
    assert data["terraform"]["required_providers"]["helm"]["version"] == "~> 3.1.1"
    with pytest.raises(ValueError, match="defined twice"):
        merge_direct_blocks(stack_file, blocks)


def test_the_cdktf_app_entry_point_writes_complete_platform_stacks(tmp_path: Path) -> None:
    """`cdktf synth`/`deploy` run main.py: its output has the platform resources too."""
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path), "UNDERLAY_ENV_DIR": str(SAMPLE_ENV_DIR)}
    subprocess.run(
        [sys.executable, str(ROOT / "main.py")], env=env, check=True, capture_output=True
    )
    stack = json.loads((tmp_path / "stacks" / "local-platform" / "cdk.tf.json").read_text())
    assert len(stack["resource"]["kubernetes_namespace_v1"]) == 5
    assert set(stack["provider"]) == {"kubernetes", "helm"}
    path = stack["terraform"]["backend"]["local"]["path"]
    assert path.endswith("/terraform-state/local-platform.tfstate")
