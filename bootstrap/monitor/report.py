"""The drift report: one list of findings, written as Markdown (people) and JSON (CI, status).

A finding names what drifted and which attributes, never their values: a refresh can surface
secrets, and the report ends up in CI logs and issue bodies.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from stacks.errors import UnderlayError

__all__ = [
    "DRIFT_EXIT",
    "REPORT_JSON",
    "REPORT_MD",
    "Checked",
    "DriftReport",
    "Finding",
    "read_report",
]

DRIFT_EXIT = 3
REPORT_JSON = "drift.json"
REPORT_MD = "drift.md"


@dataclass(frozen=True)
class Finding:
    """One thing that is no longer what Git (or Terraform state) says it should be."""

    source: Literal["infra", "repo"]
    env: str
    where: str
    """The stack (``local-cluster``) or the manifest repo branch (``repo@main``)."""
    address: str
    """A Terraform resource address, or a file path in the manifest repo."""
    kind: Literal["changed", "deleted", "edited", "missing"]
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """What was looked at, and its verdict (``clean``, ``drifted``, ``not deployed``, …)."""

    source: Literal["infra", "repo"]
    env: str
    where: str
    verdict: str


@dataclass
class DriftReport:
    findings: list[Finding] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Checks that could not run (Terraform or git failed): the run exits 1, not 0 or 3."""
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "generated_at": self.generated_at.isoformat(),
            "drifted": self.drifted,
            "failures": list(self.failures),
            "checked": [asdict(c) for c in self.checked],
            "findings": [{**asdict(f), "attributes": list(f.attributes)} for f in self.findings],
        }

    def to_markdown(self) -> str:
        stamp = self.generated_at.strftime("%Y-%m-%d %H:%M UTC")
        verdict = "drift found" if self.drifted else "no drift"
        if self.failures:
            verdict += f", {len(self.failures)} check(s) failed"
        lines = [f"# underlay drift: {verdict}", "", f"Checked at {stamp}.", ""]
        lines += ["| source | env | where | verdict |", "|---|---|---|---|"]
        lines += [f"| {c.source} | {c.env} | `{c.where}` | {c.verdict} |" for c in self.checked]
        if self.findings:
            lines += ["", "| env | where | what | drift | attributes |", "|---|---|---|---|---|"]
            for f in self.findings:
                attrs = ", ".join(f"`{a}`" for a in f.attributes) or "-"
                lines.append(f"| {f.env} | `{f.where}` | `{f.address}` | {f.kind} | {attrs} |")
        lines += [f"\nFailed: {failure}" for failure in self.failures]
        lines += ["", "What each line means and what to do: docs/monitoring.md."]
        return "\n".join(lines) + "\n"

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Both files, each replaced atomically (a reader never sees half a report)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, text in (
            (REPORT_JSON, json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"),
            (REPORT_MD, self.to_markdown()),
        ):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, out_dir / name)
            paths.append(out_dir / name)
        return paths[0], paths[1]


def read_report(path: Path) -> dict[str, Any]:
    """The JSON of a previous run (for ``status``); bad content is bad input, one line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnderlayError(
            f"{path}: no drift report; run `underlay drift` or pass --drift"
        ) from None
    except (OSError, ValueError) as exc:
        raise UnderlayError(f"{path}: not a drift report ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != 1 or "drifted" not in data:
        raise UnderlayError(f"{path}: not a drift report (no version 1 / drifted keys)")
    return data
