"""checkov on prod-cluster: no failed check, no parse error, and it really ran checks.

checkov's terraform_json runner ignores inline skip comments, so the inline decisions in the
resources' `//` comments (``checkov:skip=ID:reason``) are applied here, per resource; a skip that
no longer matches a failure is itself an error (no stale skips).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.checkov import Report, checkov, split
from tests.support.synth import iter_blocks, load_stack

pytestmark = pytest.mark.xdist_group("checkov")  # one worker runs the session's scans once

SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+):(.+)")


def inline_skips(stack: dict) -> dict[tuple[str, str], str]:  # type: ignore[type-arg]
    skips = {}
    for _, type_, name, body in iter_blocks(stack):
        for line in str(body.get("//", "")).splitlines():
            match = SKIP.match(line)
            if match:
                skips[(f"{type_}.{name}", match.group(1))] = match.group(2)
    return skips


def run_checkov(path: Path) -> Report:
    """checkov (terraform_json) on one file of its own: for the guard tests' broken copies."""
    return split(checkov("terraform_json", "-f", str(path)), path)


def test_prod_cluster_passes_checkov(synth_out: Path, checkov_stacks: dict[str, Report]) -> None:
    report = checkov_stacks["prod-cluster"]
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, "checkov #7454: parse errors pass silently otherwise"
    assert summary["passed"] > 50, f"checkov ran too few checks to mean anything: {summary}"
    skips = inline_skips(load_stack(synth_out, "prod-cluster"))
    failed = {(c["resource"], c["check_id"]) for c in report["results"]["failed_checks"]}
    assert failed - skips.keys() == set(), "failed checks without an inline, justified skip"
    assert skips.keys() - failed == set(), "stale skips: these checks no longer fail"
    assert all(len(reason) > 20 for reason in skips.values())


def test_checkov_guard_catches_a_regression(synth_out: Path, tmp_path: Path) -> None:
    stack = load_stack(synth_out, "prod-cluster")
    stack["resource"]["aws_eks_cluster"]["cluster_cluster"]["vpc_config"][
        "endpoint_public_access"
    ] = True
    broken = tmp_path / "cdk.tf.json"
    broken.write_text(json.dumps(stack))
    failed = {c["check_id"] for c in run_checkov(broken)["results"]["failed_checks"]}
    assert "CKV_AWS_39" in failed
