"""A commit's synth is cached under .underlay/cache/synth, keyed by the commit and the tools and
variables that shape the output; a broken entry is synthesized again, never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.delivery.trees import CACHE_SUBDIR, synth_revision


def test_a_commits_synth_is_cached_and_keyed_by_the_variables(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir = project / "environments"
    first = synth_revision(env_dir, "main")
    assert "local-cluster" in first
    entries = list((project / CACHE_SUBDIR).glob("*.json"))
    assert len(entries) == 1
    # The next call reads the entry (marked here), not a new synth.
    entries[0].write_text('{"marked-cluster": {}}', encoding="utf-8")
    assert synth_revision(env_dir, "main") == {"marked-cluster": {}}
    # Another value of a variable the synth reads is another key: synthesized again.
    monkeypatch.setenv("UNDERLAY_AWS_ENDPOINT", "http://127.0.0.1:1")
    again = synth_revision(env_dir, "main")
    assert "local-cluster" in again
    assert len(list((project / CACHE_SUBDIR).glob("*.json"))) == 2


def test_a_broken_cache_entry_is_synthesized_again(project: Path) -> None:
    env_dir = project / "environments"
    synth_revision(env_dir, "main")
    (entry,) = (project / CACHE_SUBDIR).glob("*.json")
    entry.write_text('{"half', encoding="utf-8")
    assert "local-cluster" in synth_revision(env_dir, "main")
    assert entry.read_text(encoding="utf-8").startswith('{"')
    assert "local-cluster" in entry.read_text(encoding="utf-8")


def test_the_working_tree_is_never_cached(project: Path) -> None:
    synth_revision(project / "environments", None)
    assert not (project / CACHE_SUBDIR).exists()
