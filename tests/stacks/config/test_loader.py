"""Every bad environment file gives one line naming file, line and key path; exit 2; no output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import main
from tests.support.envs import MINIMAL_DEV as DEV
from tests.support.envs import write_envs

# (case id, files written besides a valid `dev`, env to load, "file:line", key path, phrase)
CASES = [
    (
        "unknown top-level key",
        {"bad": "extends: dev\nclster: {}\n"},
        "bad.yaml:2",
        "clster",
        "did you mean 'cluster'",
    ),
    (
        "unknown nested key",
        {"bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      min_sise: 1\n"},
        "bad.yaml:5",
        "cluster.node_groups.general.min_sise",
        "did you mean 'min_size'",
    ),
    (
        "string where a number belongs",
        {"bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      max_size: '3'\n"},
        "bad.yaml:5",
        "cluster.node_groups.general.max_size",
        "valid integer (got the string '3')",
    ),
    (
        "CIDR out of range",
        {"bad": "extends: dev\ncloud:\n  vpc_cidr: 10.0.0.0/33\n"},
        "bad.yaml:3",
        "cloud.vpc_cidr",
        "CIDR",
    ),
    (
        "CIDR with host bits",
        {"bad": "extends: dev\ncloud:\n  vpc_cidr: 10.0.0.1/16\n"},
        "bad.yaml:3",
        "cloud.vpc_cidr",
        "host bits",
    ),
    (
        "min above max",
        {
            "bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      min_size: 5\n      desired_size: 5\n"
        },
        "bad.yaml:5",
        "cluster.node_groups.general.min_size",
        "must not exceed max_size (3)",
    ),
    (
        "desired outside bounds",
        {"bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      desired_size: 9\n"},
        "bad.yaml:5",
        "cluster.node_groups.general.desired_size",
        "between min_size",
    ),
    (
        "unknown parent",
        {"bad": "description: x\nextends: dve\n"},
        "bad.yaml:2",
        "extends",
        "did you mean 'dev'",
    ),
    (
        "inheritance cycle",
        {"bad": "extends: loop\n", "loop": "extends: bad\n"},
        "loop.yaml:1",
        "extends",
        "inheritance cycle: bad -> loop -> bad",
    ),
    (
        "extends itself",
        {"bad": "# loops\nextends: bad\n"},
        "bad.yaml:2",
        "extends",
        "inheritance cycle",
    ),
    (
        "YAML syntax",
        {"bad": "extends: dev\ncluster: [unclosed\n"},
        "bad.yaml:3",
        "",
        "invalid YAML",
    ),
    (
        "duplicate key",
        {"bad": "extends: dev\ndescription: a\ndescription: b\n"},
        "bad.yaml:3",
        "description",
        "duplicate key 'description' (first set on line 2)",
    ),
    ("top level is a list", {"bad": "- a\n- b\n"}, "bad.yaml:1", "", "expected a mapping"),
    (
        "unknown cloud kind",
        {"bad": "extends: dev\ncloud:\n  kind: gcp\n"},
        "bad.yaml:3",
        "cloud.kind",
        "'aws'",
    ),
    (
        "missing required attribute",
        {
            "bad": "extends: dev\ncluster:\n  node_groups:\n    extra:\n      min_size: 1\n      max_size: 2\n      desired_size: 1\n"
        },
        "bad.yaml:4",
        "cluster.node_groups.extra.instance_types",
        "missing required configuration attribute",
    ),
    (
        "bad region",
        {"bad": "extends: dev\ncloud:\n  region: Europe\n"},
        "bad.yaml:3",
        "cloud.region",
        "pattern",
    ),
    (
        "bad taint effect",
        {
            "bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      taints:\n        - key: a\n          effect: NoSchedule\n"
        },
        "bad.yaml:7",
        "cluster.node_groups.general.taints[0].effect",
        "NO_SCHEDULE",
    ),
    (
        "log retention CloudWatch refuses",
        {"bad": "extends: dev\ncloud:\n  log_retention_days: 100\n"},
        "bad.yaml:3",
        "cloud.log_retention_days",
        "not a CloudWatch retention period",
    ),
    (
        "public CIDRs on a private endpoint",
        {"bad": "extends: dev\ncluster:\n  public_access_cidrs: [203.0.113.0/24]\n"},
        "bad.yaml:3",
        "cluster.public_access_cidrs",
        "endpoint_public_access",
    ),
    (
        "non-string key",
        {"bad": "extends: dev\ntags:\n  1: x\n"},
        "bad.yaml:3",
        "tags",
        "keys must be strings",
    ),
    (
        "bad duration",
        {"bad": "extends: dev\ngitops:\n  interval: 10 minutes\n"},
        "bad.yaml:3",
        "gitops.interval",
        "duration",
    ),
    (
        "too few zones",
        {"bad": "extends: dev\ncloud:\n  az_count: 1\n"},
        "bad.yaml:3",
        "cloud.az_count",
        "greater than or equal to 2",
    ),
    (
        "boolean given as string",
        {"bad": "extends: dev\ncluster:\n  endpoint_public_access: 'yes'\n"},
        "bad.yaml:3",
        "cluster.endpoint_public_access",
        "valid boolean (got the string 'yes')",
    ),
]


@pytest.mark.parametrize(
    ("files", "location", "key_path", "phrase"),
    [pytest.param(f, loc, kp, ph, id=i) for i, f, loc, kp, ph in CASES],
)
def test_bad_file_is_one_clear_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    location: str,
    key_path: str,
    phrase: str,
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV, **files})
    out = tmp_path / "cdktf.out"
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "bad", "--env-dir", str(env_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1, f"expected exactly one line, got: {err!r}"
    assert "Traceback" not in err
    assert f"{env_dir}/{location}" in err
    if key_path:
        assert f": {key_path}:" in err
    assert phrase in err
    assert not out.exists(), "nothing may be written for a bad environment"
    assert not list(tmp_path.glob(".cdktf.out.*")), "no staging folder may be left behind"


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASES) >= 15


def test_unknown_environment_names_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV})
    with pytest.raises(SystemExit) as exit_info:
        main(["config", "show", "dve", "--env-dir", str(env_dir)])
    assert exit_info.value.code == 2
    assert "unknown environment 'dve' (did you mean 'dev'?); known: dev" in capsys.readouterr().err


def test_failed_synth_leaves_the_previous_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV, "bad": "extends: dev\nclster: {}\n"})
    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "marker").write_text("previous synth")
    with pytest.raises(SystemExit):
        main(["synth", "--env-dir", str(env_dir), "--out", str(out)])
    assert (out / "marker").read_text() == "previous synth"
    capsys.readouterr()
