"""Every custom resource underlay generates (through chart values, and the Flux objects of
the manifest-repo layout) fits the CRD schema of the version underlay pins, read from the
upstream CRDs stored in ``/work/shared/upstream-schemas/crds`` (newest set, see VERSIONS.md).

Two checks: JSON Schema validation of the CRD's ``openAPIV3Schema`` (types, enums, patterns,
required), and no field the schema does not define (the API server would prune it silently).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bootstrap.gitops.layout import LayoutOptions, generate_layout
from stacks.config import load_environment
from stacks.platform.render import environment_plan
from tests.support.envs import SAMPLE_ENV_DIR

CRDS = Path("/work/shared/upstream-schemas/crds")
# The CRD sets that go with the pinned versions (stacks/config/platform.py, VERSIONS.md).
PINNED_SETS = (
    "gateway-api-v1.6.1",
    "envoy-gateway-v1.9.0",
    "flux-operator-v0.58.1",
    "flux-2.9.4",
    "prometheus-operator-v0.93.1",
)
ENVS = sorted(p.stem for p in SAMPLE_ENV_DIR.glob("*.yaml"))

pytestmark = pytest.mark.skipif(not CRDS.is_dir(), reason="upstream CRD copies not here")


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    group, version = api_version.split("/")
    for folder in PINNED_SETS:
        path = CRDS / folder / f"{group}_{kind}_{version}.json"
        if path.is_file():
            schema: dict[str, Any] = json.loads(path.read_text())["openAPIV3Schema"]
            return schema
    raise AssertionError(f"no stored CRD for {api_version} {kind} in {PINNED_SETS}")


def unknown_fields(value: Any, schema: Mapping[str, Any], path: str = "") -> list[str]:
    if isinstance(value, Mapping):
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return []
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        found = []
        for key, sub in value.items():
            where = f"{path}.{key}"
            if props is not None and key in props:
                found += unknown_fields(sub, props[key], where)
            elif isinstance(extra, Mapping):
                found += unknown_fields(sub, extra, where)
            elif props is not None and path != ".metadata":
                found.append(where)
        return found
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [
            e
            for i, v in enumerate(value)
            for e in unknown_fields(v, schema["items"], f"{path}[{i}]")
        ]
    return []


def problems(obj: Mapping[str, Any]) -> list[str]:
    import jsonschema

    schema = crd_schema(obj["apiVersion"], obj["kind"])
    plain = json.loads(json.dumps(obj))
    errors = [
        f"{'.'.join(map(str, e.path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(plain)
    ]
    return errors + unknown_fields(plain, schema)


def _custom_objects(env: str) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    loaded = load_environment(env, SAMPLE_ENV_DIR).env
    objects = list(environment_plan(loaded).custom_objects)
    yaml = YAML(typ="safe", pure=True)
    for m in generate_layout(LayoutOptions(env=loaded)):
        if m.path.endswith(".yaml"):
            # Custom kinds only: API groups with a dot, less kustomize's own config files.
            objects += [
                d
                for d in yaml.load_all(m.content)
                if d
                and "." in d["apiVersion"].split("/")[0]
                and not d["apiVersion"].startswith("kustomize.config.k8s.io/")
            ]
    return objects


@pytest.mark.parametrize("env", ENVS)
def test_custom_objects_fit_the_pinned_crds(env: str) -> None:
    objects = _custom_objects(env)
    kinds = {o["kind"] for o in objects}
    assert {"FluxInstance", "Gateway", "GatewayClass", "EnvoyProxy", "PrometheusRule"} <= kinds
    assert "Kustomization" in kinds
    for obj in objects:
        assert problems(obj) == [], (obj["kind"], obj["metadata"]["name"])


def test_an_unknown_field_and_a_bad_enum_are_found() -> None:
    objects = _custom_objects("prod")
    gateway = next(o for o in objects if o["kind"] == "Gateway")
    gateway["spec"]["listeners"][0]["port"] = "eighty"
    gateway["spec"]["bogus"] = True
    found = problems(gateway)
    assert any(".spec.bogus" in p for p in found)
    assert len(found) >= 2


def test_a_v1beta2_flux_object_is_not_served_by_the_pinned_flux() -> None:
    with pytest.raises(AssertionError, match="no stored CRD"):
        crd_schema("kustomize.toolkit.fluxcd.io/v1beta2", "Kustomization")
