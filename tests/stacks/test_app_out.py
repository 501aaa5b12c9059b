"""`synth --out`: only synth output is ever replaced, and a complete output always exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import main
from stacks import app
from stacks.app import SYNTH_MARKER, check_replaceable, recover_output
from stacks.errors import UnderlayError
from tests.support.envs import MINIMAL_DEV, write_envs


def synth_output(folder: Path, content: str, marker: bool = True) -> Path:
    (folder / "stacks" / "dev-cluster").mkdir(parents=True)
    (folder / "manifest.json").write_text(content)
    (folder / "stacks" / "dev-cluster" / "cdk.tf.json").write_text(content)
    if marker:
        (folder / SYNTH_MARKER).write_text("x\n")
    return folder


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("project", "not a synth output folder"),
        ("env-dir", "not a synth output folder"),
        ("home-like", "not a synth output folder"),
        ("file", "is a file"),
        ("symlink", "not a folder"),
        ("manifest-plus-user-files", "not a synth output folder"),
    ],
)
def test_out_that_is_not_synth_output_is_refused_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, message: str
) -> None:
    project = tmp_path / "project"
    env_dir = write_envs(project, {"dev": MINIMAL_DEV})
    (project / "README.md").write_text("mine\n")
    out = {
        "project": project,
        "env-dir": env_dir,
        "home-like": tmp_path / "home",
        "file": project / "README.md",
        "symlink": tmp_path / "link",
        "manifest-plus-user-files": tmp_path / "mixed",
    }[setup]
    if setup == "home-like":
        out.mkdir()
        (out / ".bashrc").write_text("mine\n")
    elif setup == "symlink":
        out.symlink_to(project)
    elif setup == "manifest-plus-user-files":
        out.mkdir()
        (out / "manifest.json").write_text("{}")
        (out / "notes.txt").write_text("mine\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as info:
        main(["synth", "--env-dir", str(env_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.count("\n") == 1, err
    assert message in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (project / "README.md").read_text() == "mine\n"


def test_out_dot_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["synth", "--env-dir", "environments", "--out", "."])
    assert info.value.code == 2
    assert "not a synth output folder" in capsys.readouterr().err
    assert (env_dir / "dev.yaml").is_file()


def test_replaceable_folders(tmp_path: Path) -> None:
    check_replaceable(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    check_replaceable(tmp_path / "empty")
    check_replaceable(synth_output(tmp_path / "ours", "{}"))
    check_replaceable(synth_output(tmp_path / "cdktf-cli", "{}", marker=False))
    (tmp_path / "marker-only").mkdir()
    (tmp_path / "marker-only" / SYNTH_MARKER).write_text("")
    with pytest.raises(UnderlayError, match="not a synth output folder"):
        check_replaceable(tmp_path / "marker-only")


def test_swap_by_exchange_leaves_new_output_and_no_leftovers(tmp_path: Path) -> None:
    out = synth_output(tmp_path / "cdktf.out", "old")
    staging = synth_output(tmp_path / ".cdktf.out.new-1", "new")
    app._swap_in(staging, out, tmp_path / ".cdktf.out.old-1")
    assert (out / "manifest.json").read_text() == "new"
    assert (tmp_path / ".cdktf.out.old-1" / "manifest.json").read_text() == "old"


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even ``finally`` cleanup."""


@pytest.mark.parametrize("step", [0, 1])
def test_killed_between_renames_recovers_a_complete_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    """Without an atomic exchange, a kill at either rename still leaves a complete output:
    the old one (under its retired name, recovered on the next run) or the new one."""
    out = synth_output(tmp_path / "cdktf.out", "old")
    staging = synth_output(tmp_path / ".cdktf.out.new-1", "new")
    retired = tmp_path / ".cdktf.out.old-1"
    monkeypatch.setattr(app, "_exchange", lambda a, b: False)
    real_rename = Path.rename
    calls: list[Path] = []

    def rename(self: Path, target: Path) -> Path:
        if len(calls) == step:
            raise Killed
        calls.append(self)
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(Killed):
        app._swap_in(staging, out, retired)
    monkeypatch.setattr(Path, "rename", real_rename)
    complete = [p for p in (out, retired, staging) if (p / "manifest.json").is_file()]
    assert complete, "a complete output must exist at every instant"
    recover_output(out)
    assert (out / "manifest.json").read_text() in ("old", "new")
    assert (out / "stacks" / "dev-cluster" / "cdk.tf.json").is_file()
    assert not retired.exists()


def test_recover_keeps_a_present_output_and_drops_retired_copies(tmp_path: Path) -> None:
    out = synth_output(tmp_path / "cdktf.out", "current")
    synth_output(tmp_path / ".cdktf.out.old-9", "stale")
    staging = synth_output(tmp_path / ".cdktf.out.new-9", "running")
    recover_output(out)
    assert (out / "manifest.json").read_text() == "current"
    assert not (tmp_path / ".cdktf.out.old-9").exists()
    assert staging.exists(), "a staging folder may be a running synth's"


def test_real_synth_writes_the_marker_and_replaces_its_own_output(tmp_path: Path) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV})
    out = tmp_path / "cdktf.out"
    app.synth_to(out, env_dir)
    assert (out / SYNTH_MARKER).is_file()
    first = (out / "manifest.json").stat().st_ino
    app.synth_to(out, env_dir)
    assert (out / "manifest.json").stat().st_ino != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "environments"]
