"""The ``underlay`` console script: flags in, options out, and exit codes mapped here only.

Exit status: 0 success, 1 an operation failed at run time (for example a backup upload), 2 bad
input (config, flags, unknown environment), 3 drift found or status red — from
:class:`stacks.errors.UnderlayError`.
"""

from __future__ import annotations

import sys

import click

from bootstrap.cli.backup_cmd import backup, restore
from bootstrap.cli.config_cmd import config
from bootstrap.cli.delivery_cmd import affected_cmd, apply_cmd, deliver_cmd, plan_cmd
from bootstrap.cli.gitops_cmd import bootstrap, promote, rollback, set_image_cmd
from bootstrap.cli.monitor_cmd import drift, status
from bootstrap.cli.platform_cmd import render, versions
from bootstrap.cli.synth_cmd import synth
from stacks.errors import UnderlayError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="underlay", prog_name="underlay", message="%(prog)s %(version)s")
def cli() -> None:
    """underlay: environments in YAML -> CDK for Terraform stacks -> a Flux-managed platform."""


cli.add_command(config)
cli.add_command(synth)
cli.add_command(bootstrap)
cli.add_command(set_image_cmd)
cli.add_command(promote)
cli.add_command(rollback)
cli.add_command(backup)
cli.add_command(restore)
cli.add_command(render)
cli.add_command(versions)
cli.add_command(drift)
cli.add_command(status)
cli.add_command(affected_cmd)
cli.add_command(plan_cmd)
cli.add_command(apply_cmd)
cli.add_command(deliver_cmd)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="underlay", standalone_mode=False)
    except UnderlayError as exc:
        click.echo(f"underlay: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"underlay: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("underlay: aborted", err=True)
        sys.exit(130)
    sys.exit(0)
