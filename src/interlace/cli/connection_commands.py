"""`interlace connection authorize|status`: get a user's OAuth2 grant for a connection, and see the state
of every OAuth2 connection's grant (never a token)."""

from __future__ import annotations

import asyncio
import webbrowser
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from interlace.cli.output import OutputOption, cell_text, check_output, console, show_answer
from interlace.cli.remote import fail

__all__ = ["register_connection_commands"]

ProjectArgument = Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Configuration profile to use."),
]


def register_connection_commands(connection_app: typer.Typer) -> None:
    connection_app.command("authorize")(connection_authorize)
    connection_app.command("status")(connection_status)


def _load(project: Path, profile: str | None) -> Any:
    from interlace.model import load_project

    loaded = load_project(project, profile)
    if loaded.problems:
        raise fail("; ".join(str(problem) for problem in loaded.problems))
    return loaded


def connection_authorize(
    project: ProjectArgument,
    connection: Annotated[str, typer.Argument(help="The OAuth2 connection to authorize.")],
    profile: ProfileOption = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope to ask for besides those the project's operations need."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for the browser's redirect.")
    ] = 300.0,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the consent address (for a remote shell).")
    ] = False,
    print_token: Annotated[
        bool,
        typer.Option(
            "--print", help="Show the refresh token once, for a secrets manager, instead of storing it."
        ),
    ] = False,
) -> None:
    """Authorize an account for an OAuth2 connection (authorization code grant with PKCE) and keep its
    refresh token in the project's encrypted token store."""
    from interlace.cli.authorize import authorize_connection
    from interlace.errors import InterlaceError

    out = console()
    loaded = _load(project, profile)

    def show(line: str) -> None:
        out.print(line, markup=False)

    async def run() -> None:
        granted = await authorize_connection(
            loaded,
            connection,
            extra_scopes=tuple(scope or ()),
            timeout=timeout,
            show=show,
            open_browser=None if no_browser else webbrowser.open,
            keep=not print_token,
        )
        scopes = " ".join(granted.scopes) or "(none named)"
        if print_token:
            show(f"connection {connection}: authorized; scopes {scopes}")
            show("refresh token (shown once; store it in your secrets manager):")
            show(str(granted.refresh_token))
        else:
            show(f"connection {connection}: authorized; refresh token stored; scopes {scopes}")

    try:
        asyncio.run(run())
    except InterlaceError as exc:
        raise fail(exc.message) from None


def connection_status(
    project: ProjectArgument,
    connection: Annotated[str | None, typer.Argument(help="Only this connection.")] = None,
    profile: ProfileOption = None,
    output: OutputOption = "table",
) -> None:
    """Every OAuth2 connection: whether it holds a refresh token, when its access token expires, the
    granted scopes and the last refresh's outcome."""
    from interlace.cli.grant_status import grant_statuses
    from interlace.errors import InterlaceError

    check_output(output)
    loaded = _load(project, profile)
    try:
        items = asyncio.run(grant_statuses(loaded, connection))
    except InterlaceError as exc:
        raise fail(exc.message) from None
    columns = (
        ("CONNECTION", "name"),
        ("CONNECTOR", "connector"),
        ("REFRESH TOKEN", "refreshToken"),
        ("ACCESS TOKEN EXPIRES", "accessTokenExpires"),
        ("SCOPES", "scopes"),
        ("LAST REFRESH", "lastRefresh"),
    )

    def render() -> None:
        if not items:
            console().print("no OAuth2 connections", markup=False)
            return
        table = Table(*(title for title, _ in columns))
        for item in items:
            table.add_row(*(cell_text(item.get(key)) for _, key in columns))
        console().print(table)

    show_answer(items, output, render)
