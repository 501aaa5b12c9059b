"""The one gate for manifest-repo files: no escape from the clone, no symlinks, bounded reads."""

from __future__ import annotations

import os
from collections.abc import Callable
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
    ("a" * 256, r"^refusing repo path 'a{40}'\.\.\.: a component longer than 255 characters$"),
    (
        "x/" + "a" * 256 + "/y",
        r"^refusing repo path 'x/a{38}'\.\.\.: a component longer than 255 characters$",
    ),
    ("ab/" * 341 + "ab", r"^refusing repo path '(ab/){13}a'\.\.\.: longer than 1024 characters$"),
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


@pytest.mark.parametrize(
    ("rel", "parts"),
    [("a", ("a",)), ("a/b.yaml", ("a", "b.yaml")), ("x/.gitignore", ("x", ".gitignore"))],
)
def test_check_relpath_returns_the_components(rel: str, parts: tuple[str, ...]) -> None:
    assert safefs.check_relpath(rel) == parts


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        (None, r"^refusing repo path None: not a relative POSIX path$"),
        ("/x", r"^refusing repo path '/x': not a relative POSIX path$"),
        ("a\\b", r"^refusing repo path 'a\\\\b': not a relative POSIX path$"),
        ("a/../b", r"^refusing repo path 'a/\.\./b': bad component '\.\.'$"),
        ("a/b c", r"^refusing repo path 'a/b c': bad component 'b c'$"),
        ("a/.Git/x", r"^refusing repo path 'a/\.Git/x': inside \.git$"),
    ],
)
def test_check_relpath_messages(rel: str, message: str) -> None:
    with pytest.raises(GitOpsError, match=message):
        safefs.check_relpath(rel)


@pytest.mark.parametrize(
    ("operation", "rel", "message"),
    [
        ("read", "linkdir/secret.txt", r"^refusing linkdir/secret\.txt: linkdir is a symlink$"),
        ("write", "linkdir/n/x.yaml", r"^refusing linkdir/n/x\.yaml: linkdir is a symlink$"),
        ("unlink", "real/f.yaml/x", r"^refusing real/f\.yaml/x: real/f\.yaml is not a folder$"),
        (
            "read",
            "real/link.yaml",
            r"^refusing to read real/link\.yaml: a symlink or not readable$",
        ),
        ("read", "real/fifo.yaml", r"^refusing to read real/fifo\.yaml: not a regular file$"),
        ("read", "real", r"^refusing to read real: not a regular file$"),
        (
            "write",
            "real/link.yaml",
            r"^refusing to write real/link\.yaml: a symlink or not a regular file$",
        ),
        ("write", "real", r"^refusing to write real: a symlink or not a regular file$"),
        (
            "unlink",
            "real/link.yaml",
            r"^refusing to delete real/link\.yaml: a symlink or not a regular file$",
        ),
        ("unlink", "real", r"^refusing to delete real: a symlink or not a regular file$"),
    ],
)
def test_refusals_are_one_exact_line(clone: Path, operation: str, rel: str, message: str) -> None:
    calls: dict[str, Callable[[], object]] = {
        "read": lambda: safefs.read_bytes(clone, rel),
        "write": lambda: safefs.write_bytes(clone, rel, b"evil"),
        "unlink": lambda: safefs.unlink(clone, rel),
    }
    with pytest.raises(GitOpsError, match=message):
        calls[operation]()
    assert (clone / "real" / "f.yaml").read_text() == "mine\n"
    assert (clone.parent / "outside" / "secret.txt").read_text() == "TOP-SECRET\n"


