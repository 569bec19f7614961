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


def _audit_cli(engine, action: str, **detail) -> None:
    """An audit row for an account change made from the command line (who: the OS user)."""
    import getpass

    from rbcity.outputs.web import audit

    try:
        who = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        who = "cli"
    audit.record(engine, who[:64], action, **detail)


@user_app.command("list")
def user_list(db: Db = None) -> None:
    """列出用户 List the accounts: name, role, created, disabled, password changed."""
    from rbcity.outputs.cli.options import store
    from rbcity.outputs.web.auth import list_users

    def when(t) -> str:
        return t.strftime("%Y-%m-%d %H:%M") if t is not None else "—"

    users = list_users(store(db))
    typer.echo("用户 user\t角色 role\t创建 created\t停用 disabled\t改密 password changed")
    for u in users:
        typer.echo(f"{u['username']}\t{u['role']}\t{when(u['created_at'])}\t{when(u['disabled_at'])}\t"
                   f"{when(u['password_changed_at'])}")
    typer.echo(f"共 {len(users)} 个用户 {len(users)} account(s)", err=True)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="用户名 user name")],
                 enable: Annotated[bool, typer.Option("--enable", help="re-enable the account instead")] = False,
                 db: Db = None) -> None:
    """停用用户 Disable an account (it cannot sign in; its web sessions end at once); --enable undoes it."""
    from rbcity.outputs.cli.options import store
    from rbcity.outputs.web.auth import set_disabled

    engine = store(db)
    ended = set_disabled(engine, name, not enable)
    _audit_cli(engine, "user_enable" if enable else "user_disable", user=name, sessions_ended=ended)
    if enable:
        typer.echo(f"已启用 enabled {name}")
    else:
        typer.echo(f"已停用 disabled {name}; 结束会话 sessions ended: {ended}")


@user_app.command("passwd")
def user_passwd(name: Annotated[str, typer.Argument(help="用户名 user name")],
                password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
                db: Db = None) -> None:
    """修改密码 Set a new password; every web session of the account ends."""
    from rbcity.outputs.cli.options import store
    from rbcity.outputs.web.auth import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("新密码 new password", hide_input=True, confirmation_prompt=True)
    engine = store(db)
    ended = set_password(engine, name, password)
    _audit_cli(engine, "user_passwd", user=name, sessions_ended=ended)
    typer.echo(f"已修改密码 password changed for {name}; 结束会话 sessions ended: {ended}")
