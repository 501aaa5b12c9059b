"""The mutation-score session's bookkeeping: which survivors are equivalent, and the score."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.mutants import MODULES, QUALITY_DOC, _score, _tests_of, equivalent_mutants

DOC = """# Quality

## Scores

`a.b.x_f__mutmut_1` survived and is not listed below.

## Equivalent mutants

| mutant | change | why |
|---|---|---|
| `a.b.x_f__mutmut_2` | x | y |
| `a.b.xǁCǁm__mutmut_10` | x | y |
| `not_a_mutant_name` | x | y |

## Afterwards

`a.b.x_f__mutmut_3`
"""


def test_only_the_equivalent_section_counts(tmp_path: Path) -> None:
    (tmp_path / "q.md").write_text(DOC)
    assert equivalent_mutants(tmp_path / "q.md") == {"a.b.x_f__mutmut_2", "a.b.xǁCǁm__mutmut_10"}
    assert equivalent_mutants(tmp_path / "absent.md") == set()


def test_the_repo_doc_lists_equivalents_of_measured_modules_only() -> None:
    modules = {m.removesuffix(".py").replace("/", ".") for m in MODULES}
    listed = equivalent_mutants(QUALITY_DOC)
    assert listed
    assert {name.rsplit(".", 1)[0] for name in listed} <= modules


@pytest.mark.parametrize(
    ("row", "equivalent", "score"),
    [
        ({"total": 10, "killed": 9, "timeout": 0, "skipped": 0}, 0, 90.0),
        ({"total": 10, "killed": 7, "timeout": 2, "skipped": 0}, 0, 90.0),
        ({"total": 10, "killed": 8, "timeout": 0, "skipped": 0}, 1, 8 / 9 * 100),
        ({"total": 10, "killed": 8, "timeout": 0, "skipped": 2}, 0, 100.0),
        ({"total": 2, "killed": 0, "timeout": 0, "skipped": 0}, 2, None),
    ],
)
def test_score(row: dict[str, object], equivalent: int, score: float | None) -> None:
    assert _score(row, equivalent) == score


def test_every_module_has_its_mirrored_unit_tests() -> None:
    for module in MODULES:
        tests = _tests_of(module)
        assert tests, module
        assert f"tests/{module.rsplit('/', 1)[0]}/test_{module.rsplit('/', 1)[1]}" in tests
