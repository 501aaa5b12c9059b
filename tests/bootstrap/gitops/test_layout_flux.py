"""The manifest-repo layout follows ``platform.flux.namespace`` and decrypts SOPS in every
Kustomization it writes (the root one gets it from the FluxInstance)."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from bootstrap.gitops.layout import LayoutOptions, generate_layout
from stacks.config import load_environment
from stacks.platform.gen.flux import flux_instance
from tests.support.envs import MINIMAL_DEV, SAMPLE_ENV_DIR, write_envs


def _docs(tmp_path: Any, extra: str) -> tuple[Any, list[dict[str, Any]]]:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + extra})
    env = load_environment("dev", env_dir).env
    yaml = YAML(typ="safe", pure=True)
    docs = [
        d
        for m in generate_layout(LayoutOptions(env=env))
        if m.mode == "managed"  # what underlay writes for Flux; seeds are the user's content
        for d in yaml.load_all(m.content)
        if d and "metadata" in d
    ]
    return env, docs


FLUX_NS = f"""
gitops:
  repo: https://git.example.com/org/manifests.git
versions:
  images:
    backup: registry.example.com/underlay/backup-job@sha256:{"ab" * 32}
platform:
  flux:
    namespace: gitops
    sops:
      enabled: true
"""


def test_every_flux_object_lives_in_the_configured_namespace(tmp_path: Any) -> None:
    env, docs = _docs(tmp_path, FLUX_NS)
    assert docs
    assert {d["metadata"]["namespace"] for d in docs} == {"gitops"}
    assert flux_instance(env)["metadata"]["namespace"] == "gitops"
    for d in docs:
        if d["kind"] == "Kustomization":
            assert d["spec"]["sourceRef"]["name"] == "gitops"


def test_child_kustomizations_decrypt_sops(tmp_path: Any) -> None:
    _, docs = _docs(tmp_path, FLUX_NS)
    children = [d for d in docs if d["kind"] == "Kustomization"]
    assert {d["metadata"]["name"] for d in children} == {
        "infra-controllers",
        "infra-configs",
        "apps",
    }
    for d in children:
        assert d["spec"]["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}


def test_no_decryption_without_sops(tmp_path: Any) -> None:
    _, docs = _docs(tmp_path, "")
    assert all("decryption" not in d["spec"] for d in docs if d["kind"] == "Kustomization")


def _key(o: dict[str, Any]) -> tuple[str, str, str]:
    return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


def terraform_owned(env: Any) -> set[tuple[str, str, str]]:
    """What ``<env>-platform`` owns: its objects, what its charts render from our values, the
    Helm releases, and what the FluxInstance's sync creates (source + root Kustomization)."""
    from stacks.platform.render import environment_plan

    plan = environment_plan(env)
    ns = env.platform.flux.namespace
    return (
        {_key(o) for o in plan.objects + plan.custom_objects}
        | {("HelmRelease", r.namespace, r.name) for r in plan.releases}
        | {("GitRepository", ns, ns), ("Kustomization", ns, ns)}
    )


def layout_owned(env: Any) -> set[tuple[str, str, str]]:
    yaml = YAML(typ="safe", pure=True)
    return {
        _key(d)
        for m in generate_layout(LayoutOptions(env=env))
        if m.mode == "managed"  # what underlay writes for Flux; seeds are the user's content
        for d in yaml.load_all(m.content)
        if d and "metadata" in d
    }


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLE_ENV_DIR.glob("*.yaml")))
def test_terraform_and_the_manifest_repo_own_disjoint_objects(name: str) -> None:
    env = load_environment(name, SAMPLE_ENV_DIR).env
    repo = layout_owned(env)
    assert repo
    assert terraform_owned(env) & repo == set()


def test_the_disjointness_check_sees_an_overlap() -> None:
    env = load_environment("prod", SAMPLE_ENV_DIR).env
    ns = env.platform.flux.namespace
    # A gotk-sync.yaml in the repo would be a second owner of the operator's objects.
    assert ("Kustomization", ns, ns) in terraform_owned(env)
