"""Every numeric backup option out of range is one line and exit 2, before any storage is
contacted; UNDERLAY_S3_ENDPOINT never reaches an azblob:// target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bootstrap.cli import main


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str


@pytest.fixture
def underlay(capsys: pytest.CaptureFixture[str]) -> Any:
    def invoke(args: list[str]) -> Outcome:
        with pytest.raises(SystemExit) as exited:
            main(args)
        out, err = capsys.readouterr()
        code = exited.value.code
        return Outcome(code if isinstance(code, int) else 1, out + err)

    return invoke


RUN = ["backup", "run", "--repo", "/nonexistent", "--to", "s3://bucket/p"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-age", "1e308"),
        ("--max-age", "inf"),
        ("--max-age", "-inf"),
        ("--max-age", "nan"),
        ("--max-age", "0"),
        ("--max-age", "-1"),
        ("--max-age", "36501"),
        ("--incomplete-grace-hours", "nan"),
        ("--incomplete-grace-hours", "inf"),
        ("--incomplete-grace-hours", "-0.5"),
        ("--incomplete-grace-hours", "1e300"),
        ("--keep-last", "0"),
        ("--keep-last", "-1"),
        ("--keep-last", "1000001"),
        ("--keep-last", "99999999999999999999999999"),
        ("--keep-last", "1.5"),
        ("--part-size-mib", "0"),
        ("--part-size-mib", "4001"),
        ("--part-size-mib", "-5"),
    ],
)
def test_numeric_options_out_of_range(underlay: Any, option: str, value: str) -> None:
    result = underlay([*RUN, option, value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("raw", ["-1", "21", "1e9", "\u00b2", "x", "999"])
def test_storage_retries_env_is_bounded(
    underlay: Any, raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNDERLAY_STORAGE_RETRIES", raw)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    result = underlay(["backup", "list", "--from", "s3://bucket/p"])
    assert result.exit_code == 2, result.output
    assert "UNDERLAY_STORAGE_RETRIES" in result.output
    assert "expected a whole number from 0 to 20" in result.output


def test_s3_endpoint_env_does_not_apply_to_azblob(
    underlay: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNDERLAY_S3_ENDPOINT", "http://127.0.0.1:9")
    # account deliberately different from the target's: the error we get is Azure's own check,
    # reached only because the S3 endpoint no longer stops azblob:// targets
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING", "AccountName=other;AccountKey=a2V5;BlobEndpoint=x"
    )
    result = underlay(["backup", "list", "--from", "azblob://acct/cont"])
    assert result.exit_code == 2, result.output
    assert "does not match the account in AZURE_STORAGE_CONNECTION_STRING" in result.output
    assert "--endpoint applies to s3:// only" not in result.output


def test_explicit_endpoint_still_refused_for_azblob(underlay: Any) -> None:
    result = underlay(["backup", "list", "--from", "azblob://acct/cont", "--endpoint", "http://x"])
    assert result.exit_code == 2, result.output
    assert "--endpoint applies to s3:// only" in result.output
