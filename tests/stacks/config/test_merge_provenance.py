"""Provenance through merges: every leaf keeps the origin of the file that set it, and nothing
else (the walk over subtrees replaced a scan over every origin, which made load quadratic)."""

from __future__ import annotations

from pathlib import Path

from stacks.config.merge import Layer, Origin, merge

P, C = Path("parent.yaml"), Path("child.yaml")


def _layer(file: Path, data: dict[str, object], lines: dict[tuple[object, ...], int]) -> Layer:
    return Layer(data, {k: Origin(file, v) for k, v in lines.items()})  # type: ignore[misc]


PARENT = _layer(
    P,
    {"a": {"x": 1, "y": [1, {"z": 2}]}, "b": 1, "c": {"d": 1}},
    {
        ("a",): 1,
        ("a", "x"): 2,
        ("a", "y"): 3,
        ("a", "y", 0): 3,
        ("a", "y", 1): 4,
        ("a", "y", 1, "z"): 4,
        ("b",): 5,
        ("c",): 6,
        ("c", "d"): 7,
    },
)


def test_replacing_a_subtree_forgets_every_origin_inside_it() -> None:
    child = _layer(C, {"a": {"y": "flat"}}, {("a",): 1, ("a", "y"): 2})
    out = merge(PARENT, child)
    assert out.data["a"] == {"x": 1, "y": "flat"}
    assert out.origins[("a",)] == Origin(C, 1)
    assert out.origins[("a", "x")] == Origin(P, 2)
    assert out.origins[("a", "y")] == Origin(C, 2)
    assert not [k for k in out.origins if k[:2] == ("a", "y") and len(k) > 2]


def test_null_removes_the_key_and_its_origins() -> None:
    child = _layer(C, {"a": None, "zz": None}, {("a",): 1, ("zz",): 2})
    out = merge(PARENT, child)
    assert "a" not in out.data
    assert "zz" not in out.data
    assert not [k for k in out.origins if k[:1] in (("a",), ("zz",))]
    assert out.origins[("b",)] == Origin(P, 5)


def test_a_new_subtree_brings_the_origins_of_its_leaves_but_not_of_its_nulls() -> None:
    child = _layer(
        C,
        {"n": {"k": [1, {"m": 2}], "gone": None}},
        {
            ("n",): 1,
            ("n", "k"): 2,
            ("n", "k", 0): 2,
            ("n", "k", 1): 3,
            ("n", "k", 1, "m"): 3,
            ("n", "gone"): 4,
        },
    )
    out = merge(PARENT, child)
    assert out.data["n"] == {"k": [1, {"m": 2}]}
    assert out.origins[("n", "k", 1, "m")] == Origin(C, 3)
    assert out.origins[("n", "k", 0)] == Origin(C, 2)
    assert ("n", "gone") not in out.origins


def test_replacing_a_mapping_with_a_scalar_and_back() -> None:
    child = _layer(C, {"c": 5, "b": {"e": 1}}, {("c",): 1, ("b",): 2, ("b", "e"): 3})
    out = merge(PARENT, child)
    assert out.data["c"] == 5
    assert out.data["b"] == {"e": 1}
    assert ("c", "d") not in out.origins
    assert out.origins[("b", "e")] == Origin(C, 3)
    assert out.origins[("c",)] == Origin(C, 1)


def test_merge_keeps_inputs_untouched() -> None:
    before = dict(PARENT.origins)
    merge(PARENT, _layer(C, {"a": None}, {("a",): 1}))
    assert dict(PARENT.origins) == before
    assert PARENT.data["a"] == {"x": 1, "y": [1, {"z": 2}]}


def test_a_mapping_merged_without_an_origin_of_its_own_keeps_the_parents() -> None:
    child = _layer(C, {"c": {"e": 2}}, {("c", "e"): 9})
    out = merge(PARENT, child)
    assert out.origins[("c",)] == Origin(P, 6)
    assert out.origins[("c", "e")] == Origin(C, 9)
    assert out.data["c"] == {"d": 1, "e": 2}
