"""checkov on the platform stacks (terraform_json) and on the rendered manifests (kubernetes):
no failed check, no parse error, checks really ran, every skip inline and justified.

checkov's terraform runner has few checks for the kubernetes provider's ``*_v1`` resources
(for a CronJob only the default-namespace check), so the hardening is judged where checkov
has it: its Kubernetes framework, on exactly the objects the stack creates (`underlay render`).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.e2e.checkov.test_cluster_checkov import inline_skips
from tests.support.checkov import Report, checkov, split
from tests.support.rendered import ENVS, load_all
from tests.support.synth import load_stack

pytestmark = pytest.mark.xdist_group("checkov")  # one worker runs the session's scans once


@pytest.mark.parametrize("env", ENVS)
def test_platform_stack_passes_checkov(
    synth_out: Path, checkov_stacks: dict[str, Report], env: str
) -> None:
    report = checkov_stacks[f"{env}-platform"]
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


@pytest.mark.parametrize("env", ENVS)
def test_rendered_manifests_pass_checkov(checkov_manifests: dict[str, Report], env: str) -> None:
    report = checkov_manifests[env]
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
    report = split(checkov("kubernetes", "-d", str(tmp_path)), tmp_path)
    assert report["summary"]["passed"] > 30, "the broken copy was scanned"
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert {"CKV_K8S_20", "CKV_K8S_22"} <= failed
