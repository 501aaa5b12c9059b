"""Two applies of one environment at once: S3-native locking refuses one, state stays intact.

The first apply holds the lock deterministically instead of racing a full rollout: it is a real
``terraform apply`` without ``-auto-approve`` that has taken the S3 lock (``use_lockfile``),
planned, and waits at its approval prompt until the test answers. Meanwhile a second, full apply
is refused at the lock, and the state and the lock object are byte for byte what they were. Then
the first is approved and finishes with both resources in the state, and the lock object is
gone (Terraform looks for exactly that object, so a later apply is free to take it; applying
once more to show it cost another plan and apply, about 13 s of CPU).

Only cheap resources are ever applied (``-target`` of the VPC, then of the backup bucket: no EKS,
no lifecycle rule with the provider's 55 s wait); the backend, its lock file and the lock path
Terraform walks are the same as for a whole apply, since ``-target`` only narrows the graph, and
the refused apply is a whole one.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

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
STATE_BUCKET = "locktest-state"
STATE_KEY = "underlay/locktest-cluster.tfstate"
LOCK_KEY = f"{STATE_KEY}.tflock"
VPC = "aws_vpc.network_vpc"
BUCKET = "aws_s3_bucket.backup_bucket"
PROMPT = "Enter a value:"


class Prompting:
    """A running ``terraform apply`` that waits for approval; its output is read as it comes."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._chunks: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self) -> Prompting:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self._close()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read(1):
            self._chunks.append(chunk)

    @property
    def output(self) -> str:
        return "".join(self._chunks)

    def wait_for_prompt(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while PROMPT not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the first apply never asked for approval:\n{self.output[-2000:]}")
            time.sleep(0.1)

    def answer(self, text: str, timeout: float = 300) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        return self.process.wait(timeout=timeout)

    def _close(self) -> None:
        self.process.wait()
        self._reader.join(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


def test_concurrent_applies_one_is_refused_state_intact(
    tmp_path: Path, moto: MotoServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = moto.client("s3", "us-west-2")
    s3.create_bucket(
        Bucket=STATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    env_dir = write_envs(tmp_path, {"locktest": LOCKED_ENV})
    monkeypatch.setenv("UNDERLAY_AWS_ENDPOINT", moto.endpoint)
    synth_to(tmp_path / "cdktf.out", env_dir)
    workdir = tmp_path / "cdktf.out" / "stacks" / "locktest-cluster"
    env = {**aws_env, "AWS_DEFAULT_REGION": "us-west-2"}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["terraform", f"-chdir={workdir}", *args, "-no-color"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def stored(key: str) -> bytes | None:
        try:
            body: bytes = s3.get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body

    def managed(state: bytes | None) -> set[str]:
        assert state is not None, "no state in the bucket"
        data: dict[str, Any] = json.loads(state)
        return {f"{r['type']}.{r['name']}" for r in data["resources"] if r["mode"] == "managed"}

    init = terraform("init", "-input=false")
    assert init.returncode == 0, init.stderr[-2000:]
    seeded = terraform("apply", "-input=false", "-auto-approve", f"-target={VPC}")
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    assert managed(stored(STATE_KEY)) == {VPC}
    assert stored(LOCK_KEY) is None, "an apply that finished leaves no lock"

    # 1. The first apply takes the lock, plans the bucket and waits for "yes".
    apply = ["terraform", f"-chdir={workdir}", "apply", "-no-color", "-lock-timeout=0s"]
    with Prompting([*apply, f"-target={BUCKET}"], env) as first:
        first.wait_for_prompt()
        lock = stored(LOCK_KEY)
        assert lock is not None, "the waiting apply holds the S3 lock"
        assert json.loads(lock)["Operation"] == "OperationTypeApply"
        state = stored(STATE_KEY)

        # 2. A whole apply meanwhile is refused at the lock and changes nothing.
        second = terraform("apply", "-input=false", "-auto-approve", "-lock-timeout=0s")
        assert second.returncode != 0
        assert "Error acquiring the state lock" in second.stdout + second.stderr
        assert stored(STATE_KEY) == state, "the refused apply left the state as it was"
        assert stored(LOCK_KEY) == lock, "the refused apply left the first one's lock alone"

        # 3. The first goes on when approved, writes its state and releases the lock.
        assert first.answer("yes") == 0, first.output[-2000:]
        assert managed(stored(STATE_KEY)) == {VPC, BUCKET}
        assert stored(LOCK_KEY) is None, "lock released"
