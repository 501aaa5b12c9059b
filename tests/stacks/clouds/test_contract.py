"""The cloud contract's boundary: cloud knowledge stays in its module, and the config and
cloud packages import each other in no cycle (checked on the source, so it holds for every
import order)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from stacks.clouds import cloud_module
from stacks.config import load_environment
from tests.support.envs import copy_samples

ROOT = Path(__file__).resolve().parents[3]
# The config model names each cloud's settings and state models in its unions: the one
# registration point a cloud has outside its own folder.
REGISTRATION = {"stacks/config/model.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` is imported: not inside functions or TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (ROOT / "stacks").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        for imported in _top_level_imports(path):
            # Importing a.b.c runs a/__init__ and a/b/__init__ too.
            parts = imported.split(".")
            targets.update(
                ".".join(parts[:i])
                for i in range(1, len(parts) + 1)
                if ".".join(parts[:i]) in files
            )
        graph[name] = targets - {name}
    return graph


def test_no_import_cycle_in_stacks() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_the_cycle_check_can_fail() -> None:
    """The graph sees package __init__ imports: stacks.config re-exports lazily, so a leaf
    import such as stacks.config.types does not reach stacks.config.model."""
    graph = _graph()
    assert "stacks.config.model" not in graph["stacks.config"]
    assert "stacks.config" in graph["stacks.clouds.aws.settings"]
    assert "stacks.clouds.aws.settings" in graph["stacks.config.model"]


def test_aws_knowledge_lives_in_the_aws_module() -> None:
    outside = []
    for path in [*(ROOT / "stacks").rglob("*.py"), *(ROOT / "bootstrap").rglob("*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("stacks/clouds/aws/") or rel in REGISTRATION:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            outside += [f"{rel}: {n}" for n in names if n.startswith("stacks.clouds.aws")]
            if isinstance(node, ast.Attribute) and node.attr == "region":
                outside.append(f"{rel}:{node.lineno}: .region")
    assert outside == []


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_samples(tmp_path_factory.mktemp("samples"))


def test_cloud_rules_are_reached_through_the_contract(env_dir: Path) -> None:
    env = load_environment("prod", env_dir).env
    aws = cloud_module("aws")
    assert list(aws.check(env)) == []
    broken = env.model_copy(
        update={"cloud": env.cloud.model_copy(update={"log_retention_days": 100})}
    )
    assert [path for path, _ in aws.check(broken)] == [("cloud", "log_retention_days")]


def test_metadata_carries_the_region_and_cloud(env_dir: Path) -> None:
    env = load_environment("prod", env_dir).env
    assert dict(cloud_module("aws").metadata(env)) == {
        "cloud": "aws",
        "cloud_region": "eu-west-1",
    }
