"""`underlay status local` wall time, the CLI as a user runs it: a FAKE Kubernetes API over real
HTTP (tests/support/fake_kube_api.py) with a healthy FluxInstance and three Kustomizations, a
real bare manifest repo (git ls-remote), and a moto S3 store holding a backup and a drill record.
Prints the median of N runs; the target is <= 10 s for one environment.

    python -m benchmarks.status_bench [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bootstrap.backup.drill import run_drill
from bootstrap.backup.run import RunOptions, run_backup
from bootstrap.backup.targets import open_target
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.fake_kube_api import fake_kube_api, flux_instance, kustomization
from tests.support.git_repos import GitRepo
from tests.support.moto_server import FAKE_CREDENTIALS, moto_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(FAKE_CREDENTIALS)
    with tempfile.TemporaryDirectory() as tmp, moto_server() as moto, fake_kube_api() as api:
        root = Path(tmp)
        repo = GitRepo.populated(root / "repo")
        moto.client("s3").create_bucket(Bucket="bench-status")
        target = "s3://bench-status/manifest-repo"
        storage = open_target(target, endpoint=moto.endpoint)
        run_backup(repo.url, storage, RunOptions())
        run_drill(storage)
        tip = repo.refs()["refs/heads/main"]
        api.put(flux_instance("flux-system"), "fluxinstances")
        for name in ("flux-system", "infra-controllers", "apps"):
            api.put(kustomization("flux-system", name, f"main@sha1:{tip}"), "kustomizations")
        kubeconfig = api.kubeconfig(root / "kubeconfig")
        argv = [
            "underlay",
            "status",
            "local",
            "--env-dir",
            str(SAMPLE_ENV_DIR),
            "--json",
            "--kubeconfig",
            str(kubeconfig),
            "--repo",
            repo.url,
            "--backup-target",
            target,
            "--endpoint",
            moto.endpoint,
            "--drift-dir",
            str(root),
        ]
        (root / "drift.json").write_text(
            json.dumps(
                {
                    "version": 1,
                    "drifted": False,
                    "generated_at": "now",
                    "findings": [],
                    "checked": [
                        {
                            "source": "infra",
                            "env": "local",
                            "where": "local-cluster",
                            "verdict": "clean",
                        }
                    ],
                }
            )
        )
        times, checks = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            assert done.returncode == 0, done.stdout + done.stderr
            checks.append(json.loads(done.stdout)["elapsed_seconds"])
        print(
            f"underlay status local (fake API + git ls-remote + moto S3), {args.rounds} runs: "
            f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (target <= 10 s); "
            f"checks alone (no interpreter start) median {statistics.median(checks):.2f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


if __name__ == "__main__":
    main()
