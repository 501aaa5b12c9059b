"""The ownership record is read from an untrusted repo: forged entries never steer a write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.layout import Manifest
from bootstrap.gitops.ownership import (
    RECORD_PATH,
    Changes,
    apply_layout,
    digest,
    load_record,
    refresh_record,
)

SHA = "0" * 64


def manifests(env: str, folder: str | None = None, text: str = "x: 1\n") -> list[Manifest]:
    folder = folder or f"clusters/{env}"
    return [
        Manifest(path=f"{folder}/a.yaml", content=text, mode="managed"),
        Manifest(path=f"apps/{env}/kustomization.yaml", content="k: 1\n", mode="seed"),
        Manifest(path="README.md", content="# ours\n", mode="seed"),
    ]


def write_record(root: Path, files: dict[str, dict[str, object]]) -> None:
    (root / ".underlay").mkdir(exist_ok=True)
    (root / RECORD_PATH).write_text(json.dumps({"version": 1, "files": files}))


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the clone that a forged record would like deleted."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    clone.mkdir()
    return clone


@pytest.mark.parametrize(
    "forged",
    [
        "../victim.txt",
        "clusters/../../victim.txt",
        "/tmp/victim.txt",
        ".git/config",
        "clusters//dev/a.yaml",
        "./clusters/dev/a.yaml",
        "clusters\\dev\\a.yaml",
    ],
)
def test_forged_record_paths_are_refused_before_any_write(
    root: Path, victim: Path, forged: str
) -> None:
    sha = digest(victim.read_bytes())
    write_record(root, {forged: {"sha256": sha, "mode": "managed", "env": "dev"}})
    with pytest.raises(GitOpsError, match="lists an unsafe path; fix or remove the record"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"
    assert not (root / "clusters").exists()


def test_record_entry_through_a_symlink_is_not_deleted(root: Path, victim: Path) -> None:
    (root / "clusters").symlink_to(victim.parent)
    write_record(
        root,
        {
            "clusters/victim.txt": {
                "sha256": digest(victim.read_bytes()),
                "mode": "managed",
                "env": "dev",
            }
        },
    )
    with pytest.raises(GitOpsError, match="clusters is a symlink"):
        apply_layout(root, manifests("dev", folder="other/dev"), "dev")
    assert victim.read_text() == "precious\n"


def test_stale_entry_that_is_now_a_symlink_is_a_conflict(root: Path, victim: Path) -> None:
    (root / "clusters" / "dev").mkdir(parents=True)
    (root / "clusters" / "dev" / "old.yaml").symlink_to(victim)
    write_record(
        root,
        {
            "clusters/dev/old.yaml": {
                "sha256": digest(victim.read_bytes()),
                "mode": "managed",
                "env": "dev",
            }
        },
    )
    with pytest.raises(GitOpsError, match=r"old\.yaml is no longer generated but is not a regular"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"
    assert (root / "clusters" / "dev" / "old.yaml").is_symlink()


def test_bootstrap_does_not_write_through_a_symlinked_folder(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "clusters").symlink_to(outside)
    with pytest.raises(GitOpsError, match="clusters is a symlink"):
        apply_layout(root, manifests("dev"), "dev")
    assert list(outside.iterdir()) == []


def test_bootstrap_does_not_write_through_a_symlinked_file(root: Path, victim: Path) -> None:
    (root / "clusters" / "dev").mkdir(parents=True)
    (root / "clusters" / "dev" / "a.yaml").symlink_to(victim)
    with pytest.raises(GitOpsError, match=r"a\.yaml is not a regular file"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("symlink", "refusing to read .underlay/owned.json: a symlink"),
        ("dirlink", ".underlay is a symlink"),
        ("json", r"corrupt \(JSONDecodeError\)"),
        ("schema", r"corrupt \(ValidationError\)"),
        ("huge", "larger than"),
    ],
)
def test_record_errors_never_echo_content(
    root: Path, tmp_path: Path, setup: str, message: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "TOP-SECRET-VALUE"')
    if setup == "symlink":
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).symlink_to(secret)
    elif setup == "dirlink":
        (tmp_path / "d").mkdir()
        (tmp_path / "d" / "owned.json").write_text('{"TOP-SECRET-VALUE": 1}')
        (root / ".underlay").symlink_to(tmp_path / "d")
    elif setup == "json":
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).write_text('{"TOP-SECRET-VALUE"')
    elif setup == "schema":
        write_record(root, {"x.yaml": {"sha256": "TOP-SECRET-VALUE", "mode": "managed"}})
    else:
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).write_text('{"TOP-SECRET-VALUE": "' + "x" * (2 << 20) + '"}')
    with pytest.raises(GitOpsError, match=message) as info:
        load_record(root)
    assert "TOP-SECRET" not in str(info.value)


def test_record_is_not_written_through_a_symlinked_record(root: Path, victim: Path) -> None:
    (root / ".underlay").mkdir()
    (root / RECORD_PATH).symlink_to(victim)
    with pytest.raises(GitOpsError, match="symlink"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"


def test_a_file_another_env_owns_is_never_written(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    before = (root / "clusters/dev/a.yaml").read_text()
    with pytest.raises(GitOpsError, match="belongs to environment 'dev'"):
        apply_layout(root, manifests("prod", folder="clusters/dev", text="y: 2\n"), "prod")
    assert (root / "clusters/dev/a.yaml").read_text() == before
    assert set(load_record(root).files) == {
        "clusters/dev/a.yaml",
        "apps/dev/kustomization.yaml",
        "README.md",
    }


@pytest.mark.parametrize("folder", ["clusters/dev/sub", "clusters"])
def test_an_env_folder_nested_in_or_around_another_envs_is_refused(root: Path, folder: str) -> None:
    apply_layout(root, manifests("dev"), "dev")
    with pytest.raises(GitOpsError, match=r"overlaps clusters/dev/ of environment 'dev'"):
        apply_layout(root, manifests("prod", folder=folder), "prod")
    assert not (root / folder / "a.yaml").exists() or folder == "clusters"
    assert not (root / "apps" / "prod").exists()


def test_sibling_env_folders_and_shared_seeds_are_fine(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    changes = apply_layout(root, manifests("prod"), "prod")
    assert changes.added == ["clusters/prod/a.yaml", "apps/prod/kustomization.yaml"]
    assert changes.kept == ["README.md"]
    record = load_record(root).files
    assert record["README.md"].env is None
    assert record["clusters/prod/a.yaml"].env == "prod"
    assert record["apps/prod/kustomization.yaml"].env == "prod"


def test_an_edited_seed_is_left_alone(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "README.md").write_text("# mine now\n")
    changes = apply_layout(root, manifests("dev"), "dev")
    assert not changes.any
    assert "README.md" in changes.kept
    assert (root / "README.md").read_text() == "# mine now\n"


def test_a_seed_the_user_deleted_stays_deleted(root: Path) -> None:
    """Seeds are the user's once written: deleting one (the example app) is their call."""
    apply_layout(root, manifests("dev"), "dev")
    (root / "README.md").unlink()
    changes = apply_layout(root, manifests("dev"), "dev")
    assert not changes.any
    assert not (root / "README.md").exists()
    assert "README.md" in load_record(root).files  # remembered as written once