def test_the_read_bound_is_exact_and_the_default_is_one_mebibyte(clone: Path) -> None:
    (clone / "big.yaml").write_bytes(b"x" * (safefs.MAX_FILE_BYTES + 1))
    with pytest.raises(
        GitOpsError, match=r"^refusing to read big\.yaml: larger than 1048576 bytes$"
    ):
        safefs.read_bytes(clone, "big.yaml")
    (clone / "big.yaml").write_bytes(b"x" * safefs.MAX_FILE_BYTES)
    assert len(safefs.read_bytes(clone, "big.yaml")) == safefs.MAX_FILE_BYTES == 1 << 20


def test_a_write_replaces_the_whole_file_with_mode_0644(clone: Path) -> None:
    old_umask = os.umask(0)
    try:
        safefs.write_bytes(clone, "real/f.yaml", b"n\n")
        safefs.write_bytes(clone, "new/g.yaml", b"g\n")
    finally:
        os.umask(old_umask)
    assert (clone / "real" / "f.yaml").read_bytes() == b"n\n"
    assert (clone / "new" / "g.yaml").stat().st_mode & 0o777 == 0o644


def test_a_write_where_the_last_folder_is_missing_creates_it(clone: Path) -> None:
    safefs.write_bytes(clone, "real/deeper/still/h.yaml", b"h\n")
    assert (clone / "real/deeper/still/h.yaml").read_bytes() == b"h\n"
    assert not safefs.exists(clone, "absent/dir/x.yaml")
    assert not (clone / "absent").exists()  # a read never creates folders


def test_exists_and_is_file_on_each_kind(clone: Path) -> None:
    kinds = {
        "real/f.yaml": (True, True),
        "real": (True, False),
        "real/link.yaml": (True, False),
        "linkdir": (True, False),
        "real/fifo.yaml": (True, False),
        "real/none.yaml": (False, False),
    }
    for rel, expected in kinds.items():
        assert (safefs.exists(clone, rel), safefs.is_file(clone, rel)) == expected, rel


def test_list_files_of_a_file_and_nested_git_folders(clone: Path) -> None:
    assert safefs.list_files(clone, "real/f.yaml") == []
    (clone / "real" / "d" / ".GIT").mkdir(parents=True)
    (clone / "real" / "d" / ".GIT" / "x").write_text("")
    (clone / "real" / "d" / "k.yaml").write_text("")
    (clone / "real" / "d" / "flink").symlink_to(clone / "real" / "f.yaml")
    assert safefs.list_files(clone, "real/d") == ["real/d/k.yaml"]


def test_a_huge_file_is_never_read_whole(clone: Path) -> None:
    """Reads stop at the bound: a 1 TiB sparse file is refused, not loaded."""
    with (clone / "huge.yaml").open("wb") as handle:
        handle.truncate(1 << 40)
    with pytest.raises(GitOpsError, match=r"^refusing to read huge\.yaml: larger than 10 bytes$"):
        safefs.read_bytes(clone, "huge.yaml", limit=10)


def test_a_symlink_swapped_in_after_the_check_is_not_written_through(
    clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path is checked, then replaced by a symlink before the open (here the
    check is made to see nothing); O_NOFOLLOW still refuses it."""
    monkeypatch.setattr(safefs, "_lstat", lambda root, rel: None)
    with pytest.raises(
        GitOpsError, match=r"^refusing to write real/link\.yaml: a symlink or not writable$"
    ):
        safefs.write_bytes(clone, "real/link.yaml", b"evil")
    assert (clone.parent / "outside" / "secret.txt").read_text() == "TOP-SECRET\n"


@pytest.mark.parametrize(
    "rel", ["a" * 255, "x/" + "a" * 255, "ab/" * 340 + "abcd", "/".join(["a" * 255] * 4)]
)
def test_the_longest_names_and_paths_allowed_work(rel: str, tmp_path: Path) -> None:
    assert len(rel) <= safefs.MAX_PATH
    assert safefs.check_relpath(rel) == tuple(rel.split("/"))
    safefs.write_bytes(tmp_path, rel, b"ok")  # and the OS takes them
    assert safefs.read_bytes(tmp_path, rel) == b"ok"
