"""Every Helm value underlay sets exists in the pinned chart (values.yaml, and
values.schema.json where the chart ships one), for every release of every sample env.

Helm ignores unknown keys silently (``crds.enabled`` on gateway-helm v1.5.4 did nothing), so
this walks our values against the chart's own copy in ``/work/shared/upstream-schemas``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from stacks.config import load_environment
from stacks.platform.gen.objects import HelmRelease
from stacks.platform.render import environment_plan
from tests.support.envs import SAMPLE_ENV_DIR

CHARTS = Path("/work/shared/upstream-schemas/charts")
ENVS = sorted(p.stem for p in SAMPLE_ENV_DIR.glob("*.yaml"))

pytestmark = pytest.mark.skipif(not CHARTS.is_dir(), reason="upstream chart copies not here")

# Keys whose value is free-form by design (the chart passes it through verbatim).
FREE_FORM = {
    ("kube-prometheus-stack", "additionalPrometheusRulesMap"),
    ("kube-prometheus-stack", "prometheus.additionalPodMonitors"),
    ("kube-prometheus-stack", "kube-state-metrics.customResourceState.config"),
}


def chart_dir(release: HelmRelease) -> Path:
    return CHARTS / f"{release.chart}-{release.version}"


def unknown_keys(ours: Any, theirs: Any, chart: str, path: str = "") -> list[str]:
    """Dotted paths of keys we set under a mapping of the chart's values that lacks them.

    The walk stops where the chart's value is not a non-empty mapping (a list, a scalar, ``{}``
    or null are open: the chart takes whatever is put there)."""
    if not isinstance(ours, Mapping) or not isinstance(theirs, Mapping) or not theirs:
        return []
    if (chart, path) in FREE_FORM:
        return []
    found = []
    for key, value in ours.items():
        sub = f"{path}.{key}" if path else str(key)
        if key not in theirs:
            found.append(sub)
        else:
            found += unknown_keys(value, theirs[key], chart, sub)
    return found


def overlay(defaults: Any, ours: Any) -> Any:
    """Helm's merge of user values over the chart's: maps merge, anything else replaces."""
    if isinstance(defaults, Mapping) and isinstance(ours, Mapping):
        return {**defaults, **{k: overlay(defaults.get(k), v) for k, v in ours.items()}}
    return ours


def schema_errors(values: Mapping[str, Any], folder: Path) -> list[str]:
    """Errors of the values Helm validates: the chart's defaults with ours merged over them."""
    schema_file = folder / "values.schema.json"
    if not schema_file.is_file():
        return []
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(schema_file.read_text()))
    return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(values)]


def chart_values(folder: Path) -> dict[str, Any]:
    """The chart's values.yaml with each stored subchart's values under its key (Helm passes
    ``<subchart>:`` values down; the parent's entries override the subchart's defaults)."""
    yaml = YAML(typ="safe", pure=True)
    values: dict[str, Any] = yaml.load((folder / "values.yaml").read_text()) or {}
    for sub in sorted((folder / "charts").glob("*/values.yaml")):
        name = sub.parent.name
        values[name] = overlay(yaml.load(sub.read_text()) or {}, values.get(name) or {})
    return values


def _releases(env: str) -> list[HelmRelease]:
    plan = environment_plan(load_environment(env, SAMPLE_ENV_DIR).env)
    return [r for r in plan.releases if r.repository]  # the in-repo objects chart is ours


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("env", ENVS)
def test_every_chart_is_the_pinned_version_stored_upstream(env: str) -> None:
    for release in _releases(env):
        assert (chart_dir(release) / "values.yaml").is_file(), (release.chart, release.version)


@pytest.mark.parametrize("env", ENVS)
def test_every_value_we_set_exists_in_the_pinned_chart(env: str) -> None:
    for release in _releases(env):
        folder = chart_dir(release)
        theirs = chart_values(folder)
        values = _plain(release.values)
        assert unknown_keys(values, theirs, release.chart) == [], release.chart
        assert schema_errors(overlay(theirs, values), folder) == [], release.chart


def test_the_walk_finds_a_key_the_chart_lacks() -> None:
    theirs = YAML(typ="safe", pure=True).load(
        (CHARTS / "gateway-helm-v1.5.4" / "values.yaml").read_text()
    )
    ours = {"crds": {"enabled": False}, "deployment": {"replicas": 2, "bogus": 1}}
    assert unknown_keys(ours, theirs, "gateway-helm") == ["crds", "deployment.bogus"]


def test_render_says_which_objects_the_charts_reshape() -> None:
    from stacks.platform.gen.plan import render_files

    plan = environment_plan(load_environment("prod", SAMPLE_ENV_DIR).env)
    files = render_files(plan)
    flux, monitoring = files["custom/flux.yaml"], files["custom/kube-prometheus-stack.yaml"]
    assert flux.startswith("# Reshaped by the flux-instance chart")
    assert monitoring.startswith("#")
    assert "PodMonitor" in monitoring.split("\n---")[0]
    assert not files["custom/gateway.yaml"].startswith("#")  # our chart renders verbatim
    docs = list(YAML(typ="safe", pure=True).load_all(monitoring))
    assert [d["kind"] for d in docs] == ["PrometheusRule"]
