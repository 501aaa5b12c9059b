"""Run git: bounded in time, without prompts, authenticated by :mod:`.auth`, errors redacted.

This is the only module that starts a git process (``tests/bootstrap/git/test_one_layer.py``
enforces it): remote operations (with a :class:`GitRunner` for that remote and its auth) and
local ones on a work tree or bare repository (a runner without a remote) alike go through
:meth:`GitRunner.run` (or :meth:`GitRunner.popen` for a streamed output). A stalling server is
cut off by curl's low-speed limit and SSH keep-alives, and in any case by a hard wall-clock
bound; git's own reason ("Host key verification failed", "Authentication failed", …) is kept in
the one-line error, with every secret redacted. git's output is read as UTF-8 with undecodable
bytes replaced: a hostile repository's file or ref names are text to show, never a crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bootstrap.git.auth import Auth, git_environment, secrets_of
from bootstrap.git.errors import GitAuthError, GitRuntimeError, GitTimeoutError
from bootstrap.git.redact import redact
from bootstrap.git.urls import RepoUrl

__all__ = ["AUTH_MARKERS", "GitRunner", "failure", "stop", "timeout_from_env"]

DEFAULT_TIMEOUT = 600.0  # wall clock of one git process (a big mirror clone fits comfortably)
LOW_SPEED_LIMIT = 1000  # bytes/s ...
LOW_SPEED_TIME = 30  # ... for this many seconds, and curl gives up (a stalled HTTP server)
AUTH_MARKERS = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "permission denied (publickey",
    "host key verification failed",
    "access denied",
    "http basic",
    "the requested url returned error: 401",
    "the requested url returned error: 403",
)
_NOISE = (
    "fatal: could not read from remote repository.",
    "please make sure you have the correct",
    "and the repository exists.",
)


def timeout_from_env() -> float:
    """``UNDERLAY_GIT_TIMEOUT`` seconds (positive), else the default."""
    raw = os.environ.get("UNDERLAY_GIT_TIMEOUT", "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value < 86400 else DEFAULT_TIMEOUT


def failure(
    what: str, stderr: str, *secrets: str, code: int | None = None, auth_hint: str = ""
) -> GitRuntimeError:
    """One line: ``what`` and git's own reason (its last meaningful stderr lines), redacted."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    meaningful = [ln for ln in lines if not ln.lower().startswith(_NOISE)] or lines
    reason = " / ".join(meaningful[-2:]) or (f"git exited {code}" if code else "git failed")
    if any(marker in stderr.lower() for marker in AUTH_MARKERS):
        return GitAuthError(redact(f"{what}: authentication failed{auth_hint}: {reason}", *secrets))
    return GitRuntimeError(redact(f"{what}: {reason}", *secrets))


@dataclass(frozen=True)
class GitRunner:
    """Runs git for one remote (or none, for purely local work) with its auth and bounds."""

    remote: RepoUrl | None = None
    auth: Auth = field(default_factory=Auth)
    timeout: float = field(default_factory=timeout_from_env)
    config: tuple[str, ...] = ()  # extra ``-c key=value`` for every call

    def secrets(self) -> tuple[str, ...]:
        return secrets_of(self.remote, self.auth) if self.remote else ()

    def redact(self, text: str) -> str:
        return redact(text, *self.secrets())

    def overrides(self) -> dict[str, str]:
        """What this runner sets on top of the caller's environment."""
        env = {
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_HTTP_LOW_SPEED_LIMIT": str(LOW_SPEED_LIMIT),
            "GIT_HTTP_LOW_SPEED_TIME": str(LOW_SPEED_TIME),
        }
        if self.remote is not None:
            env |= git_environment(self.remote, self.auth)
        return env

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.overrides()}

    def argv(self, args: Sequence[str]) -> list[str]:
        configs = [item for c in self.config for item in ("-c", c)]
        return ["git", *configs, *args]

    def run(
        self,
        args: Sequence[str],
        *,
        what: str,
        cwd: Path | None = None,
        check: bool = True,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run git; with ``check`` a non-zero exit raises a one-line, redacted error.

        ``cwd`` is the work tree or git dir to run in; ``input`` is fed on stdin (else stdin is
        empty, so nothing ever waits for a terminal).
        """
        _check_cwd(cwd, what)
        try:
            done = subprocess.run(
                self.argv(args),
                cwd=cwd,
                env=self.environment(),
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                check=False,
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                timeout=self.timeout,
            )
        except FileNotFoundError:
            raise GitRuntimeError("git is not installed or not on PATH") from None
        except subprocess.TimeoutExpired:
            raise self.timed_out(what) from None
        if check and done.returncode != 0:
            raise failure(what, done.stderr, *self.secrets(), code=done.returncode)
        return done

    def timed_out(self, what: str) -> GitTimeoutError:
        """The one-line error for a git stopped at this runner's bound."""
        return GitTimeoutError(
            self.redact(
                f"{what}: no answer within {self.timeout:g}s; stopped git "
                "(set UNDERLAY_GIT_TIMEOUT to allow longer)"
            )
        )

    def popen(
        self, args: Sequence[str], *, cwd: Path | None, stderr: IO[bytes]
    ) -> subprocess.Popen[bytes]:
        """A streamed git (stdout piped), in its own process group; the caller bounds it (by
        :attr:`timeout`, then :func:`stop` and :meth:`timed_out`) and checks it."""
        _check_cwd(cwd, "git")
        try:
            return subprocess.Popen(
                self.argv(args),
                cwd=cwd,
                env=self.environment(),
                stdout=subprocess.PIPE,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                # git's helpers (pack-objects, ssh) hold the same stdout: stopping git alone
                # would leave them writing, and the reader waiting for the end of the stream
                start_new_session=True,
            )
        except FileNotFoundError:
            raise GitRuntimeError("git is not installed or not on PATH") from None


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a :meth:`GitRunner.popen` git and every helper it started."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)


def _check_cwd(cwd: Path | None, what: str) -> None:
    # subprocess reports a missing cwd as FileNotFoundError, which would read as "git is not
    # installed": say what is missing instead.
    if cwd is not None and not Path(cwd).is_dir():
        raise GitRuntimeError(f"{what}: no such directory {cwd}")
