"""The generated layout: deterministic, builds with kustomize, valid against the APIs it uses."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from bootstrap.gitops.images import image_references
from bootstrap.gitops.layout import (
    EXAMPLE_APP,
    EXAMPLE_IMAGE,
    EXAMPLE_TAG,
    LayoutOptions,
    generate_layout,
    metadata_facts,
)
from stacks.config import environment_names, load_environment
from tests.conftest import Golden
from tests.support.flux_schema import check_flux_object
from tests.support.gitops import ENV_DIR, OUTPUTS, kubectl

ENVS = environment_names(ENV_DIR)


def write_layout(root: Path, env_name: str, outputs: dict[str, str] | None = None) -> None:
    env = load_environment(env_name, ENV_DIR).env
    options = LayoutOptions(env=env, outputs=outputs)
    for manifest in generate_layout(options):
        target = root / manifest.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(manifest.content)


def build(root: Path, folder: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [kubectl(), "kustomize", str(root / folder)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return [d for d in YAML(typ="safe", pure=True).load_all(proc.stdout) if d]


@pytest.mark.parametrize("env_name", ENVS)
def test_every_env_layout_builds_and_validates(tmp_path: Path, env_name: str) -> None:
    write_layout(tmp_path, env_name, OUTPUTS if env_name == "local" else None)
    env = load_environment(env_name, ENV_DIR).env
    objects = build(tmp_path, env.gitops_path)
    for folder in ("infrastructure/controllers", "infrastructure/configs", f"apps/{env_name}"):
        objects += build(tmp_path, folder)
    kinds = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)
    assert kinds == [
        "ConfigMap/cluster-metadata",
        "Deployment/podinfo",
        "Kustomization/apps",
        "Kustomization/infra-configs",
        "Kustomization/infra-controllers",
        "Namespace/example",
        "Service/podinfo",
    ]
    version = f"{env.cluster.kubernetes_version}.0"
    for obj in objects:
        if obj["apiVersion"] in ("v1", "apps/v1"):
            kubernetes_validate.validate(obj, version, strict=True)
        else:
            assert check_flux_object(obj) == [], obj


def test_dependency_chain_and_interval_from_config(tmp_path: Path) -> None:
    write_layout(tmp_path, "prod")
    objects = {o["metadata"]["name"]: o for o in build(tmp_path, "clusters/prod")}
    assert "dependsOn" not in objects["infra-controllers"]["spec"]
    assert objects["infra-configs"]["spec"]["dependsOn"] == [{"name": "infra-controllers"}]
    assert objects["apps"]["spec"]["dependsOn"] == [{"name": "infra-configs"}]
    for name in ("infra-controllers", "infra-configs", "apps"):
        spec = objects[name]["spec"]
        assert spec["interval"] == "1m"  # prod.yaml
        assert spec["retryInterval"] == "1m"  # never longer than the interval
        assert spec["prune"] is True
        assert spec["wait"] is True
        assert spec["timeout"] == "5m"
        assert spec["postBuild"]["substituteFrom"] == [
            {"kind": "ConfigMap", "name": "cluster-metadata"}
        ]
    assert objects["apps"]["spec"]["path"] == "./apps/prod"


def test_metadata_from_outputs_and_env() -> None:
    env = load_environment("local", ENV_DIR).env
    only_env = metadata_facts(env, None)
    assert only_env["cluster_name"] == "ul-local"
    assert only_env["env"] == "local"
    assert only_env["cloud_region"] == "us-east-1"
    assert "backup_bucket" not in only_env
    full = metadata_facts(env, OUTPUTS)
    assert full["backup_identity"] == OUTPUTS["backup_identity"]
    # The pre-rename key stays in the ConfigMap for one release (Flux substitutions use it).
    assert full["backup_role_arn"] == OUTPUTS["backup_identity"]
    assert only_env["cloud"] == "aws"
    assert full["backup_target"] == "s3://ul-local-backup/manifest-repo"


def test_layout_is_deterministic_and_leaves_the_sync_to_the_flux_operator() -> None:
    """The platform's FluxInstance creates GitRepository and Kustomization `flux-system`; the
    repo must not carry a second copy (two managers would fight over them)."""
    env = load_environment("dev", ENV_DIR).env
    first, second = generate_layout(LayoutOptions(env=env)), generate_layout(LayoutOptions(env=env))
    assert first == second
    assert not any("flux-system" in m.path for m in first)
    assert not any("apiVersion: source.toolkit.fluxcd.io" in m.content for m in first)
    assert all(
        "name: flux-system" in m.content
        for m in first
        if "kind: Kustomization" in m.content and "sourceRef" in m.content
    )


def test_flux_check_catches_mistakes() -> None:
    bad = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "x", "namespace": "flux-system"},
        "spec": {"interval": "10 minutes", "sourceRef": {"kind": "Git", "name": "s"}, "prun": True},
    }
    problems = check_flux_object(bad)
    assert any("prun" in p for p in problems)
    assert any("spec.prune: required" in p for p in problems)
    assert any("interval" in p for p in problems)
    assert any("sourceRef.kind" in p for p in problems)


@pytest.mark.parametrize("env_name", ["dev", "local"])
def test_layout_matches_golden(tmp_path: Path, golden: Golden, env_name: str) -> None:
    """The manifest-repo layout `underlay bootstrap` writes; refresh with `--update-goldens`."""
    write_layout(tmp_path, env_name, OUTPUTS)
    golden.check_tree(env_name, tmp_path)


def test_example_app_is_a_seed_whose_image_set_image_finds(tmp_path: Path) -> None:
    """The day-2 commands need an image in use from the first bootstrap: the example app."""
    env = load_environment("dev", ENV_DIR).env
    layout = {m.path: m for m in generate_layout(LayoutOptions(env=env))}
    assert layout[EXAMPLE_APP].mode == "seed"
    assert f"image: {EXAMPLE_IMAGE}:{EXAMPLE_TAG}\n" in layout[EXAMPLE_APP].content
    write_layout(tmp_path, "dev")
    assert image_references(tmp_path, ["apps/base"]) == {EXAMPLE_IMAGE}
    images = {
        c["image"]
        for o in build(tmp_path, "apps/dev")
        if o["kind"] == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    assert images == {f"{EXAMPLE_IMAGE}:{EXAMPLE_TAG}"}
