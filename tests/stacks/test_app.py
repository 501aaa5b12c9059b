"""Golden `cdk.tf.json` of every sample stack: any change of synthesized output shows as a diff
of `tests/stacks/golden/` (refresh with `pytest --update-goldens`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Golden
from tests.support.rendered import ENVS

STACKS = [f"{env}-{kind}" for env in ENVS for kind in ("cluster", "platform")]
ENGINE_STAMP = "<engine version>"


def normalized(stack_json: str) -> str:
    """The stack as the goldens keep it: cdktf and cdktn stamp their own version, nothing else
    differs between them (tests/stacks/test_engine.py), so the stamp is replaced."""
    data = json.loads(stack_json)
    data["//"]["metadata"]["version"] = ENGINE_STAMP
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("stack", STACKS)
def test_cdk_tf_json_matches_golden(synth_out: Path, golden: Golden, stack: str) -> None:
    golden.check(
        f"{stack}.cdk.tf.json",
        normalized((synth_out / "stacks" / stack / "cdk.tf.json").read_text()),
    )


def test_normalization_keeps_everything_but_the_stamp() -> None:
    raw = '{"//": {"metadata": {"version": "0.21.0", "stackName": "x"}}, "resource": {"a": 1}}'
    assert json.loads(normalized(raw)) == {
        "//": {"metadata": {"version": ENGINE_STAMP, "stackName": "x"}},
        "resource": {"a": 1},
    }
