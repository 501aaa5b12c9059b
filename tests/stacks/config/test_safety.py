"""Values Terraform would evaluate and credentials in gitops.repo are refused."""

from __future__ import annotations

import re

import pytest

from stacks.config.safety import check_literals, check_repo_credentials


@pytest.mark.parametrize(
    ("data", "path", "match"),
    [
        ({"tags": {"a": '${file("/etc/passwd")}'}}, ("tags", "a"), r"value .* contains '\$\{'"),
        ({"tags": {"${x}": "v"}}, ("tags", "${x}"), r"key '\$\{x\}' contains"),
        ({"v": {"l": ["ok", "%{ if true }x%{ endif }"]}}, ("v", "l", 1), r"value '%\{ if"),
        ({"v": "$${escaped}"}, ("v",), r"Terraform would evaluate"),
    ],
)
def test_interpolation_is_refused(data: object, path: tuple[object, ...], match: str) -> None:
    found = list(check_literals(data))
    assert [p for p, _ in found] == [path]
    assert re.search(match, found[0][1])


def test_plain_values_pass() -> None:
    assert list(check_literals({"a": "$5 {x} % {y}", "b": [1, True, None, "a$"], "c": {}})) == []


@pytest.mark.parametrize(
    ("repo", "match"),
    [
        ("https://user:token@github.com/o/r.git", "carries credentials"),
        ("https://ghp_abc@github.com/o/r.git", "carries credentials"),
        ("HTTP://u:p@h/r", "carries credentials"),
        ("https://github.com/o/r.git?access_token=abc", "query string"),
        ("https://github.com/o/r.git#tok", "query string"),
        ("ssh://git:secret@host/r.git", "carries credentials"),
        ("git:secret@github.com:o/r.git", "password"),
    ],
)
def test_credentials_in_repo_are_refused(repo: str, match: str) -> None:
    problem = check_repo_credentials(repo)
    assert problem is not None
    assert match in problem
    assert "UNDERLAY_GIT_TOKEN" in problem
    for secret in ("secret", "ghp_abc", "user:", "token@", "access_token=", "#tok"):
        assert secret not in problem


@pytest.mark.parametrize(
    "repo",
    [
        "",
        "https://github.com/o/r.git",
        "ssh://git@github.com/o/r.git",
        "git@github.com:o/r.git",
        "file:///tmp/r.git",
        "/srv/r.git",
    ],
)
def test_plain_repo_urls_pass(repo: str) -> None:
    assert check_repo_credentials(repo) is None
