"""`underlay status`, Kubernetes side, against a FAKE Kubernetes API server over real HTTP
(tests/support/fake_kube_api.py): the real `kubernetes` client, real sockets, objects shaped like
the real FluxInstance and Kustomization and checked against the upstream CRD schemas here.
The manifest repo's branch tip comes from `git ls-remote` of a real bare repo."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bootstrap.monitor.status import api_client, flux_rows
from stacks.config.loader import load_environment
from tests.support.cluster import require_kubeconfig
from tests.support.envs import SAMPLE_ENV_DIR
from tests.support.fake_kube_api import FakeKubeApi, fake_kube_api, flux_instance, kustomization
from tests.support.git_repos import GitRepo

CRDS = Path("/work/shared/upstream-schemas/crds")
SCHEMAS = {
    "FluxInstance": "fluxcd.controlplane.io_FluxInstance_v1.json",
    "Kustomization": "kustomize.toolkit.fluxcd.io_Kustomization_v1.json",
}


def _strict(schema: Any) -> Any:
    """The CRD's structural schema with unknown fields refused (the API server prunes them, so a
    fixture with a made-up field would test a shape no cluster ever returns)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def _check_crd_shape(obj: dict[str, Any]) -> None:
    path = CRDS / SCHEMAS[obj["kind"]]
    if not path.is_file():
        pytest.skip(f"{path} not present (shared upstream schemas)")
    schema = _strict(json.loads(path.read_text())["openAPIV3Schema"])
    schema["properties"]["metadata"] = {"type": "object"}
    jsonschema.validate(obj, schema)


ENV = load_environment("local", SAMPLE_ENV_DIR).env
NS = ENV.platform.flux.namespace


@pytest.fixture
def manifest_repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "manifests")
    repo.commit("clusters/local/kustomization.yaml", "resources: []\n")
    repo.push("main")
    return repo


@pytest.fixture
def api() -> Iterator[FakeKubeApi]:
    with fake_kube_api() as server:
        yield server


def _healthy(api: FakeKubeApi, tip: str) -> None:
    api.put(flux_instance(NS), "fluxinstances")
    for name in (NS, "infra-controllers", "apps"):
        api.put(kustomization(NS, name, f"main@sha1:{tip}"), "kustomizations")


def test_fixtures_have_the_shape_of_the_real_crds() -> None:
    _check_crd_shape(flux_instance(NS))
    _check_crd_shape(kustomization(NS, "apps", "main@sha1:" + "a" * 40))
    with pytest.raises(jsonschema.ValidationError):
        _check_crd_shape({**kustomization(NS, "apps", "x"), "spec": {"interval": "1m"}})


