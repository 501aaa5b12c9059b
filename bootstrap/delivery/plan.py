"""``underlay plan``: real ``terraform init`` + ``plan -out`` per stack, saved for ``apply``.

The plan folder holds ``<stack>.tfplan``, ``<stack>.json`` (``terraform show -json``),
``plan.json`` (per stack: counts, the commit and the hash of the synthesized stack the plan was
made from) and ``summary.md``. Platform stacks are planned only where their providers and the
cluster are reachable (``bootstrap/delivery/reach.py`` decides and says why not); otherwise
their section is the diff of the rendered objects and says Terraform did not plan them.

Where the time goes, and what runs at once (docs/performance.md, "Delivery benchmark"): one
synth of the head (with ``--base``, of every environment, and the base synthesized beside it or
read from the cache, so the affected set and the plans come from the same synth); then each
stack's ``plan`` -> ``show -json`` chain on a small pool (one stack's ``show`` runs while the
next stack plans), with ``init`` one at a time (a shared plugin cache is not safe for
concurrent installs); the Python side (effective-config diff, manifest-repo change, rendered
objects) runs beside Terraform from the start.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootstrap.delivery.affected import Affected, compare
from bootstrap.delivery.errors import DeliveryError
from bootstrap.delivery.reach import decide, probe_api
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
    read_stacks,
    stack_hash,
    synth_dir,
    synth_revision,
)

__all__ = ["PLAN_FILE", "PlanResult", "not_planned_note", "plan", "terraform_for"]

PLAN_FILE = "plan.json"
TERRAFORM_WORKERS = max(2, min(4, os.cpu_count() or 2))


def not_planned_note(reason: str) -> str:
    """What a platform section says after "Terraform did not plan this stack."."""
    return (
        f"Not reachable from here: {reason}. Below is the diff of the rendered objects "
        "(`underlay render`, base vs head)."
    )


@dataclass(frozen=True)
class PlanResult:
    out: Path
    envs: list[str]
    summary: str


def terraform_for(workdir: Path, root: Path, env: Mapping[str, str] | None = None) -> Any:
    from stacks.terraform_runner import Terraform, terraform_environment

    return Terraform(workdir, env or terraform_environment(config_dir=root / ".underlay"))


def plan(env_dir: Path, envs: list[str], out: Path, base: str | None = None) -> PlanResult:
    """Plan ``envs`` (or, with ``base``, the affected ones) into ``out``."""
    from stacks.terraform_runner import terraform_environment

    if not envs and base is None:
        raise DeliveryError("name environments to plan, or pass --base REF for the affected ones")
    out = out.resolve()
    with (
        checkout(env_dir, None) as head,
        _maybe(env_dir, base) as base_tree,
        ThreadPoolExecutor(max_workers=TERRAFORM_WORKERS) as tf_pool,
        ThreadPoolExecutor(max_workers=2) as py_pool,
    ):
        missing = [n for n in envs if not (head.env_dir / f"{n}.yaml").is_file()]
        if missing:
            raise DeliveryError(f"{head.env_dir}: no environment {', '.join(missing)}")
        before = py_pool.submit(synth_revision, env_dir, base) if base else None
        parts = {n: py_pool.submit(_env_parts, n, head, base_tree) for n in envs}
        out.mkdir(parents=True, exist_ok=True)
        for stale in [*out.glob("*.tfplan"), *out.glob("*.json"), out / "summary.md"]:
            stale.unlink(missing_ok=True)
        record: dict[str, Any] = {"commit": head_commit(head.root), "base": base, "envs": {}}
        reports = []
        # With --base every environment is synthesized (the affected set needs them all).
        with synth_dir(head, None if base else list(envs)) as synthesized:
            changed: Affected | None = None
            if before is not None:
                changed = compare(before.result(), read_stacks(synthesized, head.root))
            names = list(envs) or (changed.envs if changed else [])
            for n in names:
                if n not in parts:
                    parts[n] = py_pool.submit(_env_parts, n, head, base_tree)
            run = _Run(
                head, out, synthesized, terraform_environment(config_dir=head.root / ".underlay")
            )
            jobs = {
                name: _submit_env(
                    run, tf_pool, name, changed.stacks.get(name) if changed else None, parts[name]
                )
                for name in names
            }
            for name in names:
                stack_jobs = jobs[name]
                config_diff, manifest_change, _render = parts[name].result()
                results = [job.result() for job in stack_jobs]
                reports.append(
                    EnvReport(
                        name,
                        tuple(report for report, _entry in results),
                        config_diff=tuple(config_diff),
                        manifest_change=tuple(manifest_change),
                    )
                )
                record["envs"][name] = {
                    "stacks": {report.stack: entry for report, entry in results}
                }
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


EnvParts = tuple[list[str], list[str], str]


def _env_parts(name: str, head: Tree, base: Tree | None) -> EnvParts:
    """The Python side of an environment's section: config diff, manifest change, render diff."""
    return (
        _config_diff(name, head, base),
        _manifest_change(name, head, base),
        _render_diff(name, head, base),
    )