def test_a_seed_is_added_only_with_the_seed_that_lists_it(root: Path) -> None:
    lists = Manifest(path="apps/base/kustomization.yaml", content="r: [x]\n", mode="seed")
    listed = Manifest(path="apps/base/x.yaml", content="x\n", mode="seed", referenced_by=lists.path)
    fresh = root / "fresh"
    fresh.mkdir()
    assert apply_layout(fresh, [listed, lists], "dev").added == [listed.path, lists.path]
    (root / "apps/base").mkdir(parents=True)
    (root / lists.path).write_text("r: [theirs]\n")
    changes = apply_layout(root, [listed, lists], "dev")
    assert not changes.any
    assert not (root / listed.path).exists()
    assert listed.path not in load_record(root).files


def test_a_deleted_managed_file_is_written_again(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "clusters/dev/a.yaml").unlink()
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes.added == ["clusters/dev/a.yaml"]


def test_refresh_record_follows_the_tree_and_ignores_seeds(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "clusters/dev/a.yaml").write_text("x: 9\n")
    (root / "apps/dev/kustomization.yaml").write_text("k: 9\n")
    refresh_record(root, ["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "nope.yaml"])
    files = load_record(root).files
    assert files["clusters/dev/a.yaml"].sha256 == digest(b"x: 9\n")
    assert files["apps/dev/kustomization.yaml"].sha256 == digest(b"k: 1\n")
    (root / "clusters/dev/a.yaml").unlink()
    refresh_record(root, ["clusters/dev/a.yaml"])
    assert "clusters/dev/a.yaml" not in load_record(root).files
    mtime = (root / RECORD_PATH).stat().st_mtime_ns
    refresh_record(root, ["README.md"])
    assert (root / RECORD_PATH).stat().st_mtime_ns == mtime


def test_changes_summary_and_body() -> None:
    changes = Changes(added=["a"], updated=["b", "c"], removed=["d"])
    assert changes.any
    assert changes.summary() == "add 1 file, update 2 files, remove 1 file"
    assert changes.body() == "A a\nM b\nM c\nD d"
    assert not Changes(kept=["x"]).any
    assert Changes().summary() == "no change"
