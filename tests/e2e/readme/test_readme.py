"""The README's shell blocks run as printed: the commands of "Getting the `underlay` command",
"Working with environments", "Day 2" (against a bare repo bootstrapped as the demo does) and
"Backups of the manifest repo" (against a moto server, with the variables `nox -s demo -- --keep`
prints). `nox` lines are the sessions themselves, not run here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.gitops.layout import EXAMPLE_IMAGE, EXAMPLE_TAG
from tests.support.envs import copy_samples
from tests.support.gitops import kustomized_images
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
ACCOUNT = "123456789012"  # moto's default account: the deploy names the bucket after it


def sh_commands(section: str) -> list[str]:
    """Command lines of the ```sh blocks under the `## section` heading, comments cut off."""
    body = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", body, re.S)
    assert blocks, f"no sh block under {section!r}"
    lines = [re.sub(r"\s+#\s.*$", "", line).strip() for b in blocks for line in b.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def run(lines: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    outputs = []
    for line in lines:
        result = subprocess.run(
            ["bash", "-ec", line], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"README line failed: {line}\n{result.stderr[-2000:]}"
        outputs.append(result.stdout)
    return outputs


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """The user's shell after `source .venv/bin/activate`: this interpreter's bin first."""
    home = tmp_path / "home"
    home.mkdir()
    node_bin = ROOT / "node_modules" / ".bin"
    path = os.pathsep.join([str(Path(sys.executable).parent), str(node_bin), os.environ["PATH"]])
    return {**os.environ, "PATH": path, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}


def test_getting_the_command(shell_env: dict[str, str], tmp_path: Path) -> None:
    lines = sh_commands("Getting the `underlay` command")
    assert lines[0] == "nox -s dev", "the documented way to get the command"
    assert "\ndef dev(" in (ROOT / "noxfile.py").read_text(), "the session exists"
    (out,) = run([line for line in lines if line.startswith("underlay")], tmp_path, shell_env)
    assert re.fullmatch(r"underlay \d+\.\d+\.\d+\n", out)


def test_working_with_environments(shell_env: dict[str, str], tmp_path: Path) -> None:
    if shutil.which("cdktf", path=shell_env["PATH"]) is None:
        pytest.skip("cdktf CLI not installed (npm ci)")
    copy_samples(tmp_path)
    for name in ("cdktf.json", "main.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    outputs = run(sh_commands("Working with environments"), tmp_path, shell_env)
    assert "# " in outputs[0], "--provenance shows file:line comments"
    assert "~ cloud.az_count: 2 -> 3" in outputs[1]
    assert (tmp_path / "cdktf.out" / "stacks" / "prod-platform" / "cdk.tf.json").is_file()
    assert list((tmp_path / ".underlay" / "rendered" / "prod").rglob("*.yaml"))


def test_backups_against_the_emulator(
    moto: MotoServer, shell_env: dict[str, str], tmp_path: Path
) -> None:
    """What `nox -s demo -- --keep` leaves: the deploy's bucket, the bootstrapped repo at
    .underlay/demo/manifests.git, and the exports it prints."""
    bucket = f"ul-local-backups-{ACCOUNT}"
    moto.client("s3").create_bucket(Bucket=bucket)
    target = f"s3://{bucket}/manifest-repo"
    assert "s3://ul-local-backups-<account>/manifest-repo" in README
    env = {
        **shell_env,
        **FAKE_CREDENTIALS,
        "UNDERLAY_S3_ENDPOINT": moto.endpoint,
        "BACKUP_TARGET": target,
    }
    copy_samples(tmp_path)
    repo = ".underlay/demo/manifests.git"
    run(
        [f"git init -q --bare -b main {repo}", f"underlay bootstrap local --repo {repo}"],
        tmp_path,
        env,
    )
    lines = sh_commands("Backups of the manifest repo")
    assert len(lines) == 3
    outputs = run(lines, tmp_path, env)
    assert all('"ok": true' in out for out in outputs), outputs
    refs = subprocess.run(
        ["git", "--git-dir", str(tmp_path / ".underlay" / "restored.git"), "show-ref"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    original = subprocess.run(
        ["git", "--git-dir", str(tmp_path / repo), "show-ref"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert refs == original != ""


def test_day2_from_a_fresh_bootstrap(shell_env: dict[str, str], tmp_path: Path) -> None:
    """The day-2 lines against what `nox -s demo` leaves: .underlay/demo/manifests.git with
    `local` bootstrapped (the demo also passes --outputs, which only fills cluster-metadata)."""
    copy_samples(tmp_path)
    repo = tmp_path / ".underlay" / "demo" / "manifests.git"
    demo = [f"git init -q --bare -b main {repo}", f"underlay bootstrap local --repo {repo}"]
    run(demo, tmp_path, shell_env)
    lines = sh_commands("Day 2: image bumps, promotion, rollback")
    assert [line.split()[1] for line in lines[:4]] == [
        "bootstrap",
        "set-image",
        "promote",
        "rollback",
    ]
    image, tag = lines[1].split()[3:5]
    assert (image, lines[2].split()[2]) == (EXAMPLE_IMAGE, EXAMPLE_IMAGE)
    assert tag != EXAMPLE_TAG, "set-image must change something"
    outputs = run(lines, tmp_path, shell_env)
    assert "bootstrap staging: committed" in outputs[0]
    assert f"set-image local: {image} unpinned -> {tag}" in outputs[1]
    assert f"promote {image} {tag} from local to staging" in outputs[2]
    assert "rollback staging: committed" in outputs[3]
    log = outputs[4].splitlines()
    assert len(log) == 5, log  # bootstrap local, bootstrap staging, set-image, promote, revert
    assert log[0].split(" ", 1)[1].startswith('Revert "promote'), log

    work = tmp_path / "check"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True, capture_output=True)
    assert set(kustomized_images(work, "local")) == {f"{image}:{tag}"}
    # the promotion rolled back
    assert set(kustomized_images(work, "staging")) == {f"{image}:{EXAMPLE_TAG}"}
