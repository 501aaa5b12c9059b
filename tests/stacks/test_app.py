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
OBJECTS_CHART = "<objects chart>"


def normalized(stack_json: str) -> str:
    """The stack as the goldens keep it: cdktf and cdktn stamp their own version, nothing else
    differs between them (tests/stacks/test_engine.py), so the stamp is replaced. The in-repo
    objects chart is referenced by a path relative to the stack's folder, and the tests
    synthesize into a temporary project copy, so that path runs through wherever the checkout
    lies: it is replaced too (a synth inside the project gives ../../stacks/platform/...)."""
    data = json.loads(stack_json)
    data["//"]["metadata"]["version"] = ENGINE_STAMP
    for release in data.get("resource", {}).get("helm_release", {}).values():
        if str(release.get("chart", "")).endswith("stacks/platform/charts/objects"):
            release["chart"] = OBJECTS_CHART
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("stack", STACKS)
def test_cdk_tf_json_matches_golden(synth_out: Path, golden: Golden, stack: str) -> None:
    golden.check(
        f"{stack}.cdk.tf.json",
        normalized((synth_out / "stacks" / stack / "cdk.tf.json").read_text()),
    )


def test_normalization_keeps_everything_but_the_stamp_and_the_chart_path() -> None:
    raw = json.dumps(
        {
            "//": {"metadata": {"version": "0.21.0", "stackName": "x"}},
            "resource": {
                "a": {"b": 1},
                "helm_release": {
                    "objects": {"chart": "../../../../co/stacks/platform/charts/objects"},
                    "flux": {"chart": "flux-operator"},
                },
            },
        }
    )
    assert json.loads(normalized(raw)) == {
        "//": {"metadata": {"version": ENGINE_STAMP, "stackName": "x"}},
        "resource": {
            "a": {"b": 1},
            "helm_release": {
                "objects": {"chart": OBJECTS_CHART},
                "flux": {"chart": "flux-operator"},
            },
        },
    }
