"""`mi remote add|login|logout|select|show|remove`: the remotes of the `mi` command, as WSO2 Micro
Integrator's CLI names them (a host and a port; `login` on the current remote, user and password
given in order).

They are the remotes of `interlace remote`, kept in the same `remotes.json` (see
:mod:`interlace.cli.remote`): a remote added or logged in to with one command is there for the
other."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from interlace.cli.mi_format import print_table
from interlace.cli.remote import (
    Remote,
    fail,
    load_config_or_exit,
    log_in,
    log_out,
    save_config,
)

__all__ = ["ADD_HINT", "mi_remote_app"]

ADD_HINT = "add your server with `mi remote add NAME HOST PORT` and `mi remote select NAME`"

mi_remote_app = typer.Typer(help="The servers `mi` talks to, and logging in to them.", no_args_is_help=True)


def _url(host: str, port: int) -> str:
    host = host.strip().rstrip("/")
    return f"{host}:{port}" if "://" in host else f"http://{host}:{port}"


@mi_remote_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the server (dev, prod).")],
    host: Annotated[str, typer.Argument(help="Its host name or address.")],
    port: Annotated[int, typer.Argument(min=1, max=65535, help="Its management port (9164).")],
) -> None:
    """Add (or change the address of) a remote; a changed address forgets its token."""
    config = load_config_or_exit()
    url = _url(host, port)
    previous = config.remotes.get(name)
    kept = previous if previous is not None and previous.url == url else Remote(url)
    save_config(config.with_remote(name, kept))
    typer.echo(f"Added remote {name} ({url})")


@mi_remote_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The remote to forget, with its token.")]) -> None:
    """Forget a remote and its token."""
    from interlace.cli.remote import remove as remove_remote

    remove_remote(name)


@mi_remote_app.command("select")
def select(name: Annotated[str, typer.Argument(help="The remote `mi` talks to from now on.")]) -> None:
    """Make a remote the current one."""
    config = load_config_or_exit()
    if name not in config.remotes:
        known = ", ".join(sorted(config.remotes))
        raise fail(
            f"no remote named {name!r} (remotes: {known}); add it with `mi remote add {name} HOST PORT`"
        )
    save_config(replace(config, current=name))
    typer.echo(f"Selected remote {name} ({config.remotes[name].url})")


@mi_remote_app.command("show")
def show() -> None:
    """The remotes, the current one marked. Tokens are never shown."""
    config = load_config_or_exit()
    print_table(
        ("NAME", "URL", "USER", "LOGGED IN", "CURRENT"),
        [
            (
                name,
                remote.url,
                (remote.user or "-") if remote.token else "-",
                "yes" if remote.token else "no",
                "*" if name == config.current else "",
            )
            for name, remote in sorted(config.remotes.items())
        ],
    )


@mi_remote_app.command("login")
def login(
    user: Annotated[str | None, typer.Argument(help="The user name [default: admin].")] = None,
    password: Annotated[str | None, typer.Argument(help="The password; asked for when not given.")] = None,
) -> None:
    """Log in to the current remote (`mi remote login admin admin`: user, then password)."""
    log_in(None, user or "admin", password)


@mi_remote_app.command("logout")
def logout() -> None:
    """Revoke the current remote's token at the server and forget it here."""
    log_out(None)
