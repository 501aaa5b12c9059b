"""The one gate for manifest-repo files: no escape from the clone, no symlinks, bounded reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bootstrap.gitops import safefs
from bootstrap.gitops.errors import GitOpsError

BAD_PATHS = [
    ("", "not a relative POSIX path"),
    ("/etc/passwd", "not a relative POSIX path"),
    ("a\\b", "not a relative POSIX path"),
    ("../x", "bad component '..'"),
    ("a/../../x", "bad component '..'"),
    ("a/./b", r"bad component '\.'"),
    ("a//b", "bad component ''"),
    ("a/", "bad component ''"),
    (".git/config", "inside .git"),
    ("a/.GIT/hooks/x", "inside .git"),
    ("a b/c", "bad component 'a b'"),
    ("a/\x1b[31m", "bad component"),
    ("a/\n", "bad component"),
]


@pytest.mark.parametrize(("rel", "message"), BAD_PATHS)
def test_unsafe_paths_are_refused_by_every_operation(
    tmp_path: Path, rel: str, message: str
) -> None:
    for call in (
        lambda: safefs.check_relpath(rel),
        lambda: safefs.read_bytes(tmp_path, rel),
        lambda: safefs.write_bytes(tmp_path, rel, b"x"),
        lambda: safefs.unlink(tmp_path, rel),
        lambda: safefs.exists(tmp_path, rel),
    ):
        with pytest.raises(GitOpsError, match=message):
            call()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    (root / "real").mkdir(parents=True)
    (root / "real" / "f.yaml").write_text("mine\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET\n")
    (root / "linkdir").symlink_to(outside)
    (root / "real" / "link.yaml").symlink_to(outside / "secret.txt")
    os.mkfifo(root / "real" / "fifo.yaml")
    return root


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("linkdir/secret.txt", "linkdir is a symlink"),
        ("linkdir/new/x.yaml", "linkdir is a symlink"),
        ("real/link.yaml", "symlink"),
        ("real/fifo.yaml", "not a regular file"),
        ("real/f.yaml/x", "is not a folder"),
    ],
)
def test_symlinks_and_special_files_are_refused(clone: Path, rel: str, message: str) -> None:
    with pytest.raises(GitOpsError, match=message) as info:
        safefs.read_bytes(clone, rel)
    assert "TOP-SECRET" not in str(info.value)
    with pytest.raises(GitOpsError, match=message):
        safefs.write_bytes(clone, rel, b"evil")
    with pytest.raises(GitOpsError, match=message):
        safefs.unlink(clone, rel)
    assert (clone.parent / "outside" / "secret.txt").read_text() == "TOP-SECRET\n"
    assert not (clone.parent / "outside" / "new").exists()


def test_regular_files_work_and_reads_are_bounded(clone: Path) -> None:
    assert safefs.read_bytes(clone, "real/f.yaml") == b"mine\n"
    safefs.write_bytes(clone, "a/b/c.yaml", b"new\n")
    assert (clone / "a/b/c.yaml").read_bytes() == b"new\n"
    assert safefs.is_file(clone, "a/b/c.yaml")
    assert not safefs.is_file(clone, "real/link.yaml")
    assert safefs.exists(clone, "real/link.yaml")
    assert not safefs.exists(clone, "nope/x")
    safefs.unlink(clone, "a/b/c.yaml")
    assert not (clone / "a/b/c.yaml").exists()
    safefs.unlink(clone, "a/b/c.yaml")  # absent: nothing to do
    (clone / "big.yaml").write_bytes(b"x" * 11)
    with pytest.raises(GitOpsError, match="larger than 10 bytes"):
        safefs.read_bytes(clone, "big.yaml", limit=10)
    assert safefs.read_bytes(clone, "big.yaml", limit=11) == b"x" * 11
    with pytest.raises(FileNotFoundError):
        safefs.read_bytes(clone, "real/absent.yaml")


def test_list_files_skips_symlinks_and_git(clone: Path) -> None:
    (clone / "real" / ".git").mkdir()
    (clone / "real" / ".git" / "x.yaml").write_text("")
    (clone / "real" / "sub").mkdir()
    (clone / "real" / "sub" / "g.yml").write_text("")
    (clone / "real" / "sublink").symlink_to(clone.parent / "outside")
    assert safefs.list_files(clone, "real") == ["real/f.yaml", "real/sub/g.yml"]
    assert safefs.list_files(clone, "linkdir") == []
    assert safefs.list_files(clone, "absent") == []
    with pytest.raises(GitOpsError, match="linkdir is a symlink"):
        safefs.list_files(clone, "linkdir/x")
