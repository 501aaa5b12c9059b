"""``summary.md``: risky changes first, and always under the size limit, saying what it cut."""

from __future__ import annotations

from bootstrap.delivery.summary import (
    LIMIT,
    EnvReport,
    ResourceChange,
    StackReport,
    build_summary,
    change_kind,
)


def _env(i: int, resources: int = 60) -> EnvReport:
    subnets = [
        ResourceChange(f"aws_subnet.network_subnet_{j}", "aws_subnet", "update")
        for j in range(resources)
    ]
    changes = (
        *subnets,
        ResourceChange("aws_iam_role.backup_role", "aws_iam_role", "update"),
        ResourceChange("aws_eks_node_group.cluster_nodes_general", "aws_eks_node_group", "replace"),
    )
    cluster = StackReport(f"env{i:02d}-cluster", planned=True, changes=changes)
    platform = StackReport(
        f"env{i:02d}-platform",
        planned=False,
        note="not reachable",
        render_diff="\n".join(f"+  key{j}: value" for j in range(80)),
    )
    config = tuple(f"~ cluster.node_groups.general.max_size: {j} -> {j + 1}" for j in range(30))
    return EnvReport(f"env{i:02d}", (cluster, platform), config, ("~ clusters/x/flux.yaml",))


def test_action_lists_map_to_kinds() -> None:
    assert change_kind(["delete", "create"]) == "replace"
    assert change_kind(["create", "delete"]) == "replace"
    assert change_kind(["delete"]) == "delete"
    assert change_kind(["no-op"]) is None
    assert change_kind(["read"]) is None


def test_small_summary_keeps_details_and_puts_risky_first() -> None:
    text = build_summary([_env(1, resources=3)], title="t")
    assert "✂️" not in text
    assert "<details>" in text
    must = text.split("**Must not miss:**")[1].strip().splitlines()
    assert "replace" in must[0]
    assert "aws_eks_node_group" in must[0]
    assert "IAM" in must[1]
    assert "Terraform did not plan this stack" in text


def test_fifty_envs_stay_under_the_limit_and_say_what_was_cut() -> None:
    reports = [_env(i) for i in range(50)]
    text = build_summary(reports, title="50 envs")
    assert len(text) < LIMIT
    assert "Cut to stay under 60,000 characters" in text
    assert "plan.json" in text
    # Still names every environment's replacement, the thing a reviewer must not miss.
    assert text.count("**replace**") == 50


def test_hundreds_of_envs_cut_whole_environments_and_name_them() -> None:
    reports = [_env(i % 100) for i in range(400)]
    text = build_summary(reports, title="many")
    assert len(text) < LIMIT
    assert "environment(s) entirely" in text


def test_platform_planned_reads_as_counts_and_not_planned_reads_as_such() -> None:
    from bootstrap.delivery.plan import not_planned_note

    ns = ResourceChange("kubernetes_namespace_v1.ns_team_a", "kubernetes_namespace_v1", "create")
    planned = EnvReport("a", (StackReport("a-platform", planned=True, changes=(ns,)),))
    text = build_summary([planned], title="t")
    assert "- `a-platform`: 1 to create, 0 to update, 0 to replace, 0 to delete" in text
    assert "did not plan" not in text
    assert "rendered objects" not in text

    reason = "the provider mirror /m has no hashicorp/kubernetes or hashicorp/helm provider"
    skipped = StackReport(
        "a-platform", planned=False, note=not_planned_note(reason), render_diff="+kind: Namespace"
    )
    text = build_summary([EnvReport("a", (skipped,))], title="t")
    assert (
        "- `a-platform`: **Terraform did not plan this stack.** Not reachable from here: "
        f"{reason}. Below is the diff of the rendered objects" in text
    )
    assert "a-platform: rendered objects, base vs head" in text
    assert "+kind: Namespace" in text
