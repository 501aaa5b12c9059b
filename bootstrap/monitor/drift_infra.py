"""Infrastructure drift: a refresh-only plan of every deployed stack, read as JSON.

``terraform plan -refresh-only -lock=false`` compares the state with what the cloud reports and
proposes only to update the state; the plan goes to a scratch file and is never applied, so no
lock is taken and no state is written (stuck locks are what make scheduled drift runs elsewhere
need manual unlocks). ``resource_drift`` lists each resource changed or deleted outside Terraform.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bootstrap.monitor.report import Checked, DriftReport, Finding
from stacks.backend import backend_config
from stacks.config.model import Environment
from stacks.terraform_runner import Terraform

__all__ = ["changed_attributes", "findings_from_plan", "stack_drift"]


def _empty(value: Any) -> bool:
    return value is None or value in ({}, [], "")


def changed_attributes(before: Any, after: Any, config: Any, path: str = "") -> list[str]:
    """Paths of the attributes the stack declares (``config``, the resource's block in
    cdk.tf.json) whose values differ, plus ``tags``. Values are never returned.

    Why only declared attributes: the first refresh after an apply fills attributes the stack
    does not set and another resource owns (a route table's ``route`` from ``aws_route``, a role's
    ``managed_policy_arns`` from attachments, an EIP's association); those owners are checked
    themselves. ``null``, ``{}`` and ``[]`` count as the same (the provider reads back either).
    Lists and sets are compared whole; a one-element block list is compared field by field.
    """
    if _empty(before) and _empty(after):
        return []
    if path == "tags" and isinstance(before, dict | None) and isinstance(after, dict | None):
        old, new = before or {}, after or {}
        return [f"tags.{k}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    if isinstance(config, list) and len(config) == 1 and isinstance(config[0], dict):
        config = config[0]
    if isinstance(config, dict):
        if _one_block(before) and _one_block(after):
            before, after = before[0], after[0]
        if isinstance(before, dict) and isinstance(after, dict):
            keys = set(config) | ({"tags"} if not path else set())
            out: list[str] = []
            for key in sorted(keys & (set(before) | set(after))):
                sub = f"{path}.{key}" if path else key
                out += changed_attributes(before.get(key), after.get(key), config.get(key, {}), sub)
            return out
        if not path:
            return [] if before == after else ["(whole resource)"]
    return [] if before == after else [path]


def _one_block(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict)


def findings_from_plan(
    plan: Mapping[str, Any], env: str, stack: str, declared: Mapping[str, Any]
) -> list[Finding]:
    """``declared``: the stack's ``resource`` section of cdk.tf.json (type -> name -> block)."""
    findings: list[Finding] = []
    for entry in plan.get("resource_drift") or []:
        if entry.get("mode") != "managed":
            continue
        change = entry.get("change") or {}
        actions = change.get("actions") or []
        address = str(entry.get("address", "?"))
        if "delete" in actions:
            findings.append(Finding("infra", env, stack, address, "deleted"))
            continue
        config = (declared.get(str(entry.get("type"))) or {}).get(str(entry.get("name"))) or {}
        attrs = changed_attributes(change.get("before"), change.get("after"), config)
        if attrs:
            findings.append(Finding("infra", env, stack, address, "changed", tuple(attrs)))
    return findings


def _deployed_locally(env: Environment, stack: str, project_root: Path) -> bool | None:
    """For the ``local`` backend: is there a state file? ``None`` for remote backends (ask
    Terraform after init)."""
    kind, settings = backend_config(env.state, stack, str(project_root))
    if kind != "local":
        return None
    return Path(settings["path"]).is_file()


def stack_drift(
    env: Environment,
    stack: str,
    stack_dir: Path,
    project_root: Path,
    terraform_env: Mapping[str, str],
    report: DriftReport,
) -> None:
    """Add one stack's verdict and findings to ``report``; Terraform failures raise."""
    if _deployed_locally(env, stack, project_root) is False:
        report.checked.append(Checked("infra", env.name, stack, "not deployed"))
        return
    tf = Terraform(stack_dir, terraform_env)
    tf.init()
    if not tf.state_addresses():
        report.checked.append(Checked("infra", env.name, stack, "not deployed"))
        return
    with tempfile.TemporaryDirectory(prefix="underlay-drift-") as scratch:
        plan = tf.refresh_only_plan(Path(scratch) / "refresh.tfplan")
    synthesized = json.loads((stack_dir / "cdk.tf.json").read_text(encoding="utf-8"))
    found = findings_from_plan(plan, env.name, stack, synthesized.get("resource") or {})
    report.findings += found
    verdict = f"drifted ({len(found)} resource{'s' * (len(found) != 1)})" if found else "clean"
    report.checked.append(Checked("infra", env.name, stack, verdict))
