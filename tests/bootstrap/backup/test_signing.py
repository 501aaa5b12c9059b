"""The signer contract: sign/verify round trips and every way a signature file is refused.

Ed25519 runs offline with ``cryptography``; AWS KMS runs against the moto server (real boto3,
real wire protocol, moto's KMS); Azure Key Vault runs through the real azure-keyvault-keys
``CryptographyClient`` with a local key (``from_jwk``): no vault, no network, no credential chain
(Azurite has no Key Vault) -- the REST path to a real vault is untested here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from bootstrap.backup.errors import BackupInputError, SignatureRefused, SigningError
from bootstrap.backup.signing import (
    MAX_SIGNATURE_BYTES,
    AwsKmsSigner,
    AzureKeyVaultSigner,
    Ed25519FileSigner,
    Signer,
    check_signature,
    open_signer,
    sign_manifest,
    statement,
)
from tests.support.moto_server import FAKE_CREDENTIALS, MotoServer

ID = "20260601T000000.000Z-1a2b3c"
OTHER_ID = "20260602T000000.000Z-4d5e6f"
MANIFEST = b'{\n  "id": "20260601T000000.000Z-1a2b3c",\n  "bundle": {"sha256": "ab"}\n}\n'


def _pem_private(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_public(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def key_files(tmp_path: Path) -> tuple[Path, Path]:
    key = ed25519.Ed25519PrivateKey.generate()
    private, public = tmp_path / "signing.pem", tmp_path / "signing.pub.pem"
    private.write_bytes(_pem_private(key))
    public.write_bytes(_pem_public(key))
    return private, public


@pytest.fixture
def kms_key(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", moto.endpoint)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    key = moto.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")
    return str(key["KeyMetadata"]["Arn"])


def _azure_local_signer() -> tuple[AzureKeyVaultSigner, ec.EllipticCurvePublicKey]:
    from azure.keyvault.keys import JsonWebKey
    from azure.keyvault.keys.crypto import CryptographyClient

    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.private_numbers()
    jwk = JsonWebKey(
        kid="https://underlay-test.vault.azure.net/keys/backup-signing/" + "0" * 32,
        kty="EC",
        crv="P-256",
        key_ops=["sign", "verify"],
        x=numbers.public_numbers.x.to_bytes(32, "big"),
        y=numbers.public_numbers.y.to_bytes(32, "big"),
        d=numbers.private_value.to_bytes(32, "big"),
    )
    signer = AzureKeyVaultSigner(
        "https://underlay-test.vault.azure.net/keys/backup-signing",
        client=CryptographyClient.from_jwk(jwk),
    )
    return signer, private.public_key()


@pytest.fixture(params=["ed25519-file", "aws-kms", "azure-key-vault"])
def signer(request: pytest.FixtureRequest, key_files: tuple[Path, Path]) -> Signer:
    if request.param == "aws-kms":
        return AwsKmsSigner(request.getfixturevalue("kms_key"))
    if request.param == "azure-key-vault":
        return _azure_local_signer()[0]
    return Ed25519FileSigner(key_files[0])


def test_statement_binds_id_and_digest() -> None:
    text = statement(ID, "ab" * 32)
    assert text == (
        b"underlay backup manifest signature v1\n"
        b"id: 20260601T000000.000Z-1a2b3c\n"
        b"manifest-sha256: " + b"ab" * 32 + b"\n"
    )
    assert len(text) < 4096  # AWS KMS's limit for a RAW message


def test_round_trip(signer: Signer) -> None:
    sig = sign_manifest(signer, ID, MANIFEST)
    check_signature(signer, ID, MANIFEST, sig)
    record = json.loads(sig)
    assert record["manifest_sha256"] == hashlib.sha256(MANIFEST).hexdigest()
    assert (record["id"], record["signer"]) == (ID, signer.kind)


def test_tampered_manifest_is_refused(signer: Signer) -> None:
    sig = sign_manifest(signer, ID, MANIFEST)
    forged = MANIFEST.replace(b'"ab"', b'"cd"')
    with pytest.raises(SignatureRefused, match=r"for another manifest or id"):
        check_signature(signer, ID, forged, sig)


def test_digest_edited_in_the_signature_file_is_refused(signer: Signer) -> None:
    """The forger rewrites manifest_sha256 to match a forged manifest: the signature fails."""
    forged = MANIFEST.replace(b'"ab"', b'"cd"')
    record = json.loads(sign_manifest(signer, ID, MANIFEST))
    record["manifest_sha256"] = hashlib.sha256(forged).hexdigest()
    with pytest.raises(SignatureRefused, match=r"does not verify"):
        check_signature(signer, ID, forged, json.dumps(record).encode())


def test_replay_under_another_id_is_refused(signer: Signer) -> None:
    sig = sign_manifest(signer, ID, MANIFEST)
    with pytest.raises(SignatureRefused, match=r"another manifest or id"):
        check_signature(signer, OTHER_ID, MANIFEST, sig)
    record = json.loads(sig)
    record["id"] = OTHER_ID  # id rewritten too: the statement no longer matches the signature
    with pytest.raises(SignatureRefused, match=r"does not verify"):
        check_signature(signer, OTHER_ID, MANIFEST, json.dumps(record).encode())


def test_unsigned_is_refused(signer: Signer) -> None:
    with pytest.raises(SignatureRefused, match=rf"backup {ID} is unsigned"):
        check_signature(signer, ID, MANIFEST, None)


def test_signature_by_another_key_is_refused(tmp_path: Path, signer: Signer) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(_pem_private(ed25519.Ed25519PrivateKey.generate()))
    sig = sign_manifest(Ed25519FileSigner(other), ID, MANIFEST)
    with pytest.raises(SignatureRefused, match=r"does not verify"):
        check_signature(signer, ID, MANIFEST, sig)


SECRET = "TOPSECRET-do-not-echo"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        f'{{"note": "{SECRET}"}}'.encode(),
        b"\xff\xfe" + SECRET.encode(),
        b"[]",
        b"x" * (MAX_SIGNATURE_BYTES + 1),
    ],
    ids=["empty", "truncated", "wrong-shape", "binary", "list", "oversized"],
)
def test_garbage_signature_files_are_refused_without_echo(
    key_files: tuple[Path, Path], content: bytes
) -> None:
    verifier = Ed25519FileSigner(key_files[1])
    with pytest.raises(SignatureRefused) as refused:
        check_signature(verifier, ID, MANIFEST, content)
    assert SECRET not in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.update(signature="%%%not base64%%%"),
        lambda r: r.update(signature=""),
        lambda r: r.update(signature=base64.b64encode(b"\0" * 64).decode()),
        lambda r: r.update(extra=SECRET),
        lambda r: r.update(signer=SECRET),
    ],
    ids=["not-base64", "empty", "zeros", "extra-field", "unknown-signer"],
)
def test_mangled_signature_fields_are_refused(
    key_files: tuple[Path, Path], mutate: Callable[[dict[str, object]], None]
) -> None:
    signer = Ed25519FileSigner(key_files[0])
    record = json.loads(sign_manifest(signer, ID, MANIFEST))
    mutate(record)
    with pytest.raises(SignatureRefused) as refused:
        check_signature(signer, ID, MANIFEST, json.dumps(record).encode())
    assert SECRET not in str(refused.value)


def test_public_key_verifies_but_cannot_sign(key_files: tuple[Path, Path]) -> None:
    private, public = key_files
    sig = sign_manifest(Ed25519FileSigner(private), ID, MANIFEST)
    reader = Ed25519FileSigner(public)
    assert not reader.can_sign
    check_signature(reader, ID, MANIFEST, sig)
    with pytest.raises(BackupInputError, match=r"holds a public key"):
        sign_manifest(reader, ID, MANIFEST)


def test_key_file_that_is_not_ed25519_is_refused_without_echo(tmp_path: Path) -> None:
    rsa_like = tmp_path / "ec.pem"
    rsa_like.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    secret = tmp_path / "secret.txt"
    secret.write_text(f"password={SECRET}\n")
    for path in (rsa_like, secret):
        with pytest.raises(BackupInputError, match=r"not an unencrypted Ed25519") as refused:
            Ed25519FileSigner(path)
        assert SECRET not in str(refused.value)
    with pytest.raises(BackupInputError, match=r"cannot read it"):
        Ed25519FileSigner(tmp_path / "missing.pem")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", r"expected awskms:"),
        ("awskms:", r"expected awskms:"),
        ("gpg:ABCDEF", r"expected awskms:"),
        ("arn:aws:kms:eu-west-1:111122223333:key/x", r"expected awskms:"),
        ("awskms:not a key", r"expected a KMS key id"),
        ("awskms:arn:aws:s3:::bucket", r"expected a KMS key id"),
        ("azurekv:http://vault.vault.azure.net/keys/k", r"expected https://"),
        ("azurekv:https://evil.example.com/keys/k", r"expected https://"),
        ("azurekv:https://v.vault.azure.net/keys/k/../../secrets/s", r"expected https://"),
        ("file:/nonexistent/key.pem", r"cannot read it"),
    ],
)
def test_bad_specs_are_input_errors(spec: str, message: str) -> None:
    with pytest.raises(BackupInputError, match=message):
        open_signer(spec)


def test_good_specs_open_without_contacting_anything(key_files: tuple[Path, Path]) -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert open_signer(f"awskms:{arn}").kind == "aws-kms"
    assert open_signer("awskms:alias/underlay-backup").key_ref == "alias/underlay-backup"
    url = "https://underlay-prod.vault.azure.net/keys/backup-signing"
    assert open_signer(f"azurekv:{url}").kind == "azure-key-vault"
    assert open_signer(f"file:{key_files[1]}").kind == "ed25519-file"


def test_kms_signature_verifies_with_the_public_key(moto: MotoServer, kms_key: str) -> None:
    """What KMS signed is ECDSA-SHA256 over the statement itself (MessageType RAW): anyone with
    the public key (kms:GetPublicKey) can check it offline."""
    message = statement(ID, "ab" * 32)
    signature = AwsKmsSigner(kms_key).sign(message)
    der = moto.client("kms").get_public_key(KeyId=kms_key)["PublicKey"]
    public = serialization.load_der_public_key(der)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_kms_symmetric_key_is_one_line_signing_error(moto: MotoServer, kms_key: str) -> None:
    symmetric = moto.client("kms").create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(SigningError, match=r"^AWS KMS sign failed for arn:aws:kms:") as failed:
        AwsKmsSigner(symmetric).sign(b"x")
    assert "\n" not in str(failed.value)


def test_kms_unknown_key_is_signing_error(moto: MotoServer, kms_key: str) -> None:
    gone = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(SigningError, match=r"AWS KMS verify failed"):
        AwsKmsSigner(gone).verify(b"x", b"y")


def test_azure_signs_the_sha256_digest_with_es256() -> None:
    """Key Vault signs a digest: the signature is ECDSA P-256 over SHA-256(statement), in JWS
    form (r || s, 64 bytes), checked here with ``cryptography`` independently of the SDK."""
    signer, public = _azure_local_signer()
    message = statement(ID, "cd" * 32)
    raw = signer.sign(message)
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, message, ec.ECDSA(hashes.SHA256()))
    assert not signer.verify(message + b"x", raw)
