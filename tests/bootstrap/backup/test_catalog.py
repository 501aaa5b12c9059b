"""The catalog over an in-memory fake store (``FakeStore``, a fake, not a target): "latest" by
the store's clock, foreign keys ignored, a manifest deleted mid-listing keeps its bundle visible."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bootstrap.backup import layout
from bootstrap.backup.catalog import BackupRecord, Catalog, load_catalog
from bootstrap.backup.errors import BackupInputError, SignatureRefused, StorageError
from bootstrap.backup.manifest import BundleInfo, Manifest, dump_json
from bootstrap.backup.retention import BackupState
from bootstrap.backup.signing import SignerKind
from bootstrap.backup.targets.base import ObjectInfo

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def _manifest(backup_id: str, owner: str) -> Manifest:
    """``backup_id``'s manifest with ``owner``'s bundle: full when they are one, else unchanged."""
    return Manifest(
        id=backup_id,
        kind="full" if owner == backup_id else "unchanged",
        repo_url="/repo",
        created_at=layout.id_time(backup_id),
        completed_at=layout.id_time(backup_id),
        tool_version="t",
        git_version="g",
        head=None,
        refs={"refs/heads/main": "0" * 40},
        bundle=BundleInfo(key=layout.bundle_key(owner), owner_id=owner, size=3, sha256="0" * 64),
    )


@dataclass
class FakeStore:
    objects: dict[str, tuple[bytes, datetime]] = field(default_factory=dict)
    vanish_on_get: set[str] = field(default_factory=set)

    description = "fake://store"

    def list_objects(self) -> list[ObjectInfo]:
        return [ObjectInfo(k, len(v), t) for k, (v, t) in sorted(self.objects.items())]

    def get_bytes(self, key: str) -> bytes:
        if key in self.vanish_on_get:
            del self.objects[key]
            raise StorageError(f"get failed for {key}: NoSuchKey")
        return self.objects[key][0]

    def size_of(self, key: str) -> int | None:
        return len(self.objects[key][0]) if key in self.objects else None

    def put(self, key: str, data: bytes, at: datetime) -> None:
        self.objects[key] = (data, at)

    def backup(self, backup_id: str, stored: datetime, owner: str | None = None) -> None:
        owner = owner or backup_id
        if owner == backup_id:
            self.put(layout.bundle_key(backup_id), b"abc", stored)
        self.put(layout.manifest_key(backup_id), dump_json(_manifest(backup_id, owner)), stored)

    def download_file(self, key: str, path: Path) -> None:  # pragma: no cover - unused
        raise NotImplementedError


def test_latest_is_not_an_id_from_the_future() -> None:
    store = FakeStore()
    forged = layout.new_backup_id(T0 + timedelta(days=365))
    honest = layout.new_backup_id(T0 + timedelta(hours=1))
    store.backup(forged, stored=T0)
    store.backup(honest, stored=T0 + timedelta(hours=1, seconds=5))
    catalog = load_catalog(store)  # type: ignore[arg-type]
    assert catalog.resolve("latest").id == honest
    assert [r.id for r in catalog.records] == [forged, honest]


def test_honest_concurrent_runs_rank_by_start_time() -> None:
    store = FakeStore()
    early = layout.new_backup_id(T0)
    late = layout.new_backup_id(T0 + timedelta(seconds=2))
    store.backup(late, stored=T0 + timedelta(seconds=3))
    store.backup(early, stored=T0 + timedelta(seconds=9))  # finished last, read refs first
    assert load_catalog(store).resolve("latest").id == late  # type: ignore[arg-type]


def test_foreign_keys_are_not_backups() -> None:
    store = FakeStore()
    good = layout.new_backup_id(T0)
    store.backup(good, stored=T0)
    store.put(f"backups/{good}\n/repo.bundle", b"x", T0)
    store.put(f"backups/{good}/repo.bundle\n", b"x", T0)
    store.put("backups/notanid/manifest.json", b"{", T0)
    catalog = load_catalog(store)  # type: ignore[arg-type]
    assert [r.id for r in catalog.records] == [good]


def test_manifest_deleted_mid_listing_keeps_the_bundle_visible() -> None:
    store = FakeStore()
    owner = layout.new_backup_id(T0)
    record = layout.new_backup_id(T0 + timedelta(hours=1))
    store.backup(owner, stored=T0)
    store.backup(record, stored=T0 + timedelta(hours=1), owner=owner)
    store.vanish_on_get.add(layout.manifest_key(owner))
    catalog = load_catalog(store)  # type: ignore[arg-type]
    kept = catalog.get(owner)
    assert kept is not None
    assert (kept.complete, kept.has_bundle) == (False, True)
    rec = catalog.get(record)
    assert rec is not None
    assert catalog.is_good(rec)
    assert not catalog.is_dangling(rec)


def test_dangling_record() -> None:
    store = FakeStore()
    owner = layout.new_backup_id(T0)
    record = layout.new_backup_id(T0 + timedelta(hours=1))
    store.backup(record, stored=T0 + timedelta(hours=1), owner=owner)
    catalog = load_catalog(store)  # type: ignore[arg-type]
    rec = catalog.get(record)
    assert rec is not None
    assert catalog.is_dangling(rec)
    assert [s.dangling for s in catalog.states()] == [True]
    with pytest.raises(BackupInputError, match=r"no complete, unquarantined backup"):
        catalog.resolve("latest")


class _Key:
    """An in-memory Ed25519 signer: the contract's offline implementation without a file."""

    kind: SignerKind = "ed25519-file"
    key_ref = "file:memory"
    algorithm = "Ed25519"
    can_sign = True

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import ed25519

        self._key = ed25519.Ed25519PrivateKey.generate()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self._key.public_key().verify(signature, message)
        except InvalidSignature:
            return False
        return True


