"""checkov on prod-cluster: no failed check, no parse error, and it really ran checks.

checkov's terraform_json runner ignores inline skip comments, so the inline decisions in the
resources' `//` comments (``checkov:skip=ID:reason``) are applied here, per resource; a skip that
no longer matches a failure is itself an error (no stale skips).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.support.synth import iter_blocks, load_stack
from tests.support.tools import require_tool

SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+):(.+)")


def inline_skips(stack: dict) -> dict[tuple[str, str], str]:  # type: ignore[type-arg]
    skips = {}
    for _, type_, name, body in iter_blocks(stack):
        for line in str(body.get("//", "")).splitlines():
            match = SKIP.match(line)
            if match:
                skips[(f"{type_}.{name}", match.group(1))] = match.group(2)
    return skips


def run_checkov(path: Path) -> dict:  # type: ignore[type-arg]
    checkov = require_tool("checkov", "UNDERLAY_CHECKOV")
    result = subprocess.run(
        [
            checkov,
            "--framework",
            "terraform_json",
            "--skip-download",
            "--compact",
            "-o",
            "json",
            "-f",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return report


def test_prod_cluster_passes_checkov(synth_out: Path) -> None:
    stack_file = synth_out / "stacks" / "prod-cluster" / "cdk.tf.json"
    report = run_checkov(stack_file)
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
