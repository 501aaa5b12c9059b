"""The ownership record is read from an untrusted repo: forged entries never steer a write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bootstrap.gitops.errors import GitOpsError
from bootstrap.gitops.layout import Manifest
from bootstrap.gitops.ownership import (
    RECORD_PATH,
    Changes,
    OwnedFile,
    OwnershipRecord,
    apply_layout,
    digest,
    load_record,
    refresh_record,
    save_record,
)

SHA = "0" * 64


def manifests(env: str, folder: str | None = None, text: str = "x: 1\n") -> list[Manifest]:
    folder = folder or f"clusters/{env}"
    return [
        Manifest(path=f"{folder}/a.yaml", content=text, mode="managed"),
        Manifest(path=f"apps/{env}/kustomization.yaml", content="k: 1\n", mode="seed"),
        Manifest(path="README.md", content="# ours\n", mode="seed"),
    ]


@contextmanager
def refused(conflicts: str) -> Iterator[None]:
    """The block raises apply_layout's one refusal, naming exactly ``conflicts`` in this order."""
    with pytest.raises(GitOpsError) as info:
        yield
    assert str(info.value) == (
        f"refusing to overwrite: {conflicts} (move or delete them, then re-run)"
    )


def write_record(root: Path, files: dict[str, dict[str, object]]) -> None:
    (root / ".underlay").mkdir(exist_ok=True)
    (root / RECORD_PATH).write_text(json.dumps({"version": 1, "files": files}))


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the clone that a forged record would like deleted."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    clone.mkdir()
    return clone


@pytest.mark.parametrize(
    "forged",
    [
        "../victim.txt",
        "clusters/../../victim.txt",
        "/tmp/victim.txt",
        ".git/config",
        "clusters//dev/a.yaml",
        "./clusters/dev/a.yaml",
        "clusters\\dev\\a.yaml",
        "clusters/dev/" + "a" * 300,  # the OS would raise ENAMETOOLONG on it
        "clusters/" * 200 + "a.yaml",
    ],
)
def test_forged_record_paths_are_refused_before_any_write(
    root: Path, victim: Path, forged: str
) -> None:
    sha = digest(victim.read_bytes())
    write_record(root, {forged: {"sha256": sha, "mode": "managed", "env": "dev"}})
    with pytest.raises(GitOpsError, match="lists an unsafe path; fix or remove the record"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"
    assert not (root / "clusters").exists()


def test_record_entry_through_a_symlink_is_not_deleted(root: Path, victim: Path) -> None:
    (root / "clusters").symlink_to(victim.parent)
    write_record(
        root,
        {
            "clusters/victim.txt": {
                "sha256": digest(victim.read_bytes()),
                "mode": "managed",
                "env": "dev",
            }
        },
    )
    with pytest.raises(GitOpsError, match="clusters is a symlink"):
        apply_layout(root, manifests("dev", folder="other/dev"), "dev")
    assert victim.read_text() == "precious\n"


def test_stale_entry_that_is_now_a_symlink_is_a_conflict(root: Path, victim: Path) -> None:
    (root / "clusters" / "dev").mkdir(parents=True)
    (root / "clusters" / "dev" / "old.yaml").symlink_to(victim)
    write_record(
        root,
        {
            "clusters/dev/old.yaml": {
                "sha256": digest(victim.read_bytes()),
                "mode": "managed",
                "env": "dev",
            }
        },
    )
    with pytest.raises(GitOpsError, match=r"old\.yaml is no longer generated but is not a regular"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"
    assert (root / "clusters" / "dev" / "old.yaml").is_symlink()


def test_bootstrap_does_not_write_through_a_symlinked_folder(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "clusters").symlink_to(outside)
    with pytest.raises(GitOpsError, match="clusters is a symlink"):
        apply_layout(root, manifests("dev"), "dev")
    assert list(outside.iterdir()) == []


def test_bootstrap_does_not_write_through_a_symlinked_file(root: Path, victim: Path) -> None:
    (root / "clusters" / "dev").mkdir(parents=True)
    (root / "clusters" / "dev" / "a.yaml").symlink_to(victim)
    with pytest.raises(GitOpsError, match=r"a\.yaml is not a regular file"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("symlink", "refusing to read .underlay/owned.json: a symlink"),
        ("dirlink", ".underlay is a symlink"),
        ("json", r"corrupt \(JSONDecodeError\)"),
        ("schema", r"corrupt \(ValidationError\)"),
        ("huge", "larger than"),
    ],
)
def test_record_errors_never_echo_content(
    root: Path, tmp_path: Path, setup: str, message: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "TOP-SECRET-VALUE"')
    if setup == "symlink":
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).symlink_to(secret)
    elif setup == "dirlink":
        (tmp_path / "d").mkdir()
        (tmp_path / "d" / "owned.json").write_text('{"TOP-SECRET-VALUE": 1}')
        (root / ".underlay").symlink_to(tmp_path / "d")
    elif setup == "json":
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).write_text('{"TOP-SECRET-VALUE"')
    elif setup == "schema":
        write_record(root, {"x.yaml": {"sha256": "TOP-SECRET-VALUE", "mode": "managed"}})
    else:
        (root / ".underlay").mkdir()
        (root / RECORD_PATH).write_text('{"TOP-SECRET-VALUE": "' + "x" * (2 << 20) + '"}')
    with pytest.raises(GitOpsError, match=message) as info:
        load_record(root)
    assert "TOP-SECRET" not in str(info.value)


