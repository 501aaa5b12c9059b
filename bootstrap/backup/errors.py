"""Backup errors: bad input exits 2, a failed operation exits 1 (mapped in ``bootstrap.cli``)."""

from __future__ import annotations

from stacks.errors import UnderlayError

__all__ = [
    "BackupFailed",
    "BackupInputError",
    "IntegrityError",
    "RepoError",
    "RestoreRefused",
    "SignatureRefused",
    "SigningError",
    "StorageError",
]


class BackupInputError(UnderlayError):
    """Malformed target URL, unknown scheme, bad or unknown backup id: fix the command line."""


class RestoreRefused(UnderlayError):
    """The restore destination holds data and ``--force`` was not given: nothing was changed."""


class SignatureRefused(UnderlayError):
    """Signing is on and a manifest is unsigned or its signature does not verify: the store's
    content is not trusted, so nothing is restored or verified from it (exit 2)."""


class BackupFailed(UnderlayError):
    """An operation failed at run time (storage, git, integrity); retrying may succeed."""

    exit_code = 1


class StorageError(BackupFailed):
    """The object store could not be reached or refused an operation."""


class RepoError(BackupFailed):
    """The git repository could not be read or written, or git itself failed."""


class IntegrityError(BackupFailed):
    """A stored backup does not match its manifest (checksum, bundle or refs)."""


class SigningError(BackupFailed):
    """The key service (KMS, Key Vault) could not be reached or refused to sign or verify."""
