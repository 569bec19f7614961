"""``rbcity serve`` (the web dashboard and API) and ``rbcity user add`` (accounts that may write)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from rbcity.outputs.cli import app
from rbcity.outputs.cli.options import Db

user_app = typer.Typer(help="用户账户 accounts for the web dashboard", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command("serve")
def serve(host: Annotated[str, typer.Option(help="监听地址 address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="端口 port")] = 8000,
          db: Db = None) -> None:
    """启动网页与接口 Serve the dashboard (/) and the REST API (/api, /docs)."""
    import uvicorn

    from rbcity.outputs.web.app import create_app

    typer.echo(f"rbcity: http://{host}:{port}/  (API: /docs, /openapi.json)", err=True)
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")


@user_app.command("add")
def user_add(name: Annotated[str, typer.Argument(help="用户名 user name")],
             role: Annotated[str, typer.Option(help="analyst (may write) | admin | viewer (read only)")] = "analyst",
             password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
             db: Db = None) -> None:
    """添加用户 Create an account (password hashed with argon2)."""
    from rbcity.outputs.cli.options import store
    from rbcity.outputs.web.auth import AccountError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise AccountError("密码为空 empty password")
    user = add_user(store(db), name, password, role)
    typer.echo(f"已添加用户 added user {user.username} ({user.role})")
