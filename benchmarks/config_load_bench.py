"""Config-load scaling: one environment with N tags extending a parent with N tags.

Run: ``python -m benchmarks.config_load_bench`` (also ``nox -s bench-config``). Prints the seconds
for 2k and 20k tags side by side and their ratio; near-linear means a ratio close to 10.
Not a timed test: figures go to docs/performance.md.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from stacks.config.loader import load_environment
from tests.support.envs import MINIMAL_DEV, write_envs

__all__ = ["main"]


def _seconds(tags: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        body = "".join(f"  k{i}: v{i}\n" for i in range(tags))
        env_dir = write_envs(
            Path(scratch),
            {"dev": MINIMAL_DEV + "tags:\n" + body, "child": "extends: dev\ntags:\n" + body},
        )
        start = time.perf_counter()
        load_environment("child", env_dir)
        return time.perf_counter() - start


def main() -> None:
    small, large = _seconds(2_000), _seconds(20_000)
    print(
        f"config load, 2k tags: {small:.2f} s; 20k tags: {large:.2f} s; ratio {large / small:.1f}"
    )


if __name__ == "__main__":
    main()
