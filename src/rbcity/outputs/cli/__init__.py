"""The ``rbcity`` command line (Typer). Each command group lives in its own module and is
registered here; :func:`main` turns a :class:`~rbcity.errors.UserError` into one line on
stderr and exit status 2, never a traceback."""

from __future__ import annotations

import sys

import typer

from rbcity.errors import UserError

app = typer.Typer(
    name="rbcity",
    help="资源型城市可持续发展规划（2013–2020）系统 / China's resource-based cities plan as software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from rbcity.outputs.cli import (  # noqa: E402,F401  (registers commands)
    assess_cmds,
    checks_cmds,
    data_cmds,
    did_cmds,
    registry_cmds,
    report_cmds,
    run_cmd,
    web_cmds,
)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``rbcity`` script."""
    try:
        app(args=argv, standalone_mode=False)
    except UserError as exc:
        typer.echo(f"错误 error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("已取消 aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click's usage errors arrive here in non-standalone mode
        # typer may vendor its own click, so recognise a ClickException by its interface
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            typer.echo(f"错误 error: {exc.format_message()}", err=True)
            sys.exit(2)
        raise
    sys.exit(0)
