"""checkov for the tests: one process per framework for everything the session judges.

checkov takes 5-10 s to start, and the pass tests judge 8 stacks and 6 rendered folders: one
run per target made it the largest cost of the suite after the deployments. The session
fixtures here scan every target in one run and split the report per target, so each test still
judges its own target's checks, skips and parse errors. (Several ``-d`` folders in one
kubernetes run are not an option: checkov 3.3.30 re-scans the first folder under the later
folders' names and never reads them, so the rendered folders are copied under one root.)

The guard tests (a deliberately broken copy must fail) run checkov on their own copy with
:func:`checkov`, so a scan that silently checks nothing cannot pass them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.rendered import ENVS
from tests.support.tools import require_tool

__all__ = [
    "Report",
    "checkov",
    "checkov_manifests",
    "checkov_stacks",
    "documents",
    "scanned_stacks",
    "split",
]

Report = dict[str, Any]
KEYS = ("passed_checks", "failed_checks", "skipped_checks")

# The stacks the pass tests judge: every platform stack, and the clusters with checkov tests.
CLUSTERS = ("prod-cluster", "aks-prod-cluster")


def scanned_stacks() -> list[str]:
    return [f"{env}-platform" for env in ENVS] + list(CLUSTERS)


def checkov(framework: str, *target: str) -> list[dict[str, Any]]:
    """Run checkov once; the JSON documents it printed (one per framework)."""
    exe = require_tool("checkov", "UNDERLAY_CHECKOV")
    result = subprocess.run(
        [exe, "--framework", framework, "--skip-download", "--compact", "-o", "json", *target],
        capture_output=True,
        text=True,
        check=False,
    )
    docs = [d for d in documents(result.stdout) if d.get("check_type") == framework]
    assert docs, f"checkov produced no {framework} report: {result.stderr[-2000:]}"
    return docs


def documents(text: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per run (or a list of them), back to back."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        doc, end = decoder.raw_decode(text, at)
        docs.extend(doc if isinstance(doc, list) else [doc])
        at = end + (len(text[end:]) - len(text[end:].lstrip()))
    return docs


def split(docs: list[dict[str, Any]], where: Path) -> Report:
    """The part of the reports about ``where`` (a file, or a folder and everything in it):
    its checks by outcome and a summary counted from them, parse errors included."""
    prefix = str(where)

    def inside(path: str) -> bool:
        return path == prefix or path.startswith(prefix + "/")

    results: dict[str, list[Any]] = {key: [] for key in KEYS}
    parsing_errors = 0
    for doc in docs:
        for key in KEYS:
            results[key] += [c for c in doc["results"].get(key, []) if inside(c["file_abs_path"])]
        parsing_errors += sum(inside(str(p)) for p in doc["results"].get("parsing_errors", []))
    summary = {
        "passed": len(results["passed_checks"]),
        "failed": len(results["failed_checks"]),
        "skipped": len(results["skipped_checks"]),
        "parsing_errors": parsing_errors,
    }
    return {"results": results, "summary": summary}


def _scan_stacks(synth_out: Path, stacks: Sequence[str]) -> dict[str, Report]:
    files = {name: synth_out / "stacks" / name / "cdk.tf.json" for name in stacks}
    docs = checkov("terraform_json", *(arg for f in files.values() for arg in ("-f", str(f))))
    return {name: split(docs, path) for name, path in files.items()}


@pytest.fixture(scope="session")
def checkov_stacks(synth_out: Path) -> dict[str, Report]:
    """checkov (terraform_json) on every stack in :func:`scanned_stacks`, one run."""
    return _scan_stacks(synth_out, scanned_stacks())


@pytest.fixture(scope="session")
def checkov_manifests(
    rendered: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Report]:
    """checkov (kubernetes) on every sample env's rendered ``objects`` and ``custom``, one run."""
    root = tmp_path_factory.mktemp("checkov-manifests")
    for env, folder in rendered.items():
        for part in ("objects", "custom"):
            shutil.copytree(folder / part, root / env / part)
    docs = checkov("kubernetes", "-d", str(root))
    return {env: split(docs, root / env) for env in rendered}
