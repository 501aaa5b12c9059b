"""The one redactor: every URL form and every secret parameter, one row each."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from bootstrap.git.redact import SECRET_PARAMS, redact, redact_url

SECRET = "s3cr3t/T0k@n+=x"  # CodeCommit-style: unencoded "/", "@", "+", "="


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:tok123@host/x.git", "https://***@host/x.git"),
        ("https://tok123@host/x.git", "https://***@host/x.git"),
        ("http://user:tok123@host:8080/x", "http://***@host:8080/x"),
        ("ssh://git@host/x.git", "ssh://***@host/x.git"),
        ("HTTPS://u:p@HOST/x", "HTTPS://***@HOST/x"),
        ("git+https://u:p@host/x", "git+https://***@host/x"),
        ("https://user:pa/ss@host/x", "https://***@host/x"),
        ("https://user:pa@ss@host/x", "https://***@host/x"),
        ("https://user:a/b@c/d@host/x", "https://***@host/x"),
        ("https://user:p@[::1]:8443/x", "https://***@[::1]:8443/x"),
        (
            "fatal: unable to access 'https://u:pa/ss@h/x/': 403",
            "fatal: unable to access 'https://***@h/x/': 403",
        ),
        ("two https://a:b@h/x and http://c:d@g/y", "two https://***@h/x and http://***@g/y"),
        ("https://host/x.git", "https://host/x.git"),
        ("git@github.com:acme/repo.git", "git@github.com:acme/repo.git"),
        ("/srv/repo.git", "/srv/repo.git"),
        ("file:///srv/repo.git", "file:///srv/repo.git"),
        ("", ""),
        ("no url here @ all", "no url here @ all"),
    ],
)
def test_userinfo_of_every_url_form_is_hidden_whole(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact_url(text) == expected


@pytest.mark.parametrize("name", SECRET_PARAMS)
def test_each_secret_parameter_is_redacted(name: str) -> None:
    for spelled in (name, name.upper()):
        text = f"https://acct.example/c?a=1&{spelled}=VALUE123&b=2"
        assert redact(text) == f"https://acct.example/c?a=1&{spelled}=***&b=2"
        conn = f"Endpoint=x;{spelled}=VALUE123;Other=y"
        assert redact(conn) == f"Endpoint=x;{spelled}=***;Other=y"
        assert redact(f"{spelled}=VALUE123") == f"{spelled}=***"


@pytest.mark.parametrize(
    "name",
    [
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "token",
        "password",
        "sharedaccesssignature",
        "sig",
        "accountkey",
    ],
)
def test_the_issue_named_parameters_are_in_the_table(name: str) -> None:
    assert name in SECRET_PARAMS
    assert redact(f"?{name}=abc") == f"?{name}=***"


@pytest.mark.parametrize(
    "text",
    [
        "mytoken=keep",  # a longer word ending in a secret name is not that parameter
        "xsig=keep",
        "notpassword=keep",
        "token:keep",
        "token =keep",
    ],
)
def test_only_whole_parameter_names_are_redacted(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("value", "end"),
    [
        ("abc&next=1", "&next=1"),
        ("abc;next=1", ";next=1"),
        ("abc next", " next"),
        ("abc'", "'"),
        ('abc"', '"'),
        ("abc==;x", ";x"),  # base64 padding is part of the value
    ],
)
def test_parameter_value_ends_at_its_delimiter(value: str, end: str) -> None:
    assert redact(f"sig={value}") == f"sig=***{end}"


@pytest.mark.parametrize(
    "text",
    [
        f"password is {SECRET} here",
        "encoded " + quote(SECRET, safe=""),
        "path-encoded " + quote(SECRET),
    ],
)
def test_known_secrets_are_hidden_raw_and_encoded(text: str) -> None:
    out = redact(text, SECRET)
    assert "T0k" not in out
    assert "s3cr3t" not in out
    assert "***" in out


def test_known_secret_replacement_exact() -> None:
    assert redact("a tok1234 b tok1234", "tok1234") == "a *** b ***"
    assert redact("abcd", "abcd", "") == "***"
    # the longer secret first, so a secret containing another is hidden whole
    assert redact("xx-abcd-efgh", "abcd", "abcd-efgh") == "xx-***"
    # longer first by length, not by alphabet: "zz12" sorts after "ab-zz12-cd"
    assert redact("x ab-zz12-cd y", "zz12", "ab-zz12-cd") == "x *** y"
    assert redact("x ab-zz12-cd y", "ab-zz12-cd", "zz12") == "x *** y"


@pytest.mark.parametrize("short", ["", "a", "ab", "abc"])
def test_too_short_secrets_do_not_blank_words(short: str) -> None:
    assert redact("a abc b", short) == "a abc b"


def test_four_characters_is_long_enough() -> None:
    assert redact("a abcd b", "abcd") == "a *** b"


def test_a_backup_error_message_loses_its_password_and_account_key() -> None:
    text = "fatal: unable to access 'https://u:p4ss@h/r.git/': AccountKey=abc==;x"
    assert redact(text) == "fatal: unable to access 'https://***@h/r.git/': AccountKey=***;x"
