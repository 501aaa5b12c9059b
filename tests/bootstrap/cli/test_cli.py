"""The ``underlay`` group (bootstrap/cli/__init__.py): every command is found under its own name,
and running one imports only what it needs."""

from __future__ import annotations

import subprocess
import sys

import click

from bootstrap.cli import COMMANDS, cli
from tests.support.cli import underlay_process


def test_every_listed_command_loads_under_its_own_name() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name
    assert cli.get_command(ctx, "no-such-command") is None


def test_a_backup_run_imports_neither_the_model_nor_the_gitops_layer() -> None:
    probe = (
        "import sys\n"
        "from bootstrap.cli import main\n"
        "sys.argv = ['underlay', 'backup', 'run', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('stacks.config.model', 'bootstrap.gitops.operations', 'pydantic')\n"
        "         if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert "Usage: underlay backup run" in result.stdout, result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def test_unknown_command_is_a_one_line_usage_error() -> None:
    result = underlay_process("frobnicate", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["underlay: error: No such command 'frobnicate'."]
