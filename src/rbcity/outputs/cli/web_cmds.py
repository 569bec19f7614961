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
             role: Annotated[str, typer.Option(help="analyst (may write) | admin | viewer (read only) | reporter | province_reviewer | national_reviewer")] = "analyst",
             city: Annotated[str | None, typer.Option("--city", help="报表填报员的城市 a reporter's city")] = None,
             province: Annotated[str | None, typer.Option("--province", help="省级审核员的省份 a province reviewer's province")] = None,
             password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
             db: Db = None) -> None:
    """添加用户 Create an account (password hashed with argon2)."""
    from rbcity.data.reporting.scope import place_for, set_scope
    from rbcity.outputs.cli.options import store
    from rbcity.outputs.web.auth import AccountError, add_user

    unit_id, prov = place_for(role, city, province)  # bad place → error before anything is written

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise AccountError("密码为空 empty password")
    engine = store(db)
    user = add_user(engine, name, password, role)
    if unit_id or prov:
        set_scope(engine, name, unit_id, prov)
    where = f", {unit_id or prov}" if unit_id or prov else ""
    typer.echo(f"已添加用户 added user {user.username} ({user.role}{where})")
