"""Signed manifests: tamper evidence with a key that lives outside the backup store.

The checksum in a manifest detects corruption, not forgery: whoever can write the store can
replace a bundle and its manifest with a consistent pair. With a signing key configured, ``backup
run`` stores ``backups/<id>/manifest.sig`` next to the manifest (before it: the manifest stays
the completeness marker), and every reader (``verify``, ``restore``, ``drill``, "latest", the
base of an unchanged run) accepts a manifest only when that signature verifies with the
configured key.

What is signed is a short statement, not the manifest object::

    underlay backup manifest signature v1
    id: <backup id>
    manifest-sha256: <sha256 of the manifest's stored bytes>

The manifest's stored bytes are the canonical form (``manifest.dump_json``); the reader hashes the
exact bytes it parses, so there is no re-serialisation gap. Through that digest the signature
covers everything in the manifest: id, repo, times, refs, bundle key, size and sha256. The
statement stays far below AWS KMS's 4096-byte limit for a RAW message whatever the repo's size.

Three signers implement one contract (:class:`Signer`), picked by ``--signing-key``:

* ``awskms:<key id | key ARN | alias/name>``: an AWS KMS asymmetric key (``ECC_NIST_P256``,
  ``ECDSA_SHA_256``) through boto3's default credential chain; ``kms:Sign`` for ``backup run``,
  ``kms:Verify`` for the readers. ``AWS_ENDPOINT_URL_KMS`` points it at an emulator.
* ``azurekv:https://<vault>.vault.azure.net/keys/<name>[/<version>]``: an Azure Key Vault EC
  P-256 key (``ES256``) through ``DefaultAzureCredential`` (``keys/sign``, ``keys/verify``).
* ``file:<path>``: a local Ed25519 key in PEM for users without a cloud KMS. A private key signs
  and verifies; a public key only verifies, so a restore host never needs the private key.

Everything read from the store is untrusted: the signature file is parsed strictly and bounded in
size; the algorithm and key it names are not believed (the configured key and its one algorithm
are used); no error echoes its content.
"""

# SDKs are imported lazily so CLI start stays fast

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bootstrap.backup.errors import BackupInputError, SignatureRefused, SigningError
from bootstrap.git.redact import redact
from stacks.config.signing import AZURE_KEY_URL, KMS_KEY

__all__ = [
    "MAX_SIGNATURE_BYTES",
    "AwsKmsSigner",
    "AzureKeyVaultSigner",
    "Ed25519FileSigner",
    "ManifestSignature",
    "Signer",
    "SignerKind",
    "check_signature",
    "open_signer",
    "sign_manifest",
    "statement",
]

SignerKind = Literal["aws-kms", "azure-key-vault", "ed25519-file"]
MAX_SIGNATURE_BYTES = 16 * 1024
"""A signature file is a few hundred bytes; anything bigger is not ours and is not read."""

_HEADER = b"underlay backup manifest signature v1\n"


class Signer(Protocol):
    """One key outside the store. ``sign`` and ``verify`` work on the statement bytes."""

    @property
    def kind(self) -> SignerKind: ...

    @property
    def key_ref(self) -> str:
        """The key as configured (an ARN, a key URL, a file path): safe to print."""
        ...

    @property
    def algorithm(self) -> str: ...

    @property
    def can_sign(self) -> bool: ...

    def sign(self, message: bytes) -> bytes:
        """The signature of ``message``; SigningError when the key service fails."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """False for a signature that does not verify; SigningError when the service fails."""
        ...


class ManifestSignature(BaseModel):
    """``backups/<id>/manifest.sig``. ``signer``, ``key`` and ``algorithm`` are informational:
    a reader verifies with its own configured key and algorithm, never with what this says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    id: str = Field(max_length=64)
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    signer: SignerKind
    key: str = Field(max_length=1024)
    algorithm: str = Field(max_length=64)
    signature: str = Field(max_length=4096, description="Base64 of the signature bytes.")


def statement(backup_id: str, manifest_sha256: str) -> bytes:
    """The bytes that are signed: binds the id the manifest is stored under to its digest."""
    return _HEADER + f"id: {backup_id}\nmanifest-sha256: {manifest_sha256}\n".encode()


def sign_manifest(signer: Signer, backup_id: str, manifest_bytes: bytes) -> bytes:
    """The signature file for a manifest about to be stored under ``backup_id``."""
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    raw = signer.sign(statement(backup_id, digest))
    record = ManifestSignature(
        id=backup_id,
        manifest_sha256=digest,
        signer=signer.kind,
        key=signer.key_ref,
        algorithm=signer.algorithm,
        signature=base64.b64encode(raw).decode(),
    )
    return (record.model_dump_json(indent=2) + "\n").encode()


