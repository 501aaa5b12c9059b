"""The PR loop's overhead, measured side by side in one run (`nox -s bench`).

1. ``affected`` over 50 generated environments with one changed, against one synth of all 50
   (target: at most 2.5x). ``affected`` synthesizes base and head (two processes at once) and
   checks the base out in a temporary worktree.
2. ``underlay plan`` of that one environment among the 50, against a raw ``terraform init`` +
   ``terraform plan`` of the same, already synthesized stack (target: overhead at most 3 s).
   Both against a moto server, with one shared provider plugin cache, warmed first.

Writes the figures between markers in docs/performance.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bootstrap.delivery.affected import affected
from stacks.terraform_runner import Terraform, terraform_environment
from tests.support.moto_server import FAKE_CREDENTIALS, moto_server
from tests.support.project_copy import commit_all, make_project

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:delivery:begin -->", "<!-- bench:delivery:end -->"
ENVS = 50
CHANGED = "gen07"


def _timed(func: object, *args: object) -> float:
    start = time.perf_counter()
    func(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="underlay-delivery-bench-"))
    try:
        project = make_project(work / "project")
        env_dir = project / "environments"
        for i in range(ENVS):
            (env_dir / f"gen{i:02d}.yaml").write_text("extends: local\n", encoding="utf-8")
        for sample in env_dir.glob("*.yaml"):  # keep only the chain the generated ones use
            if sample.stem not in ("dev", "local") and not sample.stem.startswith("gen"):
                sample.unlink()
        commit_all(project, "50 generated environments")
        changed = env_dir / f"{CHANGED}.yaml"
        changed.write_text("extends: local\nbackup:\n  retention_days: 9\n", encoding="utf-8")
        names = sorted(p.stem for p in env_dir.glob("*.yaml"))
        with moto_server() as moto:
            env = {
                **os.environ,
                **FAKE_CREDENTIALS,
                "UNDERLAY_AWS_ENDPOINT": moto.endpoint,
                "PYTHONPATH": str(project),
                "TF_PLUGIN_CACHE_DIR": str(work / "plugin-cache"),
            }
            (work / "plugin-cache").mkdir()
            os.environ.update(env)
            synth = [sys.executable, "-m", "bootstrap.cli", "synth", "--env-dir", str(env_dir)]
            one_synth = _timed(_run, [*synth, "--out", str(work / "all")], project, env)
            start = time.perf_counter()
            result = affected(env_dir, "HEAD")
            affected_s = time.perf_counter() - start
            assert result.envs == [CHANGED], result.envs

            # Raw: init + plan of the synthesized stack (warm the plugin cache first).
            stack = work / "all" / "stacks" / f"{CHANGED}-cluster"
            tf_env = terraform_environment(env, work / "tfconfig")
            raw = Terraform(stack, tf_env)
            raw.init()
            shutil.rmtree(stack / ".terraform", ignore_errors=True)
            start = time.perf_counter()
            raw.init()
            raw.run("plan", "-input=false", "-no-color", f"-out={work / 'raw.tfplan'}")
            raw_s = time.perf_counter() - start
            plan_cmd = [sys.executable, "-m", "bootstrap.cli", "plan", CHANGED]
            plan_s = _timed(
                _run,
                [*plan_cmd, "--env-dir", str(env_dir), "--out", str(work / "plans")],
                project,
                env,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = affected_s / one_synth
    overhead = plan_s - raw_s
    section = "\n".join(
        [
            BEGIN,
            "Command: `nox -s bench` (runs `python -m benchmarks.delivery_bench`). One run, one "
            f"machine; {len(names)} environments (50 generated, `extends: local`), one changed.",
            "",
            "| case | time | target | holds |",
            "|---|---|---|---|",
            f"| one synth of all {len(names)} environments | {one_synth:.1f} s | | |",
            f"| `underlay affected --base HEAD` (one changed) | {affected_s:.1f} s "
            f"({ratio:.2f}x) | ≤ 2.5x | {'yes' if ratio <= 2.5 else 'no'} |",
            f"| raw `terraform init` + `plan` of `{CHANGED}-cluster` | {raw_s:.1f} s | | |",
            f"| `underlay plan {CHANGED}` (synth, init, plan, show, summary) | {plan_s:.1f} s "
            f"(+{overhead:.1f} s) | ≤ +3 s | {'yes' if overhead <= 3 else 'no'} |",
            END,
        ]
    )
    print("\n" + section)
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text.split(BEGIN)[0] + section + text.split(END, 1)[1]
    else:
        text += "\n## Delivery benchmark\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
