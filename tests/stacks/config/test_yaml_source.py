"""Hostile YAML in an env file: each case is refused at read with file:line and a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config.yaml_source import MAX_DEPTH, read_document
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
    ("NUL byte", b"a: 1\x00\n", None, r"invalid YAML"),
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
