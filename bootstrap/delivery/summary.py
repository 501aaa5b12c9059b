"""``summary.md``: one PR comment a reviewer reads, built from plan data (pure: data in, text out).

Per environment: first what must not be missed (deletions, replacements, IAM / security-group /
KMS / public-access / bucket-policy changes), then counts, then folded details: every resource
change, the effective-config diff, the manifest-repo change bootstrap would make, and for stacks
Terraform did not plan here, the diff of rendered objects. Always under ``limit`` characters: it
cuts details first, says what it cut, and points at the files in the plan folder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "LIMIT",
    "EnvReport",
    "ResourceChange",
    "StackReport",
    "build_summary",
    "change_kind",
    "risk_of",
]

LIMIT = 60_000
KINDS = ("replace", "delete", "create", "update")

# Resource types whose change a reviewer must see even when it is a plain update.
_SENSITIVE = (
    (re.compile(r"^aws_iam_|^azurerm_role_|_iam_"), "IAM"),
    (re.compile(r"security_group|network_security"), "security group"),
    (re.compile(r"^aws_kms_|key_vault"), "KMS"),
    (re.compile(r"public_access|_public_"), "public access"),
    (re.compile(r"bucket_policy|_bucket_acl"), "bucket policy"),
)


def change_kind(actions: Sequence[str]) -> str | None:
    """Terraform's action list as one kind; None for no-op and read."""
    acts = set(actions)
    if {"create", "delete"} <= acts:
        return "replace"
    for kind in ("delete", "create", "update"):
        if kind in acts:
            return kind
    return None


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    kind: str  # one of KINDS

    @property
    def risks(self) -> list[str]:
        found = [self.kind] if self.kind in ("replace", "delete") else []
        return found + [label for pattern, label in _SENSITIVE if pattern.search(self.type)]


def risk_of(change: ResourceChange) -> str:
    return ", ".join(change.risks)


@dataclass(frozen=True)
class StackReport:
    stack: str
    planned: bool
    changes: tuple[ResourceChange, ...] = ()
    note: str = ""  # why Terraform did not plan it, when it did not
    render_diff: str = ""  # rendered objects, base vs head, for stacks not planned
    files: tuple[str, ...] = ()

    def counts(self) -> Counter[str]:
        return Counter(c.kind for c in self.changes)


@dataclass(frozen=True)
class EnvReport:
    env: str
    stacks: tuple[StackReport, ...]
    config_diff: tuple[str, ...] = ()
    manifest_change: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default_factory=tuple)


def _counts_line(counts: Counter[str]) -> str:
    return ", ".join(
        f"{counts.get(k, 0)} to {k}" for k in ("create", "update", "replace", "delete")
    )


def _risky(report: EnvReport) -> list[str]:
    lines = []
    for stack in report.stacks:
        for change in stack.changes:
            if change.risks:
                lines.append(f"- ⚠️ **{risk_of(change)}**: `{change.address}` ({stack.stack})")
    lines.sort(key=lambda line: 0 if "replace" in line or "delete" in line else 1)
    return lines


def _details(summary: str, body: list[str], fence: str = "") -> list[str]:
    inner = [f"```{fence}", *body, "```"] if fence is not None else body
    return ["<details>", f"<summary>{summary}</summary>", "", *inner, "", "</details>"]


def _env_section(report: EnvReport, level: int, files_hint: str) -> list[str]:
    out = [f"### {report.env}", ""]
    risky = _risky(report)
    if risky:
        out.append("**Must not miss:**")
        out.extend(risky if level < 2 else risky[:20])
        if level >= 2 and len(risky) > 20:
            out.append(f"- … {len(risky) - 20} more (cut; see {files_hint})")
        out.append("")
    for stack in report.stacks:
        if stack.planned:
            out.append(f"- `{stack.stack}`: {_counts_line(stack.counts())}")
        else:
            out.append(f"- `{stack.stack}`: **Terraform did not plan this stack.** {stack.note}")
    out.append("")
    if level >= 1:
        out.append(f"_Details cut to stay under the size limit; see {files_hint}._")
        out.append("")
        return out
    for stack in report.stacks:
        if stack.planned and stack.changes:
            order = sorted(stack.changes, key=lambda c: (KINDS.index(c.kind), c.address))
            body = [f"{c.kind:>7}  {c.address}" for c in order]
            out += _details(f"{stack.stack}: every resource change", body, "")
        if not stack.planned:
            body = stack.render_diff.splitlines() or ["(no rendered object changed)"]
            out += _details(f"{stack.stack}: rendered objects, base vs head", body, "diff")
    if report.config_diff:
        out += _details("effective configuration, base vs head", list(report.config_diff), "")
    if report.manifest_change:
        out += _details(
            "manifest repo: what `underlay bootstrap` would change",
            list(report.manifest_change),
            "",
        )
    out.extend(report.extra)
    out.append("")
    return out


def build_summary(
    reports: Sequence[EnvReport],
    *,
    title: str,
    files_hint: str = "the plan folder (`plan.json`, `<stack>.json`)",
    limit: int = LIMIT,
) -> str:
    """The comment; when the full text exceeds ``limit`` it cuts details, then risky lists, then
    whole environments, and says so at the top."""
    head = [f"## {title}", ""]
    if not reports:
        return "\n".join([*head, "No environment is affected."]) + "\n"
    total = Counter[str]()
    for r in reports:
        for s in r.stacks:
            total.update(s.counts())
    head += [f"{len(reports)} environment(s): {_counts_line(total)}.", ""]
    cuts = {
        1: "folded details (resource lists, config and manifest-repo diffs, rendered objects)",
        2: "folded details and risky lists beyond 20 per environment",
    }
    for level in (0, 1, 2):
        sections = [line for r in reports for line in _env_section(r, level, files_hint)]
        note = [f"> ✂️ Cut to stay under {limit:,} characters: {cuts[level]}.", ""] if level else []
        text = "\n".join([*head, *note, *sections]) + "\n"
        if len(text) < limit:
            return text
    # Level 3: as many environments as fit, then a line naming how many were cut.
    kept: list[str] = []
    reserve = 400
    shown = 0
    for r in reports:
        section = _env_section(r, 2, files_hint)
        if len("\n".join([*head, *kept, *section])) + reserve >= limit:
            break
        kept += section
        shown += 1
    rest = [r.env for r in reports[shown:]]
    note = [
        f"> ✂️ Cut to stay under {limit:,} characters: folded details, and {len(rest)} "
        f"environment(s) entirely ({', '.join(rest[:10])}{', …' if len(rest) > 10 else ''}); "
        f"see {files_hint}.",
        "",
    ]
    text = "\n".join([*head, *note, *kept]) + "\n"
    return text[: limit - 1]
