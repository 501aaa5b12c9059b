"""The PR loop's overhead, measured side by side in one run (`nox -s bench`).

1. ``affected`` over 50 generated environments with one changed, against one synth of all 50
   (target: at most 2.5x). ``affected`` synthesizes base and head (two processes at once) and
   checks the base out in a temporary worktree. Cold: the base-synth cache emptied before each
   round (a fresh CI runner); warm: the base commit's synth read from the cache.
2. ``underlay plan`` of that one environment among the 50, against a raw ``terraform init`` +
   ``terraform plan`` of the same, already synthesized stack (target: overhead at most 3 s).
   Like with like: both against one moto server, with the same Terraform CLI config (the offline
   provider mirror) and the same ``TF_PLUGIN_CACHE_DIR``, warmed before the first round; both run
   ``init`` on a folder without ``.terraform``.
3. Where the overhead goes, measured the same way: a synth of that one environment, and
   ``terraform show -json`` of the raw plan (``underlay plan`` writes it; it loads the provider
   schema again).

Each case runs ``--rounds`` times (default 3), interleaved so the cases share the machine's load;
the table shows medians. Writes the figures between markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bootstrap.delivery.affected import affected
from bootstrap.delivery.trees import CACHE_SUBDIR
from stacks.terraform_runner import Terraform, terraform_environment
from tests.support.moto_server import FAKE_CREDENTIALS, moto_server
from tests.support.project_copy import commit_all, make_project

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:delivery:begin -->", "<!-- bench:delivery:end -->"
ENVS = 50
CHANGED = "gen07"


def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def _raw_init_plan(raw: Terraform, tfplan: Path) -> None:
    raw.init()
    raw.run("plan", "-input=false", "-no-color", f"-out={tfplan}")


def _project(work: Path) -> Path:
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
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-docs", action="store_true", help="print, do not edit the docs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="underlay-delivery-bench-"))
    times: dict[str, list[float]] = {}

    def add(case: str, seconds: float) -> None:
        times.setdefault(case, []).append(seconds)
        print(f"  {case}: {seconds:.1f} s", flush=True)

    load_before = os.getloadavg()
    try:
        project = _project(work)
        env_dir = project / "environments"
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
            _run([*synth, "--out", str(work / "all")], project, env)
            stack = work / "all" / "stacks" / f"{CHANGED}-cluster"
            raw = Terraform(stack, terraform_environment(env, project / ".underlay"))
            raw.init()  # warms the plugin cache for both sides
            tfplan = work / "raw.tfplan"
            plan_cmd = [sys.executable, "-m", "bootstrap.cli", "plan", CHANGED]
            plan_cmd += ["--env-dir", str(env_dir), "--out", str(work / "plans")]
            for i in range(args.rounds):
                print(f"round {i + 1}/{args.rounds}", flush=True)
                every = [*synth, "--out", str(work / f"synth{i}")]
                add("synth_all", _timed(partial(_run, every, project, env)))
                shutil.rmtree(project / CACHE_SUBDIR, ignore_errors=True)
                start = time.perf_counter()
                result = affected(env_dir, "HEAD")
                add("affected_cold", time.perf_counter() - start)
                assert result.envs == [CHANGED], result.envs
                add("affected_warm", _timed(partial(affected, env_dir, "HEAD")))
                shutil.rmtree(stack / ".terraform", ignore_errors=True)
                add("raw", _timed(partial(_raw_init_plan, raw, tfplan)))
                add("underlay_plan", _timed(partial(_run, plan_cmd, project, env)))
                add("show", _timed(partial(raw.run, "show", "-json", str(tfplan))))
                one = [*synth, "--out", str(work / f"one{i}"), CHANGED]
                add("synth_one", _timed(partial(_run, one, project, env)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    _report(times, names, load_before, load_after, args.rounds, args.no_docs)


def _report(
    times: dict[str, list[float]],
    names: list[str],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    rounds: int,
    no_docs: bool,
) -> None:
    med = {case: statistics.median(values) for case, values in times.items()}

    # Targets are judged per round (the cases of one round share the machine's load), then the
    # median over rounds: a quiet round for one case and a busy one for the other do not pair.
    def paired(a: str, b: str) -> list[tuple[float, float]]:
        return list(zip(times[a], times[b], strict=True))

    cold = statistics.median(a / s for a, s in paired("affected_cold", "synth_all"))
    warm = statistics.median(a / s for a, s in paired("affected_warm", "synth_all"))
    overhead = statistics.median(u - r for u, r in paired("underlay_plan", "raw"))

    def spread(case: str) -> str:
        return f"{min(times[case]):.1f}-{max(times[case]):.1f}"

    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            BEGIN,
            "Command: `nox -s bench` (runs `python -m benchmarks.delivery_bench`); "
            f"{today}; {len(names)} environments (50 generated, `extends: local`), one changed; "
            f"{rounds} rounds, cases interleaved, medians (min-max beside them); the ratios and "
            "the overhead are taken per round (same load), then their median. Load average "
            f"(1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, on 2 shared CPUs. "
            "Raw and underlay use the same moto server, Terraform CLI config (provider mirror) "
            "and warmed `TF_PLUGIN_CACHE_DIR`.",
            "",
            "| case | median | range | target | holds |",
            "|---|---|---|---|---|",
            f"| one synth of all {len(names)} environments | {med['synth_all']:.1f} s "
            f"| {spread('synth_all')} | | |",
            f"| `affected --base HEAD`, cold (no cached base synth) | {med['affected_cold']:.1f} s "
            f"({cold:.2f}x) | {spread('affected_cold')} | ≤ 2.5x | "
            f"{'yes' if cold <= 2.5 else 'no'} |",
            f"| `affected --base HEAD`, base synth cached | {med['affected_warm']:.1f} s "
            f"({warm:.2f}x) | {spread('affected_warm')} | ≤ 2.5x | "
            f"{'yes' if warm <= 2.5 else 'no'} |",
            f"| raw `terraform init` + `plan` of `{CHANGED}-cluster` | {med['raw']:.1f} s "
            f"| {spread('raw')} | | |",
            f"| `underlay plan {CHANGED}` (synth, init, plan, show, summary) "
            f"| {med['underlay_plan']:.1f} s ({overhead:+.1f} s) | {spread('underlay_plan')} "
            f"| ≤ +3 s | {'yes' if overhead <= 3 else 'no'} |",
            f"| where it goes: synth of `{CHANGED}` alone | {med['synth_one']:.1f} s "
            f"| {spread('synth_one')} | | |",
            f"| where it goes: `terraform show -json` of the plan | {med['show']:.1f} s "
            f"| {spread('show')} | | |",
            END,
        ]
    )
    print("\n" + section)
    if no_docs:
        return
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text.split(BEGIN)[0] + section + text.split(END, 1)[1]
    else:
        text += "\n## Delivery benchmark\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
