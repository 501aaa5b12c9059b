"""checkov on the platform stacks (terraform_json) and on the rendered manifests (kubernetes):
no failed check, no parse error, checks really ran, every skip inline and justified.

checkov's terraform runner has few checks for the kubernetes provider's ``*_v1`` resources
(for a CronJob only the default-namespace check), so the hardening is judged where checkov
has it: its Kubernetes framework, on exactly the objects the stack creates (`underlay render`).
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.e2e.checkov.test_cluster_checkov import inline_skips
from tests.support.rendered import ENVS, load_all
from tests.support.synth import load_stack
from tests.support.tools import require_tool


def checkov(framework: str, *target: str) -> dict[str, Any]:
    exe = require_tool("checkov", "UNDERLAY_CHECKOV")
    result = subprocess.run(
        [exe, "--framework", framework, "--skip-download", "--compact", "-o", "json", *target],
        capture_output=True,
        text=True,
        check=False,
    )
    return _merge(_documents(result.stdout), framework)


def _documents(text: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per ``-d`` folder (or a list of them)."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        doc, end = decoder.raw_decode(text, at)
        docs.extend(doc if isinstance(doc, list) else [doc])
        at = end + (len(text[end:]) - len(text[end:].lstrip()))
    return docs


def _merge(docs: list[dict[str, Any]], framework: str) -> dict[str, Any]:
    docs = [d for d in docs if d.get("check_type") == framework]
    assert docs, "checkov produced no report"
    results: dict[str, list[Any]] = {"passed_checks": [], "failed_checks": [], "skipped_checks": []}
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    for doc in docs:
        for key in results:
            results[key] += doc["results"].get(key, [])
        for key in summary:
            summary[key] += doc["summary"][key]
    return {"results": results, "summary": summary}


@pytest.mark.parametrize("env", ENVS)
def test_platform_stack_passes_checkov(synth_out: Path, env: str) -> None:
    stack_file = synth_out / "stacks" / f"{env}-platform" / "cdk.tf.json"
    report = checkov("terraform_json", "-f", str(stack_file))
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, "checkov #7454: parse errors pass silently otherwise"
    assert summary["failed"] == 0, report["results"]["failed_checks"]
    passed = {(c["check_id"], c["resource"]) for c in report["results"]["passed_checks"]}
    for cron in (
        "resource.backup_job_underlay_backup_manifest_repo_backup",
        "resource.backup_job_underlay_backup_manifest_repo_drill",
    ):
        assert ("CKV_K8S_21", cron) in passed, f"the CronJob was not scanned: {passed}"
    assert summary["passed"] >= 3
    assert inline_skips(load_stack(synth_out, f"{env}-platform")) == {}


def _scan_manifests(folder: Path) -> dict[str, Any]:
    return checkov("kubernetes", "-d", str(folder / "objects"), "-d", str(folder / "custom"))


@pytest.mark.parametrize("env", ENVS)
def test_rendered_manifests_pass_checkov(rendered: dict[str, Path], env: str) -> None:
    report = _scan_manifests(rendered[env])
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["failed"] == 0, [
        (c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]
    ]
    assert summary["passed"] > 60, summary
    crons = {
        "CronJob.underlay-backup.manifest-repo-backup",
        "CronJob.underlay-backup.manifest-repo-drill",
    }
    for resource in crons:
        passed_on_cron = {
            c["check_id"] for c in report["results"]["passed_checks"] if c["resource"] == resource
        }
        _assert_hardened(passed_on_cron)
    skipped = {(c["check_id"], c["resource"]) for c in report["results"]["skipped_checks"]}
    # Inline only: the annotation on the object itself, present only while the ref is a tag.
    assert skipped <= {("CKV_K8S_43", r) for r in crons}
    for c in report["results"]["skipped_checks"]:
        assert len(c["check_result"].get("suppress_comment") or "") > 20, c


def _assert_hardened(passed_on_cron: set[str]) -> None:
    # The hardening the issue lists, as checkov judges it on a CronJob.
    assert {
        "CKV_K8S_20",  # allowPrivilegeEscalation false
        "CKV_K8S_22",  # read-only root filesystem
        "CKV_K8S_23",  # not root
        "CKV_K8S_28",  # no NET_RAW
        "CKV_K8S_31",  # seccomp RuntimeDefault
        "CKV_K8S_37",  # capabilities dropped
        "CKV_K8S_38",  # no service-account token
        "CKV_K8S_40",  # high UID
        "CKV_K8S_10",  # CPU requests
        "CKV_K8S_11",  # CPU limits
        "CKV_K8S_12",  # memory requests
        "CKV_K8S_13",  # memory limits
        "CKV_K8S_14",  # image tag pinned
    } <= passed_on_cron, passed_on_cron


def test_checkov_guard_catches_a_regression(rendered: dict[str, Path], tmp_path: Path) -> None:
    docs = load_all(rendered["prod"] / "objects")
    for doc in docs:
        if doc["kind"] == "CronJob":
            pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            container = pod["containers"][0]
            container["securityContext"] = copy.deepcopy(container["securityContext"])
            container["securityContext"]["readOnlyRootFilesystem"] = False
            container["securityContext"]["allowPrivilegeEscalation"] = True
    (tmp_path / "objects").mkdir()
    (tmp_path / "custom").mkdir()
    yaml = YAML(typ="safe", pure=True)
    with (tmp_path / "objects" / "all.yaml").open("w") as out:
        yaml.dump_all(docs, out)
    failed = {c["check_id"] for c in _scan_manifests(tmp_path)["results"]["failed_checks"]}
    assert {"CKV_K8S_20", "CKV_K8S_22"} <= failed
