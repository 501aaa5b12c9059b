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