def check_signature(
    verifier: Signer, backup_id: str, manifest_bytes: bytes, signature_file: bytes | None
) -> None:
    """Raise SignatureRefused unless ``signature_file`` is a valid signature, by the configured
    key, of exactly ``manifest_bytes`` stored under ``backup_id``. Messages name the id only."""
    if signature_file is None:
        raise SignatureRefused(
            f"backup {backup_id} is unsigned, and signing is on ({verifier.kind} "
            f"{verifier.key_ref}): refused"
        )
    if len(signature_file) > MAX_SIGNATURE_BYTES:
        raise SignatureRefused(f"signature of backup {backup_id} is not a signature file: refused")
    try:
        record = ManifestSignature.model_validate_json(signature_file)
        raw = base64.b64decode(record.signature, validate=True)
    except (ValidationError, binascii.Error, ValueError):
        raise SignatureRefused(f"signature of backup {backup_id} is unreadable: refused") from None
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if record.id != backup_id or record.manifest_sha256 != digest:
        raise SignatureRefused(
            f"signature of backup {backup_id} is for another manifest or id (replayed or "
            "edited): refused"
        )
    if not raw or not verifier.verify(statement(backup_id, digest), raw):
        raise SignatureRefused(
            f"signature of backup {backup_id} does not verify with {verifier.kind} "
            f"{verifier.key_ref}: refused"
        )


def open_signer(spec: str) -> Signer:
    """``awskms:KEY``, ``azurekv:URL`` or ``file:PATH`` (``--signing-key``); a bad spec is a
    one-line input error before any storage or key service is contacted."""
    scheme, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise BackupInputError(_SPEC_HELP.format(spec=spec))
    if scheme == "awskms":
        return AwsKmsSigner(rest)
    if scheme == "azurekv":
        return AzureKeyVaultSigner(rest)
    if scheme == "file":
        return Ed25519FileSigner(Path(rest))
    raise BackupInputError(_SPEC_HELP.format(spec=spec))


_SPEC_HELP = (
    "--signing-key {spec!r}: expected awskms:<key id, ARN or alias/name>, "
    "azurekv:https://<vault>.vault.azure.net/keys/<name>[/<version>] or file:<Ed25519 PEM path>"
)


# --- AWS KMS --------------------------------------------------------------------------------


class AwsKmsSigner:
    """``kms:Sign`` / ``kms:Verify`` with ``ECDSA_SHA_256`` on an ``ECC_NIST_P256`` key."""

    kind: SignerKind = "aws-kms"
    algorithm = "ECDSA_SHA_256"
    can_sign = True

    def __init__(self, key: str) -> None:
        match = KMS_KEY.fullmatch(key)
        if not match:
            raise BackupInputError(
                f"--signing-key awskms:{key!r}: expected a KMS key id, key ARN or alias/<name>"
            )
        self.key_ref = key
        self._region = match.group("region")
        self._client: Any = None

    def _kms(self) -> Any:
        if self._client is None:
            import boto3  # type: ignore[import-untyped]
            from botocore.config import Config  # type: ignore[import-untyped]

            config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)
            self._client = boto3.session.Session().client(
                "kms", region_name=self._region, config=config
            )
        return self._client

    def sign(self, message: bytes) -> bytes:
        with _kms_errors("sign", self.key_ref):
            response = self._kms().sign(
                KeyId=self.key_ref,
                Message=message,
                MessageType="RAW",
                SigningAlgorithm=self.algorithm,
            )
        return bytes(response["Signature"])

    def verify(self, message: bytes, signature: bytes) -> bool:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        with _kms_errors("verify", self.key_ref):
            try:
                response = self._kms().verify(
                    KeyId=self.key_ref,
                    Message=message,
                    MessageType="RAW",
                    Signature=signature,
                    SigningAlgorithm=self.algorithm,
                )
            except ClientError as exc:
                # AWS answers a bad signature with this error; moto with SignatureValid false
                if exc.response.get("Error", {}).get("Code") == "KMSInvalidSignatureException":
                    return False
                raise
        return bool(response.get("SignatureValid"))


@contextmanager
def _kms_errors(operation: str, key: str) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise SigningError(_one_line(f"AWS KMS {operation}", key, exc)) from None


def _one_line(what: str, key: str, exc: BaseException) -> str:
    text = redact(str(exc)).strip()
    detail = text.splitlines()[0] if text else type(exc).__name__
    return f"{what} failed for {key}: {detail}"


