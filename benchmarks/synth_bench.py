"""`nox -s bench`: the synth path against its floor and against the prebuilt-bindings path.

All figures come from one run on one machine, side by side; each case runs REPEATS times in
fresh processes and the median is reported. Results go to stdout and to docs/performance.md.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks.measure import Measurement, measure

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "environments"
REPEATS = 3
MANY = 500
BEGIN, END = "<!-- bench:synth:begin -->", "<!-- bench:synth:end -->"

FLOOR = "import sys, cdktf; cdktf.App(outdir=sys.argv[1]).synth()"
UNDERLAY = (
    "import sys; from pathlib import Path; from stacks.app import synth_to; "
    "synth_to(Path(sys.argv[1]), Path(sys.argv[2]))"
)
# What the stacks would cost on the prebuilt bindings: import the provider packages they would
# need (aws and azurerm for the cluster stacks, kubernetes and helm for the platform stacks;
# each package's __init__ loads every submodule), then the same synth.
PREBUILT_PACKAGES = (
    "cdktf_cdktf_provider_aws",
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_kubernetes",
    "cdktf_cdktf_provider_helm",
)
PREBUILT = f"import {', '.join(PREBUILT_PACKAGES)}; " + UNDERLAY


def generated_envs(root: Path, count: int) -> Path:
    """``count`` environments: one root file and count-1 children, each a distinct VPC."""
    env_dir = root / f"envs-{count}"
    env_dir.mkdir()
    shutil.copy(SAMPLES / "dev.yaml", env_dir / "e000.yaml")
    for i in range(1, count):
        (env_dir / f"e{i:03d}.yaml").write_text(
            textwrap.dedent(f"""\
                extends: e000
                cloud:
                  vpc_cidr: 10.{i % 250}.0.0/16
                  az_count: {2 + i % 2}
                  nat_gateways: {"per_az" if i % 3 == 0 else "single"}
                """)
        )
    return env_dir


def run(label: str, code: str, *args: str, repeats: int = REPEATS) -> Measurement:
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            runs.append(measure([sys.executable, "-c", code, f"{out}/cdktf.out", *args], cwd=ROOT))
    result = Measurement(
        statistics.median(r.seconds for r in runs), max(r.peak_rss_mb for r in runs)
    )
    print(f"{label:<55} {result.seconds:7.2f} s  {result.peak_rss_mb:7.0f} MB", flush=True)
    return result


def main() -> None:
    samples = len(list(SAMPLES.glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        five, fifty = generated_envs(Path(tmp), 5), generated_envs(Path(tmp), 50)
        many = generated_envs(Path(tmp), MANY)
        floor = run("floor: import engine + synth empty app", FLOOR)
        ours = run(f"underlay: synth {samples} sample envs", UNDERLAY, str(SAMPLES))
        prebuilt = run(
            "prebuilt bindings: import aws+azurerm+k8s+helm + same synth",
            PREBUILT,
            str(SAMPLES),
        )
        ours5 = run("underlay: synth 5 generated envs", UNDERLAY, str(five))
        ours50 = run("underlay: synth 50 generated envs", UNDERLAY, str(fifty), repeats=5)
        ours_many = run(f"underlay: synth {MANY} generated envs", UNDERLAY, str(many), repeats=5)
    slope_ms = (ours_many.seconds - ours50.seconds) / (MANY - 50) * 1000
    rows = [
        ("floor (import cdktf + empty app synth)", floor, "-", "-"),
        (
            f"underlay, {samples} sample envs (AWS and AKS)",
            ours,
            f"{ours.seconds / floor.seconds:.2f}x floor (target <= 2x)",
            "<= 400 MB",
        ),
        (
            "prebuilt bindings path (aws, azurerm, kubernetes, helm), same synth",
            prebuilt,
            f"{prebuilt.seconds / ours.seconds:.1f}x underlay (target >= 15x)",
            "-",
        ),
        ("underlay, 5 generated envs", ours5, "-", "-"),
        (
            "underlay, 50 generated envs",
            ours50,
            f"{ours50.seconds / ours5.seconds:.2f}x of 5 envs (target <= 3x)",
            "<= 400 MB",
        ),
        (
            f"underlay, {MANY} generated envs",
            ours_many,
            f"{slope_ms:.1f} ms per env from 50 to {MANY} (target <= 10 ms)",
            "<= 400 MB",
        ),
    ]
    table = [
        "| case | median wall time | peak RSS (tree) | ratio | RSS target |",
        "|---|---:|---:|---|---|",
    ]
    table += [
        f"| {name} | {m.seconds:.2f} s | {m.peak_rss_mb:.0f} MB | {ratio} | {target} |"
        for name, m, ratio, target in rows
    ]
    section = "\n".join(
        [
            BEGIN,
            "Command: `nox -s bench` (runs `python -m benchmarks.synth_bench`). "
            f"Median of {REPEATS} fresh processes per case (5 for 50 and {MANY} envs, whose "
            "difference gives the marginal cost per environment), all in one run on one "
            "machine; "
            "peak RSS is the whole process tree (Python + the jsii Node process), "
            "sampled every 10 ms.",
            "",
            *table,
            END,
        ]
    )
    print("\n" + section)
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else ""
    if BEGIN in text:
        text = text.split(BEGIN)[0] + section + text.split(END, 1)[1]
    else:
        text += "\n## Synth benchmark\n\n" + section + "\n"
    doc.write_text(text)


if __name__ == "__main__":
    main()