def _sign(store: FakeStore, key: _Key, backup_id: str, at: datetime) -> None:
    from bootstrap.backup.signing import sign_manifest

    data = store.objects[layout.manifest_key(backup_id)][0]
    store.put(layout.signature_key(backup_id), sign_manifest(key, backup_id, data), at)


def test_signing_on_an_older_unsigned_backup_does_not_block_latest() -> None:
    store, key = FakeStore(), _Key()
    old = layout.new_backup_id(T0)
    new = layout.new_backup_id(T0 + timedelta(hours=1))
    store.backup(old, stored=T0)
    store.backup(new, stored=T0 + timedelta(hours=1))
    _sign(store, key, new, T0 + timedelta(hours=1))
    catalog = load_catalog(store, key)  # type: ignore[arg-type]
    assert catalog.resolve("latest").id == new
    record = catalog.get(old)
    assert record is not None
    assert (record.status, catalog.is_good(record)) == ("signature-refused", False)
    with pytest.raises(SignatureRefused, match=rf"backup {old} is unsigned"):
        catalog.resolve(old)
    unsigned = load_catalog(store)  # type: ignore[arg-type]
    assert unsigned.resolve(old).id == old  # signing off: sha256 only, as before


def test_signing_on_a_newer_unsigned_backup_blocks_latest() -> None:
    store, key = FakeStore(), _Key()
    old = layout.new_backup_id(T0)
    new = layout.new_backup_id(T0 + timedelta(hours=1))
    store.backup(old, stored=T0)
    _sign(store, key, old, T0)
    store.backup(new, stored=T0 + timedelta(hours=1))
    catalog = load_catalog(store, key)  # type: ignore[arg-type]
    newest = catalog.newest_good()
    assert newest is not None
    assert newest.id == old  # the run's base: never the unsigned one
    with pytest.raises(SignatureRefused, match=r"'latest' will not pass over it"):
        catalog.resolve("latest")
    assert catalog.resolve(old).id == old


