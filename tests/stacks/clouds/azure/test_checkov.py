"""checkov on aks-prod-cluster: no failed check beyond at most three inline, justified skips,
no parse error, and enough checks ran to mean something."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.checkov.test_cluster_checkov import inline_skips, run_checkov
from tests.support.checkov import Report
from tests.support.synth import load_stack

pytestmark = pytest.mark.xdist_group("checkov")  # one worker runs the session's scans once

MAX_SKIPS = 3


def _failed(report: dict, stack: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    """(type.name, check id) of every failure; checkov names some resources
    ``resource.<name>`` in terraform_json output, so the type is looked up by name."""
    types = {name: t for t, bodies in stack["resource"].items() for name in bodies}
    out = set()
    for check in report["results"]["failed_checks"]:
        kind, _, name = check["resource"].partition(".")
        out.add(
            (
                f"{types[name]}.{name}" if kind == "resource" else check["resource"],
                check["check_id"],
            )
        )
    return out


def test_aks_prod_cluster_passes_checkov(
    synth_out: Path, checkov_stacks: dict[str, Report]
) -> None:
    report = checkov_stacks["aks-prod-cluster"]
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 50, f"checkov ran too few checks to mean anything: {summary}"
    stack = load_stack(synth_out, "aks-prod-cluster")
    skips = inline_skips(stack)
    failed = _failed(report, stack)
    assert failed - skips.keys() == set(), "failed checks without an inline, justified skip"
    assert skips.keys() - failed == set(), "stale skips: these checks no longer fail"
    assert len(skips) <= MAX_SKIPS
    assert all(len(reason) > 20 for reason in skips.values())


def test_checkov_guard_catches_an_aks_regression(synth_out: Path, tmp_path: Path) -> None:
    stack = load_stack(synth_out, "aks-prod-cluster")
    aks = stack["resource"]["azurerm_kubernetes_cluster"]["cluster_cluster"]
    aks["local_account_disabled"] = False
    del aks["azure_active_directory_role_based_access_control"]
    broken = tmp_path / "cdk.tf.json"
    broken.write_text(json.dumps(stack))
    failed = {check for _, check in _failed(run_checkov(broken), stack)}
    assert {"CKV_AZURE_141", "CKV_AZURE_5"} & failed
