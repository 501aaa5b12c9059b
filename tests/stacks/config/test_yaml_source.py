"""Hostile YAML in an env file: each case is refused at read with file:line and a clear reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import yaml_source
from stacks.config.yaml_source import MAX_DEPTH, KeyPath, read_document
from stacks.errors import ConfigError

BOMB = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
)

# (case id, file bytes, expected line, match=)
CASES = [
    ("tag on a scalar", b"a: !foo bar\n", 1, r"YAML tags are not allowed \(got !foo\)"),
    ("core tag on a scalar", b"a: 1\nb: !!str 2\n", 2, r"YAML tags are not allowed"),
    ("tag on a mapping", b"a:\n  b: !m {x: 1}\n", 2, r"tags are not allowed \(got !m\)"),
    ("tag on a sequence", b"a: !s [1]\n", 1, r"tags are not allowed \(got !s\)"),
    ("python object tag", b"a: !!python/object:os.system {}\n", 1, r"tags are not allowed"),
    ("tag on the root", b"--- !root\na: 1\n", 1, r"tags are not allowed"),
    ("merge key", b"a: &x {k: 1}\nb:\n  <<: *x\n", 3, r"merge keys \(<<\) are not supported"),
    ("merge key list", b"a: &x {k: 1}\nb: {<<: [*x]}\n", 2, r"merge keys"),
    ("self alias in sequence", b"a: &x\n  - *x\n", 2, r"alias \*x refers to a node that contains"),
    ("self alias in mapping", b"a: &x\n  b: *x\n", 2, r"alias \*x refers to a node that contains"),
    ("alias bomb", BOMB.encode(), 6, r"expands to more than \d+ nodes"),
    (
        "deep nesting",
        b"a: " + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"\n",
        1,
        "nesting",
    ),
    ("duplicate key", b"a: 1\na: 2\n", 2, r"duplicate key"),
    ("NUL byte", b"a: 1\x00\n", 1, r"invalid YAML: unacceptable character #x0000"),
    ("control character", "a: \u00e9\nb: \x07\n".encode(), 2, r"#x0007: control characters"),
    ("not UTF-8", b"a: \xff\xfe\n", None, r"cannot read file"),
    ("non-string key", b"1: a\n", 1, r"keys must be strings"),
    ("undefined alias", b"a: *nope\n", 1, r"invalid YAML"),
    ("not a mapping", b"- a\n", 1, r"expected a mapping"),
]


@pytest.mark.parametrize(
    ("content", "line", "match"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_yaml_is_refused_with_file_and_line(
    tmp_path: Path, content: bytes, line: int | None, match: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=match) as info:
        read_document(path)
    assert info.value.location.file == path
    assert info.value.location.line == line
    assert "\n" not in str(info.value)


def test_plain_anchor_and_alias_still_work(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: &x {k: [1, 2]}\nb: *x\nc: '<<'\nd: {'<<': 1}\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": "<<", "d": {"<<": 1}}
    assert doc.lines[("b",)] == 2


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_document(path).data == {"a": 1}


def test_many_aliases_under_the_bound_load(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text("a: &a [1, 2, 3]\nb: [" + ", ".join(["*a"] * 1000) + "]\n", encoding="utf-8")
    assert len(read_document(path).data["b"]) == 1000


def _read(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "env.yaml"
    path.write_text(text, encoding="utf-8")
    return read_document(path)


# Plain scalars keep the YAML 1.2 meaning env files were always read with (ruamel's rules).
TYPED = [
    ("no", "no"),
    ("on", "on"),
    ("Yes", "Yes"),
    ("true", True),
    ("False", False),
    ("~", None),
    ("null", None),
    ("0o17", 15),
    ("017", 17),
    ("0x1F", 31),
    ("1_000", 1000),
    ("1e3", 1000.0),
    ("-.5", -0.5),
    ("2020-01-01", "2020-01-01"),
    ("2020-01-01 10:00:00", "2020-01-01T10:00:00"),
    ("=", "="),
    ("<<", "<<"),
    ("'017'", "017"),
    ('"true"', "true"),
    ("eu-west-1", "eu-west-1"),
]


@pytest.mark.parametrize(("written", "value"), TYPED, ids=[t[0] for t in TYPED])
def test_plain_scalars_are_typed_as_yaml_1_2(tmp_path: Path, written: str, value: Any) -> None:
    data = _read(tmp_path, f"a: {written}\nb: [{written}]\n").data
    assert data == {"a": value, "b": [value]}
    assert type(data["a"]) is type(value)  # plain int/float/bool, not a formatting subclass


def test_a_yaml_1_1_directive_gives_1_1_meanings(tmp_path: Path) -> None:
    data = _read(tmp_path, "%YAML 1.1\n---\na: no\nb: 017\nc: 1e3\n").data
    assert data == {"a": False, "b": 15, "c": 1000.0}


def test_anchored_bool_stays_a_bool(tmp_path: Path) -> None:
    data = _read(tmp_path, "a: &t true\nb: *t\n").data
    assert data["a"] is True
    assert data["b"] is True


def test_lines_of_aliased_nodes(tmp_path: Path) -> None:
    doc = _read(tmp_path, "base: &b\n  k: 1\n  l: [x]\nlist:\n- *b\n- *b\nother: *b\n")
    assert doc.lines[("list", 0)] == 5  # an item is where the alias stands
    assert doc.lines[("list", 1)] == 6
    assert doc.lines[("other",)] == 7
    assert doc.lines[("other", "k")] == 2  # keys inside it are where the anchor set them
    assert doc.lines[("list", 1, "l", 0)] == 3
    doc.data["other"]["k"] = 2  # every alias is its own copy
    assert doc.data["base"]["k"] == doc.data["list"][0]["k"] == 1


def test_duplicate_key_names_its_path_and_first_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"duplicate key 'k' \(first set on line 2\)") as info:
        _read(tmp_path, "a:\n  k: 1\n  j: 2\n  k: 3\n")
    assert info.value.location.line == 4
    assert info.value.location.key_path == "a.k"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("0o17: a\n", r"keys must be strings, got an integer \(0o17\); quote it"),
        ("2020-01-01: a\n", r"got a date \(2020-01-01\)"),
        ("a:\n  null: 1\n", r"got null"),
        ("a:\n  [x]: 1\n", r"got a list"),
    ],
)
def test_non_string_keys_say_what_they_read_as(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        _read(tmp_path, text)
    assert info.value.location.line == text.count("\n")


def test_aliases_cannot_nest_past_the_depth_bound(tmp_path: Path) -> None:
    half = MAX_DEPTH // 2 + 1
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    with pytest.raises(ConfigError, match=rf"nesting deeper than {MAX_DEPTH}") as info:
        _read(tmp_path, text)
    assert info.value.location.line == 2


def test_a_second_document_is_refused_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="single document") as info:
        _read(tmp_path, "a: 1\n---\nb: 2\n")
    assert info.value.location.line == 2


def test_a_bad_number_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read '\+_'") as info:
        _read(tmp_path, "%YAML 1.1\n---\na: 1\nb: +_\n")
    assert info.value.location.line == 4


def test_aliases_inside_anchored_nodes_expand_with_their_lines(tmp_path: Path) -> None:
    doc = _read(tmp_path, "a: &a {x: 1}\nb: &b {y: *a, z: [*a]}\nc: *b\n")
    assert doc.data["c"] == {"y": {"x": 1}, "z": [{"x": 1}]}
    assert doc.lines[("c",)] == 3
    assert doc.lines[("c", "y")] == doc.lines[("c", "z", 0)] == 2
    assert doc.lines[("c", "z", 0, "x")] == 1
    doc.data["c"]["z"][0]["x"] = 2
    assert doc.data["b"]["z"][0]["x"] == doc.data["a"]["x"] == 1


def test_an_alias_bomb_is_refused_before_anything_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[KeyPath] = []
    clone = yaml_source._clone

    def counted(source: Any, source_at: KeyPath, at: KeyPath, lines: dict[KeyPath, int]) -> Any:
        copies.append(at)
        return clone(source, source_at, at, lines)

    monkeypatch.setattr(yaml_source, "_clone", counted)
    with pytest.raises(ConfigError, match="expands to more than"):
        _read(tmp_path, BOMB)
    assert copies == []
    _read(tmp_path, "a: &a [1]\nb: *a\n")
    assert ("b",) in copies  # the patch does see copies