def test_oversized_signature_file_is_refused_unread() -> None:
    store, key = FakeStore(), _Key()
    only = layout.new_backup_id(T0)
    store.backup(only, stored=T0)
    store.put(layout.signature_key(only), b"x" * (64 * 1024), T0)
    store.vanish_on_get.add(layout.signature_key(only))  # a read would show up as a vanish
    record = load_catalog(store, key).get(only)  # type: ignore[arg-type]
    assert record is not None
    assert (
        record.signature_problem == f"signature of backup {only} is not a signature file: refused"
    )
    assert layout.signature_key(only) in store.objects  # never read


def _record(
    backup_id: str,
    *,
    bundle: bool = True,
    manifest: bool = True,
    quarantined: bool = False,
    readable: bool = True,
    owner: str | None = None,
) -> BackupRecord:
    return BackupRecord(
        id=backup_id,
        started_at=layout.id_time(backup_id),
        last_modified=layout.id_time(backup_id),
        has_bundle=bundle,
        has_manifest=manifest,
        quarantined=quarantined,
        manifest=_manifest(backup_id, owner or backup_id) if manifest and readable else None,
    )


# Fixed hex tails: these ids name parametrized tests, and xdist needs the same names in every
# worker (new_backup_id's tail is random).
A, B, C = (
    layout.new_backup_id(T0 + timedelta(hours=h))[:-6] + tail
    for h, tail in ((1, "0000a1"), (2, "0000b2"), (3, "0000c3"))
)


@pytest.mark.parametrize(
    ("record", "status", "complete"),
    [
        (_record(A, manifest=False), "incomplete", False),
        (_record(A, manifest=False, quarantined=True), "incomplete", False),
        (_record(A, quarantined=True), "quarantined", True),
        (_record(A, readable=False, quarantined=True), "quarantined", True),
        (_record(A), "complete", True),
        (_record(A, readable=False), "unreadable", True),
    ],
)
def test_record_status(record: BackupRecord, status: str, complete: bool) -> None:
    assert (record.status, record.complete) == (status, complete)


@pytest.mark.parametrize(
    ("records", "good", "dangling"),
    [
        ((_record(A),), True, False),
        ((_record(A, manifest=False),), False, False),
        ((_record(A, readable=False),), False, False),
        ((_record(A, quarantined=True),), False, False),
        ((_record(A, bundle=False),), False, True),
        ((_record(A, owner=B),), False, True),  # its bundle's owner is not listed
        ((_record(A, owner=B), _record(B)), True, False),
        ((_record(A, owner=B), _record(B, bundle=False)), False, True),
        ((_record(A, owner=B), _record(B, quarantined=True)), False, False),
        ((_record(A, owner=B), _record(B, manifest=False)), True, False),  # bundle kept alone
        ((_record(A, owner=B, quarantined=True), _record(B)), False, False),
    ],
)
def test_good_and_dangling(records: tuple[BackupRecord, ...], good: bool, dangling: bool) -> None:
    catalog = Catalog(records)
    assert (catalog.is_good(records[0]), catalog.is_dangling(records[0])) == (good, dangling)


def test_newest_good_skips_newer_broken_ones_and_resolves() -> None:
    catalog = Catalog((_record(A), _record(B), _record(C, quarantined=True)))
    assert catalog.newest_good() == catalog.records[1]
    assert catalog.resolve("latest") == catalog.records[1]
    assert catalog.resolve(C) == catalog.records[2]  # an exact id may name a quarantined one
    assert catalog.resolve(A) == catalog.records[0]
    assert catalog.get(B) == catalog.records[1]
    assert catalog.get("nope") is None
    assert Catalog(()).newest_good() is None


@pytest.mark.parametrize(
    ("wanted", "match"),
    [
        (B, rf"^no complete backup with id {B} at this target$"),  # bundle only
        (C, rf"^no complete backup with id {C} at this target$"),  # not listed
        (A + "\n", r"is not a backup id"),
        ("../x", r"^'\.\./x' is not a backup id"),
    ],
)
def test_resolve_refuses(wanted: str, match: str) -> None:
    catalog = Catalog((_record(A), _record(B, manifest=False)))
    with pytest.raises(BackupInputError, match=match):
        catalog.resolve(wanted)


