"""Day 2: set-image -> promote -> rollback, as commits on a real remote."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitops import OUTPUTS, Run, commits, git, kustomized_images, push_files, show

Cli = Callable[..., Run]
IMAGE = "ghcr.io/acme/web"
DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: {IMAGE}:1.0.0
"""


@pytest.fixture
def repo(cli: Cli, bare: Callable[..., Path]) -> Path:
    """dev and staging bootstrapped, and a human's app in apps/base instead of the example."""
    remote = bare()
    for env in ("dev", "staging"):
        assert cli("bootstrap", env, "--repo", str(remote)).code == 0
    base = show(remote, "main", "apps/base/kustomization.yaml").replace(
        "- example-app.yaml", "- web.yaml"
    )
    assert "- web.yaml" in base  # the human swapped the example app for theirs
    push_files(
        remote,
        "main",
        {"apps/base/web.yaml": DEPLOYMENT, "apps/base/kustomization.yaml": base},
        "human: add web",
    )
    return remote


def overlay(remote: Path, env: str) -> str:
    return show(remote, "main", f"apps/{env}/kustomization.yaml")


def built_image(remote: Path, env: str, tmp_path: Path) -> str:
    work = tmp_path / f"build-{env}-{len(commits(remote))}"
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    return kustomized_images(work, env)[0]


def test_set_image_promote_rollback_round_trip(cli: Cli, repo: Path, tmp_path: Path) -> None:
    dev_before, staging_before = overlay(repo, "dev"), overlay(repo, "staging")
    r = cli("set-image", "dev", IMAGE, "1.1.0", "--repo", str(repo))
    assert r.code == 0, r.err
    assert commits(repo)[0].endswith(f"set-image dev: {IMAGE} unpinned -> 1.1.0")
    dev_pinned = overlay(repo, "dev")
    assert dev_pinned.startswith(dev_before.split("apiVersion")[0])  # comments survive
    assert f"images:\n- name: {IMAGE}\n  newTag: 1.1.0\n" in dev_pinned
    assert built_image(repo, "dev", tmp_path) == f"{IMAGE}:1.1.0"
    assert built_image(repo, "staging", tmp_path) == f"{IMAGE}:1.0.0"

    r = cli("promote", IMAGE, "--from", "dev", "--to", "staging", "--repo", str(repo))
    assert r.code == 0, r.err
    assert commits(repo)[0].endswith(f"promote {IMAGE} 1.1.0 from dev to staging")
    assert built_image(repo, "staging", tmp_path) == f"{IMAGE}:1.1.0"
    again = cli("promote", IMAGE, "--from", "dev", "--to", "staging", "--repo", str(repo))
    assert "nothing to change" in again.out

    r = cli("rollback", "staging", "--last", "--repo", str(repo))
    assert r.code == 0, r.err
    assert commits(repo)[0].split(" ", 1)[1].startswith(f'Revert "promote {IMAGE}')
    assert overlay(repo, "staging") == staging_before
    assert overlay(repo, "dev") == dev_pinned  # limited to staging's paths
    r = cli("rollback", "dev", "--last", "--repo", str(repo))
    assert r.code == 0, r.err
    assert overlay(repo, "dev") == dev_before
    assert overlay(repo, "staging") == staging_before


def test_rollback_to_a_commit_restores_bytes_in_one_commit(cli: Cli, repo: Path) -> None:
    good = git(repo, "rev-parse", "main").strip()
    dev_before = overlay(repo, "dev")
    for tag in ("1.1.0", "1.2.0", "sha256:" + "a" * 64):
        assert cli("set-image", "dev", IMAGE, tag, "--repo", str(repo)).code == 0
    assert "digest: sha256:" in overlay(repo, "dev")
    count = len(commits(repo))
    r = cli("rollback", "dev", "--to", good[:10], "--repo", str(repo))
    assert r.code == 0, r.err
    assert len(commits(repo)) == count + 1
    assert overlay(repo, "dev") == dev_before
    assert "nothing to change" in cli("rollback", "dev", "--to", good, "--repo", str(repo)).out


def test_rollback_touches_only_that_envs_paths(cli: Cli, repo: Path) -> None:
    dev, staging = overlay(repo, "dev"), overlay(repo, "staging")
    push_files(
        repo,
        "main",
        {
            "apps/dev/kustomization.yaml": dev + "namePrefix: x-\n",
            "apps/staging/kustomization.yaml": staging + "namePrefix: y-\n",
            "notes.txt": "n\n",
        },
        "human: both",
    )
    assert cli("rollback", "dev", "--last", "--repo", str(repo)).code == 0
    assert overlay(repo, "dev") == dev
    assert overlay(repo, "staging") == staging + "namePrefix: y-\n"
    assert show(repo, "main", "notes.txt") == "n\n"


