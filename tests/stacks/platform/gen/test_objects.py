"""The platform's view of the cluster outputs and its labels: names from their one place."""

from __future__ import annotations

from dataclasses import fields

from stacks.clouds.contract import OUTPUT_NAMES
from stacks.config import load_environment
from stacks.platform.gen.objects import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    ClusterRefs,
    common_labels,
    terraform_refs,
)
from tests.support.gitops import ENV_DIR


def test_every_cluster_ref_is_a_contract_output() -> None:
    names = [f.name for f in fields(ClusterRefs)]
    assert names
    assert [n for n in names if n not in OUTPUT_NAMES] == []


def test_terraform_refs_read_each_output_by_its_own_name() -> None:
    refs = terraform_refs("data.x.y")
    for f in fields(ClusterRefs):
        assert getattr(refs, f.name) == f"${{data.x.y.outputs.{f.name}}}"


def test_common_labels_carry_the_one_managed_by_label() -> None:
    env = load_environment("dev", ENV_DIR).env
    assert common_labels(env) == {MANAGED_BY_LABEL: MANAGED_BY, "underlay.io/environment": "dev"}
