"""Manifest-repo drift: files underlay owns whose content is no longer what it wrote, and env
layouts missing from the branch.

The ownership record (``.underlay/owned.json``) says what underlay wrote and its SHA-256. The repo
is untrusted: record paths are checked to stay inside the checkout, and a symlink where a file
should be is reported, never followed. Files underlay does not own are never looked at.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from bootstrap.gitops.operations import Target
from bootstrap.gitops.ownership import digest, load_record
from bootstrap.monitor.report import Checked, DriftReport, Finding
from stacks.config.model import Environment

__all__ = ["repo_drift", "tree_drift"]


def _inside(root: Path, rel: str) -> Path | None:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        return None
    return root.joinpath(*pure.parts)


def _safe_file(root: Path, rel: str) -> tuple[Path | None, str | None]:
    """The path if it is a regular file reachable without symlinks; else why not."""
    target = _inside(root, rel)
    if target is None:
        return None, "path escapes the repo"
    current = root
    for part in PurePosixPath(rel).parts:
        current = current / part
        if current.is_symlink():
            return None, "replaced by a symlink"
        if not current.exists():
            return None, "missing"
    if not current.is_file():
        return None, "not a regular file"
    return current, None


def tree_drift(root: Path, envs: list[Environment], where: str) -> list[Finding]:
    """Findings for a checked-out tree; only files owned by one of ``envs`` (or shared)."""
    names = {e.name for e in envs}
    record = load_record(root, strict=False)  # each entry is checked below, never followed
    findings: list[Finding] = []
    for path, owned in sorted(record.files.items()):
        if owned.env is not None and owned.env not in names:
            continue
        env = owned.env or "*"
        target, problem = _safe_file(root, path)
        if target is None:
            if problem == "missing" and owned.mode == "seed":
                continue  # seeds are the team's to delete
            if problem == "missing":
                findings.append(Finding("repo", env, where, path, "missing"))
            else:
                findings.append(Finding("repo", env, where, path, "edited", (problem or "",)))
            continue
        if owned.mode == "managed" and digest(target.read_bytes()) != owned.sha256:
            findings.append(Finding("repo", env, where, path, "edited", ("content",)))
    for env_ in envs:
        layout = env_.gitops_path.strip("/")
        target = _inside(root, layout)
        if target is None or target.is_symlink() or not target.is_dir():
            findings.append(Finding("repo", env_.name, where, layout + "/", "missing"))
    return findings


def repo_drift(envs: list[Environment], target: Target, report: DriftReport) -> None:
    """Check out ``target``'s branch into scratch space and add its findings to ``report``."""
    where = f"{target.client.remote.shown}@{target.branch}"
    with target.client.scratch() as repo:
        _, ws = target.client.checkout(repo, [target.branch])
        if ws.tip is None:
            found = [
                Finding("repo", e.name, where, e.gitops_path.strip("/") + "/", "missing")
                for e in envs
            ]
        else:
            found = tree_drift(ws.root, envs, where)
    report.findings += found
    for env in envs:
        mine = [f for f in found if f.env in (env.name, "*")]
        verdict = f"drifted ({len(mine)} file{'s' * (len(mine) != 1)})" if mine else "clean"
        report.checked.append(Checked("repo", env.name, where, verdict))