def _status(tmp_path: Path, *args: str, timeout: float = 60) -> tuple[int, dict[str, Any], str]:
    result = subprocess.run(
        ["underlay", "status", "local", "--env-dir", str(SAMPLE_ENV_DIR), "--json", *args],
        cwd=tmp_path,
        env={**os.environ, "KUBECONFIG": ""},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _rows(report: dict[str, Any]) -> dict[str, str]:
    return {r["check"]: r["state"] for r in report["rows"]}


def test_healthy_flux_at_the_branch_tip_is_green(
    api: FakeKubeApi, manifest_repo: GitRepo, tmp_path: Path
) -> None:
    _healthy(api, manifest_repo.head())
    cfg = api.kubeconfig(tmp_path / "kubeconfig")
    code, report, err = _status(
        tmp_path,
        "--kubeconfig",
        str(cfg),
        "--repo",
        manifest_repo.url,
        "--backup-target",
        "s3://nobucket-here/x",
        "--endpoint",
        "http://127.0.0.1:9",
    )
    rows = _rows(report)
    assert rows["cluster"] == "green"
    assert rows["flux instance"] == "green"
    assert rows["flux revision"] == "green"
    assert rows[f"ks {NS}/apps"] == "green"
    assert rows[f"ks {NS}/infra-controllers"] == "green"
    # the backup side is unreachable here and there is no drift report: red, exit 3
    assert rows["backup"] == "red"
    assert rows["drift"] == "red"
    assert code == 3, err
    assert "reading FluxInstance" in err, "progress goes to stderr"
    assert any("/fluxinstances/flux" in p for p in api.requests)


def test_new_commit_not_applied_and_failed_kustomization_are_red(
    api: FakeKubeApi, manifest_repo: GitRepo, tmp_path: Path
) -> None:
    old = manifest_repo.head()
    _healthy(api, old)
    api.put(kustomization(NS, "apps", f"main@sha1:{old}", ready=False), "kustomizations")
    manifest_repo.commit("clusters/local/new.yaml", "kind: ConfigMap\n")
    manifest_repo.push("main")
    client = api_client(kubeconfig=_write(api, tmp_path))
    with client:
        rows = {r.check: r for r in flux_rows(client, ENV, manifest_repo.head(), lambda _: None)}
    assert rows["flux revision"].state == "red"
    assert manifest_repo.head()[:12] in rows["flux revision"].detail
    assert rows[f"ks {NS}/apps"].state == "red"
    assert "Ready=False" in rows[f"ks {NS}/apps"].detail
    assert rows["flux instance"].state == "green"


def test_missing_instance_and_not_ready_instance(api: FakeKubeApi, tmp_path: Path) -> None:
    client = api_client(kubeconfig=_write(api, tmp_path))
    with client:
        rows = {r.check: r.state for r in flux_rows(client, ENV, None, lambda _: None)}
    assert rows == {"cluster": "green", "flux instance": "red"}
    api.put(flux_instance(NS, ready=False), "fluxinstances")
    with client:
        rows = {r.check: r.state for r in flux_rows(client, ENV, None, lambda _: None)}
    assert rows["flux instance"] == "red"
    assert rows["kustomizations"] == "red", "no Kustomization at all is not healthy"


def test_wrong_credentials_and_hanging_server_are_red_within_the_timeout(
    api: FakeKubeApi, tmp_path: Path
) -> None:
    cfg = json.loads(_write(api, tmp_path).read_text())
    cfg["users"][0]["user"]["token"] = "wrong"
    bad = tmp_path / "bad-kubeconfig"
    bad.write_text(json.dumps(cfg))
    with api_client(kubeconfig=bad) as client:
        rows = flux_rows(client, ENV, None, lambda _: None)
    assert [(r.check, r.state) for r in rows] == [("cluster", "red")]
    assert "401" in rows[0].detail
    api.delay = 30
    started = time.monotonic()
    with api_client(kubeconfig=_write(api, tmp_path)) as client:
        rows = flux_rows(client, ENV, None, lambda _: None)
    assert time.monotonic() - started < 15, "every request has a timeout"
    assert rows[0].state == "red"
    assert "unreachable" in rows[0].detail


def test_no_kubeconfig_is_one_red_row_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "underlay",
            "status",
            "local",
            "--env-dir",
            str(SAMPLE_ENV_DIR),
            "--kubeconfig",
            str(tmp_path / "missing"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, "a kubeconfig path that does not exist is bad input"
    assert "Traceback" not in result.stderr
    assert "missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    empty = tmp_path / "empty-kubeconfig"
    empty.write_text("{}")
    _code, report, _err = _status(tmp_path, "--kubeconfig", str(empty), "--skip-cluster")
    assert _rows(report)["cluster"] == "skipped"
    _code, report, err = _status(tmp_path, "--kubeconfig", str(empty))
    assert _rows(report)["cluster"] == "red"
    assert "Traceback" not in err


def _write(api: FakeKubeApi, folder: Path) -> Path:
    return api.kubeconfig(folder / "kubeconfig")


@pytest.mark.cluster
def test_status_against_a_real_cluster(tmp_path: Path) -> None:
    """With KUBECONFIG pointing at a cluster running the platform stack: the cluster row is
    green and every Flux row has a verdict (green or red, never an exception)."""
    kubeconfig = require_kubeconfig()
    code, report, err = _status(
        tmp_path, "--kubeconfig", kubeconfig, "--backup-target", "s3://b-x/y"
    )
    rows = _rows(report)
    assert rows["cluster"] == "green", err
    assert "flux instance" in rows
    assert code in (0, 3)
