"""A thin git client: fetch into a scratch repository, commit, push with retry.

Every operation works in a throw-away repository, so a failure anywhere leaves nothing behind but
the remote as it was. Every git process (remote or local, in the scratch work tree) runs through
the one git layer, :mod:`bootstrap.git` (shared with backups and delivery): its runner spawns
git with the auth, bounds, error mapping and redaction all in one place.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bootstrap.git.auth import Auth
from bootstrap.git.runner import GitRunner, failure
from bootstrap.git.urls import RepoUrl
from bootstrap.gitops.errors import GitOpsRuntimeError, PushRejectedError

__all__ = ["GitClient", "Outcome", "Workspace"]


_RETRYABLE = (
    "non-fast-forward",
    "fetch first",
    "stale info",
    "failed to update ref",
    "cannot lock ref",
    "incorrect old value",
    "failed to lock",
)


@dataclass
class Outcome:
    """What one change did: ``committed`` (and pushed), ``unchanged`` or ``dry-run``."""

    status: Literal["committed", "unchanged", "dry-run"]
    message: str = ""
    commit: str | None = None
    pushed_to: str | None = None
    diff: str = ""
    attempts: int = 0


class Workspace:
    """A scratch clone checked out at a branch tip (or empty, for a branch not yet born)."""

    def __init__(self, root: Path, tip: str | None, runner: GitRunner) -> None:
        self.root = root
        self.tip = tip
        self._runner = runner

    def git(self, *args: str) -> str:
        """git's output (one trailing newline dropped); a failure raises a one-line error."""
        done = self._runner.run(args, what=f"git {args[0] if args else ''}", cwd=self.root)
        return done.stdout.removesuffix("\n")

    def try_git(self, *args: str, input: str | None = None) -> tuple[int, str, str]:
        """Run git without raising on its exit status; (status, stdout, stderr)."""
        done = self._runner.run(
            args, what=f"git {args[0] if args else ''}", cwd=self.root, check=False, input=input
        )
        return done.returncode, done.stdout.removesuffix("\n"), done.stderr.removesuffix("\n")


