"""``backup.signing``: typed key references, checked at load with file:line and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config import load_environment
from stacks.config.signing import AwsKmsSigning, AzureKeyVaultSigning, Ed25519Signing
from tests.support.cli import one_line_error
from tests.support.envs import MINIMAL_DEV, write_envs

KMS_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VAULT_KEY = "https://underlay-prod.vault.azure.net/keys/backup-signing"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (f"kind: aws-kms\n    key: {KMS_ARN}", AwsKmsSigning(kind="aws-kms", key=KMS_ARN)),
        (
            "kind: aws-kms\n    key: alias/underlay",
            AwsKmsSigning(kind="aws-kms", key="alias/underlay"),
        ),
        (
            "kind: ed25519-file\n    secret: bk-sign",
            Ed25519Signing(kind="ed25519-file", secret="bk-sign"),
        ),
    ],
)
def test_signing_loads(tmp_path: Path, block: str, expected: object) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + f"backup:\n  signing:\n    {block}\n"})
    assert load_environment("dev", env_dir).env.backup.signing == expected


def test_default_is_unsigned(tmp_path: Path) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV})
    assert load_environment("dev", env_dir).env.backup.signing is None


def test_azure_key_model() -> None:
    assert AzureKeyVaultSigning(kind="azure-key-vault", key=VAULT_KEY).key == VAULT_KEY


@pytest.mark.parametrize(
    ("block", "where", "message"),
    [
        ("kind: aws-kms\n    key: 'arn:aws:s3:::bucket'", "backup.signing.key", "pattern"),
        (
            "kind: aws-kms\n    key: '${file(\"/etc/passwd\")}'",
            "backup.signing.key",
            "Terraform would evaluate",
        ),
        ("kind: gpg\n    key: x", "backup.signing", "kind"),
        ("kind: ed25519-file\n    secret: Not_A_Name", "backup.signing.secret", ""),
        (
            "kind: ed25519-file\n    secret: s\n    private_key: xyz",
            "backup.signing",
            "private_key",
        ),
        (
            f"kind: azure-key-vault\n    key: {VAULT_KEY}",
            "backup.signing.kind",
            "needs cloud.kind azure",
        ),
    ],
)
def test_bad_signing_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: str, where: str, message: str
) -> None:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + f"backup:\n  signing:\n    {block}\n"})
    err = one_line_error(capsys, "config", "show", "dev", "--env-dir", str(env_dir))
    assert f"{env_dir / 'dev.yaml'}:" in err
    assert where in err
    assert message in err
