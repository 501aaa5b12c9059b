"""CI entry points. `nox -s demo` and `nox -s tests` set up everything they need themselves."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
nox.options.error_on_missing_interpreters = True


def install_project(session: nox.Session, extras: str = "test") -> None:
    """Install underlay and its extras with every transitive version pinned by constraints.txt."""
    session.install("-c", "constraints.txt", "-e", f".[{extras}]")


@nox.session
def lint(session: nox.Session) -> None:
    install_project(session, "test,dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


# --- backup (issue 5) ---


@nox.session(name="bench-backup")
def bench_backup(session: nox.Session) -> None:
    """Backup vs raw clone+bundle+upload on a generated repo; rewrites docs/performance.md's
    "## Backup benchmark" section. Not a timed test. Options after `--`: --commits, --blob-mib,
    --rounds, --no-docs."""
    install_project(session, "test")
    session.run("python", "-m", "tests.bench.backup_bench", *session.posargs)
