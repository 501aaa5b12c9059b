"""The inheritance law, as properties over arbitrary nested data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stacks.config.merge import deep_merge
from stacks.config.yaml_source import read_document
from tests.support.envs import write_envs

keys = st.sampled_from(["a", "b", "c", "d", "e"])
scalars = st.one_of(st.integers(), st.text(max_size=3), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)
tree = st.dictionaries(keys, values, max_size=5)
overlay_values = st.recursive(
    st.one_of(scalars, st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)
overlay = st.dictionaries(keys, overlay_values, max_size=5)


def no_none_in_maps(value: Any) -> bool:
    if isinstance(value, dict):
        return all(v is not None and no_none_in_maps(v) for v in value.values())
    if isinstance(value, list):
        return all(no_none_in_maps(v) for v in value)
    return True


@given(tree)
def test_empty_overlay_is_identity(base: dict[str, Any]) -> None:
    assert deep_merge(base, {}) == base


@given(tree)
def test_merging_onto_nothing_keeps_the_overlay(child: dict[str, Any]) -> None:
    assert deep_merge({}, child) == child


@given(tree)
def test_merge_with_itself_changes_nothing(base: dict[str, Any]) -> None:
    assert deep_merge(base, base) == base


@given(tree, overlay)
def test_result_never_holds_null(base: dict[str, Any], child: dict[str, Any]) -> None:
    assert no_none_in_maps(deep_merge(base, child))


@given(tree, overlay)
def test_each_key_follows_the_law(base: dict[str, Any], child: dict[str, Any]) -> None:
    merged = deep_merge(base, child)
    for key in base.keys() - child.keys():
        assert merged[key] == base[key], "keys the child does not mention are inherited"
    for key, value in child.items():
        if value is None:
            assert key not in merged, "an explicit null removes the inherited key"
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            assert merged[key] == deep_merge(base[key], value), "mappings merge recursively"
        else:
            assert key in merged
            if isinstance(value, list):
                assert len(merged[key]) == len(value), "lists replace whole, never concatenate"
            elif not isinstance(value, dict):
                assert merged[key] == value, "scalars replace"


def test_documented_examples() -> None:
    parent = {"tags": {"team": "a", "tier": "dev"}, "zones": ["a", "b"], "nat": "single"}
    child = {"tags": {"tier": "prod", "team": None}, "zones": ["c"], "nat": None}
    assert deep_merge(parent, child) == {"tags": {"tier": "prod"}, "zones": ["c"]}


def test_chain_is_a_left_fold_with_provenance(tmp_path: Path) -> None:
    from stacks.config.loader import load_layer

    env_dir = write_envs(
        tmp_path,
        {
            "base": "a: {x: 1, y: 2}\nlist: [1, 2]\n",
            "mid": "extends: base\na: {y: 3}\nlist: [9]\n",
            "leaf": "extends: mid\na:\n  x: null\n  z: 4\n",
        },
    )
    layer, chain = load_layer("leaf", env_dir)
    assert [p.name for p in chain] == ["base.yaml", "mid.yaml", "leaf.yaml"]
    assert layer.data["a"] == {"y": 3, "z": 4}
    assert layer.data["list"] == [9]
    assert layer.origins[("a", "y")].file.name == "mid.yaml"
    assert layer.origins[("a", "z")].file.name == "leaf.yaml"
    assert layer.origins[("a", "z")].line == 4
    assert ("a", "x") not in layer.origins
    assert read_document(env_dir / "base.yaml").lines[("a", "x")] == 1