class GitClient:
    """Talks to one remote; every method redacts what it reports."""

    def __init__(
        self,
        remote: RepoUrl,
        auth: Auth | None = None,
        *,
        max_attempts: int = 10,
        base_delay: float = 0.2,
        max_delay: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.remote = remote
        self.auth = auth or Auth()
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    # -- environment and errors -------------------------------------------------------------

    def runner(self) -> GitRunner:
        """The one git runner, for this remote and auth (bounds read from the environment now)."""
        return GitRunner(self.remote, self.auth)

    def environment(self) -> dict[str, str]:
        """Variables for every git process: no prompts, SSH key or agent, token helper, bounds."""
        return self.runner().overrides()

    def secrets(self) -> tuple[str, ...]:
        return self.runner().secrets()

    def redact(self, text: str) -> str:
        return self.runner().redact(text)

    def _failure(self, what: str, stderr: str) -> GitOpsRuntimeError:
        hint = f" (is ${self.auth.token_env} set to a valid token?)" if self.remote.is_http else ""
        return failure(f"{what} {self.remote.shown}", stderr, *self.secrets(), auth_hint=hint)

    # -- remote reads ----------------------------------------------------------------------

    def remote_heads(self, repo: Path, branches: list[str]) -> dict[str, str]:
        """The tips of those branches that exist on the remote (git runs in ``repo``, a scratch
        repository, so no other repository's config applies)."""
        refs = [f"refs/heads/{b}" for b in branches]
        done = self.runner().run(
            ["ls-remote", "--heads", self.remote.url, *refs],
            what=f"cannot read {self.remote.shown}",
            cwd=repo,
            check=False,
        )
        if done.returncode != 0:
            raise self._failure("cannot read", done.stderr)
        heads: dict[str, str] = {}
        for line in done.stdout.splitlines():
            sha, _, ref = line.partition("\t")
            heads[ref.removeprefix("refs/heads/")] = sha
        return heads

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """An empty scratch repository configured for this remote; removed afterwards."""
        path = Path(tempfile.mkdtemp(prefix="underlay-git-"))
        try:
            ws = Workspace(path, None, self.runner())
            ws.git("init", "--quiet")
            status, email, _ = ws.try_git("config", "--get", "user.email")
            if status != 0 or not email.strip():  # no identity of the user's: commit as underlay
                ws.git("config", "--local", "user.name", "underlay")
                ws.git("config", "--local", "user.email", "underlay@localhost")
            ws.git("config", "--local", "commit.gpgsign", "false")
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def checkout(self, repo: Path, branches: list[str]) -> tuple[dict[str, str], Workspace]:
        """Fetch ``branches`` (those that exist) and check out the first existing one, or nothing.

        Returns the remote heads seen and the workspace at the chosen tip.
        """
        heads = self.remote_heads(repo, branches)
        ws = Workspace(repo, None, self.runner())
        refspecs = [f"+refs/heads/{b}:refs/remotes/origin/{b}" for b in branches if b in heads]
        if refspecs:
            status, _, err = ws.try_git("fetch", "--quiet", "--no-tags", self.remote.url, *refspecs)
            if status != 0:
                raise self._failure("cannot fetch from", err)
        base = next((b for b in branches if b in heads), None)
        if base is None:
            ws.git("symbolic-ref", "HEAD", "refs/heads/underlay-work")
            ws.git("read-tree", "--empty")
            ws.git("clean", "-fdxq")
            return heads, ws
        ws.tip = ws.git("rev-parse", f"refs/remotes/origin/{base}")
        ws.git("checkout", "--quiet", "-f", "-B", "underlay-work", ws.tip)
        ws.git("clean", "-fdxq")
        return heads, ws

    # -- the change loop -------------------------------------------------------------------

    def change(
        self,
        branch: str,
        mutate: Callable[[Workspace], str | None],
        *,
        via_pr: str | None = None,
        dry_run: bool = False,
    ) -> Outcome:
        """Apply ``mutate`` on the tip and push one commit; on a non-fast-forward, redo on the
        new tip with bounded, jittered backoff.

        ``mutate`` edits the work tree and returns the commit message, or None for nothing to do;
        it may raise :class:`GitOpsError` to refuse, and then nothing is pushed. With ``via_pr``
        the commit goes to that branch (based on it if it exists, else on ``branch``) and
        ``branch`` itself is never pushed.
        """
        target = via_pr or branch
        order = [via_pr, branch] if via_pr else [branch]
        with self.scratch() as repo:
            for attempt in range(1, self.max_attempts + 1):
                _, ws = self.checkout(repo, [b for b in order if b])
                message = mutate(ws)
                ws.git("add", "--all")
                status, _, _ = ws.try_git("diff", "--cached", "--quiet")
                if message is None or status == 0:
                    return Outcome("unchanged", attempts=attempt)
                if dry_run:
                    diff = ws.git("diff", "--cached", "--no-color", "--no-ext-diff")
                    return Outcome("dry-run", message=message, diff=diff, attempts=attempt)
                ws.git("commit", "--quiet", "--no-verify", "-m", message)
                commit = ws.git("rev-parse", "HEAD")
                status, out, err = ws.try_git(
                    "push", "--porcelain", self.remote.url, f"HEAD:refs/heads/{target}"
                )
                if status == 0:
                    return Outcome("committed", message, commit, target, attempts=attempt)
                rejected = " ".join(
                    ln
                    for ln in (out + "\n" + err).splitlines()
                    if "!" in ln[:1] or "rejected" in ln
                )
                if not any(r in (rejected + err).lower() for r in _RETRYABLE):
                    if "rejected" in rejected:
                        reason = self.redact(rejected.strip())
                        raise PushRejectedError(
                            f"push to {self.remote.shown} ({target}) rejected: {reason}"
                        )
                    raise self._failure("cannot push to", err)
                if attempt < self.max_attempts:
                    delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                    self._sleep(delay * random.uniform(0.5, 1.0))
        raise PushRejectedError(
            f"push to {self.remote.shown} ({target}) still rejected as non-fast-forward after "
            f"{self.max_attempts} attempts; the branch is too busy, try again"
        )