@dataclass(frozen=True)
class _Run:
    """What every stack job of one ``plan`` shares."""

    head: Tree
    out: Path
    synthesized: Path
    tf_env: Mapping[str, str]
    init_lock: threading.Lock = field(default_factory=threading.Lock)
    initialized: set[Path] = field(default_factory=set)

    def terraform(self, stack: str) -> Any:
        """Terraform in ``stack``'s synth folder, initialized once (inits run one at a time)."""
        tf = terraform_for(self.synthesized / "stacks" / stack, self.head.root, self.tf_env)
        with self.init_lock:
            if tf.workdir not in self.initialized:
                tf.init()
                self.initialized.add(tf.workdir)
        return tf


StackResult = tuple[StackReport, dict[str, Any]]


def _submit_env(
    run: _Run,
    pool: ThreadPoolExecutor,
    name: str,
    only: list[str] | None,
    parts: Future[EnvParts],
) -> list[Future[StackResult]]:
    jobs = []
    for kind in ("cluster", "platform"):
        stack = f"{name}-{kind}"
        if only is not None and stack not in only:
            continue
        digest = stack_hash(
            normalized(run.synthesized / "stacks" / stack / "cdk.tf.json", run.head.root)
        )
        job = _platform_job if kind == "platform" else _plan_stack
        jobs.append(pool.submit(job, run, stack, digest, parts))
    return jobs


def _platform_job(run: _Run, stack: str, digest: str, parts: Future[EnvParts]) -> StackResult:
    cluster = stack.removesuffix("-platform") + "-cluster"
    reach = decide(stack, run.tf_env, lambda: run.terraform(cluster).outputs(), probe_api)
    if reach.planned:
        return _plan_stack(run, stack, digest, parts)
    report = StackReport(
        stack, planned=False, note=not_planned_note(reach.reason), render_diff=parts.result()[2]
    )
    return report, {"planned": False, "synth_hash": digest, "reason": reach.reason}


def _plan_stack(run: _Run, stack: str, digest: str, _parts: Future[EnvParts]) -> StackResult:
    tf = run.terraform(stack)
    plan_file = run.out / f"{stack}.tfplan"
    tf.run("plan", "-input=false", "-no-color", f"-out={plan_file}")
    shown = tf.run("show", "-json", str(plan_file)).stdout
    (run.out / f"{stack}.json").write_text(shown, encoding="utf-8")
    report = StackReport(stack, planned=True, changes=tuple(_changes(json.loads(shown))))
    return report, {
        "planned": True,
        "synth_hash": digest,
        "plan_file": plan_file.name,
        "counts": {k: report.counts().get(k, 0) for k in ("create", "update", "replace", "delete")},
    }


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
