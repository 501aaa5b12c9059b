"""`underlay synth` writes the same cdktf.out/ that `cdktf synth` writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.cli import main
from stacks.config import environment_names
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[3]


def stack_files(out: Path) -> dict[str, object]:
    return {
        str(p.relative_to(out)): json.loads(p.read_text())
        for p in sorted(out.glob("stacks/*/cdk.tf.json"))
    }


def test_underlay_synth_matches_the_cdktf_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local_cli = ROOT / "node_modules" / ".bin" / "cdktf"  # `npm ci` puts the pinned CLI here
    cdktf = str(local_cli) if local_cli.exists() else require_tool("cdktf")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("main.py", "cdktf.json"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "environments", project / "environments")
    # cdktf.json runs `python3 main.py`: make that this interpreter, with this checkout importable.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT), "CHECKPOINT_DISABLE": "1"}
    subprocess.run([cdktf, "synth"], cwd=project, env=env, check=True, capture_output=True)
    cli_out = project / "cdktf.out"

    ours = project / "underlay.out"
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "--env-dir", str(project / "environments"), "--out", str(ours)])
    assert exit_info.value.code == 0
    stacks = 2 * len(environment_names(project / "environments"))
    assert f"synthesized {stacks} stacks" in capsys.readouterr().out

    theirs, mine = stack_files(cli_out), stack_files(ours)
    assert len(theirs) == stacks
    assert mine == theirs


def test_subset_synth_refuses_to_drop_other_envs_stacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.envs import copy_samples

    env_dir = copy_samples(tmp_path)
    out = tmp_path / "cdktf.out"
    with pytest.raises(SystemExit) as exit_info:  # a real, complete output of every env
        main(["synth", "--env-dir", str(env_dir), "--out", str(out)])
    assert exit_info.value.code == 0
    prod = (out / "stacks" / "prod-cluster" / "cdk.tf.json").read_text()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "local", "--env-dir", str(env_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "prod-cluster" in err
    assert "--replace-all" in err
    assert err.count("\n") == 1
    assert (out / "stacks" / "prod-cluster" / "cdk.tf.json").read_text() == prod, "untouched"
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "local", "--env-dir", str(env_dir), "--out", str(out), "--replace-all"])
    assert exit_info.value.code == 0
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["local-cluster", "local-platform"]
