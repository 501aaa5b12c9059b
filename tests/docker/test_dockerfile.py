"""Static checks of the job image's promises (no Docker engine exists on these machines)."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "docker" / "backup-job.Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _args() -> dict[str, str]:
    return dict(
        rest.split("=", 1) for keyword, rest in _instructions() if keyword == "ARG" and "=" in rest
    )


def test_base_image_pinned_by_version_and_digest() -> None:
    args = _args()
    images = [rest.split()[0] for keyword, rest in _instructions() if keyword == "FROM"]
    assert images
    for image in images:
        ref = image
        if match := re.fullmatch(r"\$\{(\w+)\}", image):
            ref = args[match[1]]
        assert "latest" not in ref
        assert re.search(r":\d+\.\d+\.\d+[\w.\-]*@sha256:[0-9a-f]{64}$", ref), ref


def test_runs_as_fixed_numeric_non_root_user() -> None:
    users = [rest for keyword, rest in _instructions() if keyword == "USER"]
    assert users
    final = users[-1]
    assert re.fullmatch(r"\d+:\d+", final), final
    uid, gid = (int(part) for part in final.split(":"))
    assert uid != 0
    assert gid != 0


def test_os_and_python_packages_are_pinned() -> None:
    args = _args()
    runs = " ".join(rest for keyword, rest in _instructions() if keyword == "RUN")
    for package in re.findall(r"apt-get install [^&]*", runs):
        for word in package.split()[2:]:
            if not word.startswith("-"):
                assert "=" in word, f"unpinned apt package: {word}"
                name, _, version = word.partition("=")
                if (ref := re.fullmatch(r"\$\{(\w+)\}", version)) is not None:
                    assert re.match(r"\d+:", args[ref[1]]), (name, args[ref[1]])
    assert "-c constraints.txt" in runs
    assert "pip install" in runs


def test_read_only_root_fs_contract() -> None:
    env = " ".join(rest for keyword, rest in _instructions() if keyword == "ENV")
    for setting in ("HOME=/work", "TMPDIR=/work", "UNDERLAY_WORK_DIR=/work"):
        assert setting in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert ("WORKDIR", "/work") in _instructions()
    entry = [rest for keyword, rest in _instructions() if keyword == "ENTRYPOINT"]
    assert entry == ['["underlay"]']


def test_copy_sources_exist_in_the_pipelines_build_context() -> None:
    """The CI image jobs build with the repository root as context: every COPY source must be
    there, and the packages pyproject installs must all be copied (else pip builds a package
    without them, and the image fails only when the job first runs)."""
    root = DOCKERFILE.parents[1]
    copied: set[str] = set()
    for keyword, rest in _instructions():
        if keyword != "COPY" or rest.startswith("--from="):
            continue
        *sources, _dest = rest.split()
        for source in sources:
            assert (root / source).exists(), f"COPY {source}: not in the build context"
            copied.add(source)
    assert {"pyproject.toml", "constraints.txt", "stacks", "bootstrap"} <= copied
