"""The git side: read refs, mirror-clone, write a bundle to disk while hashing it, verify it.

Runs the real ``git`` binary (what the job image ships) through the one git layer
(:mod:`bootstrap.git`): prompts disabled, bounded in time, credentials only through its
credential helper or SSH key (never in argv), git's reason kept and redacted.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap.backup.errors import BackupInputError, IntegrityError, RepoError
from bootstrap.git.auth import Auth
from bootstrap.git.errors import GitInputError, GitRuntimeError
from bootstrap.git.redact import redact
from bootstrap.git.runner import GitRunner, stop
from bootstrap.git.urls import RepoUrl, parse_repo_url

__all__ = [
    "BundleFile",
    "RefState",
    "bundle_heads",
    "create_bundle",
    "git_version",
    "init_scratch_repo",
    "local_refs",
    "mirror_clone",
    "remote_refs",
    "remote_url",
    "run_git",
    "sha256_file",
    "verify_bundle",
]

_CHUNK = 1024 * 1024
# git mmaps whole packs by default (1 GiB windows), so its resident set grows with the repository
# (349 MiB peak for `bundle create` of a 220 MiB pack). Small windows keep it near 65 MiB for any
# size at ~15 % more time for that step; see docs/performance.md.
_GIT_CONFIG = (
    "core.packedGitWindowSize=8m",
    "core.packedGitLimit=32m",
    "core.deltaBaseCacheLimit=8m",
)


@dataclass(frozen=True)
class RefState:
    """Every ref (``refs/...`` -> object id) and the symbolic HEAD target, if any."""

    refs: Mapping[str, str] = field(default_factory=dict)
    head: str | None = None


@dataclass(frozen=True)
class BundleFile:
    path: Path
    size: int
    sha256: str


def remote_url(url: str) -> RepoUrl:
    """``url`` parsed by the one URL parser (password split off); bad input exits 2."""
    try:
        return parse_repo_url(url)
    except GitInputError as exc:
        raise BackupInputError(str(exc)) from None


def _runner(remote: RepoUrl | None = None, auth: Auth | None = None) -> GitRunner:
    return GitRunner(remote, auth or Auth(), config=_GIT_CONFIG)


def run_git(
    args: list[str],
    *,
    what: str,
    cwd: Path | None = None,
    remote: RepoUrl | None = None,
    auth: Auth | None = None,
) -> str:
    """Run git; on failure raise RepoError naming ``what`` with git's reason, redacted."""
    try:
        return _runner(remote, auth).run(args, what=f"{what} failed", cwd=cwd).stdout
    except GitRuntimeError as exc:
        raise RepoError(str(exc)) from None


def git_version() -> str:
    return run_git(["--version"], what="git --version").strip().removeprefix("git version ")


def _parse_ref_lines(text: str, sep: str | None) -> RefState:
    refs: dict[str, str] = {}
    head: str | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("ref: "):
            target, _, name = line[5:].partition("\t")
            if name == "HEAD":
                head = target
            continue
        sha, name = line.split(sep, 1)
        name = name.strip()
        if name == "HEAD" or name.endswith("^{}") or not name.startswith("refs/"):
            continue
        refs[name] = sha.strip()
    return RefState(dict(sorted(refs.items())), head)


def remote_refs(url: str, auth: Auth | None = None) -> RefState:
    """What ``url`` holds now, without cloning (cheap check for "unchanged since last backup")."""
    remote = remote_url(url)
    out = run_git(
        ["ls-remote", "--symref", "--", remote.url],
        what=f"reading refs of {remote.shown}",
        remote=remote,
        auth=auth,
    )
    return _parse_ref_lines(out, "\t")


def mirror_clone(url: str, dest: Path, auth: Auth | None = None) -> None:
    remote = remote_url(url)
    run_git(
        ["clone", "--mirror", "--quiet", "--", remote.url, str(dest)],
        what=f"mirror clone of {remote.shown}",
        remote=remote,
        auth=auth,
    )


def local_refs(git_dir: Path) -> RefState:
    out = run_git(
        ["for-each-ref", "--format=%(objectname) %(refname)"],
        cwd=git_dir,
        what="listing refs",
    )
    state = _parse_ref_lines(out, " ")
    try:
        head = run_git(["symbolic-ref", "-q", "HEAD"], cwd=git_dir, what="reading HEAD").strip()
    except RepoError:
        head = ""
    return RefState(state.refs, head or None)


def create_bundle(git_dir: Path, dest: Path) -> BundleFile:
    """``git bundle create - --all`` streamed to ``dest`` and hashed in the same pass."""
    digest = hashlib.sha256()
    size = 0
    runner = _runner()
    stopped = threading.Event()
    # stderr goes to a file, not a pipe: a chatty git can never block on a full stderr pipe.
    with dest.open("wb") as out, tempfile.TemporaryFile() as errors:
        with runner.popen(
            ["bundle", "create", "--quiet", "-", "--all"], cwd=git_dir, stderr=errors
        ) as proc:

            def at_bound() -> None:
                stopped.set()
                stop(proc)

            # the runner's wall-clock bound, as for every other git process
            bound = threading.Timer(runner.timeout, at_bound)
            bound.start()
            try:
                assert proc.stdout is not None
                while chunk := proc.stdout.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            finally:
                bound.cancel()
        code = proc.returncode
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if stopped.is_set():
        raise RepoError(str(runner.timed_out("git bundle create failed")))
    if code != 0:
        lines = [line for line in stderr.splitlines() if line.strip()]
        raise RepoError(
            "git bundle create failed: " + (redact(lines[-1]) if lines else f"exit {code}")
        )
    return BundleFile(dest, size, digest.hexdigest())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def init_scratch_repo(path: Path) -> Path:
    """An empty bare repo: ``git bundle verify`` and unbundling need one."""
    run_git(["init", "--quiet", "--bare", str(path)], what="git init")
    return path


def verify_bundle(bundle: Path, scratch_repo: Path) -> None:
    try:
        run_git(
            ["bundle", "verify", "--quiet", str(bundle)], cwd=scratch_repo, what="bundle verify"
        )
    except RepoError as exc:
        raise IntegrityError(f"git bundle verify rejected {bundle.name}: {exc}") from None


def bundle_heads(bundle: Path, scratch_repo: Path) -> RefState:
    """The refs a bundle carries (HEAD excluded)."""
    try:
        out = run_git(["bundle", "list-heads", str(bundle)], cwd=scratch_repo, what="list-heads")
    except RepoError as exc:
        raise IntegrityError(f"cannot read refs of {bundle.name}: {exc}") from None
    return _parse_ref_lines(out, " ")
