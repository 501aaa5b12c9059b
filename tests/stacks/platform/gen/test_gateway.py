"""Every route underlay generates is admitted by the listener it targets (Gateway API rules
for ``allowedRoutes.namespaces``), checked against the labels of the generated namespaces."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import load_environment
from stacks.platform.gen.objects import K8sObject
from stacks.platform.render import environment_plan
from tests.support.envs import SAMPLE_ENV_DIR

ENVS = sorted(p.stem for p in SAMPLE_ENV_DIR.glob("*.yaml"))


def _all_objects(env_name: str) -> list[K8sObject]:
    plan = environment_plan(load_environment(env_name, SAMPLE_ENV_DIR).env)
    return plan.objects + plan.custom_objects


def _admits(
    listener: dict[str, Any], gateway_ns: str, route_ns: str, ns_labels: dict[str, str]
) -> bool:
    namespaces = listener.get("allowedRoutes", {}).get("namespaces", {})
    mode = namespaces.get("from", "Same")
    if mode == "All":
        return True
    if mode == "Same":
        return route_ns == gateway_ns
    if mode == "Selector":
        selector = namespaces.get("selector", {})
        assert not selector.get("matchExpressions"), "extend this check for matchExpressions"
        return all(ns_labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())
    return False


def unadmitted_routes(objects: list[K8sObject]) -> list[str]:
    """``ns/route -> listener`` for every route parentRef no listener of its Gateway admits."""
    labels = {
        o["metadata"]["name"]: {
            **o["metadata"].get("labels", {}),
            "kubernetes.io/metadata.name": o["metadata"]["name"],
        }
        for o in objects
        if o["kind"] == "Namespace"
    }
    gateways = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o
        for o in objects
        if o["kind"] == "Gateway"
    }
    problems = []
    for route in (o for o in objects if o["kind"].endswith("Route")):
        route_ns = route["metadata"]["namespace"]
        for ref in route["spec"]["parentRefs"]:
            gw_ns = ref.get("namespace", route_ns)
            gateway = gateways[(gw_ns, ref["name"])]
            listeners = [
                lst
                for lst in gateway["spec"]["listeners"]
                if ref.get("sectionName") in (None, lst["name"])
            ]
            assert listeners, f"{route['metadata']['name']}: no listener {ref.get('sectionName')}"
            for lst in listeners:
                if not _admits(lst, gw_ns, route_ns, labels.get(route_ns, {})):
                    problems.append(f"{route_ns}/{route['metadata']['name']} -> {lst['name']}")
    return problems


@pytest.mark.parametrize("env", ENVS)
def test_every_generated_route_is_admitted_by_its_listener(env: str) -> None:
    objects = _all_objects(env)
    assert unadmitted_routes(objects) == []


def test_prod_has_the_redirect_route_this_checks() -> None:
    objects = _all_objects("prod")
    assert any(o["kind"] == "HTTPRoute" for o in objects)


def test_the_check_fails_when_the_namespace_lacks_the_label() -> None:
    objects = _all_objects("prod")
    route = next(o for o in objects if o["kind"] == "HTTPRoute")
    for o in objects:
        if o["kind"] == "Namespace" and o["metadata"]["name"] == route["metadata"]["namespace"]:
            o["metadata"]["labels"] = {
                k: v for k, v in o["metadata"]["labels"].items() if "gateway-routes" not in k
            }
    assert unadmitted_routes(objects) != []
