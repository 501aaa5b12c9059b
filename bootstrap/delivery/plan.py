"""``underlay plan``: real ``terraform init`` + ``plan -out`` per stack, saved for ``apply``.

The plan folder holds ``<stack>.tfplan``, ``<stack>.json`` (``terraform show -json``),
``plan.json`` (per stack: counts, the commit and the hash of the synthesized stack the plan was
made from) and ``summary.md``. Platform stacks are planned only where their providers and the
cluster are reachable (``UNDERLAY_PLAN_PLATFORM=1``); otherwise their section is the diff of the
rendered objects and says Terraform did not plan them.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.delivery.affected import Affected, affected
from bootstrap.delivery.errors import DeliveryError
from bootstrap.delivery.summary import (
    EnvReport,
    ResourceChange,
    StackReport,
    build_summary,
    change_kind,
)
from bootstrap.delivery.trees import (
    Tree,
    checkout,
    head_commit,
    normalized,
    stack_hash,
    synth_dir,
)

__all__ = ["PLAN_FILE", "PlanResult", "plan", "plan_platform_enabled", "terraform_for"]

PLAN_FILE = "plan.json"
PLATFORM_ENV = "UNDERLAY_PLAN_PLATFORM"
NOT_PLANNED = (
    "The kubernetes/helm providers or the cluster are not reachable here; below is the diff of "
    "the rendered objects (`underlay render`, base vs head)."
)


def plan_platform_enabled() -> bool:
    return os.environ.get(PLATFORM_ENV) == "1"


@dataclass(frozen=True)
class PlanResult:
    out: Path
    envs: list[str]
    summary: str


def terraform_for(workdir: Path, root: Path) -> Any:
    from stacks.terraform_runner import Terraform, terraform_environment

    return Terraform(workdir, terraform_environment(config_dir=root / ".underlay"))


def plan(env_dir: Path, envs: list[str], out: Path, base: str | None = None) -> PlanResult:
    """Plan ``envs`` (or, with ``base``, the affected ones) into ``out``."""
    if not envs and base is None:
        raise DeliveryError("name environments to plan, or pass --base REF for the affected ones")
    out = out.resolve()
    with checkout(env_dir, None) as head, _maybe(env_dir, base) as base_tree:
        changed: Affected | None = affected(env_dir, base) if base else None
        names = list(envs) or (changed.envs if changed else [])
        missing = [n for n in names if not (head.env_dir / f"{n}.yaml").is_file()]
        if missing:
            raise DeliveryError(f"{head.env_dir}: no environment {', '.join(missing)}")
        out.mkdir(parents=True, exist_ok=True)
        for stale in [*out.glob("*.tfplan"), *out.glob("*.json"), out / "summary.md"]:
            stale.unlink(missing_ok=True)
        record: dict[str, Any] = {"commit": head_commit(head.root), "base": base, "envs": {}}
        reports = []
        if names:
            with synth_dir(head, names) as synthesized:
                for name in names:
                    stacks_only = changed.stacks.get(name) if changed else None
                    report, entry = _plan_env(name, head, base_tree, synthesized, out, stacks_only)
                    reports.append(report)
                    record["envs"][name] = entry
        title = f"underlay plan ({'vs ' + base if base else 'named environments'})"
        summary = build_summary(reports, title=title)
        (out / PLAN_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        (out / "summary.md").write_text(summary, encoding="utf-8")
    return PlanResult(out, names, summary)


@contextmanager
def _maybe(env_dir: Path, ref: str | None) -> Iterator[Tree | None]:
    if ref is None:
        yield None
        return
    with checkout(env_dir, ref) as tree:
        yield tree


def _plan_env(
    name: str,
    head: Tree,
    base: Tree | None,
    synthesized: Path,
    out: Path,
    only: list[str] | None,
) -> tuple[EnvReport, dict[str, Any]]:
    stacks: list[StackReport] = []
    entry: dict[str, Any] = {"stacks": {}}
    for kind in ("cluster", "platform"):
        stack = f"{name}-{kind}"
        if only is not None and stack not in only:
            continue
        folder = synthesized / "stacks" / stack
        digest = stack_hash(normalized(folder / "cdk.tf.json", head.root))
        if kind == "platform" and not plan_platform_enabled():
            diff = _render_diff(name, head, base)
            stacks.append(StackReport(stack, planned=False, note=NOT_PLANNED, render_diff=diff))
            entry["stacks"][stack] = {"planned": False, "synth_hash": digest}
            continue
        tf = terraform_for(folder, head.root)
        tf.init()
        plan_file = out / f"{stack}.tfplan"
        tf.run("plan", "-input=false", "-no-color", f"-out={plan_file}")
        shown = tf.run("show", "-json", str(plan_file)).stdout
        (out / f"{stack}.json").write_text(shown, encoding="utf-8")
        changes = tuple(_changes(json.loads(shown)))
        report = StackReport(stack, planned=True, changes=changes)
        stacks.append(report)
        entry["stacks"][stack] = {
            "planned": True,
            "synth_hash": digest,
            "plan_file": plan_file.name,
            "counts": {
                k: report.counts().get(k, 0) for k in ("create", "update", "replace", "delete")
            },
        }
    return (
        EnvReport(
            name,
            tuple(stacks),
            config_diff=tuple(_config_diff(name, head, base)),
            manifest_change=tuple(_manifest_change(name, head, base)),
        ),
        entry,
    )


def _changes(shown: dict[str, Any]) -> list[ResourceChange]:
    found = []
    for rc in shown.get("resource_changes", []):
        kind = change_kind(rc.get("change", {}).get("actions", []))
        if kind and rc.get("mode", "managed") == "managed":
            found.append(ResourceChange(rc["address"], rc["type"], kind))
    return found


def _load(name: str, tree: Tree | None) -> Any:
    """``name``'s environment in ``tree`` (read with this code), or None when absent/invalid."""
    from stacks.config import load_environment
    from stacks.errors import UnderlayError

    if tree is None or not (tree.env_dir / f"{name}.yaml").is_file():
        return None
    try:
        return load_environment(name, tree.env_dir)
    except UnderlayError:
        return None


