"""Real git repositories for backup tests: branches, lightweight + annotated tags, force-pushes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["GitRepo", "git"]

_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


class GitRepo:
    """A bare "origin" plus a working clone used to push into it."""

    def __init__(self, root: Path) -> None:
        self.origin = root / "origin.git"
        self.work = root / "work"
        git("init", "--quiet", "--bare", "--initial-branch=main", str(self.origin))
        git("init", "--quiet", "--initial-branch=main", str(self.work))
        git("remote", "add", "origin", str(self.origin), cwd=self.work)

    @property
    def url(self) -> str:
        return str(self.origin)

    def commit(self, name: str, content: bytes | str, message: str | None = None) -> str:
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
        git("add", name, cwd=self.work)
        git("commit", "--quiet", "-m", message or f"update {name}", cwd=self.work)
        return self.head()

    def head(self) -> str:
        return git("rev-parse", "HEAD", cwd=self.work).strip()

    def push(self, *refspecs: str, force: bool = False) -> None:
        git("push", "--quiet", *(["--force"] if force else []), "origin", *refspecs, cwd=self.work)

    def refs(self) -> dict[str, str]:
        out = git("for-each-ref", "--format=%(objectname) %(refname)", cwd=self.origin)
        refs: dict[str, str] = {}
        for line in out.splitlines():
            sha, name = line.split(" ", 1)
            refs[name] = sha
        return refs

    @classmethod
    def populated(cls, root: Path, *, big_blob: int = 0) -> GitRepo:
        """main + feature branches, a lightweight and an annotated tag, optional random blob."""
        repo = cls(root)
        repo.commit("README.md", "# manifests\n")
        repo.commit("clusters/dev/kustomization.yaml", "resources: []\n")
        git("tag", "v0.1.0", cwd=repo.work)
        git("tag", "-a", "v0.2.0", "-m", "release 0.2.0", cwd=repo.work)
        git("checkout", "--quiet", "-b", "feature/x", cwd=repo.work)
        repo.commit("clusters/dev/app.yaml", "kind: ConfigMap\n")
        git("checkout", "--quiet", "main", cwd=repo.work)
        if big_blob:
            repo.commit("blob.bin", os.urandom(big_blob), "incompressible payload")
        repo.push("--all")
        repo.push("--tags")
        return repo