def test_latest_without_a_good_backup_is_refused() -> None:
    catalog = Catalog((_record(A, quarantined=True),))
    with pytest.raises(
        BackupInputError, match=r"^no complete, unquarantined backup exists at this target$"
    ):
        catalog.resolve("latest")


def test_referenced_owners_and_states() -> None:
    records = (_record(A), _record(B, owner=A), _record(C, manifest=False))
    catalog = Catalog(records)
    assert catalog.referenced_owners() == {A}
    assert catalog.states() == [
        BackupState(A, layout.id_time(A), layout.id_time(A), True, True, A, False),
        BackupState(B, layout.id_time(B), layout.id_time(B), True, True, A, False),
        BackupState(C, layout.id_time(C), layout.id_time(C), False, False, None, False),
    ]


def test_load_catalog_reads_every_object_of_a_backup() -> None:
    store = FakeStore()
    store.backup(A, stored=T0 + timedelta(hours=1, seconds=9))
    store.put(layout.quarantine_key(A), b"{}", T0 + timedelta(days=1))
    store.put(layout.bundle_key(B), b"abc", T0 + timedelta(hours=2, seconds=1))
    store.put(layout.bundle_key(C), b"abc", T0 + timedelta(hours=3, seconds=1))
    store.put(layout.quarantine_key(C), b"{}", T0 + timedelta(hours=3, seconds=5))
    store.put(layout.LAST_SUCCESS_KEY, b"{}", T0)
    catalog = load_catalog(store)  # type: ignore[arg-type]
    assert catalog.records == (
        BackupRecord(
            id=A,
            started_at=layout.id_time(A),
            last_modified=T0 + timedelta(hours=1, seconds=9),  # the manifest's, not the newest
            has_bundle=True,
            has_manifest=True,
            quarantined=True,
            manifest=_manifest(A, A),
        ),
        BackupRecord(
            B, layout.id_time(B), T0 + timedelta(hours=2, seconds=1), True, False, False, None
        ),
        BackupRecord(
            C, layout.id_time(C), T0 + timedelta(hours=3, seconds=5), True, False, True, None
        ),
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"{", f"manifest of {A} is unreadable (1 problems)"),
        (None, f"manifest stored under {A} claims id {B}"),
    ],
)
def test_an_unreadable_manifest_is_recorded_with_its_problem(
    data: bytes | None, problem: str
) -> None:
    store = FakeStore()
    store.put(layout.bundle_key(A), b"abc", T0)
    store.put(layout.manifest_key(A), data or dump_json(_manifest(B, B)), T0)
    record = load_catalog(store).get(A)  # type: ignore[arg-type]
    assert record is not None
    assert (record.status, record.manifest, record.complete) == ("unreadable", None, True)
    assert record.problem == problem


def test_a_manifest_that_is_listed_but_fails_to_read_is_an_error() -> None:
    @dataclass
    class Flaky(FakeStore):
        """The fake store, but reading the manifest fails while the object is still there."""

        def get_bytes(self, key: str) -> bytes:
            raise StorageError(f"get failed for {key}: throttled")

    store = Flaky()
    store.backup(A, stored=T0)
    with pytest.raises(
        StorageError, match=r"^get failed for backups/.*/manifest\.json: throttled$"
    ):
        load_catalog(store)  # type: ignore[arg-type]


def test_a_manifest_deleted_mid_listing_with_nothing_else_is_dropped() -> None:
    store = FakeStore()
    store.backup(A, stored=T0, owner=B)  # a record: manifest only
    store.backup(B, stored=T0 + timedelta(hours=3))
    store.vanish_on_get.add(layout.manifest_key(A))
    catalog = load_catalog(store)  # type: ignore[arg-type]
    assert [r.id for r in catalog.records] == [B]
