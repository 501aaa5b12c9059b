"""Platform settings: strict validation (nothing floats), rules, overrides, `underlay versions`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import main
from stacks.config import load_environment
from stacks.config.platform import Versions
from tests.support.cli import one_line_error
from tests.support.envs import MINIMAL_DEV as DEV
from tests.support.envs import SAMPLE_ENV_DIR, write_envs

# (case id, yaml appended to `extends: dev`, "file:line", key path, phrase)
CASES = [
    (
        "image floats on latest",
        "versions:\n  images:\n    backup: ghcr.io/underlay/underlay:latest\n",
        "bad.yaml:4",
        "versions.images.backup",
        "'latest' floats",
    ),
    (
        "image without tag or digest",
        "versions:\n  images:\n    backup: ghcr.io/underlay/underlay\n",
        "bad.yaml:4",
        "versions.images.backup",
        "pinned by tag or digest",
    ),
    (
        "chart version range",
        "versions:\n  charts:\n    kube_prometheus_stack: '>=79.0.0'\n",
        "bad.yaml:4",
        "versions.charts.kube_prometheus_stack",
        "exact version",
    ),
    (
        "chart latest",
        "versions:\n  charts:\n    envoy_gateway: latest\n",
        "bad.yaml:4",
        "versions.charts.envoy_gateway",
        "no 'latest'",
    ),
    (
        "https listener without certificate",
        "platform:\n  gateway:\n    listeners:\n      https:\n"
        "        protocol: HTTPS\n        port: 443\n",
        "bad.yaml:5",
        "platform.gateway.listeners.https.tls_secret",
        "needs tls_secret",
    ),
    (
        "two listeners on one port",
        "platform:\n  gateway:\n    listeners:\n      a: {protocol: HTTP, port: 80}\n"
        "      b: {protocol: HTTP, port: 80}\n",
        "bad.yaml:6",
        "platform.gateway.listeners.b.port",
        "already used by listener 'a'",
    ),
    (
        "team namespace clashes with a system one",
        "platform:\n  teams:\n    monitoring: {}\n",
        "bad.yaml:4",
        "platform.teams.monitoring",
        "system namespace",
    ),
    (
        "quantity typo",
        "platform:\n  teams:\n    team-x:\n      quota:\n        limits_memory: 8GB\n",
        "bad.yaml:6",
        "platform.teams.team-x.quota.limits_memory",
        "Kubernetes quantity",
    ),
    (
        "unknown platform key",
        "platform:\n  monitorin: {}\n",
        "bad.yaml:3",
        "platform.monitorin",
        "did you mean 'monitoring'",
    ),
    (
        "backup run longer than its deadline allows",
        "backup:\n  job:\n    starting_deadline_seconds: 4000\n",
        "bad.yaml:",
        "backup.job.active_deadline_seconds",
        "must exceed starting_deadline_seconds",
    ),
    (
        "root UID for the backup job",
        "backup:\n  job:\n    run_as_user: 0\n",
        "bad.yaml:4",
        "backup.job.run_as_user",
        "greater than or equal to 10000",
    ),
]


@pytest.mark.parametrize(
    ("extra", "where", "key", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_platform_setting_is_one_clear_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: str,
    where: str,
    key: str,
    phrase: str,
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV, "bad": "extends: dev\n" + extra})
    err = one_line_error(capsys, "versions", "bad", "--env-dir", str(env_dir))
    assert where in err, err
    assert key in err, err
    assert phrase in err, err


def test_envs_override_single_versions_and_inherit_the_rest(tmp_path: Path) -> None:
    env_dir = write_envs(
        tmp_path,
        {
            "dev": DEV,
            "pinned": "extends: dev\nversions:\n  charts:\n    kube_prometheus_stack: 80.0.1\n"
            "  images:\n    backup: ghcr.io/underlay/underlay@sha256:" + "ab" * 32 + "\n",
        },
    )
    env = load_environment("pinned", env_dir).env
    assert env.versions.charts.kube_prometheus_stack == "80.0.1"
    assert env.versions.charts.envoy_gateway == Versions().charts.envoy_gateway
    assert env.versions.images.backup.endswith("@sha256:" + "ab" * 32)


def test_versions_command_prints_the_effective_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["versions", "prod", "--env-dir", str(SAMPLE_ENV_DIR)])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out.splitlines()
    defaults = Versions()
    rows = {line.split()[0]: line.split()[1] for line in out}
    assert rows == {
        "versions.flux": defaults.flux,
        "versions.gateway_api": defaults.gateway_api,
        "versions.charts.flux_operator": defaults.charts.flux_operator,
        "versions.charts.flux_instance": defaults.charts.flux_instance,
        "versions.charts.gateway_crds": defaults.charts.gateway_crds,
        "versions.charts.envoy_gateway": defaults.charts.envoy_gateway,
        "versions.charts.kube_prometheus_stack": defaults.charts.kube_prometheus_stack,
        "versions.images.backup": load_environment(
            "prod", SAMPLE_ENV_DIR
        ).env.versions.images.backup,
    }


def test_sample_envs_differ_where_it_matters() -> None:
    dev, prod = (load_environment(e, SAMPLE_ENV_DIR).env for e in ("dev", "prod"))
    assert dev.platform.monitoring.retention != prod.platform.monitoring.retention
    assert set(prod.platform.gateway.listeners) == {"http", "https"}
    assert set(prod.platform.teams) == {"team-a", "team-b"}  # maps merge down the chain
    assert prod.platform.flux.sops.enabled
    assert not dev.platform.flux.sops.enabled


DIGEST_RULE = [
    ("tag only", "ghcr.io/o/backup-job:1.0.0", True),
    ("placeholder default", None, True),
    ("placeholder digest", "ghcr.io/o/backup-job@sha256:" + "0" * 64, True),
    ("digest", "ghcr.io/o/backup-job@sha256:" + "ab" * 32, False),
    ("tag and digest", "ghcr.io/o/backup-job:1.0.0@sha256:" + "ab" * 32, False),
]


@pytest.mark.parametrize(
    ("image", "refused"),
    [pytest.param(image, refused, id=case) for case, image, refused in DIGEST_RULE],
)
def test_a_real_env_with_a_repo_pins_the_backup_image_by_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], image: str | None, refused: bool
) -> None:
    text = DEV + "gitops:\n  repo: https://git.example.com/o/m.git\n"
    if image is not None:
        text += f"versions:\n  images:\n    backup: {image}\n"
    env_dir = write_envs(tmp_path, {"dev": text})
    argv = ("config", "show", "dev", "--env-dir", str(env_dir))
    if not refused:
        with pytest.raises(SystemExit) as info:
            main(list(argv))
        assert info.value.code == 0, capsys.readouterr().err
        return
    err = one_line_error(capsys, *argv)
    # the line where the file sets it; a defaulted value has no line in the file
    where = f"{env_dir / 'dev.yaml'}:15:" if image is not None else f"{env_dir / 'dev.yaml'}:"
    assert f"{where} versions.images.backup:" in err, err
    assert "not pinned by a published digest" in err


def test_digest_not_needed_where_the_job_never_runs_for_real(tmp_path: Path) -> None:
    """The emulated local env and an env without a manifest repo keep the placeholder tag."""
    env_dir = write_envs(
        tmp_path,
        {
            "dev": DEV,
            "emulated": "extends: dev\ncloud:\n  endpoint: http://127.0.0.1:5000\n"
            "gitops:\n  repo: https://git.example.com/o/m.git\n",
        },
    )
    for name in ("dev", "emulated"):
        assert load_environment(name, env_dir).env.versions.images.backup == (
            Versions().images.backup
        )
