"""The AKS backup job's Azure path, for real against Azurite: the exact command the rendered
CronJob runs (`underlay backup run --repo … --to azblob://account/container/prefix`), then
`underlay backup verify` and `underlay restore` of what it wrote.

In the cluster the job authenticates with workload identity (azure-identity's
DefaultAzureCredential reads the token the webhook injects); here Azurite's connection string
stands in for it, the one credential the emulator takes. Only `--repo` is swapped: the manifest
repo of the sample env is a placeholder URL, so a local bare repo takes its place.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

from ruamel.yaml import YAML

from tests.support.azurite import AZURITE_ACCOUNT, Azurite
from tests.support.cli import underlay_process
from tests.support.envs import copy_samples
from tests.support.git_repos import GitRepo, git


def _cronjob_command(project: Path, outputs: Path) -> list[str]:
    out = project / "rendered"
    env_dir = str(project / "environments")
    render = ["render", "aks-dev", "--outputs", str(outputs), "--env-dir", env_dir]
    rendered = underlay_process(*render, "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    yaml = YAML(typ="safe", pure=True)
    (cron,) = [
        d
        for f in out.rglob("*.yaml")
        for d in yaml.load_all(f.read_text())
        if d
        and d.get("kind") == "CronJob"
        and "backup" in d["metadata"]["name"]
        and "drill" not in d["metadata"]["name"]
    ]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    assert pod["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    (container,) = pod["spec"]["containers"]
    command: list[str] = container["command"]
    return command


def test_the_rendered_azure_backup_job_backs_up_into_blob_storage(
    azurite: Azurite, tmp_path: Path
) -> None:
    container = f"backups{uuid.uuid4().hex[:8]}"
    azurite.create_container(container)
    target = f"azblob://{AZURITE_ACCOUNT}/{container}/manifest-repo"
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps({"aks-dev-cluster": {"backup_target": target, "backup_role_arn": "client-id"}})
    )
    copy_samples(tmp_path)
    command = _cronjob_command(tmp_path, outputs)
    assert command[:3] == ["underlay", "backup", "run"]
    assert command[command.index("--to") + 1] == target

    repo = GitRepo.populated(tmp_path / "repo")
    command[command.index("--repo") + 1] = repo.url
    env = {
        **os.environ,
        "AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "UNDERLAY_STORAGE_RETRIES": "1",
    }
    env.pop("UNDERLAY_S3_ENDPOINT", None)
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    names = [b.name for b in azurite.container(container).list_blobs()]
    assert any(n.startswith("manifest-repo/") and n.endswith(".bundle") for n in names), names

    verify = ["underlay", "backup", "verify", "--from", target]
    assert subprocess.run(verify, env=env, capture_output=True, check=False).returncode == 0
    restored = tmp_path / "restored.git"
    restore = ["underlay", "restore", "--from", target, "--to", str(restored)]
    done = subprocess.run(restore, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert git("for-each-ref", "--format=%(objectname) %(refname)", cwd=restored) == git(
        "for-each-ref", "--format=%(objectname) %(refname)", cwd=repo.origin
    )
