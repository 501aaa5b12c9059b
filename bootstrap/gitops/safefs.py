"""Every read, write and delete of manifest-repo content goes through here.

The manifest repo is untrusted: a path from it (or from its ownership record) is checked as a
repo-relative POSIX path, every component below the clone root is ``lstat``-ed and refused if it
is a symlink, the final open uses ``O_NOFOLLOW``, only regular files are read and reads are
bounded. Errors name the repo path, never the content of any file.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from bootstrap.gitops.errors import GitOpsError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NAME",
    "MAX_PATH",
    "check_relpath",
    "exists",
    "is_file",
    "list_files",
    "read_bytes",
    "unlink",
    "write_bytes",
]

MAX_FILE_BYTES = 1 << 20  # 1 MiB: no manifest underlay reads is near that
MAX_NAME = 255  # NAME_MAX: a longer component makes the OS raise ENAMETOOLONG
MAX_PATH = 1024  # far below PATH_MAX (4096) with the clone's own path in front
_SEGMENT = re.compile(r"^[A-Za-z0-9_.@+-]+$")


def check_relpath(rel: str) -> tuple[str, ...]:
    """``rel`` split into components, or an error if it could leave the clone or touch ``.git``
    (or is too long for the OS to name, which would fail as an OSError, not as a refusal)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel:
        raise GitOpsError(f"refusing repo path {rel!r}: not a relative POSIX path")
    if len(rel) > MAX_PATH:
        raise GitOpsError(f"refusing repo path {rel[:40]!r}...: longer than {MAX_PATH} characters")
    parts = tuple(rel.split("/"))
    for part in parts:
        if part in (".", "..") or not _SEGMENT.match(part):  # "" fails the pattern
            raise GitOpsError(f"refusing repo path {rel!r}: bad component {part!r}")
        if part.lower() == ".git":
            raise GitOpsError(f"refusing repo path {rel!r}: inside .git")
        if len(part) > MAX_NAME:
            raise GitOpsError(
                f"refusing repo path {rel[:40]!r}...: a component longer than {MAX_NAME} characters"
            )
    return parts


def _walk(root: Path, rel: str, *, create: bool = False) -> Path:
    """The path of ``rel`` under ``root`` with no symlinked parent (created when ``create``)."""
    parts = check_relpath(rel)
    current = root
    for part in parts[:-1]:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            if not create:
                return root.joinpath(*parts)
            os.mkdir(current)
            continue
        if stat.S_ISLNK(st.st_mode):
            raise GitOpsError(f"refusing {rel}: {current.relative_to(root)} is a symlink")
        if not stat.S_ISDIR(st.st_mode):
            raise GitOpsError(f"refusing {rel}: {current.relative_to(root)} is not a folder")
    return current / parts[-1]


def _lstat(root: Path, rel: str) -> os.stat_result | None:
    try:
        return os.lstat(_walk(root, rel))
    except FileNotFoundError:
        return None


def exists(root: Path, rel: str) -> bool:
    """Anything (file, folder, symlink) at ``rel``, without following it."""
    return _lstat(root, rel) is not None


def is_file(root: Path, rel: str) -> bool:
    """A regular file (not a symlink) at ``rel``; a symlinked parent is an error."""
    st = _lstat(root, rel)
    return st is not None and stat.S_ISREG(st.st_mode)


def read_bytes(root: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of the regular file ``rel``; refuses symlinks, non-files and large files."""
    path = _walk(root, rel)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError:
        raise GitOpsError(f"refusing to read {rel}: a symlink or not readable") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen: a folder would raise there
        os.close(fd)
        raise GitOpsError(f"refusing to read {rel}: not a regular file")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise GitOpsError(f"refusing to read {rel}: larger than {limit} bytes")
    return data


def write_bytes(root: Path, rel: str, data: bytes) -> None:
    """Write ``rel`` (parents created), never through a symlink or onto a non-file."""
    path = _walk(root, rel, create=True)
    st = _lstat(root, rel)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise GitOpsError(f"refusing to write {rel}: a symlink or not a regular file")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, 0o644)
    except OSError:
        raise GitOpsError(f"refusing to write {rel}: a symlink or not writable") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def unlink(root: Path, rel: str) -> None:
    """Delete the regular file ``rel``; a symlink, folder or symlinked parent is refused."""
    st = _lstat(root, rel)
    if st is None:
        return
    if not stat.S_ISREG(st.st_mode):
        raise GitOpsError(f"refusing to delete {rel}: a symlink or not a regular file")
    os.unlink(_walk(root, rel))


def list_files(root: Path, rel_dir: str) -> list[str]:
    """Repo paths of the regular files under folder ``rel_dir``, sorted; symlinks are skipped."""
    st = _lstat(root, rel_dir)
    if st is None or not stat.S_ISDIR(st.st_mode):
        return []
    found: list[str] = []
    for folder, dirs, files in os.walk(_walk(root, rel_dir), followlinks=False):
        dirs[:] = [d for d in dirs if d.lower() != ".git"]
        for name in files:
            full = Path(folder) / name
            if stat.S_ISREG(os.lstat(full).st_mode):
                found.append(full.relative_to(root).as_posix())
    return sorted(found)