def test_rollback_of_managed_files_keeps_ownership_consistent(
    cli: Cli, bare: Callable[..., Path], tmp_path: Path
) -> None:
    remote = bare()
    outputs = tmp_path / "o.json"
    outputs.write_text(json.dumps({"dev-cluster": OUTPUTS}))
    assert cli("bootstrap", "dev", "--repo", str(remote)).code == 0
    env_only = show(remote, "main", "clusters/dev/cluster-metadata.yaml")
    assert cli("bootstrap", "dev", "--repo", str(remote), "--outputs", str(outputs)).code == 0
    assert cli("rollback", "dev", "--last", "--repo", str(remote)).code == 0
    assert show(remote, "main", "clusters/dev/cluster-metadata.yaml") == env_only
    r = cli("bootstrap", "dev", "--repo", str(remote), "--outputs", str(outputs))
    assert r.code == 0, r.err  # not a "changed outside underlay" conflict
    assert "backup_bucket" in show(remote, "main", "clusters/dev/cluster-metadata.yaml")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["set-image", "dev", "ghcr.io/acme/other", "1.0"], "image 'ghcr.io/acme/other' not found"),
        (["set-image", "dev", IMAGE, "bad tag!"], "malformed image tag"),
        (["set-image", "dev", "UPPER/Case", "1.0"], "malformed image name"),
        (["set-image", "prod", IMAGE, "1.0"], "run `underlay bootstrap prod` first"),
        (["promote", IMAGE, "--from", "dev", "--to", "staging"], "dev has no pin for image"),
        (["promote", IMAGE, "--from", "dev", "--to", "dev"], "same environment"),
        (["promote", IMAGE, "--from", "nope", "--to", "dev"], "unknown environment 'nope'"),
        (["rollback", "dev", "--to", "0" * 40], "no such commit"),
        (["rollback", "dev", "--to", "--last"], "is not a commit"),
        (["rollback", "dev"], "exactly one of --last or --to"),
        (["rollback", "prod", "--last"], "no commit on the branch touches"),
    ],
)
def test_day2_bad_input_exits_2_and_commits_nothing(
    cli: Cli, repo: Path, args: list[str], reason: str
) -> None:
    before = commits(repo)
    r = cli(*args, "--repo", str(repo))
    assert r.code == 2, (r.out, r.err)
    assert reason in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert commits(repo) == before


def test_rollback_refuses_to_remove_the_flux_entry_point(
    cli: Cli, bare: Callable[..., Path]
) -> None:
    remote = bare()
    assert cli("bootstrap", "dev", "--repo", str(remote)).code == 0
    r = cli("rollback", "dev", "--last", "--repo", str(remote))
    assert r.code == 2
    assert "Flux entry point" in r.err


def test_rollback_to_a_commit_outside_the_branch_is_refused(cli: Cli, repo: Path) -> None:
    assert (
        cli("set-image", "dev", IMAGE, "2.0.0", "--repo", str(repo), "--via-pr", "bump").code == 0
    )
    other = git(repo, "rev-parse", "bump").strip()
    r = cli("rollback", "dev", "--to", other, "--repo", str(repo))
    assert r.code == 2
    # the workspace clones only the branch, so a commit of another branch is not there at all
    assert r.err == f"underlay: error: --to {other!r}: no such commit on the branch\n"


def test_set_image_via_pr_and_dry_run(cli: Cli, repo: Path) -> None:
    before = commits(repo)
    dry = cli("set-image", "dev", IMAGE, "3.0.0", "--repo", str(repo), "--dry-run")
    assert dry.code == 0
    assert "+  newTag: 3.0.0" in dry.out
    pr = cli("set-image", "dev", IMAGE, "3.0.0", "--repo", str(repo), "--via-pr", "bump-web")
    assert pr.code == 0, pr.err
    assert "base main <- head bump-web" in pr.out
    assert commits(repo) == before
    assert "newTag: 3.0.0" in show(repo, "bump-web", "apps/dev/kustomization.yaml")
    assert (
        "nothing to change"
        in cli("set-image", "dev", IMAGE, "3.0.0", "--repo", str(repo), "--via-pr", "bump-web").out
    )


def test_click_usage_errors_exit_2(cli: Cli) -> None:
    r = cli("promote", IMAGE, "--to", "staging")
    assert r.code == 2
    assert "--from" in r.err