# --- Azure Key Vault ------------------------------------------------------------------------


class AzureKeyVaultSigner:
    """Key Vault ``sign``/``verify`` with ``ES256`` (an EC P-256 key) through
    azure-keyvault-keys' ``CryptographyClient``. Key Vault signs a digest: the SHA-256 of the
    statement. Untested against a real vault here (no Key Vault emulator exists)."""

    kind: SignerKind = "azure-key-vault"
    algorithm = "ES256"
    can_sign = True

    def __init__(self, key_url: str, *, client: Any = None) -> None:
        if client is None and not AZURE_KEY_URL.fullmatch(key_url):
            raise BackupInputError(
                f"--signing-key azurekv:{key_url!r}: expected "
                "https://<vault>.vault.azure.net/keys/<name>[/<version>]"
            )
        self.key_ref = key_url
        self._client = client

    def _crypto(self) -> Any:
        if self._client is None:
            from azure.identity import DefaultAzureCredential
            from azure.keyvault.keys.crypto import CryptographyClient

            # as for the Azure blob target: the credential chain's warnings stay off stderr; the
            # one-line SigningError says what failed
            logging.getLogger("azure").addHandler(logging.NullHandler())
            self._client = CryptographyClient(self.key_ref, DefaultAzureCredential())
        return self._client

    def sign(self, message: bytes) -> bytes:
        from azure.keyvault.keys.crypto import SignatureAlgorithm

        with _azure_errors("sign", self.key_ref):
            result = self._crypto().sign(SignatureAlgorithm.es256, _sha256(message))
        return bytes(result.signature)

    def verify(self, message: bytes, signature: bytes) -> bool:
        from azure.keyvault.keys.crypto import SignatureAlgorithm

        with _azure_errors("verify", self.key_ref):
            result = self._crypto().verify(SignatureAlgorithm.es256, _sha256(message), signature)
        return bool(result.is_valid)


@contextmanager
def _azure_errors(operation: str, key: str) -> Iterator[None]:
    from azure.core.exceptions import AzureError
    from azure.identity import CredentialUnavailableError

    try:
        yield
    # ValueError / NotImplementedError: the SDK's answers for a key that cannot do ES256
    except (AzureError, CredentialUnavailableError, ValueError, NotImplementedError) as exc:
        raise SigningError(_one_line(f"Azure Key Vault {operation}", key, exc)) from None


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- local Ed25519 key ----------------------------------------------------------------------


class Ed25519FileSigner:
    """An Ed25519 key in a PEM file (PKCS#8 private key or SubjectPublicKeyInfo public key).

    Make one with ``openssl genpkey -algorithm ed25519 -out backup-signing.pem`` and the public
    half with ``openssl pkey -in backup-signing.pem -pubout``. Keep the private key out of the
    store (a Kubernetes Secret for the job); readers need only the public key.
    """

    kind: SignerKind = "ed25519-file"
    algorithm = "Ed25519"

    def __init__(self, path: Path) -> None:
        self.path = path
        from cryptography.hazmat.primitives.asymmetric import ed25519
        from cryptography.hazmat.primitives.serialization import (
            load_pem_private_key,
            load_pem_public_key,
        )

        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise BackupInputError(
                f"--signing-key file:{self.path}: cannot read it ({exc.strerror})"
            ) from None
        self._private: ed25519.Ed25519PrivateKey | None = None
        loaded: object
        try:
            if b"PRIVATE KEY-----" in data:
                loaded = load_pem_private_key(data, password=None)
            else:
                loaded = load_pem_public_key(data)
        except (ValueError, TypeError):
            loaded = None
        if isinstance(loaded, ed25519.Ed25519PrivateKey):
            self._private = loaded
            self._public = loaded.public_key()
        elif isinstance(loaded, ed25519.Ed25519PublicKey):
            self._public = loaded
        else:  # never echo the file: it may hold some other secret
            raise BackupInputError(
                f"--signing-key file:{self.path}: not an unencrypted Ed25519 private or public "
                "key in PEM"
            )

    @property
    def key_ref(self) -> str:
        return f"file:{self.path}"

    @property
    def can_sign(self) -> bool:
        return self._private is not None

    def sign(self, message: bytes) -> bytes:
        if self._private is None:
            raise BackupInputError(
                f"--signing-key file:{self.path} holds a public key: signing needs the private key"
            )
        return self._private.sign(message)

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self._public.verify(signature, message)
        except InvalidSignature:
            return False
        return True
