"""``underlay deliver``: events to environments, and the tag gate on recorded applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.delivery.deliver import applied_envs, deliver, record_apply
from bootstrap.delivery.errors import DeliveryError
from stacks.errors import ConfigError
from tests.support.project_copy import commit_all, git


def test_push_applies_merge_envs_in_after_order(project: Path) -> None:
    decision = deliver(project / "environments", "push", "main")
    assert "prod" not in decision.apply, "prod is tag-gated"
    assert {"dev", "local", "staging"} <= set(decision.apply)


def test_tag_refused_until_the_after_env_applied_that_commit(project: Path) -> None:
    env_dir = project / "environments"
    commit = git(project, "rev-parse", "HEAD")
    git(project, "tag", "prod-1.0")
    with pytest.raises(DeliveryError, match="staging, which has not applied commit"):
        deliver(env_dir, "tag", "prod-1.0")
    record_apply(project, commit, "staging")
    assert applied_envs(project, commit) == {"staging"}
    decision = deliver(env_dir, "tag", "refs/tags/prod-1.0")
    assert decision.apply == ["prod"]
    assert decision.commit == commit
    # A new commit is a new gate: staging's record is per commit.
    (project / "NOTE").write_text("x\n", encoding="utf-8")
    commit_all(project, "later")
    git(project, "tag", "prod-1.1")
    with pytest.raises(DeliveryError, match="has not applied"):
        deliver(env_dir, "tag", "prod-1.1")


def test_tag_matching_nothing_and_bad_ref_are_one_line_errors(project: Path) -> None:
    git(project, "tag", "v1")
    with pytest.raises(DeliveryError, match="matches no environment"):
        deliver(project / "environments", "tag", "v1")
    with pytest.raises(DeliveryError, match="is not a commit"):
        deliver(project / "environments", "tag", "nope-1")


def test_tag_trigger_without_pattern_is_a_config_error(project: Path) -> None:
    from stacks.config import load_environment

    prod = project / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace("  tag_pattern: prod-*\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match="tag_pattern"):
        load_environment("prod", project / "environments")


def test_pull_request_plans_only_affected(project: Path) -> None:
    staging = project / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "\n# only a comment\n", encoding="utf-8")
    decision = deliver(project / "environments", "pull_request", "HEAD", base="main")
    assert decision.plan == []
    assert decision.apply == []
