"""`underlay render ENV --out DIR`: schema-valid YAML, and exactly what the stack creates."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from stacks.config import load_environment
from stacks.platform.gen.convert import helm_release_attributes, resource_type, to_terraform
from stacks.platform.render import environment_plan
from tests.conftest import Golden
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.platform_crds import check_custom_object
from tests.support.rendered import ENVS, load_all
from tests.support.synth import iter_blocks, load_stack


def env_of(name: str) -> Any:
    return load_environment(name, SAMPLE_ENV_DIR).env


@pytest.mark.parametrize("env", ENVS)
def test_every_core_object_is_valid_for_the_env_kubernetes_version(
    rendered: dict[str, Path], env: str
) -> None:
    objects = load_all(rendered[env] / "objects")
    version = f"{env_of(env).cluster.kubernetes_version}.0"
    kinds = {o["kind"] for o in objects}
    assert kinds == {
        "Namespace",
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "ServiceAccount",
        "CronJob",
    }
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_strict_validation_can_fail(rendered: dict[str, Path]) -> None:
    cron = next(o for o in load_all(rendered["prod"] / "objects") if o["kind"] == "CronJob")
    cron["spec"]["timezone"] = "Etc/UTC"  # the API field is timeZone
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(cron, "1.33.0", strict=True)


@pytest.mark.parametrize("env", ENVS)
def test_custom_resources_fit_their_published_apis(rendered: dict[str, Path], env: str) -> None:
    objects = load_all(rendered[env] / "custom")
    kinds = sorted(o["kind"] for o in objects)
    assert {"FluxInstance", "Gateway", "GatewayClass", "EnvoyProxy", "PrometheusRule"} <= set(kinds)
    for obj in objects:
        assert check_custom_object(obj) == [], obj["kind"]


def test_custom_resource_check_can_fail(rendered: dict[str, Path]) -> None:
    objects = {o["kind"]: o for o in load_all(rendered["prod"] / "custom")}
    flux = copy.deepcopy(objects["FluxInstance"])
    flux["spec"]["sync"]["branch"] = "main"  # FluxInstance takes `ref`
    del flux["spec"]["distribution"]["registry"]
    problems = check_custom_object(flux)
    assert "spec.sync.branch: unknown field" in problems
    assert "spec.distribution.registry: required" in problems
    gateway = copy.deepcopy(objects["Gateway"])
    gateway["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"] = "Everywhere"
    assert any("does not match" in p for p in check_custom_object(gateway))
    route = copy.deepcopy(objects["HTTPRoute"])
    route["spec"]["rules"][0]["filters"][0]["type"] = "Redirect"
    assert any("filters[0].type" in p for p in check_custom_object(route))


def test_prod_redirects_http_to_https_and_dev_has_no_route(rendered: dict[str, Path]) -> None:
    prod = {o["kind"]: o for o in load_all(rendered["prod"] / "custom")}
    listeners = {lst["name"]: lst for lst in prod["Gateway"]["spec"]["listeners"]}
    assert listeners["https"]["tls"]["certificateRefs"] == [
        {"kind": "Secret", "name": "wildcard-example-com"}
    ]
    assert prod["HTTPRoute"]["spec"]["parentRefs"] == [{"name": "platform", "sectionName": "http"}]
    dev = [o["kind"] for o in load_all(rendered["dev"] / "custom")]
    assert "HTTPRoute" not in dev


@pytest.mark.parametrize("env", ENVS)
def test_render_is_exactly_what_the_stack_creates(
    rendered: dict[str, Path], synth_out: Path, env: str
) -> None:
    """Same generators: each rendered object converts to a resource of the stack, and back."""
    stack = load_stack(synth_out, f"{env}-platform")
    emitted = [
        (type_, {k: v for k, v in body.items() if k != "depends_on"})
        for kind, type_, _, body in iter_blocks(stack)
        if kind == "resource" and type_ != "helm_release"
    ]
    expected = [(resource_type(o), to_terraform(o)) for o in load_all(rendered[env] / "objects")]
    key = lambda pair: json.dumps(pair, sort_keys=True)  # noqa: E731
    assert sorted(map(key, emitted)) == sorted(map(key, expected))
    yaml = YAML(typ="safe", pure=True)
    releases = {body["name"]: body for body in stack["resource"]["helm_release"].values()}
    files = sorted((rendered[env] / "releases").glob("*.yaml"))
    assert sorted(releases) == sorted(f.stem for f in files)
    for f in files:
        doc = yaml.load(f.read_text())
        assert json.loads(releases[f.stem]["values"][0]) == doc["values"], f.stem
        assert releases[f.stem]["version"] == doc["release"]["version"]


def test_render_prints_to_stdout_and_reads_an_outputs_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bootstrap.cli import cli

    outputs = tmp_path / "outputs.json"
    role = "arn:aws:iam::123456789012:role/ul-prod-backup"
    target = "s3://ul-prod-backups-123456789012/manifest-repo"
    outputs.write_text(
        json.dumps({"prod-cluster": {"backup_role_arn": role, "backup_target": target}})
    )
    result = CliRunner().invoke(
        cli, ["render", "prod", "--env-dir", str(SAMPLE_ENV_DIR), "--outputs", str(outputs)]
    )
    assert result.exit_code == 0, result.output
    assert f"eks.amazonaws.com/role-arn: {role}" in result.output
    assert f"- {target}" in result.output
    assert "# objects/backup.yaml" in result.output


def test_plan_release_values_need_no_cluster() -> None:
    """Helm values are plain data: a values document per release, pinned chart versions."""
    plan = environment_plan(env_of("prod"))
    for release in plan.releases:
        attributes = helm_release_attributes(release)
        assert attributes["version"] == release.version
        assert json.loads(attributes["values"][0]) == json.loads(json.dumps(release.values))


@pytest.mark.parametrize("env", ENVS)
def test_render_matches_golden(rendered: dict[str, Path], golden: Golden, env: str) -> None:
    """Every rendered manifest file; refresh with `pytest --update-goldens`."""
    golden.check_tree(env, rendered[env])
