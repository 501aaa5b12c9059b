"""Pure pieces: image pins (round-trip YAML), the ownership rule, the outputs file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.images import get_pin, image_references, set_pin, validate_tag
from bootstrap.gitops.layout import Manifest
from bootstrap.gitops.ownership import RECORD_PATH, apply_layout, load_record
from stacks.outputs import OutputsError, read_cluster_outputs
from tests.support.gitops import OUTPUTS

KUSTOMIZATION = """\
# Our overlay: keep this comment
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base   # the shared app
images:
  - name: ghcr.io/acme/web
    newTag: "1.0.0"   # pinned by CI
  - name: ghcr.io/acme/api
    newName: registry.local/api
    newTag: 2.0.0
"""


def test_set_pin_is_a_one_line_diff(tmp_path: Path) -> None:
    path = tmp_path / "kustomization.yaml"
    path.write_text(KUSTOMIZATION)
    k = "kustomization.yaml"
    assert set_pin(tmp_path, k, "ghcr.io/acme/api", "2.1.0", None)
    assert path.read_text() == KUSTOMIZATION.replace("newTag: 2.0.0", "newTag: 2.1.0")
    assert not set_pin(tmp_path, k, "ghcr.io/acme/api", "2.1.0", None)
    pin = get_pin(tmp_path, k, "ghcr.io/acme/web")
    assert pin is not None
    assert pin.new_tag == "1.0.0"
    assert get_pin(tmp_path, k, "ghcr.io/acme/nope") is None


@given(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True))
def test_any_valid_tag_round_trips(tag: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "k.yaml"
        path.write_text("resources:\n- ../base\n")
        validate_tag(tag)
        set_pin(Path(folder), "k.yaml", "ghcr.io/acme/web", tag, None)
        pin = get_pin(Path(folder), "k.yaml", "ghcr.io/acme/web")
        assert pin is not None
        assert pin.new_tag == tag


def test_image_references(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "spec:\n  containers:\n  - image: ghcr.io/acme/web:1.0@sha256:" + "a" * 64 + "\n"
        "  - image: localhost:5000/x/y:2\n---\nimage: plain\n"
    )
    (tmp_path / "broken.yaml").write_text("a: [\n")
    found = image_references(tmp_path.parent, [tmp_path.name])
    assert found == {"ghcr.io/acme/web", "localhost:5000/x/y", "plain"}


def manifests(env: str, text: str = "x: 1\n") -> list[Manifest]:
    return [
        Manifest(path=f"clusters/{env}/a.yaml", content=text, mode="managed"),
        Manifest(path="README.md", content="# ours\n", mode="seed"),
    ]


def test_ownership_rule(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# theirs\n")
    changes = apply_layout(tmp_path, manifests("dev"), "dev")
    assert changes.added == ["clusters/dev/a.yaml"]
    assert changes.kept == ["README.md"]
    assert (tmp_path / "README.md").read_text() == "# theirs\n"
    assert set(load_record(tmp_path).files) == {"clusters/dev/a.yaml"}
    assert not apply_layout(tmp_path, manifests("dev"), "dev").any
    assert apply_layout(tmp_path, manifests("dev", "x: 2\n"), "dev").updated == [
        "clusters/dev/a.yaml"
    ]
    (tmp_path / "clusters/dev/a.yaml").write_text("hand edit\n")
    with pytest.raises(GitOpsError, match="changed outside underlay"):
        apply_layout(tmp_path, manifests("dev", "x: 3\n"), "dev")
    assert (tmp_path / "clusters/dev/a.yaml").read_text() == "hand edit\n"


def test_stale_managed_files_are_removed_only_if_untouched(tmp_path: Path) -> None:
    apply_layout(tmp_path, manifests("dev"), "dev")
    apply_layout(tmp_path, manifests("prod"), "prod")
    changes = apply_layout(tmp_path, manifests("dev")[1:], "dev")
    assert changes.removed == ["clusters/dev/a.yaml"]
    assert (tmp_path / "clusters/prod/a.yaml").exists()  # another env's files are not touched


def test_corrupt_record_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / RECORD_PATH).parent.mkdir()
    (tmp_path / RECORD_PATH).write_text("{not json")
    with pytest.raises(GitOpsError, match="corrupt"):
        apply_layout(tmp_path, manifests("dev"), "dev")


def test_outputs_file(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"local-cluster": {**OUTPUTS, "extra": "ignored"}}))
    assert read_cluster_outputs(path, "local") == OUTPUTS
    path.write_text(json.dumps({"local-cluster": {"cluster_name": "x"}}))
    with pytest.raises(OutputsError, match="lacks outputs: cluster_endpoint"):
        read_cluster_outputs(path, "local")
    assert read_cluster_outputs(path, "local", complete=False) == {"cluster_name": "x"}
    path.write_text("{")
    with pytest.raises(OutputsError, match="not a readable JSON"):
        read_cluster_outputs(path, "local")
    path.write_text(json.dumps({"local-cluster": {**OUTPUTS, "cluster_name": 3}}))
    with pytest.raises(OutputsError, match="not strings: cluster_name"):
        read_cluster_outputs(path, "local")
    path.write_text(json.dumps({"dev-cluster": OUTPUTS}))
    with pytest.raises(OutputsError, match=r"'local-cluster' \(found: dev-cluster\)"):
        read_cluster_outputs(path, "local")


def test_outputs_file_from_before_the_rename(tmp_path: Path) -> None:
    """A file written by the previous release has ``backup_role_arn`` only: still read, under
    the new name, for one release."""
    path = tmp_path / "outputs.json"
    old = {k: v for k, v in OUTPUTS.items() if k != "backup_identity"}
    old["backup_role_arn"] = OUTPUTS["backup_identity"]
    path.write_text(json.dumps({"local-cluster": old}))
    assert read_cluster_outputs(path, "local") == OUTPUTS
