"""Mutation score per module, each module against its own unit tests (``nox -s mutants``).

For every row of :data:`MODULES` this copies the tracked tree to a scratch dir, writes a
``[tool.mutmut]`` section naming that one module and its tests, runs the pinned mutmut there and
reads its counts. Prints one table; exits 1 if a module is below :data:`TARGET` (after taking out
the equivalent mutants listed in docs/quality.md). Usage::

    python tools/mutants.py [--show] [MODULE ...]   # default: every module in MODULES

``--show`` prints each survivor's diff (``mutmut show``) under the table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["MODULES", "TARGET", "equivalent_mutants", "main", "score_module"]

ROOT = Path(__file__).resolve().parents[1]
TARGET = 90.0
QUALITY_DOC = ROOT / "docs" / "quality.md"
# module -> its unit tests (the test layout mirrors the code; see docs/quality.md)
MODULES: dict[str, list[str]] = {
    "bootstrap/git/redact.py": ["tests/bootstrap/git/test_redact.py"],
    "bootstrap/git/urls.py": ["tests/bootstrap/git/test_urls.py"],
    "bootstrap/git/auth.py": ["tests/bootstrap/git/test_auth.py"],
    "bootstrap/git/runner.py": ["tests/bootstrap/git/test_runner.py"],
    "stacks/config/merge.py": [
        "tests/stacks/config/test_merge.py",
        "tests/stacks/config/test_merge_provenance.py",
    ],
    "bootstrap/backup/retention.py": [
        "tests/bootstrap/backup/test_retention.py",
        "tests/bootstrap/backup/test_retention_tables.py",
    ],
    "bootstrap/gitops/ownership.py": ["tests/bootstrap/gitops/test_ownership.py"],
    # what the backup-race work (issue 13) added: store-clock ranking, whole-id matching
    "bootstrap/backup/catalog.py": ["tests/bootstrap/backup/test_catalog.py"],
    "bootstrap/backup/layout.py": [
        "tests/bootstrap/backup/test_layout.py",
        "tests/bootstrap/backup/test_layout_tables.py",
    ],
    "bootstrap/gitops/safefs.py": ["tests/bootstrap/gitops/test_safefs.py"],
}


def _tests_of(module: str) -> list[str]:
    mirrored = Path("tests") / Path(module).parent / f"test_{Path(module).name}"
    found = [t for t in MODULES.get(module, []) if (ROOT / t).exists()]
    if (ROOT / mirrored).exists() and str(mirrored) not in found:
        found.append(str(mirrored))
    return found


def equivalent_mutants(doc: Path = QUALITY_DOC) -> set[str]:
    """The mutant names listed (in backticks) under the doc's "Equivalent mutants" heading."""
    text = doc.read_text() if doc.exists() else ""
    _, _, section = text.partition("\n## Equivalent mutants")
    section = section.split("\n## ", 1)[0]
    return set(re.findall(r"`([\w.\u01c1]+__mutmut_\d+)`", section))


def score_module(module: str, *, show: bool = False) -> dict[str, object]:
    tests = _tests_of(module)
    if not tests:
        return {"module": module, "error": "no unit tests found"}
    work = Path(tempfile.mkdtemp(prefix="underlay-mutants-"))
    try:
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        for name in files:
            src = ROOT / name
            if src.is_file() and not name.startswith(("node_modules", ".venv", ".nox")):
                dest = work / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
        with (work / "pyproject.toml").open("a") as handle:
            handle.write(
                "\n[tool.mutmut]\n"
                f"source_paths = [{json.dumps(module)}]\n"
                f"tests_dir = {json.dumps(tests)}\n"
                'also_copy = ["bootstrap", "stacks", "tests", "environments"]\n'
                'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
            )
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", "2"],
            cwd=work, env=env, capture_output=True, text=True, check=False, timeout=3600,
        )  # fmt: skip
        _mutmut(work, env, "export-cicd-stats")
        stats_file = work / "mutants" / "mutmut-cicd-stats.json"
        if not stats_file.exists():
            return {"module": module, "error": "mutmut wrote no statistics"}
        stats = json.loads(stats_file.read_text())
        results = _mutmut(work, env, "results")
        status = {
            name.strip(): what.strip()
            for name, _, what in (ln.rpartition(":") for ln in results.splitlines())
        }
        survivors = [name for name, what in status.items() if what == "survived"]
        untested = [name for name, what in status.items() if what == "no tests"]
        diffs = {name: _mutmut(work, env, "show", name) for name in (survivors + untested) if show}
        return {
            "module": module,
            "tests": tests,
            **stats,
            "survivors": survivors,
            "untested": untested,
            "diffs": diffs,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _mutmut(work: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=work, env=env, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip


def _score(row: dict[str, object], equivalent: int = 0) -> float | None:
    killed = int(row.get("killed", 0)) + int(row.get("timeout", 0))  # type: ignore[call-overload]
    total = int(row.get("total", 0)) - int(row.get("skipped", 0)) - equivalent  # type: ignore[call-overload]
    return 100.0 * killed / total if total else None


def main(argv: list[str]) -> int:
    show = "--show" in argv
    modules = [a for a in argv if a != "--show"] or list(MODULES)
    rows = [score_module(m, show=show) for m in modules]
    listed = equivalent_mutants()
    header = ("mutants", "killed", "timeout", "survived", "no tests", "equiv", "score")
    print(f"{'module':40} " + " ".join(f"{h:>8}" for h in header))
    failed = False
    for row in rows:
        if "error" in row:
            print(f"{row['module']!s:40} {row['error']}")
            failed = True
            continue
        survivors: list[str] = row["survivors"]  # type: ignore[assignment]
        equivalent = [name for name in survivors if name in listed]
        score = _score(row, len(equivalent))
        failed |= score is None or score < TARGET
        shown = f"{score:.1f}%" if score is not None else "-"
        counts = (
            row["total"],
            row["killed"],
            row.get("timeout", 0),
            row["survived"],
            row.get("no_tests", 0),
            len(equivalent),
            shown,
        )
        print(f"{row['module']!s:40} " + " ".join(f"{c!s:>8}" for c in counts))
        untested: list[str] = row["untested"]  # type: ignore[assignment]
        for name in survivors + untested:
            kind = "no tests" if name in untested else "survived"
            print(f"    {kind}{' (equivalent)' if name in listed else ''}: {name}")
            diff: str = row["diffs"].get(name, "")  # type: ignore[attr-defined]
            print("".join(f"        {line}\n" for line in diff.splitlines()), end="")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
