"""One git layer: only ``bootstrap/git/runner.py`` starts git, and nothing else is a way to.

A source scan of the shipped code (``bootstrap/``, ``stacks/``, ``main.py``): which modules start
processes at all (each listed here with what it starts), that none but the runner names ``git``
as a program, that GitPython is imported nowhere (it is not a dependency: docs/architecture.md,
"Running git"), and that no module outside ``bootstrap/git/`` re-exports the layer's names as a
second import path. Each rule is also run against a snippet that breaks it, so a scanner that
silently stopped seeing anything would fail here too.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUNNER = "bootstrap/git/runner.py"
# Every module that may start a process, and what it starts. A new one is added here on purpose.
SPAWNERS = {
    RUNNER: "git, for every caller (the one git layer)",
    "stacks/terraform_runner.py": "terraform",
    "bootstrap/delivery/trees.py": "python -m bootstrap.cli synth, one revision with its own code",
}
_PROCESS_MODULES = {"subprocess", "pty", "pexpect", "sh", "plumbum"}
_OS_SPAWN = ("system", "popen", "exec", "spawn", "posix_spawn", "fork")
_SHELL_CALLS = {"system", "popen", "run", "Popen", "call", "check_call", "check_output"}
_SHELL_CALLS |= {"getoutput", "getstatusoutput", "create_subprocess_shell"}


def _shipped() -> Iterator[tuple[str, ast.Module]]:
    files = [ROOT / "main.py", *sorted((ROOT / "bootstrap").rglob("*.py"))]
    files += sorted((ROOT / "stacks").rglob("*.py"))
    for path in files:
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _all_python() -> Iterator[tuple[str, ast.Module]]:
    for folder in ("bootstrap", "stacks", "tests", "benchmarks", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))
    for name in ("main.py", "noxfile.py"):
        yield name, ast.parse((ROOT / name).read_text(encoding="utf-8"))


def spawns(tree: ast.Module) -> list[str]:
    """How a module can start a process: process-module imports and ``os``/asyncio spawn calls."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in _PROCESS_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in _PROCESS_MODULES:
                found.append(node.module)
            if node.module in ("os", "asyncio"):
                found += [
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith(_OS_SPAWN) or "subprocess" in a.name
                ]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and node.attr.startswith(_OS_SPAWN):
                found.append(f"os.{node.attr}")
            if node.value.id == "asyncio" and "subprocess" in node.attr:
                found.append(f"asyncio.{node.attr}")
    return found


def _is_git(value: object) -> bool:
    return isinstance(value, str) and value.rsplit("/", 1)[-1] == "git"


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def names_git_as_a_program(tree: ast.Module) -> list[int]:
    """Lines of an argv literal starting with git, a ``which("git")``-style lookup, or a shell
    command line starting with git."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and _is_git(first.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                continue
            shell = _callee(node) in _SHELL_CALLS
            if _is_git(first.value) or (shell and _is_git(first.value.split(" ", 1)[0])):
                lines.append(node.lineno)
    return lines


def imports_gitpython(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name == "git" or a.name.startswith("git.") for a in node.names
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module == "git" or (node.module or "").startswith("git."))
        ):
            return True
    return False


def reexports_of_the_git_layer(tree: ast.Module) -> list[str]:
    """Names in ``__all__`` that the module imported, under the same name, from bootstrap.git."""
    imported: set[str] = set()
    exported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bootstrap.git"):
            if node.module == "bootstrap.gitops" or (node.module or "").startswith(
                "bootstrap.gitops."
            ):
                continue
            imported |= {a.name for a in node.names if a.asname in (None, a.name)}
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            exported |= {
                e.value
                for e in ast.walk(node.value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return sorted(imported & exported)


# -- the rules on the shipped code ----------------------------------------------------------


def test_only_the_listed_modules_start_processes() -> None:
    spawning = {name for name, tree in _shipped() if spawns(tree)}
    assert spawning == set(SPAWNERS), (
        "start processes only from the listed modules (git: through bootstrap.git.runner)"
    )


def test_only_the_runner_starts_git() -> None:
    offenders = {
        name: lines
        for name, tree in _shipped()
        if name != RUNNER and (lines := names_git_as_a_program(tree))
    }
    assert offenders == {}, "run git through bootstrap.git.runner.GitRunner"
    assert names_git_as_a_program(ast.parse((ROOT / RUNNER).read_text(encoding="utf-8")))


def test_gitpython_is_neither_imported_nor_a_dependency() -> None:
    assert [name for name, tree in _all_python() if imports_gitpython(tree)] == []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [*project["dependencies"], *(ROOT / "constraints.txt").read_text().splitlines()]
    assert [p for p in pins if p.lower().startswith(("gitpython", "gitdb", "smmap"))] == []


def test_nothing_outside_the_layer_re_exports_it() -> None:
    offenders = {
        name: names
        for name, tree in _shipped()
        if not name.startswith("bootstrap/git/") and (names := reexports_of_the_git_layer(tree))
    }
    assert offenders == {}, "import these from bootstrap.git.<module>, their one place"


# -- the scanner sees what it must ----------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess",
        "from subprocess import run",
        "import os\nos.system('ls')",
        "import os\nos.execvp('git', ['git'])",
        "from os import posix_spawnp",
        "import asyncio\nasyncio.create_subprocess_exec('git')",
        "from asyncio import create_subprocess_shell",
    ],
)
def test_scanner_sees_a_spawn(source: str) -> None:
    assert spawns(ast.parse(source))


def test_scanner_sees_no_spawn_in_plain_code() -> None:
    assert spawns(ast.parse("import os\nos.environ.get('X')\nfrom os import path")) == []


@pytest.mark.parametrize(
    "source",
    [
        'subprocess.run(["git", "status"])',
        'subprocess.Popen(("git", "-C", "x", "log"))',
        'os.system("git push")',
        'shutil.which("git")',
        'cmd = ["/usr/bin/git", "fetch"]',
        "repo.git.execute(['git', 'status'])",
    ],
)
def test_scanner_sees_git_named_as_a_program(source: str) -> None:
    assert names_git_as_a_program(ast.parse(source)) == [1]


@pytest.mark.parametrize(
    "source",
    [
        'SCHEMES = ("https", "git", "file")',
        'runner.run(["ls-remote", url], what="git ls-remote")',
        'mount = {"name": "git"}',
        'log.info("github")',
        'progress("git ls-remote of the manifest repo")',
        'out.removeprefix("git version ")',
    ],
)
def test_scanner_leaves_other_uses_of_the_word(source: str) -> None:
    assert names_git_as_a_program(ast.parse(source)) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import git", True),
        ("import git.cmd", True),
        ("from git import Repo", True),
        ("from git.exc import GitCommandError", True),
        ("from bootstrap.git.runner import GitRunner", False),
        ("from bootstrap import git", False),
        ("from . import git", False),
        ("import gitlab", False),
    ],
)
def test_scanner_sees_gitpython(source: str, found: bool) -> None:
    assert imports_gitpython(ast.parse(source)) is found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('from bootstrap.git.redact import redact\n__all__ = ["redact"]', ["redact"]),
        ('from bootstrap.git.urls import RepoUrl as RepoUrl\n__all__ = ["RepoUrl"]', ["RepoUrl"]),
        ('from bootstrap.git.redact import redact\n__all__ = ["other"]', []),
        ('from bootstrap.gitops.layout import x\n__all__ = ["x"]', []),
    ],
)
def test_scanner_sees_a_re_export(source: str, found: list[str]) -> None:
    assert reexports_of_the_git_layer(ast.parse(source)) == found
