"""The streamed bundle: bounded like every other git process, with git's helpers stopped too."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bootstrap.backup.bundle import create_bundle, mirror_clone
from bootstrap.backup.errors import RepoError
from tests.support.git_repos import GitRepo


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_stalled_bundle_is_stopped_at_the_bound_with_its_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo.populated(tmp_path / "src")
    mirror = tmp_path / "mirror.git"
    mirror_clone(repo.url, mirror)
    real = shutil.which("git")
    assert real is not None
    helper_pid = tmp_path / "helper.pid"
    # A fake git: `bundle create` stalls with one helper holding stdout (as pack-objects does)
    # and one detached helper; everything else is the real git.
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = bundle ] && {\n'
        f"  sleep 300 >/dev/null & echo $! > {helper_pid}\n"
        "  sleep 30; exit 1; }\n"
        "done\n"
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{Path(real).parent}")
    monkeypatch.setenv("UNDERLAY_GIT_TIMEOUT", "3")
    with pytest.raises(RepoError, match=r"^git bundle create failed: no answer within 3s"):
        create_bundle(mirror, tmp_path / "repo.bundle")
    pid = int(helper_pid.read_text())
    for _ in range(50):  # SIGKILL lands at once; allow the kernel a moment to reap
        if not _running(pid):
            break
        time.sleep(0.1)
    assert not _running(pid), "the helper git started outlived the bound"