def _config_diff(name: str, head: Tree, base: Tree | None) -> list[str]:
    from stacks.config.effective import diff_leaves

    after = _load(name, head)
    before = _load(name, base)
    if base is None:
        return []
    if before is None:
        return [f"(new environment: {name} is not in {base.label})"]
    return diff_leaves(before, after) or ["(no effective setting changed)"]


def _manifest_change(name: str, head: Tree, base: Tree | None) -> list[str]:
    from bootstrap.gitops.layout import LayoutOptions, generate_layout

    after = _load(name, head)
    if not after.env.gitops.repo:
        return []
    before = _load(name, base)
    new = {m.path: m.content for m in generate_layout(LayoutOptions(env=after.env))}
    old = (
        {}
        if before is None
        else {m.path: m.content for m in generate_layout(LayoutOptions(env=before.env))}
    )
    lines = []
    for path in sorted(old.keys() | new.keys()):
        if path not in old:
            lines.append(f"+ {path}")
        elif path not in new:
            lines.append(f"- {path} (bootstrap never deletes: left in place)")
        elif old[path] != new[path]:
            lines.append(f"~ {path}")
            lines += list(
                difflib.unified_diff(
                    old[path].splitlines(), new[path].splitlines(), lineterm="", n=1
                )
            )[2:]
    return lines or ["(no manifest-repo file changes)"]


def _render_files(name: str, tree: Tree | None) -> dict[str, str]:
    from stacks.platform.gen.plan import render_files
    from stacks.platform.render import environment_plan

    loaded = _load(name, tree)
    return {} if loaded is None else render_files(environment_plan(loaded.env))


def _render_diff(name: str, head: Tree, base: Tree | None) -> str:
    old, new = _render_files(name, base), _render_files(name, head)
    lines: list[str] = []
    for path in sorted(old.keys() | new.keys()):
        lines += difflib.unified_diff(
            old.get(path, "").splitlines(),
            new.get(path, "").splitlines(),
            f"base/{path}",
            f"head/{path}",
            lineterm="",
            n=2,
        )
    return "\n".join(lines)
