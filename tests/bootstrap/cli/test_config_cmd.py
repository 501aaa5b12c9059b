"""`underlay config show [--provenance]` and `underlay config diff` on the sample environments."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from bootstrap.cli import main
from tests.support.envs import SAMPLE_ENV_DIR


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--env-dir", str(SAMPLE_ENV_DIR)])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_show_prints_the_effective_config_as_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    data = YAML(typ="safe").load(run(capsys, "config", "show", "prod"))
    assert data["cloud"]["az_count"] == 3, "from prod.yaml"
    assert data["state"]["bucket"] == "ul-terraform-state", "inherited from staging.yaml"
    assert data["cluster"]["kubernetes_version"] == "1.33", "inherited from dev.yaml"
    assert data["cluster"]["node_groups"]["general"]["disk_size_gb"] == 50, "a default"
    assert data["tags"] == {"owner": "platform-team", "managed-by": "underlay", "tier": "prod"}
    assert data["gitops"]["path"] == "clusters/prod", "the computed default, not null"


def test_diff_prints_yaml_values_not_python_reprs(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "config", "diff", "local", "prod")
    assert "False" not in out
    assert "None" not in out
    assert "~ gitops.path: clusters/local -> clusters/prod" in out.splitlines()


def test_provenance_names_the_file_and_line_of_each_leaf(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = run(capsys, "config", "show", "prod", "--provenance").splitlines()

    def origin(prefix: str) -> str:
        return next(line for line in lines if line.strip().startswith(prefix)).rsplit("# ", 1)[1]

    assert origin("az_count:") == f"{SAMPLE_ENV_DIR}/prod.yaml:7"
    assert origin("region:") == f"{SAMPLE_ENV_DIR}/dev.yaml:9"
    assert origin("bucket:") == f"{SAMPLE_ENV_DIR}/staging.yaml:11"
    assert origin("disk_size_gb:") == "default"


def test_diff_lists_only_what_differs(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "config", "diff", "staging", "prod").splitlines()
    assert "~ cloud.az_count: 2 -> 3" in out
    assert "~ cloud.nat_gateways: single -> per_az" in out, "YAML values, not Python reprs"
    assert "+ cluster.node_groups.system.min_size: 2" in out
    assert not any("region" in line for line in out), "both inherit the same region"


def test_diff_of_an_env_with_itself_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert "same configuration" in run(capsys, "config", "diff", "dev", "dev")
