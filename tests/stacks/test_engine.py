"""cdktf 0.21 and CDK Terrain (cdktn) synthesize the same Terraform JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stacks.config import environment_names
from tests.support.envs import SAMPLE_ENV_DIR


def synth_with(engine: str, root: Path) -> Path:
    out = root / engine / "cdktf.out"
    code = (
        "import sys; from pathlib import Path; from stacks.app import synth_to; "
        "synth_to(Path(sys.argv[1]), Path(sys.argv[2]), project_root=Path(sys.argv[3]))"
    )
    env = {**os.environ, "UNDERLAY_ENGINE": engine}
    subprocess.run(
        [sys.executable, "-c", code, str(out), str(SAMPLE_ENV_DIR), str(root)], env=env, check=True
    )
    return out


def normalized(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    data.get("//", {}).get("metadata", {}).pop("version", None)  # the engine's own version
    return data


def test_cdktf_and_cdktn_synthesize_identical_stacks(tmp_path: Path) -> None:
    if not os.environ.get("CI"):  # in CI a missing engine must fail, not skip
        pytest.importorskip("cdktn", reason="install the cdktn extra: pip install '.[cdktn]'")
    left, right = synth_with("cdktf", tmp_path), synth_with("cdktn", tmp_path)
    files = sorted(p.relative_to(left) for p in left.glob("stacks/*/cdk.tf.json"))
    assert len(files) == 2 * len(environment_names(SAMPLE_ENV_DIR))  # -cluster and -platform
    assert files == sorted(p.relative_to(right) for p in right.glob("stacks/*/cdk.tf.json"))
    for rel in files:
        assert normalized(left / rel) == normalized(right / rel), rel
    engines = {
        json.loads((d / files[0]).read_text())["//"]["metadata"]["version"] for d in (left, right)
    }
    assert len(engines) == 2, "both engines really ran"
