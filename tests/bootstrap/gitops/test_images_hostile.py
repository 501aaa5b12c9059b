"""Kustomizations in the manifest repo are untrusted: hostile YAML is one clear error, fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.images import get_pin, image_references, set_pin

K = "apps/dev/kustomization.yaml"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

HOSTILE = [
    ("alias-bomb", BOMB, "anchors are not allowed"),
    ("anchor-alias", "images: &x\n- name: a\nother: *x\n", "anchors are not allowed"),
    ("tag-scalar", "images:\n- name: !!python/name:os.system a\n", "tags are not allowed"),
    ("tag-mapping", "images: !custom\n  name: a\n", "tags are not allowed"),
    ("tag-sequence", "resources: !!set [a]\n", "tags are not allowed"),
    (
        "duplicate-keys",
        "images: []\nimages: []\n",
        r"not valid YAML at line 2 \(DuplicateKeyError\)",
    ),
    ("not-a-mapping-list", "- a\n- b\n", "expected a kustomization mapping"),
    ("not-a-mapping-scalar", "just text\n", "expected a kustomization mapping"),
    ("empty", "", "expected a kustomization mapping"),
    ("images-not-list", "images: {name: a}\n", "`images:` must be a list of mappings"),
    ("images-scalars", "images: [a, b]\n", "`images:` must be a list of mappings"),
    ("broken", "images: [\n  TOP-SECRET\n", r"not valid YAML at line \d+ \(\w+\)"),
    ("deep", "images: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply|not valid YAML"),
    ("huge", "images: []\n# " + "x" * (2 << 20) + "\n", "larger than"),
    ("binary", "\xff", "not UTF-8|not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_kustomization_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / K
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    start = time.monotonic()
    for call in (
        lambda: get_pin(tmp_path, K, "ghcr.io/acme/web"),
        lambda: set_pin(tmp_path, K, "ghcr.io/acme/web", "1.0", None),
    ):
        with pytest.raises(GitOpsError, match=message) as info:
            call()
        assert "TOP-SECRET" not in str(info.value)
        assert "\n" not in str(info.value)
    assert time.monotonic() - start < 5
    assert path.read_bytes() == (text.encode("latin-1") if text == "\xff" else text.encode())


def test_anchor_like_text_in_quotes_and_comments_is_fine(tmp_path: Path) -> None:
    path = tmp_path / K
    path.parent.mkdir(parents=True)
    path.write_text('# see &notes and !tags\nimages:\n- name: ghcr.io/acme/web\n  newTag: "&1"\n')
    assert set_pin(tmp_path, K, "ghcr.io/acme/web", "2.0", None)
    assert 'newTag: "2.0"' in path.read_text()


def test_symlinked_env_folder_or_kustomization_is_not_rewritten(tmp_path: Path) -> None:
    root = tmp_path / "clone"
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "kustomization.yaml"
    target.write_text("images: []\n")
    (root / "apps").mkdir(parents=True)
    (root / "apps" / "dev").symlink_to(outside)
    with pytest.raises(GitOpsError, match="apps/dev is a symlink"):
        set_pin(root, K, "ghcr.io/acme/web", "1.0", None)
    (root / "apps" / "dev").unlink()
    (root / "apps" / "dev").mkdir()
    (root / K).symlink_to(target)
    with pytest.raises(GitOpsError, match="a symlink"):
        set_pin(root, K, "ghcr.io/acme/web", "1.0", None)
    assert target.read_text() == "images: []\n"


def test_missing_kustomization_says_bootstrap_first(tmp_path: Path) -> None:
    with pytest.raises(GitOpsError, match="not found; bootstrap the environment first"):
        get_pin(tmp_path, K, "ghcr.io/acme/web")


def test_image_references_skip_symlinks_bombs_and_hostile_files(tmp_path: Path) -> None:
    root = tmp_path / "clone"
    base = root / "apps" / "base"
    base.mkdir(parents=True)
    outside = tmp_path / "outside.yaml"
    outside.write_text("image: ghcr.io/leak/secret\n")
    (base / "link.yaml").symlink_to(outside)
    (base / "bomb.yaml").write_text(BOMB + "image: ghcr.io/acme/bomb\n")
    (base / "tag.yaml").write_text("x: !!python/object:os.system {}\n")
    (base / "ok.yml").write_text("spec:\n  image: ghcr.io/acme/web:1\n")
    (base / "notes.txt").write_text("image: ghcr.io/acme/txt\n")
    start = time.monotonic()
    found = image_references(root, ["apps/base", "apps/dev"])
    assert time.monotonic() - start < 5
    assert found == {"ghcr.io/acme/web", "ghcr.io/acme/bomb"}
