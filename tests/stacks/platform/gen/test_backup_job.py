"""The backup CronJob: retention flags from config, and a private repo's credential as a
read-only mounted Secret (never argv, never an env value)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stacks.config import load_environment
from stacks.platform.gen.convert import to_terraform
from stacks.platform.render import environment_plan
from tests.support.envs import MINIMAL_DEV, write_envs

REPO = (
    "\ngitops:\n  repo: ssh://git@git.example.com/org/manifests.git\n"
    "versions:\n  images:\n    backup: ghcr.io/o/backup-job@sha256:" + "ab" * 32 + "\n"
)


def _cron(tmp_path: Path, extra: str = "") -> dict[str, Any]:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + REPO + extra})
    plan = environment_plan(load_environment("dev", env_dir).env)
    return next(o for o in plan.backup if o["kind"] == "CronJob")


def _pod(cron: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


def test_retention_flags_come_from_config(tmp_path: Path) -> None:
    default = _pod(_cron(tmp_path / "a"))["containers"][0]["command"]
    assert default[-4:] == ["--keep-last", "30", "--max-age", "30"]
    custom = _cron(tmp_path / "b", "backup:\n  job:\n    keep_last: 7\n    max_age_days: 90\n")
    command = _pod(custom)["containers"][0]["command"]
    assert command[command.index("--keep-last") + 1] == "7"
    assert command[command.index("--max-age") + 1] == "90"
    assert "--ssh-key" not in command
    assert [v["name"] for v in _pod(custom)["volumes"]] == ["work"]


def test_ssh_deploy_key_is_a_mounted_file(tmp_path: Path) -> None:
    cron = _cron(tmp_path, "backup:\n  job:\n    git_secret: manifests-deploy-key\n")
    pod = _pod(cron)
    container = pod["containers"][0]
    command = container["command"]
    assert command[command.index("--ssh-key") + 1] == "/etc/underlay/git/ssh-privatekey"
    assert {"name": "git", "mountPath": "/etc/underlay/git", "readOnly": True} in container[
        "volumeMounts"
    ]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "git"]
    assert volume["secret"] == {"secretName": "manifests-deploy-key", "defaultMode": 0o400}
    assert "manifests-deploy-key" not in " ".join(command)
    (tf_volume,) = [
        v
        for v in to_terraform(cron)["spec"]["job_template"]["spec"]["template"]["spec"]["volume"]
        if v["name"] == "git"
    ]
    assert tf_volume["secret"]["default_mode"] == "0400"


def test_token_is_a_mounted_file_named_by_an_env_variable(tmp_path: Path) -> None:
    cron = _cron(
        tmp_path,
        "backup:\n  job:\n    git_secret: manifests-token\n    git_secret_kind: token\n",
    )
    container = _pod(cron)["containers"][0]
    assert "--ssh-key" not in container["command"]
    assert {"name": "UNDERLAY_GIT_TOKEN_FILE", "value": "/etc/underlay/git/token"} in container[
        "env"
    ]
    assert all("valueFrom" not in e for e in container["env"])


KMS_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _jobs(tmp_path: Path, extra: str) -> list[dict[str, Any]]:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + REPO + extra})
    plan = environment_plan(load_environment("dev", env_dir).env)
    return [o for o in plan.backup if o["kind"] == "CronJob"]


def test_kms_signing_key_is_a_flag_on_both_jobs(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, f"backup:\n  signing:\n    kind: aws-kms\n    key: {KMS_ARN}\n")
    assert [j["metadata"]["name"] for j in jobs] == ["manifest-repo-backup", "manifest-repo-drill"]
    for job in jobs:
        command = _pod(job)["containers"][0]["command"]
        assert command[-2:] == ["--signing-key", f"awskms:{KMS_ARN}"]
        assert [v["name"] for v in _pod(job)["volumes"]] == ["work"]


def test_signing_off_by_default(tmp_path: Path) -> None:
    for job in _jobs(tmp_path, ""):
        assert "--signing-key" not in _pod(job)["containers"][0]["command"]


def test_ed25519_signing_key_is_a_mounted_file(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, "backup:\n  signing:\n    kind: ed25519-file\n    secret: bk-sign\n")
    for job in jobs:
        pod = _pod(job)
        container = pod["containers"][0]
        assert container["command"][-2:] == [
            "--signing-key",
            "file:/etc/underlay/signing/ed25519.pem",
        ]
        assert {
            "name": "signing",
            "mountPath": "/etc/underlay/signing",
            "readOnly": True,
        } in container["volumeMounts"]
        (volume,) = [v for v in pod["volumes"] if v["name"] == "signing"]
        assert volume["secret"] == {"secretName": "bk-sign", "defaultMode": 0o400}
