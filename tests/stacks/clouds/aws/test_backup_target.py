"""The backup role's signing permission: kms:Sign + kms:Verify on the configured key only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootstrap.cli import cli
from tests.support.envs import MINIMAL_DEV, write_envs
from tests.support.synth import load_stack

ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ENVS = {
    "dev": MINIMAL_DEV,
    "arn": f"extends: dev\nbackup:\n  signing:\n    kind: aws-kms\n    key: {ARN}\n",
    "keyid": f"extends: dev\nbackup:\n  signing:\n    kind: aws-kms\n    key: {KEY_ID}\n",
    "alias": "extends: dev\nbackup:\n  signing:\n    kind: aws-kms\n    key: alias/bk-sign\n",
    "local": "extends: dev\nbackup:\n  signing:\n    kind: ed25519-file\n    secret: bk\n",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signing")
    env_dir = write_envs(root, ENVS)
    cli.main(["synth", "--out", str(root / "out"), "--env-dir", str(env_dir)],
             standalone_mode=False)  # fmt: skip
    return root / "out"


def _signing(out: Path, env: str) -> list[dict[str, Any]]:
    stack = load_stack(out, f"{env}-cluster")
    document = stack["data"]["aws_iam_policy_document"]
    (access,) = [body for name, body in document.items() if name.endswith("access")]
    return [s for s in access["statement"] if s.get("sid") == "SignBackupManifests"]


@pytest.mark.parametrize("env", ["dev", "local"])
def test_no_signing_permission_without_a_kms_key(out: Path, env: str) -> None:
    assert _signing(out, env) == []


def test_key_arn_is_the_only_resource(out: Path) -> None:
    (statement,) = _signing(out, "arn")
    assert statement["actions"] == ["kms:Sign", "kms:Verify"]
    assert statement["resources"] == [ARN]
    assert "condition" not in statement


def test_key_id_becomes_an_arn_in_the_stack_region(out: Path) -> None:
    (statement,) = _signing(out, "keyid")
    (resource,) = statement["resources"]
    assert resource.startswith("arn:${data.aws_partition.")
    assert ":kms:eu-west-1:${data.aws_caller_identity." in resource
    assert resource.endswith(f":key/{KEY_ID}")


def test_alias_is_a_request_alias_condition(out: Path) -> None:
    (statement,) = _signing(out, "alias")
    assert statement["resources"][0].endswith(":key/*")
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "kms:RequestAlias", "values": ["alias/bk-sign"]}
    ]
