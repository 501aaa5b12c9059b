"""The call ``nox -s demo`` makes after the local deploy."""

from __future__ import annotations

import json
from pathlib import Path

from bootstrap.gitops.operations import demo_local_repo, render_tree
from tests.gitops.conftest import ENV_DIR, files, show
from tests.gitops.test_layout import OUTPUTS


def test_demo_bootstraps_a_local_bare_repo_and_shows_its_layout(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"local-cluster": OUTPUTS}))
    text = demo_local_repo(tmp_path / "demo", ENV_DIR, outputs)
    bare = tmp_path / "demo" / "manifests.git"
    assert "committed: underlay bootstrap local: add 9 files" in text
    assert "    local/\n        apps.yaml" in text
    assert "clusters/local/cluster-metadata.yaml" in files(bare)
    assert OUTPUTS["backup_identity"] in show(bare, "main", "clusters/local/cluster-metadata.yaml")
    again = demo_local_repo(tmp_path / "demo", ENV_DIR, outputs)
    assert "unchanged" in again


def test_render_tree() -> None:
    assert render_tree(["a/b/c.yaml", "a/d.yaml", "e"]) == (
        ".\na/\n    b/\n        c.yaml\n    d.yaml\ne"
    )
