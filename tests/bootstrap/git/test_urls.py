"""The one URL parser: whole-object comparisons, one row per URL form, match= on every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.git.errors import GitInputError
from bootstrap.git.urls import RepoUrl, is_scp_like, parse_repo_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://github.com/acme/m.git",
            RepoUrl("https://github.com/acme/m.git", "https", host="github.com"),
        ),
        (
            "  https://github.com/acme/m.git\n",
            RepoUrl("https://github.com/acme/m.git", "https", host="github.com"),
        ),
        (
            "HTTPS://GitHub.com/acme/M.git",
            RepoUrl("https://github.com/acme/M.git", "https", host="github.com"),
        ),
        ("http://h:8080/r", RepoUrl("http://h:8080/r", "http", host="h:8080")),
        ("https://bob@h/r", RepoUrl("https://bob@h/r", "https", "bob", None, "h")),
        ("https://bob:tok@h/r", RepoUrl("https://bob@h/r", "https", "bob", "tok", "h")),
        ("https://:tok@h/r", RepoUrl("https://h/r", "https", None, "tok", "h")),
        ("https://b%40x:p%2Fq@h/r", RepoUrl("https://b%40x@h/r", "https", "b@x", "p/q", "h")),
        # CodeCommit: unencoded "/" and "@" in the password
        (
            "https://u-at-1:ab/cd@ef+g=@git-codecommit.us-east-1.amazonaws.com/v1/repos/m",
            RepoUrl(
                "https://u-at-1@git-codecommit.us-east-1.amazonaws.com/v1/repos/m",
                "https",
                "u-at-1",
                "ab/cd@ef+g=",
                "git-codecommit.us-east-1.amazonaws.com",
            ),
        ),
        (
            "https://[::1]:8443/r.git",
            RepoUrl("https://[::1]:8443/r.git", "https", host="[::1]:8443"),
        ),
        ("https://[FE80::1]/r", RepoUrl("https://[fe80::1]/r", "https", host="[fe80::1]")),
        ("https://h/r.git?ref=x", RepoUrl("https://h/r.git?ref=x", "https", host="h")),
        ("https://h/r.git#frag", RepoUrl("https://h/r.git", "https", host="h")),
        ("https://h/a%20b", RepoUrl("https://h/a%20b", "https", host="h")),
        ("https://h/X", RepoUrl("https://h/X", "https", host="h")),
        ("https://h:1/r", RepoUrl("https://h:1/r", "https", host="h:1")),
        ("https://h:65535/r", RepoUrl("https://h:65535/r", "https", host="h:65535")),
        ("http://bob:tok@h:8080/r", RepoUrl("http://bob@h:8080/r", "http", "bob", "tok", "h:8080")),
        ("https://a%2Fb@h/r", RepoUrl("https://a%2Fb@h/r", "https", "a/b", None, "h")),
        ("https://h/r/\u00fc", RepoUrl("https://h/r/\u00fc", "https", host="h")),
        ("ssh://git@h/r.git", RepoUrl("ssh://git@h/r.git", "ssh", "git", None, "h")),
        ("ssh://git@h:2222/r.git", RepoUrl("ssh://git@h:2222/r.git", "ssh", "git", None, "h:2222")),
        ("git://h/r.git", RepoUrl("git://h/r.git", "git", host="h")),
        (
            "git@github.com:acme/m.git",
            RepoUrl("git@github.com:acme/m.git", "ssh", "git", None, "github.com"),
        ),
        ("host:repo.git", RepoUrl("host:repo.git", "ssh", None, None, "host")),
        ("[::1]:repo.git", RepoUrl("[::1]:repo.git", "ssh", None, None, "[::1]")),
        ("/srv/repo.git", RepoUrl("file:///srv/repo.git", "file")),
        ("file:///srv/repo.git", RepoUrl("file:///srv/repo.git", "file")),
        ("file://localhost/srv/r", RepoUrl("file:///srv/r", "file")),
    ],
)
def test_url_forms(raw: str, expected: RepoUrl) -> None:
    assert parse_repo_url(raw) == expected


def test_relative_directory_resolves_against_base(tmp_path: Path) -> None:
    (tmp_path / "repo.git").mkdir()
    assert parse_repo_url("repo.git", base=tmp_path) == RepoUrl(
        (tmp_path / "repo.git").resolve().as_uri(), "file"
    )
    assert parse_repo_url("./repo.git", base=tmp_path).url == (tmp_path / "repo.git").as_uri()


def test_relative_directory_defaults_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "r").mkdir()
    monkeypatch.chdir(tmp_path)
    assert parse_repo_url("r") == RepoUrl((tmp_path / "r").resolve().as_uri(), "file")


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ("", r"^no repository URL: pass --repo"),
        ("   ", r"^no repository URL"),
        ("https://h/a b", r"contains whitespace or control characters$"),
        ("https://h/a\x00b", r"contains whitespace or control characters$"),
        ("https://h/a\x1fb", r"contains whitespace or control characters$"),
        ("https://h/a\x7fb", r"contains whitespace or control characters$"),
        ("https://h/a\x85b", r"contains whitespace or control characters$"),
        ("https://h/a\u200bb", r"contains whitespace or control characters$"),
        ("https://h/a\u2028b", r"contains whitespace or control characters$"),
        ("-uhttps://h/r", r"must not start with '-'$"),
        ("ftp://h/r", r"scheme 'ftp' is not one of https, http, ssh, git, file$"),
        ("https://h", r"needs a host and a path$"),
        ("https://h/", r"needs a host and a path$"),
        ("https://h//", r"needs a host and a path$"),
        ("https://h/?x", r"needs a host and a path$"),
        ("https://h/?x?y", r"needs a host and a path$"),
        ("https:///r", r"needs a host and a path$"),
        ("https://h_x/r", r"needs a host and a path$"),
        ("https://-h/r", r"needs a host and a path$"),
        ("https://h:0/r", r"port must be a number from 1 to 65535$"),
        ("https://h:65536/r", r"port must be a number from 1 to 65535$"),
        ("https://h:8x/r", r"port must be a number from 1 to 65535$"),
        ("https://h:/r", r"port must be a number from 1 to 65535$"),
        ("https://[::1/r", r"unclosed or malformed \[IPv6\] host$"),
        ("https://[::1]x/r", r"unclosed or malformed \[IPv6\] host$"),
        ("https://[::1]]/r", r"unclosed or malformed \[IPv6\] host$"),
        ("https://[zz]/r", r"'zz' is not an IPv6 address$"),
        ("ssh://git:pw12@h/r", r"ssh:// URLs take no password; use an SSH key$"),
        ("git://u:pw12@h/r", r"git:// URLs take no password; use an SSH key$"),
        ("file://otherhost/r", r"expected file:///absolute/path$"),
        ("file://", r"expected file:///absolute/path$"),
        (
            "no-such-dir-xyz",
            r"^malformed repository URL 'no-such-dir-xyz': expected one of https://, http://, "
            r"ssh://, git://, file://, \[user@\]host:path, an absolute path or an existing "
            r"directory$",
        ),
        ("a/b:c", r"an absolute path or an existing directory$"),
    ],
)
def test_malformed_urls_are_input_errors(raw: str, match: str) -> None:
    with pytest.raises(GitInputError, match=match) as info:
        parse_repo_url(raw)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "raw",
    [
        "https://u:ab/cd@ef@h:99999/r",
        "https://u:ab/cd@ef@h_bad/r",
        "https://u:ab/cd@ef@h",
        "ssh://u:ab/cd@ef@h/r",
        "https://u:ab/cd@ef@[zz]/r",
    ],
)
def test_errors_never_show_the_password_or_part_of_it(raw: str) -> None:
    with pytest.raises(GitInputError, match=r"^malformed repository URL '[a-z]+://\*\*\*@") as info:
        parse_repo_url(raw)
    for part in ("ab/cd", "ab", "cd@ef", "ef@"):
        assert part not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("https://u:tok1@h/?tok1", "'https://***@h/?***': needs a host and a path"),
        ("https://u:tok1@h_x/tok1", "'https://***@h_x/***': needs a host and a path"),
        ("https://u:tok1@h:0/tok1", "'https://***@h:0/***': port must be a number from 1 to 65535"),
        ("https://u:tok1@[::1/tok1", "'https://***@[::1/***': unclosed or malformed [IPv6] host"),
        ("https://u:tok1@[zz]/tok1", "'https://***@[zz]/***': 'zz' is not an IPv6 address"),
        ("ssh://u:tok1@h/tok1", "'ssh://***@h/***': ssh:// URLs take no password; use an SSH key"),
        # percent-encoded in the URL, decoded elsewhere: both forms are hidden
        (
            "https://u:t%6Fk1@h:0/tok1",
            "'https://***@h:0/***': port must be a number from 1 to 65535",
        ),
        (
            "https://u:t%6Fk1@h:0/t%6Fk1",
            "'https://***@h:0/***': port must be a number from 1 to 65535",
        ),
    ],
)
def test_a_password_repeated_outside_the_user_info_is_hidden_there_too(
    raw: str, shown: str
) -> None:
    with pytest.raises(GitInputError) as info:
        parse_repo_url(raw)
    assert str(info.value) == f"malformed repository URL {shown}"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (RepoUrl("https://bob@h/r", "https", "bob", "tok1", "h"), "https://***@h/r"),
        (RepoUrl("https://h/r", "https", host="h"), "https://h/r"),
        (RepoUrl("https://h/r?sig=abc", "https", host="h"), "https://h/r?sig=***"),
    ],
)
def test_shown(url: RepoUrl, shown: str) -> None:
    assert url.shown == shown


@pytest.mark.parametrize(
    ("scheme", "http", "ssh"),
    [
        ("https", True, False),
        ("http", True, False),
        ("ssh", False, True),
        ("git", False, False),
        ("file", False, False),
    ],
)
def test_scheme_predicates(scheme: str, http: bool, ssh: bool) -> None:
    url = RepoUrl("x", scheme)
    assert (url.is_http, url.is_ssh) == (http, ssh)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("host:repo.git", True),
        ("git@host:a/b.git", True),
        ("[::1]:r", True),
        ("./host:repo.git", False),
        ("a/b:c", False),
        ("https://h/r", False),
        ("/abs:x", False),
        ("plain", False),
        ("u:p@host:r", True),  # git reads this as host "u"
    ],
)
def test_is_scp_like(text: str, expected: bool) -> None:
    assert is_scp_like(text) is expected
