"""``underlay apply ENV --plan DIR``: apply exactly the saved plans, in deploy order.

Refused (exit 2, one line, nothing applied) when the plan folder or a plan is missing, when the
plan was made from another commit than the one checked out, when the stack synthesized now is not
the one planned, or when Terraform says the saved plan is stale (the state changed since).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.delivery.errors import PlanRefused
from bootstrap.delivery.plan import PLAN_FILE, terraform_for
from bootstrap.delivery.trees import checkout, head_commit, normalized, stack_hash, synth_dir

__all__ = ["Applied", "apply_plan", "read_plan"]

STALE = "Saved plan is stale"


@dataclass(frozen=True)
class Applied:
    env: str
    commit: str
    applied: list[str]
    skipped: list[str]
    outputs: dict[str, dict[str, Any]]


def read_plan(plan_dir: Path) -> dict[str, Any]:
    path = plan_dir / PLAN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanRefused(f"{path}: no saved plan here (run `underlay plan` first)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanRefused(f"{path}: not a readable plan record ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("envs"), dict):
        raise PlanRefused(f"{path}: not a plan record (no envs)")
    return data


def apply_plan(env_dir: Path, env: str, plan_dir: Path) -> Applied:
    plan_dir = plan_dir.resolve()
    record = read_plan(plan_dir)
    entry = record["envs"].get(env)
    if not isinstance(entry, dict):
        raise PlanRefused(f"{plan_dir / PLAN_FILE}: no plan for environment {env!r}")
    with checkout(env_dir, None) as head:
        commit = head_commit(head.root)
        if record.get("commit") != commit:
            raise PlanRefused(
                f"{plan_dir / PLAN_FILE}: planned at commit {str(record.get('commit'))[:12]}, "
                f"but {commit[:12]} is checked out; plan again"
            )
        stacks: dict[str, Any] = entry.get("stacks", {})
        planned = [
            s for s in (f"{env}-cluster", f"{env}-platform") if stacks.get(s, {}).get("planned")
        ]
        skipped = [s for s in stacks if s not in planned]
        for stack in planned:
            if not (plan_dir / f"{stack}.tfplan").is_file():
                raise PlanRefused(f"{plan_dir / (stack + '.tfplan')}: saved plan missing")
        outputs: dict[str, dict[str, Any]] = {}
        with synth_dir(head, [env]) as synthesized:
            folders = {s: synthesized / "stacks" / s for s in planned}
            for stack, folder in folders.items():
                now = stack_hash(normalized(folder / "cdk.tf.json", head.root))
                if now != stacks[stack].get("synth_hash"):
                    raise PlanRefused(
                        f"{plan_dir / PLAN_FILE}: {stack} synthesizes differently now than when "
                        "it was planned; plan again"
                    )
            for stack, folder in folders.items():
                tf = terraform_for(folder, head.root)
                tf.init()
                result = tf.run(
                    "apply",
                    "-input=false",
                    "-no-color",
                    str(plan_dir / f"{stack}.tfplan"),
                    check=False,
                )
                if result.returncode != 0:
                    text = result.stderr + result.stdout
                    if STALE in text:
                        raise PlanRefused(
                            f"{plan_dir / (stack + '.tfplan')}: {STALE.lower()}: the state "
                            "changed since it was planned; plan again"
                        )
                    from stacks.terraform_runner import TerraformError

                    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
                    errors = [i for i, line in enumerate(lines) if line.startswith("Error:")]
                    last = " | ".join(lines[errors[0] : errors[0] + 4] if errors else lines[-6:])
                    raise TerraformError(f"terraform apply of {stack} failed: {last}")
                outputs[stack] = tf.outputs()
    return Applied(env, commit, planned, skipped, outputs)