def test_record_is_not_written_through_a_symlinked_record(root: Path, victim: Path) -> None:
    (root / ".underlay").mkdir()
    (root / RECORD_PATH).symlink_to(victim)
    with pytest.raises(GitOpsError, match="symlink"):
        apply_layout(root, manifests("dev"), "dev")
    assert victim.read_text() == "precious\n"


def test_a_file_another_env_owns_is_never_written(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    before = (root / "clusters/dev/a.yaml").read_text()
    with pytest.raises(GitOpsError, match="belongs to environment 'dev'"):
        apply_layout(root, manifests("prod", folder="clusters/dev", text="y: 2\n"), "prod")
    assert (root / "clusters/dev/a.yaml").read_text() == before
    assert set(load_record(root).files) == {
        "clusters/dev/a.yaml",
        "apps/dev/kustomization.yaml",
        "README.md",
    }


@pytest.mark.parametrize("folder", ["clusters/dev/sub", "clusters"])
def test_an_env_folder_nested_in_or_around_another_envs_is_refused(root: Path, folder: str) -> None:
    apply_layout(root, manifests("dev"), "dev")
    with pytest.raises(GitOpsError, match=r"overlaps clusters/dev/ of environment 'dev'"):
        apply_layout(root, manifests("prod", folder=folder), "prod")
    assert not (root / folder / "a.yaml").exists() or folder == "clusters"
    assert not (root / "apps" / "prod").exists()


def test_sibling_env_folders_and_shared_seeds_are_fine(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    changes = apply_layout(root, manifests("prod"), "prod")
    assert changes.added == ["clusters/prod/a.yaml", "apps/prod/kustomization.yaml"]
    assert changes.kept == ["README.md"]
    record = load_record(root).files
    assert record["README.md"].env is None
    assert record["clusters/prod/a.yaml"].env == "prod"
    assert record["apps/prod/kustomization.yaml"].env == "prod"


def test_an_edited_seed_is_left_alone(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "README.md").write_text("# mine now\n")
    changes = apply_layout(root, manifests("dev"), "dev")
    assert not changes.any
    assert "README.md" in changes.kept
    assert (root / "README.md").read_text() == "# mine now\n"


def test_a_seed_the_user_deleted_stays_deleted(root: Path) -> None:
    """Seeds are the user's once written: deleting one (the example app) is their call."""
    apply_layout(root, manifests("dev"), "dev")
    (root / "README.md").unlink()
    changes = apply_layout(root, manifests("dev"), "dev")
    assert not changes.any
    assert not (root / "README.md").exists()
    assert "README.md" in load_record(root).files  # remembered as written once


def test_a_seed_is_added_only_with_the_seed_that_lists_it(root: Path) -> None:
    lists = Manifest(path="apps/base/kustomization.yaml", content="r: [x]\n", mode="seed")
    listed = Manifest(path="apps/base/x.yaml", content="x\n", mode="seed", referenced_by=lists.path)
    fresh = root / "fresh"
    fresh.mkdir()
    assert apply_layout(fresh, [listed, lists], "dev").added == [listed.path, lists.path]
    (root / "apps/base").mkdir(parents=True)
    (root / lists.path).write_text("r: [theirs]\n")
    changes = apply_layout(root, [listed, lists], "dev")
    assert not changes.any
    assert not (root / listed.path).exists()
    assert listed.path not in load_record(root).files


def test_a_deleted_managed_file_is_written_again(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "clusters/dev/a.yaml").unlink()
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes.added == ["clusters/dev/a.yaml"]


def test_refresh_record_follows_the_tree_and_ignores_seeds(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "clusters/dev/a.yaml").write_text("x: 9\n")
    (root / "apps/dev/kustomization.yaml").write_text("k: 9\n")
    refresh_record(root, ["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "nope.yaml"])
    files = load_record(root).files
    assert files["clusters/dev/a.yaml"].sha256 == digest(b"x: 9\n")
    assert files["apps/dev/kustomization.yaml"].sha256 == digest(b"k: 1\n")
    (root / "clusters/dev/a.yaml").unlink()
    refresh_record(root, ["clusters/dev/a.yaml"])
    assert "clusters/dev/a.yaml" not in load_record(root).files
    mtime = (root / RECORD_PATH).stat().st_mtime_ns
    refresh_record(root, ["README.md"])
    assert (root / RECORD_PATH).stat().st_mtime_ns == mtime


def test_changes_summary_and_body() -> None:
    changes = Changes(added=["a"], updated=["b", "c"], removed=["d"])
    assert changes.any
    assert changes.summary() == "add 1 file, update 2 files, remove 1 file"
    assert changes.body() == "A a\nM b\nM c\nD d"
    assert not Changes(kept=["x"]).any
    assert Changes().summary() == "no change"


def record_of(root: Path) -> dict[str, OwnedFile]:
    return dict(load_record(root).files)


def dev_record(text: str = "x: 1\n") -> dict[str, OwnedFile]:
    return {
        "clusters/dev/a.yaml": OwnedFile(sha256=digest(text.encode()), mode="managed", env="dev"),
        "apps/dev/kustomization.yaml": OwnedFile(sha256=digest(b"k: 1\n"), mode="seed", env="dev"),
        "README.md": OwnedFile(sha256=digest(b"# ours\n"), mode="seed", env=None),
    }


def test_first_bootstrap_adds_every_file_and_records_it(root: Path) -> None:
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes == Changes(
        added=["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "README.md"]
    )
    assert (root / "clusters/dev/a.yaml").read_text() == "x: 1\n"
    assert (root / "apps/dev/kustomization.yaml").read_text() == "k: 1\n"
    assert (root / "README.md").read_text() == "# ours\n"
    assert record_of(root) == dev_record()


def test_the_record_file_is_byte_for_byte_deterministic(root: Path) -> None:
    apply_layout(root, list(reversed(manifests("dev"))), "dev")
    entry = '    "{}": {{\n      "env": {},\n      "mode": "{}",\n      "sha256": "{}"\n    }}'
    expected = (
        '{\n  "files": {\n'
        + ",\n".join(
            entry.format(path, "null" if env is None else f'"{env}"', mode, digest(text))
            for path, env, mode, text in (
                ("README.md", None, "seed", b"# ours\n"),
                ("apps/dev/kustomization.yaml", "dev", "seed", b"k: 1\n"),
                ("clusters/dev/a.yaml", "dev", "managed", b"x: 1\n"),
            )
        )
        + '\n  },\n  "version": 1\n}\n'
    )
    assert (root / RECORD_PATH).read_text() == expected
    save_record(root, load_record(root))
    assert (root / RECORD_PATH).read_text() == expected


def test_a_second_identical_bootstrap_changes_nothing(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    mtime = (root / RECORD_PATH).stat().st_mtime_ns
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes == Changes(
        kept=["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "README.md"]
    )
    assert not changes.any
    assert (root / RECORD_PATH).stat().st_mtime_ns == mtime
    assert record_of(root) == dev_record()


def test_a_managed_file_as_underlay_wrote_it_is_updated(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    changes = apply_layout(root, manifests("dev", text="x: 2\n"), "dev")
    assert changes == Changes(
        updated=["clusters/dev/a.yaml"], kept=["apps/dev/kustomization.yaml", "README.md"]
    )
    assert (root / "clusters/dev/a.yaml").read_text() == "x: 2\n"
    assert record_of(root) == dev_record("x: 2\n")


def test_identical_unrecorded_files_are_adopted(root: Path) -> None:
    for manifest in manifests("dev"):
        (root / manifest.path).parent.mkdir(parents=True, exist_ok=True)
        (root / manifest.path).write_text(manifest.content)
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes == Changes(
        kept=["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "README.md"]
    )
    assert record_of(root) == dev_record()


def test_a_seed_the_user_edited_is_kept_and_not_recorded_as_ours(root: Path) -> None:
    (root / "README.md").write_text("# theirs\n")
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes == Changes(
        added=["clusters/dev/a.yaml", "apps/dev/kustomization.yaml"], kept=["README.md"]
    )
    assert (root / "README.md").read_text() == "# theirs\n"
    assert "README.md" not in record_of(root)
    apply_layout(root, manifests("dev"), "dev")  # and stays so on the next run
    assert (root / "README.md").read_text() == "# theirs\n"
    assert "README.md" not in record_of(root)


def test_a_recorded_seed_edited_later_is_kept_with_its_old_digest(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "apps/dev/kustomization.yaml").write_text("k: mine\n")
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes.kept == ["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "README.md"]
    assert (root / "apps/dev/kustomization.yaml").read_text() == "k: mine\n"
    assert record_of(root) == dev_record()


@pytest.mark.parametrize(
    ("recorded", "reason"),
    [
        (False, "exists but underlay did not create it"),
        (True, "was changed outside underlay since it wrote it"),
    ],
)
def test_a_changed_managed_file_is_a_conflict_and_nothing_is_written(
    root: Path, recorded: bool, reason: str
) -> None:
    if recorded:
        apply_layout(root, manifests("dev")[:1], "dev")
    (root / "clusters/dev").mkdir(parents=True, exist_ok=True)
    (root / "clusters/dev/a.yaml").write_text("edited: by hand\n")
    record_before = (root / RECORD_PATH).read_bytes() if recorded else None
    with refused(f"clusters/dev/a.yaml {reason}"):
        apply_layout(root, manifests("dev", text="x: 2\n"), "dev")
    assert (root / "clusters/dev/a.yaml").read_text() == "edited: by hand\n"
    assert not (root / "apps").exists()
    assert not (root / "README.md").exists()
    if record_before is None:
        assert not (root / RECORD_PATH).exists()
    else:
        assert (root / RECORD_PATH).read_bytes() == record_before


def test_every_conflict_is_named_in_one_error(root: Path) -> None:
    (root / "clusters/dev").mkdir(parents=True)
    (root / "clusters/dev/a.yaml").write_text("mine\n")
    (root / "clusters/dev/b.yaml").mkdir()
    layout = [
        *manifests("dev"),
        Manifest(path="clusters/dev/b.yaml", content="b\n", mode="managed"),
    ]
    with refused(
        "clusters/dev/a.yaml exists but underlay did not create it; "
        "clusters/dev/b.yaml is not a regular file"
    ):
        apply_layout(root, layout, "dev")


def test_a_managed_file_the_layout_dropped_is_removed(root: Path) -> None:
    extra = Manifest(path="clusters/dev/old.yaml", content="o\n", mode="managed")
    apply_layout(root, [*manifests("dev"), extra], "dev")
    changes = apply_layout(root, manifests("dev"), "dev")
    assert changes == Changes(
        removed=["clusters/dev/old.yaml"],
        kept=["clusters/dev/a.yaml", "apps/dev/kustomization.yaml", "README.md"],
    )
    assert changes.summary() == "remove 1 file"
    assert not (root / "clusters/dev/old.yaml").exists()
    assert record_of(root) == dev_record()


def test_a_dropped_file_already_gone_leaves_the_record_only(root: Path) -> None:
    extra = Manifest(path="clusters/dev/old.yaml", content="o\n", mode="managed")
    apply_layout(root, [*manifests("dev"), extra], "dev")
    (root / "clusters/dev/old.yaml").unlink()
    changes = apply_layout(root, manifests("dev"), "dev")
    assert (changes.removed, changes.any) == ([], False)
    assert record_of(root) == dev_record()


def test_a_dropped_file_changed_by_hand_is_a_conflict(root: Path) -> None:
    extra = Manifest(path="clusters/dev/old.yaml", content="o\n", mode="managed")
    apply_layout(root, [*manifests("dev"), extra], "dev")
    (root / "clusters/dev/old.yaml").write_text("hand\n")
    before = (root / RECORD_PATH).read_bytes()
    with refused("clusters/dev/old.yaml is no longer generated but was changed outside underlay"):
        apply_layout(root, manifests("dev", text="x: 2\n"), "dev")
    assert (root / "clusters/dev/old.yaml").read_text() == "hand\n"
    assert (root / "clusters/dev/a.yaml").read_text() == "x: 1\n"
    assert (root / RECORD_PATH).read_bytes() == before


def test_dropped_seeds_and_other_envs_files_are_not_removed(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    apply_layout(root, manifests("prod"), "prod")
    changes = apply_layout(root, manifests("dev")[:1], "dev")
    assert changes == Changes(kept=["clusters/dev/a.yaml"])
    assert (root / "apps/dev/kustomization.yaml").exists()
    assert (root / "clusters/prod/a.yaml").exists()
    assert set(record_of(root)) == {
        "clusters/dev/a.yaml",
        "apps/dev/kustomization.yaml",
        "README.md",
        "clusters/prod/a.yaml",
        "apps/prod/kustomization.yaml",
    }


@pytest.mark.parametrize(
    ("other", "conflicts"),
    [
        ({"mode": "managed", "env": "dev"}, True),
        ({"mode": "seed", "env": "dev"}, False),  # seeds are no env's folder
        ({"mode": "managed", "env": None}, False),  # shared: nobody's folder
        ({"mode": "managed", "env": "prod"}, False),  # our own
    ],
)
def test_only_another_envs_managed_folder_blocks(
    root: Path, other: dict[str, object], conflicts: bool
) -> None:
    write_record(root, {"clusters/x.yaml": {"sha256": SHA, **other}})
    layout = [Manifest(path="clusters/prod/a.yaml", content="a\n", mode="managed")]
    if conflicts:
        with refused("clusters/prod/ overlaps clusters/ of environment 'dev'"):
            apply_layout(root, layout, "prod")
    else:
        assert apply_layout(root, layout, "prod").added == ["clusters/prod/a.yaml"]


def test_top_level_files_have_no_folder_to_overlap(root: Path) -> None:
    write_record(root, {"top.yaml": {"sha256": SHA, "mode": "managed", "env": "dev"}})
    layout = [Manifest(path="other.yaml", content="a\n", mode="managed")]
    assert apply_layout(root, layout, "prod").added == ["other.yaml"]


def test_load_record_without_a_record_is_empty(root: Path) -> None:
    assert load_record(root) == OwnershipRecord()
    assert load_record(root) == OwnershipRecord(version=1, files={})


def test_a_lenient_reader_keeps_unsafe_entries(root: Path) -> None:
    write_record(root, {"../x": {"sha256": SHA, "mode": "managed", "env": "dev"}})
    assert load_record(root, strict=False).files == {
        "../x": OwnedFile(sha256=SHA, mode="managed", env="dev")
    }
    with pytest.raises(GitOpsError, match=r"^\.underlay/owned\.json in the repo lists an unsafe"):
        load_record(root)


def test_a_record_that_is_a_folder_is_refused_in_one_line(root: Path) -> None:
    (root / RECORD_PATH).mkdir(parents=True)
    with pytest.raises(
        GitOpsError, match=r"^refusing to read \.underlay/owned\.json: not a regular file$"
    ):
        load_record(root)


def test_a_record_not_in_utf8_is_corrupt(root: Path) -> None:
    (root / ".underlay").mkdir()
    (root / RECORD_PATH).write_bytes(b'{"\xff": 1}')
    with pytest.raises(
        GitOpsError,
        match=r"^\.underlay/owned\.json in the repo is corrupt \(UnicodeDecodeError\); "
        r"fix or remove it$",
    ):
        load_record(root)


@pytest.mark.parametrize(
    ("changes", "summary", "body"),
    [
        (Changes(added=["a", "b"]), "add 2 files", "A a\nA b"),
        (Changes(updated=["u"]), "update 1 file", "M u"),
        (Changes(removed=["r", "s", "t"]), "remove 3 files", "D r\nD s\nD t"),
        (Changes(kept=["k"]), "no change", ""),
    ],
)
def test_changes_each_kind(changes: Changes, summary: str, body: str) -> None:
    assert (changes.summary(), changes.body(), changes.any) == (summary, body, body != "")


def test_every_kind_of_conflict_is_collected_not_only_the_first(root: Path, victim: Path) -> None:
    """Each loop goes on past a conflict: the one error names them all."""
    write_record(
        root,
        {
            "apps/dev/b.yaml": {"sha256": SHA, "mode": "seed", "env": "dev"},
            "clusters/prod/gone1.yaml": {"sha256": SHA, "mode": "managed", "env": "prod"},
            "clusters/prod/gone2.yaml": {"sha256": SHA, "mode": "managed", "env": "prod"},
            "clusters/prod/gone3.yaml": {"sha256": SHA, "mode": "managed", "env": "prod"},
        },
    )
    (root / "clusters/prod").mkdir(parents=True)
    (root / "clusters/prod/gone1.yaml").symlink_to(victim)
    (root / "clusters/prod/gone2.yaml").write_text("hand\n")
    (root / "clusters/prod/gone3.yaml").symlink_to(victim)
    (root / "clusters/prod/c.yaml").write_text("mine\n")
    layout = [
        Manifest(path="apps/dev/b.yaml", content="b\n", mode="seed"),
        Manifest(path="clusters/prod/c.yaml", content="c\n", mode="managed"),
    ]
    with refused(
        "apps/dev/b.yaml belongs to environment 'dev'; "
        "clusters/prod/c.yaml exists but underlay did not create it; "
        "clusters/prod/gone1.yaml is no longer generated but is not a regular file; "
        "clusters/prod/gone2.yaml is no longer generated but was changed outside underlay; "
        "clusters/prod/gone3.yaml is no longer generated but is not a regular file"
    ):
        apply_layout(root, layout, "prod")


def test_overlaps_are_listed_in_folder_then_env_order(root: Path) -> None:
    write_record(
        root,
        {
            "clusters/x/one.yaml": {"sha256": SHA, "mode": "managed", "env": "b"},
            "clusters/x/two.yaml": {"sha256": SHA, "mode": "managed", "env": "a!"},
            "clusters/x/three.yaml": {"sha256": SHA, "mode": "managed", "env": "a"},
            "clusters/four.yaml": {"sha256": SHA, "mode": "managed", "env": "c"},
        },
    )
    layout = [Manifest(path="clusters/x/sub/a.yaml", content="a\n", mode="managed")]
    with refused(
        "clusters/x/sub/ overlaps clusters/ of environment 'c'; "
        "clusters/x/sub/ overlaps clusters/x/ of environment 'a'; "
        "clusters/x/sub/ overlaps clusters/x/ of environment 'a!'; "
        "clusters/x/sub/ overlaps clusters/x/ of environment 'b'"
    ):
        apply_layout(root, layout, "prod")


def test_a_seed_inside_another_envs_folder_is_no_overlap(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    layout = [Manifest(path="clusters/dev/NOTES.md", content="n\n", mode="seed")]
    assert apply_layout(root, layout, "prod") == Changes(added=["clusters/dev/NOTES.md"])


def test_refresh_record_goes_on_past_paths_it_skips(root: Path) -> None:
    apply_layout(root, manifests("dev"), "dev")
    (root / "clusters/dev/a.yaml").write_text("x: 9\n")
    refresh_record(root, ["nope.yaml", "README.md", "clusters/dev/a.yaml"])
    assert record_of(root) == dev_record("x: 9\n")
