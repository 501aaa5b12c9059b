"""The manifest-repo layout follows ``platform.flux.namespace`` and decrypts SOPS in every
Kustomization it writes (the root one gets it from the FluxInstance)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML

from bootstrap.gitops.layout import LayoutOptions, generate_layout
from stacks.config import load_environment
from stacks.platform.gen.flux import flux_instance
from tests.support.envs import MINIMAL_DEV, write_envs


def _docs(tmp_path: Any, extra: str) -> tuple[Any, list[dict[str, Any]]]:
    env_dir = write_envs(tmp_path, {"dev": MINIMAL_DEV + extra})
    env = load_environment("dev", env_dir).env
    yaml = YAML(typ="safe", pure=True)
    docs = [
        d
        for m in generate_layout(LayoutOptions(env=env))
        if m.path.endswith(".yaml")
        for d in yaml.load_all(m.content)
        if d and "metadata" in d
    ]
    return env, docs


FLUX_NS = """
gitops:
  repo: https://git.example.com/org/manifests.git
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
