"""What the synthesized platform stacks contain, per environment, straight from the JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.clouds import cloud_module
from stacks.config import load_environment
from stacks.platform.gen.plan import OBJECTS_CHART
from stacks.platform.summary import platform_summary
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.rendered import ENVS
from tests.support.synth import load_stack

REMOTE = "data.terraform_remote_state.cluster_outputs.outputs"


def resources(stack: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = stack["resource"].get(type_, {})
    return found


def release_values(stack: dict[str, Any], name: str) -> dict[str, Any]:
    (release,) = [r for r in resources(stack, "helm_release").values() if r["name"] == name]
    values: dict[str, Any] = json.loads(release["values"][0])
    return values


def cron(stack: dict[str, Any], name: str = "manifest-repo-backup") -> dict[str, Any]:
    (job,) = [
        j
        for j in resources(stack, "kubernetes_cron_job_v1").values()
        if j["metadata"]["name"] == name
    ]
    return job


def test_drill_cronjob_has_the_backup_jobs_hardening_and_runs_the_drill(synth_out: Path) -> None:
    """Same function, same hardening: the two CronJobs differ only in name, schedule, command."""
    stack = load_stack(synth_out, "prod-platform")
    backup, drill = cron(stack), cron(stack, "manifest-repo-drill")
    assert drill["spec"]["schedule"] == "41 3 * * 0", "weekly by default (backup.drill.schedule)"
    pod = drill["spec"]["job_template"]["spec"]["template"]["spec"]
    (container,) = pod["container"]
    assert container["command"] == [
        "underlay",
        "backup",
        "drill",
        "--from",
        f"${{{REMOTE}.backup_target}}",
    ]

    def normalised(job: dict[str, Any]) -> str:
        text = json.dumps(job, sort_keys=True)
        for old, new in (
            ("manifest-repo-drill", "NAME"),
            ("manifest-repo-backup", "NAME"),
            ('"name": "drill"', '"name": "C"'),
            ('"name": "backup"', '"name": "C"'),
        ):
            text = text.replace(old, new)
        data = json.loads(text)
        data.pop("depends_on", None)  # objects are applied in order: the drill follows the backup
        data["spec"]["schedule"] = "S"
        data["spec"]["job_template"]["spec"]["template"]["spec"]["container"][0]["command"] = []
        return json.dumps(data, sort_keys=True)

    assert normalised(drill) == normalised(backup)
    egress = resources(stack, "kubernetes_network_policy_v1")
    selector = egress["backup_job_underlay_backup_backup_egress"]["spec"]["pod_selector"]
    (expression,) = selector["match_expressions"]
    assert set(expression["values"]) == {"manifest-repo-backup", "manifest-repo-drill"}


def test_every_environment_gets_a_platform_stack(synth_out: Path) -> None:
    assert sorted(p.name for p in (synth_out / "stacks").glob("*-platform")) == [
        f"{e}-platform" for e in sorted(ENVS)
    ]


@pytest.mark.parametrize("env", ENVS)
def test_providers_come_from_the_cluster_stack_outputs_with_exec_auth(
    synth_out: Path, env: str
) -> None:
    stack = load_stack(synth_out, f"{env}-platform")
    loaded = load_environment(env, SAMPLE_ENV_DIR).env
    auth = cloud_module(loaded.cloud.kind).exec_auth(loaded, f"${{{REMOTE}.cluster_name}}")
    expected = {"api_version": auth.api_version, "command": auth.command, "args": list(auth.args)}
    (kube,) = stack["provider"]["kubernetes"]
    (helm,) = stack["provider"]["helm"]
    for connection, exec_block in ((kube, kube["exec"][0]), (helm["kubernetes"], None)):
        assert connection["host"] == f"${{{REMOTE}.cluster_endpoint}}"
        assert (
            connection["cluster_ca_certificate"] == f"${{base64decode({REMOTE}.cluster_ca_data)}}"
        )
        exec_ = exec_block or connection["exec"]
        assert exec_ == expected
    state = stack["data"]["terraform_remote_state"]["cluster_outputs"]
    if env in {"staging", "prod"}:
        assert state["backend"] == "s3"
        assert state["config"]["key"] == f"underlay/{env}-cluster.tfstate"
    elif env.startswith("aks-"):
        assert state["backend"] == "azurerm"
        assert state["config"]["key"] == f"underlay/{env}-cluster.tfstate"
        assert state["config"]["use_azuread_auth"] is True
    else:
        assert state == {
            "backend": "local",
            "config": {"path": f"../../../terraform-state/{env}-cluster.tfstate"},
        }
    required = stack["terraform"]["required_providers"]
    assert required["kubernetes"] == {"source": "hashicorp/kubernetes", "version": "~> 2.38.0"}
    assert required["helm"] == {"source": "hashicorp/helm", "version": "~> 3.1.1"}


@pytest.mark.parametrize("env", ENVS)
def test_nothing_secret_in_the_json(synth_out: Path, env: str) -> None:
    text = (synth_out / "stacks" / f"{env}-platform" / "cdk.tf.json").read_text()
    for word in ("password", "secret_key", "AKIA", "PRIVATE KEY", "client_key", "bearer"):
        assert word.lower() not in text.lower(), word
    # `token` appears only as the exec plugin's verb and the service-account automount flag.
    assert set(re.findall(r"[\w-]*token[\w-]*", text)) <= {
        "get-token",
        "automount_service_account_token",
    }
    stack = json.loads(text)
    assert "token" not in stack["provider"]["kubernetes"][0]
    assert all("sensitive" not in o for o in stack.get("output", {}).values())


@pytest.mark.parametrize("env", ENVS)
def test_namespaces_have_psa_default_deny_quota_and_limits(synth_out: Path, env: str) -> None:
    stack = load_stack(synth_out, f"{env}-platform")
    namespaces = {
        n["metadata"]["name"]: n for n in resources(stack, "kubernetes_namespace_v1").values()
    }
    assert {"flux-system", "gateway-system", "monitoring", "underlay-backup", "team-a"} <= set(
        namespaces
    )
    policies = resources(stack, "kubernetes_network_policy_v1").values()
    quotas = {
        q["metadata"]["namespace"]
        for q in resources(stack, "kubernetes_resource_quota_v1").values()
    }
    limits = {
        q["metadata"]["namespace"] for q in resources(stack, "kubernetes_limit_range_v1").values()
    }
    for name, ns in namespaces.items():
        labels = ns["metadata"]["labels"]
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
            assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.33"
        mine = {
            p["metadata"]["name"]: p["spec"] for p in policies if p["metadata"]["namespace"] == name
        }
        assert mine["default-deny"]["policy_types"] == ["Ingress", "Egress"]
        assert mine["default-deny"]["pod_selector"] == {}
        assert "ingress" not in mine["default-deny"]
        assert "egress" not in mine["default-deny"]
        dns = mine["allow-dns"]["egress"][0]
        assert {p["port"] for p in dns["ports"]} == {"53"}
        assert name in quotas
        assert name in limits


def test_dev_and_prod_differ_as_configured(synth_out: Path) -> None:
    dev, prod = (load_stack(synth_out, f"{e}-platform") for e in ("dev", "prod"))
    dev_prom = release_values(dev, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    prod_prom = release_values(prod, "kube-prometheus-stack")["prometheus"]["prometheusSpec"]
    assert (dev_prom["retention"], prod_prom["retention"]) == ("7d", "30d")

    def storage(spec: dict[str, Any]) -> Any:
        return spec["storageSpec"]["volumeClaimTemplate"]["spec"]

    assert storage(dev_prom)["resources"]["requests"]["storage"] == "20Gi"
    assert storage(prod_prom) == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "200Gi"}},
        "storageClassName": "gp3",
    }
    assert (dev_prom["replicas"], prod_prom["replicas"]) == (1, 2)
    dev_gw = release_values(dev, "gateway")["objects"]
    prod_gw = release_values(prod, "gateway")["objects"]

    def listeners(objs: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return sorted(
            (lst["name"], lst["port"])
            for o in objs
            if o["kind"] == "Gateway"
            for lst in o["spec"]["listeners"]
        )

    assert listeners(dev_gw) == [("http", 80)]
    assert listeners(prod_gw) == [("http", 80), ("https", 443)]
    dev_sync = release_values(dev, "flux")["instance"]["sync"]
    prod_instance = release_values(prod, "flux")["instance"]
    assert (dev_sync["interval"], prod_instance["sync"]["interval"]) == ("10m", "1m")
    assert dev_sync["path"] == "clusters/dev"
    assert prod_instance["sync"]["path"] == "clusters/prod"
    assert "kustomize" not in release_values(dev, "flux")["instance"]
    (patch,) = prod_instance["kustomize"]["patches"]
    assert "provider: sops" in patch["patch"]
    assert "name: sops-age" in patch["patch"]
    assert (cron(dev)["spec"]["schedule"], cron(prod)["spec"]["schedule"]) == (
        "17 2 * * *",
        "17 */4 * * *",
    )
    rules = release_values(prod, "kube-prometheus-stack")["additionalPrometheusRulesMap"]
    backup_rule = rules["underlay-platform"]["groups"][1]["rules"][0]
    assert "> 28800" in backup_rule["expr"]  # prod: 8 hours
    namespaces = {
        n["metadata"]["name"] for n in resources(prod, "kubernetes_namespace_v1").values()
    }
    assert "team-b" in namespaces
    assert "team-b" not in {
        n["metadata"]["name"] for n in resources(dev, "kubernetes_namespace_v1").values()
    }


def test_backup_cronjob_is_hardened_and_points_at_repo_and_bucket(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-platform")
    spec = cron(stack)["spec"]
    assert spec["concurrency_policy"] == "Forbid"
    assert spec["timezone"] == "Etc/UTC"
    assert spec["starting_deadline_seconds"] == 300
    assert (spec["successful_jobs_history_limit"], spec["failed_jobs_history_limit"]) == (3, 5)
    assert spec["suspend"] is False
    job = spec["job_template"]["spec"]
    assert (job["backoff_limit"], job["active_deadline_seconds"]) == (2, 1800)
    assert job["ttl_seconds_after_finished"] == "86400"
    pod = job["template"]["spec"]
    assert pod["automount_service_account_token"] is False
    assert pod["service_account_name"] == "repo-backup"
    assert pod["security_context"]["run_as_non_root"] is True
    assert pod["security_context"]["seccomp_profile"] == {"type": "RuntimeDefault"}
    (container,) = pod["container"]
    assert "args" not in container, "the image's ENTRYPOINT is underlay; args would repeat it"
    assert container["command"] == [
        "underlay",
        "backup",
        "run",
        "--repo",
        "https://git.example.com/platform/manifests.git",
        "--to",
        f"${{{REMOTE}.backup_target}}",
        "--keep-last",
        "30",
        "--max-age",
        "30",
    ]
    sc = container["security_context"]
    assert sc["read_only_root_filesystem"] is True
    assert sc["allow_privilege_escalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["run_as_user"] == "10001"
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "512Mi"}
    assert container["volume_mount"] == [{"name": "work", "mount_path": "/work"}]
    assert pod["volume"] == [{"name": "work", "empty_dir": {"size_limit": "1Gi"}}]
    assert not re.search(r":latest\b", container["image"])
    (sa,) = resources(stack, "kubernetes_service_account_v1").values()
    assert sa["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": f"${{{REMOTE}.backup_identity}}"
    }
    egress = resources(stack, "kubernetes_network_policy_v1")
    spec = egress["backup_job_underlay_backup_backup_egress"]["spec"]
    assert spec["policy_types"] == ["Egress"]
    ports = {(p["protocol"], p["port"]) for rule in spec["egress"] for p in rule["ports"]}
    assert ports == {("UDP", "53"), ("TCP", "53"), ("TCP", "443")}
    assert all("to" not in rule for rule in spec["egress"])


def test_local_env_has_no_sync_and_a_suspended_backup(synth_out: Path) -> None:
    stack = load_stack(synth_out, "local-platform")
    assert "sync" not in release_values(stack, "flux")["instance"]
    assert cron(stack)["spec"]["suspend"] is True


def test_releases_are_pinned_and_ordered(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-platform")
    releases = resources(stack, "helm_release")
    for name, release in releases.items():
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", release["version"]), name
        assert "latest" not in release["values"][0].replace("flux-operator-manifests:v", "")
    assert "helm_release.gateway_gateway_crds" in releases["gateway_envoy_gateway"]["depends_on"]
    assert "helm_release.gateway_envoy_gateway" in releases["gateway_gateway"]["depends_on"]
    assert "helm_release.flux_flux_operator" in releases["flux_flux"]["depends_on"]
    assert releases["gateway_envoy_gateway"]["skip_crds"] is True
    # A local chart, relative to the stack folder, that resolves to the package's own copy.
    chart = releases["gateway_gateway"]["chart"]
    assert not Path(chart).is_absolute()
    assert (synth_out / "stacks" / "prod-platform" / chart).resolve() == OBJECTS_CHART
    assert (OBJECTS_CHART / "Chart.yaml").is_file()


def test_resource_addresses_are_readable(synth_out: Path) -> None:
    stack = load_stack(synth_out, "prod-platform")
    assert "namespaces_team_b" in resources(stack, "kubernetes_namespace_v1")
    assert "namespaces_team_b_default_deny" in resources(stack, "kubernetes_network_policy_v1")
    assert "backup_job_underlay_backup_manifest_repo_backup" in resources(
        stack, "kubernetes_cron_job_v1"
    )
    assert "monitoring_kube_prometheus_stack" in resources(stack, "helm_release")


def test_summary_says_what_it_would_apply_and_that_it_needs_a_cluster(synth_out: Path) -> None:
    text = platform_summary("local", SAMPLE_ENV_DIR, synth_dir=synth_out)
    assert "local-platform would apply 39 resources" in text
    assert "2 kubernetes_cron_job_v1" in text
    assert "flux-system/flux: flux-instance 0.49.0" in text
    assert "needs a real Kubernetes cluster" in text
    assert text == platform_summary("local", SAMPLE_ENV_DIR, synth_dir=synth_out)
    offline = platform_summary("local", SAMPLE_ENV_DIR)
    assert offline.splitlines()[1:] == text.splitlines()[1:], "JSON and generators agree"


def test_backup_job_fits_the_job_image(synth_out: Path) -> None:
    """The CronJob and docker/backup-job.Dockerfile agree: command, user and work dir."""
    dockerfile = (SAMPLE_ENV_DIR.parent / "docker" / "backup-job.Dockerfile").read_text()
    pod = cron(load_stack(synth_out, "prod-platform"))["spec"]["job_template"]["spec"]["template"]
    (container,) = pod["spec"]["container"]
    assert container["command"][0] == "underlay"
    assert 'ENTRYPOINT ["underlay"]' in dockerfile  # so `command` replaces it, not `args`
    assert "PATH=/opt/underlay/bin" in dockerfile
    assert "USER 10001:10001" in dockerfile
    assert pod["spec"]["security_context"]["run_as_user"] == "10001"  # a string in the provider
    assert container["working_dir"] == "/work"
    assert "WORKDIR /work" in dockerfile


@pytest.mark.parametrize("env", ENVS)
def test_gateway_api_crds_release_cannot_be_destroyed_or_replaced(
    synth_out: Path, env: str
) -> None:
    """Uninstalling gateway-crds-helm deletes every Gateway and HTTPRoute: Terraform refuses."""
    stack = load_stack(synth_out, f"{env}-platform")
    releases = {r["name"]: r for r in resources(stack, "helm_release").values()}
    assert releases["gateway-crds"]["lifecycle"] == {"prevent_destroy": True}
    assert all("lifecycle" not in r for n, r in releases.items() if n != "gateway-crds")
