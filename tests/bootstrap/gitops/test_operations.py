"""Branch names are checked by git's own rules before anything runs."""

from __future__ import annotations

import subprocess

import pytest

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.operations import check_branch

BAD = [
    "main.lock",
    "release/v1.lock",
    "a..b",
    ".hidden",
    "a/.hidden",
    "-rf",
    "/main",
    "main/",
    "main.",
    "a//b",
    "a@{1}",
    "@",
    "a b",
    "a\tb",
    "a\x7fb",
    "a~1",
    "a^2",
    "a:b",
    "a?",
    "a*",
    "a[x",
    "a\\b",
    "",
]
GOOD = ["main", "release/v1.2", "feature/x-y_z", "a.lock.b", "user@host", "v1", "ü-branch", "a/b/c"]


@pytest.mark.parametrize("name", BAD)
def test_invalid_branch_names_are_refused(name: str) -> None:
    with pytest.raises(GitOpsError, match=r"--branch .* is not a valid branch name"):
        check_branch("--branch", name)


@pytest.mark.parametrize("name", GOOD)
def test_valid_branch_names_pass(name: str) -> None:
    assert check_branch("--via-pr", name) == name


# "@" is git's shorthand for HEAD: check-ref-format lets it through, we refuse it as a branch.
@pytest.mark.parametrize("name", [n for n in BAD + GOOD if n not in ("", "@")])
def test_verdicts_agree_with_git_check_ref_format(name: str) -> None:
    git_says = (
        subprocess.run(
            ["git", "check-ref-format", "--branch", name], capture_output=True, check=False
        ).returncode
        == 0
    )
    try:
        check_branch("--branch", name)
        ours = True
    except GitOpsError:
        ours = False
    assert ours == git_says
