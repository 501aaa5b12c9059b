"""Hostile env files through the loader: one ConfigError naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import main
from stacks.config.loader import load_all, load_environment
from stacks.errors import ConfigError
from tests.support.envs import MINIMAL_DEV as DEV
from tests.support.envs import write_envs

# (case id, files besides a valid `dev`, env to load, "file:line", key path, match=)
CASES = [
    (
        "Terraform expression in a tag",
        {"bad": "extends: dev\ntags:\n  owner: '${file(\"/etc/passwd\")}'\n"},
        "bad",
        "bad.yaml:3",
        "tags.owner",
        r"Terraform would evaluate",
    ),
    (
        "template directive in a node label",
        {
            "bad": "extends: dev\ncluster:\n  node_groups:\n    general:\n      labels:\n"
            "        a: '%{ if true }x%{ endif }'\n"
        },
        "bad",
        "bad.yaml:6",
        "cluster.node_groups.general.labels.a",
        r"contains '\$\{' or '%\{'",
    ),
    (
        "Terraform expression in a platform namespace label",
        {
            "bad": "extends: dev\nplatform:\n  teams:\n    shop:\n      labels:\n"
            "        team: '${var.x}'\n"
        },
        "bad",
        "bad.yaml:6",
        "platform.teams.shop.labels.team",
        r"Terraform would evaluate",
    ),
    (
        "Terraform expression in a key",
        {"bad": "extends: dev\ntags:\n  '${x}': v\n"},
        "bad",
        "bad.yaml:3",
        "tags.${x}",
        r"key '\$\{x\}'",
    ),
    (
        "token in an https repo URL",
        {"bad": "extends: dev\ngitops:\n  repo: https://u:hunter2@git.example/r.git\n"},
        "bad",
        "bad.yaml:3",
        "gitops.repo",
        r"carries credentials .*UNDERLAY_GIT_TOKEN",
    ),
    (
        "token in a query string",
        {"bad": "extends: dev\ngitops:\n  repo: https://git.example/r.git?token=hunter2\n"},
        "bad",
        "bad.yaml:3",
        "gitops.repo",
        r"query string",
    ),
    (
        "password in an ssh URL",
        {"bad": "extends: dev\ngitops:\n  repo: ssh://git:hunter2@git.example/r.git\n"},
        "bad",
        "bad.yaml:3",
        "gitops.repo",
        r"carries credentials",
    ),
    (
        "tag on a mapping",
        {"bad": "extends: dev\ntags: !t {a: b}\n"},
        "bad",
        "bad.yaml:2",
        None,
        r"YAML tags are not allowed",
    ),
    (
        "merge key",
        {"bad": "extends: dev\nx: &x {a: b}\ntags:\n  <<: *x\n"},
        "bad",
        "bad.yaml:4",
        None,
        r"merge keys",
    ),
    (
        "extends itself",
        {"bad": "extends: bad\n"},
        "bad",
        "bad.yaml:1",
        "extends",
        r"inheritance cycle: bad -> bad",
    ),
    (
        "extends cycle",
        {"a": "extends: b\n", "b": "extends: a\n"},
        "a",
        "b.yaml:1",
        "extends",
        r"inheritance cycle: a -> b -> a",
    ),
    (
        "extends a path",
        {"bad": "extends: ../dev\n"},
        "bad",
        "bad.yaml:1",
        "extends",
        r"unknown parent environment '../dev'",
    ),
    (
        "extends a list",
        {"bad": "extends: [dev]\n"},
        "bad",
        "bad.yaml:1",
        "extends",
        r"unknown parent environment",
    ),
]


@pytest.mark.parametrize(
    ("files", "env", "location", "key_path", "match"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_hostile_env_file_names_file_line_and_key(
    tmp_path: Path,
    files: dict[str, str],
    env: str,
    location: str,
    key_path: str | None,
    match: str,
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV, **files})
    with pytest.raises(ConfigError, match=match) as info:
        load_environment(env, env_dir)
    message = str(info.value)
    assert message.startswith(f"{env_dir}/{location}:")
    if key_path is not None:
        assert info.value.location.key_path == key_path
    assert "hunter2" not in message


def test_cluster_names_that_collide_after_the_prefix_are_refused(tmp_path: Path) -> None:
    env_dir = write_envs(tmp_path, {"a-b": DEV, "b": "extends: a-b\nprefix: ul-a\n"})
    assert load_environment("b", env_dir).env.cluster_name == "ul-a-b"  # alone: fine
    with pytest.raises(
        ConfigError, match=r"'a-b' and 'b' both name their resources 'ul-a-b'"
    ) as info:
        load_all(env_dir)
    assert info.value.location.line == 2
    assert info.value.location.file == env_dir / "b.yaml"


def test_distinct_cluster_names_load_together(tmp_path: Path) -> None:
    env_dir = write_envs(tmp_path, {"a-b": DEV, "b": "extends: a-b\nprefix: ul-c\n"})
    assert [e.env.cluster_name for e in load_all(env_dir)] == ["ul-a-b", "ul-c-b"]


# A sample of each class through the CLI: one line, exit 2, no traceback, nothing written.
CLI_CASES = {
    "tag": "extends: dev\ntags: {a: !!str b}\n",
    "self alias": "extends: dev\ntags: &t\n  a: *t\n",
    "expression": "extends: dev\ntags: {a: '${path.cwd}'}\n",
    "credentials": "extends: dev\ngitops: {repo: 'https://x-access-token@github.com/o/r'}\n",
    "bomb": "extends: dev\nx: &a [1,1,1,1,1,1,1,1,1,1]\n"
    + "".join(f"x{n}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(6)),
}


@pytest.mark.parametrize("text", CLI_CASES.values(), ids=CLI_CASES.keys())
@pytest.mark.parametrize("command", ["synth", "config-show"])
def test_cli_reports_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, command: str
) -> None:
    env_dir = write_envs(tmp_path, {"dev": DEV, "bad": text})
    out = tmp_path / "cdktf.out"
    argv = (
        ["synth", "bad", "--env-dir", str(env_dir), "--out", str(out)]
        if command == "synth"
        else ["config", "show", "bad", "--env-dir", str(env_dir)]
    )
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.err.count("\n") == 1, captured.err
    assert (
        captured.err.startswith(f"error: {env_dir}/bad.yaml:")
        or f"{env_dir}/bad.yaml:" in captured.err
    )
    assert "Traceback" not in captured.err
    assert "x-access-token" not in captured.err + captured.out
    assert not out.exists()
