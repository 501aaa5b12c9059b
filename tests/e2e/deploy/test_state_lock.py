"""Two applies of one environment at once: S3-native locking refuses one, state stays intact."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from stacks.app import synth_to
from tests.support.envs import write_envs
from tests.support.moto_server import MotoServer

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("state-lock")]

LOCKED_ENV = """
cloud:
  kind: aws
  region: us-west-2
  vpc_cidr: 10.40.0.0/16
  endpoint: http://127.0.0.1:1
cluster:
  node_groups:
    general: {instance_types: [t3.medium], min_size: 1, max_size: 2, desired_size: 1}
state:
  backend: s3
  bucket: locktest-state
  region: us-west-2
  endpoint: http://127.0.0.1:1
"""


def test_concurrent_applies_one_is_refused_state_intact(
    tmp_path: Path, moto: MotoServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = moto.client("s3", "us-west-2")
    s3.create_bucket(
        Bucket="locktest-state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    env_dir = write_envs(tmp_path, {"locktest": LOCKED_ENV})
    monkeypatch.setenv("UNDERLAY_AWS_ENDPOINT", moto.endpoint)
    synth_to(tmp_path / "cdktf.out", env_dir)
    workdir = tmp_path / "cdktf.out" / "stacks" / "locktest-cluster"
    env = {**aws_env, "AWS_DEFAULT_REGION": "us-west-2"}
    subprocess.run(
        ["terraform", f"-chdir={workdir}", "init", "-input=false", "-no-color"],
        env=env,
        check=True,
        capture_output=True,
    )

    apply = [
        "terraform",
        f"-chdir={workdir}",
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-lock-timeout=0s",
    ]
    first = subprocess.Popen(
        apply, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lock_key = "underlay/locktest-cluster.tfstate.tflock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = s3.list_objects_v2(Bucket="locktest-state").get("Contents", [])
        if any(o["Key"] == lock_key for o in listed):
            break
        time.sleep(0.2)
    else:
        first.kill()
        pytest.fail("the first apply never took the S3 lock")
    second = subprocess.run(apply, env=env, capture_output=True, text=True, check=False)
    first_output, _ = first.communicate(timeout=600)

    assert second.returncode != 0
    assert "Error acquiring the state lock" in second.stdout + second.stderr
    assert first.returncode == 0, first_output[-2000:]
    state = json.loads(
        s3.get_object(Bucket="locktest-state", Key="underlay/locktest-cluster.tfstate")[
            "Body"
        ].read()
    )
    addresses = {f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"}
    assert "aws_eks_cluster.cluster_cluster" in addresses
    assert "aws_s3_bucket.backup_bucket" in addresses
    assert not any(
        o["Key"] == lock_key
        for o in s3.list_objects_v2(Bucket="locktest-state").get("Contents", [])
    ), "lock released"
    plan = subprocess.run(
        [
            "terraform",
            f"-chdir={workdir}",
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 0, plan.stdout[-2000:]
