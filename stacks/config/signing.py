"""``backup.signing``: the key outside the backup store that signs each backup's manifest.

Left out (the default), backups are unsigned and readers check sha256 only, which detects
corruption, not forgery (docs/backup.md, "Trust and tamper evidence"). The key references here are
names, not secrets: they reach the CronJobs as the ``--signing-key`` flag. The key patterns are
the one definition ``bootstrap.backup.signing`` checks ``--signing-key`` with.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from stacks.config.types import Frozen, Name

__all__ = [
    "AZURE_KEY_URL",
    "KMS_KEY",
    "AwsKmsSigning",
    "AzureKeyVaultSigning",
    "BackupSigning",
    "Ed25519Signing",
]

KMS_KEY = re.compile(
    r"(?P<arn>arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+)"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|mrk-[0-9a-f]{32}"
    r"|alias/[A-Za-z0-9/_-]+"
)
"""A KMS key id, multi-region key id, key or alias ARN, or ``alias/<name>``."""

AZURE_KEY_URL = re.compile(
    r"https://[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)"
    r"/keys/[A-Za-z0-9-]{1,127}(/[0-9a-f]{32})?"
)
"""A Key Vault key identifier, with or without its version."""


class AwsKmsSigning(Frozen):
    """An asymmetric KMS key, spec ``ECC_NIST_P256``, usage ``SIGN_VERIFY`` (``ECDSA_SHA_256``).
    The backup job's role needs ``kms:Sign`` and ``kms:Verify`` on it."""

    kind: Literal["aws-kms"]
    key: str = Field(pattern=KMS_KEY.pattern, description="Key id, key ARN or alias/<name>.")


class AzureKeyVaultSigning(Frozen):
    """A Key Vault EC key on curve P-256 (``ES256``). The job's workload identity needs the
    ``sign`` and ``verify`` key permissions (e.g. the "Key Vault Crypto User" role)."""

    kind: Literal["azure-key-vault"]
    key: str = Field(
        pattern=AZURE_KEY_URL.pattern,
        description="https://<vault>.vault.azure.net/keys/<name>[/<version>]",
    )


class Ed25519Signing(Frozen):
    """A local Ed25519 key for clusters without a cloud KMS: a Secret (created outside this
    repo) whose key ``ed25519.pem`` holds the PEM private key, mounted read-only as a file."""

    kind: Literal["ed25519-file"]
    secret: Name


BackupSigning = Annotated[
    AwsKmsSigning | AzureKeyVaultSigning | Ed25519Signing, Field(discriminator="kind")
]
