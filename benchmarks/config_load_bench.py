"""Config-load scaling: one environment with N tags extending a parent with N tags.

Run: ``python -m benchmarks.config_load_bench [--rounds 5]`` (also ``nox -s bench-config``);
``--only N`` loads N tags once, for ``valgrind --tool=callgrind`` instruction counts.
Prints, side by side, the median wall and CPU seconds of ``load_environment`` for 2k, 20k and
90k tags (90k is the largest size under the document bound, :data:`MAX_NODES` nodes per file)
and their ratios: near-linear means 20k/2k close to 10 and 90k/20k close to 4.5. Then times how
long a 200k-tag file takes to be refused at that bound. CPU seconds are what to compare on a
shared machine (other jobs stretch wall time, not the process's own CPU time).
Not a timed test: figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from stacks.config.loader import load_environment
from stacks.config.yaml_source import MAX_NODES
from stacks.errors import ConfigError
from tests.support.envs import MINIMAL_DEV, write_envs

__all__ = ["main"]

SIZES = (2_000, 20_000, 90_000)
REFUSED = 200_000


def _write(scratch: Path, tags: int) -> Path:
    body = "".join(f"  k{i}: v{i}\n" for i in range(tags))
    return write_envs(
        scratch, {"dev": MINIMAL_DEV + "tags:\n" + body, "child": "extends: dev\ntags:\n" + body}
    )


def _load(env_dir: Path, *, refused: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one load (CPU: this process only, as other jobs run)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        load_environment("child", env_dir)
    except ConfigError as exc:
        if not refused or "nodes" not in exc.problem:
            raise
    else:
        if refused:
            raise SystemExit(f"expected the document bound to refuse {env_dir}")
    return time.perf_counter() - wall, time.process_time() - cpu


def _median(tags: int, rounds: int, *, refused: bool = False) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as scratch:
        env_dir = _write(Path(scratch), tags)
        runs = [_load(env_dir, refused=refused) for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="loads per size (median shown)")
    parser.add_argument(
        "--only",
        type=int,
        metavar="TAGS",
        help="load TAGS tags once and print nothing (for instruction counts: run under "
        "valgrind --tool=callgrind, and again with --only 0 for the fixed cost)",
    )
    args = parser.parse_args()
    if args.only is not None:
        with tempfile.TemporaryDirectory() as scratch:
            load_environment("child", _write(Path(scratch), args.only))
        return
    rounds = max(1, args.rounds)
    results = {tags: _median(tags, rounds) for tags in SIZES}
    print(f"config load, median of {rounds}, load average {os.getloadavg()[0]:.1f}:")
    for tags, (wall, cpu) in results.items():
        print(f"  {tags:>7,} tags: {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    small, mid, large = (results[t][1] for t in SIZES)
    print(
        f"  CPU ratio 20k/2k {mid / small:.1f} (10 = linear); "
        f"90k/20k {large / mid:.1f} ({SIZES[2] / SIZES[1]:.1f} = linear)"
    )
    wall, cpu = _median(REFUSED, 1, refused=True)
    print(
        f"  {REFUSED:>7,} tags: refused (over {MAX_NODES:,} nodes) after "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU"
    )


if __name__ == "__main__":
    main()
