"""Tamper evidence (issue 10): a forged bundle + manifest pair with a consistent sha256, and a
replayed signed manifest, against a real store.

Signing on: AWS KMS on the moto server (S3 on moto too), and a local Ed25519 key on Azurite.
Refused means: exit 2, one stderr line, no traceback, nothing of the forged objects' content
printed, the restore destination untouched. Signing off: the forged pair is accepted (exit 0,
the JSON line says ``"signature": "not checked (signing off)"``); that is the documented
position, and the reason to turn signing on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bootstrap.backup import layout
from bootstrap.backup.manifest import BundleInfo, Manifest, dump_json
from tests.e2e.backup.conftest import PREFIX, Target
from tests.e2e.backup.helpers import Result, underlay
from tests.support.git_repos import GitRepo, git
from tests.support.moto_server import MotoServer

Capsys = pytest.CaptureFixture[str]
MARKER = "FORGED-CONTENT-MARKER"


@dataclass(frozen=True)
class Signed:
    """A target and the ``--signing-key`` for it, and both as the CLI takes them."""

    target: Target
    key: str

    @property
    def sign(self) -> tuple[str, str]:
        return ("--signing-key", self.key)

    @property
    def src(self) -> tuple[str, ...]:
        """The target as the readers (verify, list, drill, restore) name it."""
        return ("--from", self.target.url, *self.target.cli_args)


def _new_private_key(pem: Path) -> Path:
    """A fresh Ed25519 private key written to ``pem`` (PKCS8), as ``file:`` signing reads it."""
    pem.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return pem


@pytest.fixture(params=["s3+awskms", "azblob+ed25519"])
def signed(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Signed:
    """AWS KMS with S3 on the moto server; a local Ed25519 key file with Azurite."""
    if request.param == "s3+awskms":
        target: Target = request.getfixturevalue("s3_target")
        moto: MotoServer = request.getfixturevalue("moto")
        monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", moto.endpoint)
        key = moto.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")
        return Signed(target, f"awskms:{key['KeyMetadata']['Arn']}")
    target = request.getfixturevalue("azblob_target")
    return Signed(target, f"file:{_new_private_key(tmp_path / 'signing.pem')}")


def _raw(key: str) -> str:
    return f"{PREFIX}/{key}"


def _forge(target: Target, tmp_path: Path, *, refs_from: GitRepo | None = None) -> str:
    """What a writer to the store can do without the key: a new repo's bundle and a manifest
    whose size and sha256 match it, stored as the newest backup."""
    evil = refs_from or GitRepo.populated(tmp_path / "evil")
    if refs_from is None:
        evil.commit("clusters/dev/backdoor.yaml", "kind: ClusterRoleBinding\n")
        evil.push("main")
    bundle = tmp_path / "forged.bundle"
    git("bundle", "create", "--quiet", str(bundle), "--all", cwd=evil.origin)
    data = bundle.read_bytes()
    forged_id = layout.new_backup_id(datetime.now(UTC))
    now = datetime.now(UTC)
    manifest = Manifest(
        id=forged_id,
        kind="full",
        repo_url=f"https://git.example.com/{MARKER}.git",
        created_at=now,
        completed_at=now,
        tool_version="underlay 0.1.0",
        git_version="git 2.47",
        head="refs/heads/main",
        refs=evil.refs(),
        bundle=BundleInfo(
            key=layout.bundle_key(forged_id),
            owner_id=forged_id,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        ),
    )
    target.put_raw(_raw(layout.bundle_key(forged_id)), data)
    target.put_raw(_raw(layout.manifest_key(forged_id)), dump_json(manifest))
    return forged_id


def _refused(result: Result, match: str) -> None:
    assert result.code == 2, (result.lines, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("underlay: error: "), lines
    assert match in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert MARKER not in result.stderr
    assert MARKER not in json.dumps(result.lines)


def _run(capsys: Capsys, target: Target, repo: GitRepo, *extra: str) -> Result:
    return underlay(capsys, "backup", "run", "--repo", repo.url, "--to", target.url,
                    *target.cli_args, *extra)  # fmt: skip


def _signed_backup(capsys: Capsys, signed: Signed, repo: GitRepo) -> Result:
    """A signed backup run of ``repo``; it must succeed."""
    result = _run(capsys, signed.target, repo, *signed.sign)
    assert result.code == 0, result.stderr
    return result


def test_forged_pair_refused_with_signing_accepted_without(
    signed: Signed, repo: GitRepo, tmp_path: Path, capsys: Capsys
) -> None:
    target, sign, src = signed.target, signed.sign, signed.src

    genuine = _signed_backup(capsys, signed, repo)
    good_id = genuine.summary["id"]
    assert genuine.summary["signing"].startswith(("aws-kms ", "ed25519-file "))
    assert _raw(layout.signature_key(good_id)) in target.raw_keys()

    forged_id = _forge(target, tmp_path)

    # signing on: every reader refuses the forged "latest" and the forged id
    _refused(underlay(capsys, "backup", "verify", *src, *sign), f"backup {forged_id} is unsigned")
    dest = tmp_path / "restored.git"
    _refused(underlay(capsys, "restore", *src, *sign, "--to", str(dest)), "is unsigned")
    assert not dest.exists()
    _refused(
        underlay(capsys, "restore", *src, *sign, "--id", forged_id, "--to", str(dest)),
        "is unsigned",
    )
    assert not dest.exists()
    drill = underlay(capsys, "backup", "drill", *src, *sign)
    _refused(drill, "is unsigned")
    last = json.loads(target.get_raw(_raw("last-drill.json")))
    assert (last["ok"], last["backup_id"]) == (False, None)
    listed = underlay(capsys, "backup", "list", *src, *sign)
    status = {line["id"]: (line["status"], line["good"]) for line in listed.lines}
    assert status == {good_id: ("complete", True), forged_id: ("signature-refused", False)}

    # the genuine backup, named by id, still verifies and restores
    ok = underlay(capsys, "backup", "verify", *src, *sign, "--id", good_id)
    assert ok.code == 0, ok.stderr
    assert ok.summary["signature"].startswith("verified (")
    restored = underlay(capsys, "restore", *src, *sign, "--id", good_id, "--to", str(dest))
    assert restored.code == 0, restored.stderr
    assert git("rev-parse", "refs/heads/main", cwd=dest).strip() == repo.refs()["refs/heads/main"]

    # a signature file the forger made with a key of their own: does not verify
    other = _new_private_key(tmp_path / "attacker.pem")
    from bootstrap.backup.signing import Ed25519FileSigner, sign_manifest

    manifest_bytes = target.get_raw(_raw(layout.manifest_key(forged_id)))
    target.put_raw(
        _raw(layout.signature_key(forged_id)),
        sign_manifest(Ed25519FileSigner(other), forged_id, manifest_bytes),
    )
    _refused(underlay(capsys, "backup", "verify", *src, *sign), "does not verify")

    # signing off: the consistent forged pair is accepted, and the line says it was not checked
    off = underlay(capsys, "backup", "verify", *src)
    assert off.code == 0, off.stderr
    assert (off.summary["id"], off.summary["signature"]) == (
        forged_id,
        "not checked (signing off)",
    )
    evil_dest = tmp_path / "evil-restored.git"
    taken = underlay(capsys, "restore", *src, "--to", str(evil_dest))
    assert taken.code == 0, taken.stderr
    files = git("ls-tree", "-r", "--name-only", "main", cwd=evil_dest)
    assert "clusters/dev/backdoor.yaml" in files


def test_replayed_signed_manifest_under_a_new_id_is_refused(
    signed: Signed, repo: GitRepo, capsys: Capsys
) -> None:
    target, sign, src = signed.target, signed.sign, signed.src
    old_id = _signed_backup(capsys, signed, repo).summary["id"]
    manifest = target.get_raw(_raw(layout.manifest_key(old_id)))
    signature = target.get_raw(_raw(layout.signature_key(old_id)))
    bundle = target.get_raw(_raw(layout.bundle_key(old_id)))

    # copied as is under a newer id
    replay = layout.new_backup_id(datetime.now(UTC))
    target.put_raw(_raw(layout.bundle_key(replay)), bundle)
    target.put_raw(_raw(layout.signature_key(replay)), signature)
    target.put_raw(_raw(layout.manifest_key(replay)), manifest)
    _refused(underlay(capsys, "backup", "verify", *src, *sign), f"backup {replay}")
    _refused(
        underlay(capsys, "restore", *src, *sign, "--id", replay, "--to", "/nonexistent/x"),
        "replayed or edited",
    )

    # with the id inside the manifest rewritten to match: the digest no longer matches
    edited = layout.new_backup_id(datetime.now(UTC))
    target.put_raw(_raw(layout.bundle_key(edited)), bundle)
    target.put_raw(_raw(layout.signature_key(edited)), signature)
    target.put_raw(
        _raw(layout.manifest_key(edited)),
        manifest.replace(old_id.encode(), edited.encode()),
    )
    _refused(
        underlay(capsys, "backup", "verify", *src, *sign, "--id", edited), "replayed or edited"
    )
    ok = underlay(capsys, "backup", "verify", *src, *sign, "--id", old_id)
    assert ok.code == 0, ok.stderr


def test_run_never_reuses_an_unsigned_base(
    signed: Signed, repo: GitRepo, tmp_path: Path, capsys: Capsys
) -> None:
    """An unsigned manifest with the repo's current refs, stored as the newest, must not become
    the base that an unchanged run copies and then signs: the run passes over it to the newest
    signed backup and names the refusal."""
    target = signed.target
    first = _signed_backup(capsys, signed, repo)
    forged_id = _forge(target, tmp_path, refs_from=repo)
    without = _run(capsys, target, repo)  # signing off: the forged one is the base it copies
    assert without.code == 0, without.stderr
    assert (without.summary["outcome"], without.summary["copied_from"]) == (
        "unchanged-recorded",
        forged_id,
    )
    second = _signed_backup(capsys, signed, repo)
    assert second.summary["outcome"] == "unchanged-recorded"
    assert second.summary["copied_from"] == first.summary["id"]
    assert second.summary["signature_refused"] == [forged_id, without.summary["id"]]


def test_public_key_cannot_run_and_bad_spec_fails_before_storage(
    repo: GitRepo, tmp_path: Path, capsys: Capsys
) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    public = tmp_path / "signing.pub.pem"
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    closed = ("--to", "s3://bucket/p", "--endpoint", "http://127.0.0.1:9")
    result = underlay(capsys, "backup", "run", "--repo", repo.url, *closed,
                      "--signing-key", f"file:{public}")  # fmt: skip
    assert result.code == 2
    assert "needs the private key" in result.stderr
    bad = underlay(capsys, "backup", "verify", "--from", "s3://bucket/p", "--signing-key", "kms:x")
    assert bad.code == 2
    assert "expected awskms:" in bad.stderr
