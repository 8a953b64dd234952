"""The `mi` command: a running Interlace server operated as WSO2 Micro Integrator's CLI operates one.

`mi remote add dev localhost 9164`, `mi remote login admin admin`, `mi api show`, `mi
messageprocessor deactivate NAME`, `mi log-level update LOGGER DEBUG`, `mi logs`: the same
management API and the same remotes as `interlace remote` and `interlace get`, printed in MI's
columns. Each command talks to the current remote (`mi remote select`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from interlace.cli.log_commands import logs
from interlace.cli.mi_format import print_detail, print_table
from interlace.cli.mi_kinds import MI_KINDS, MiKind
from interlace.cli.mi_remote import ADD_HINT, mi_remote_app
from interlace.cli.output import request
from interlace.cli.remote import Hints, fail, use_hints

__all__ = ["main", "mi_app"]

mi_app = typer.Typer(
    name="mi",
    help="Operate a running Interlace server as WSO2 Micro Integrator's `mi` CLI does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
mi_app.add_typer(mi_remote_app, name="remote")


@mi_app.callback()
def _mi(context: typer.Context) -> None:
    # For this invocation only: `interlace` commands run in the same process keep their own hints.
    context.call_on_close(use_hints(Hints(login="mi remote login", unreachable=ADD_HINT)))


def _request(label: str, method: str, path: str, body: Any = None) -> Any:
    return request(None, label, method, path, body=body)


def _show(kind: MiKind, name: str | None) -> None:
    if kind.path is None:
        if name is not None:
            raise fail(f"no {kind.command} named {name!r}: Interlace has no {kind.label}")
        print_table([header for header, _ in kind.columns], [])
        return
    if name is None:
        answer = _request(kind.label, "GET", kind.path)
        items: list[dict[str, Any]] = answer.get("items", []) if isinstance(answer, dict) else []
        print_table([header for header, _ in kind.columns], [kind.row(item) for item in items])
        return
    item = _request(kind.label, "GET", f"{kind.path}/{name}")
    print_detail(kind.fields(item))
    resources = item.get("resources") if isinstance(item, dict) else None
    if isinstance(resources, list):
        typer.echo("Resources:")
        rows = [(str(each.get("uriTemplate")), ", ".join(each.get("methods", []))) for each in resources]
        print_table(("URL", "METHOD"), rows)


def _switch(kind: MiKind, action: str, name: str) -> None:
    answer = _request(kind.label, "POST", f"{kind.path}/{name}/{action}")
    state = answer.get("status", answer.get("state")) if isinstance(answer, dict) else None
    typer.echo(f"{name} : {action}d ({state})")


def _group(kind: MiKind) -> typer.Typer:
    about = f"The {kind.label} of the running server."
    if kind.path is None:
        about = f"Always empty: Interlace has no {kind.label}."
    group = typer.Typer(help=about, no_args_is_help=True)

    def show(name: Annotated[str | None, typer.Argument(help="One of them, in detail.")] = None) -> None:
        _show(kind, name)

    show.__doc__ = f"List the {kind.label}, or show one."
    group.command("show")(show)
    if kind.switchable:

        def activate(name: Annotated[str, typer.Argument(help="Its name.")]) -> None:
            _switch(kind, "activate", name)

        def deactivate(name: Annotated[str, typer.Argument(help="Its name.")]) -> None:
            _switch(kind, "deactivate", name)

        activate.__doc__, deactivate.__doc__ = "Switch it on.", "Switch it off until it is activated."
        group.command("activate")(activate)
        group.command("deactivate")(deactivate)
    return group


for _kind in MI_KINDS:
    mi_app.add_typer(_group(_kind), name=_kind.command)

log_level_app = typer.Typer(help="The levels of the running server's loggers.", no_args_is_help=True)
mi_app.add_typer(log_level_app, name="log-level")


def _print_logger(answer: Any) -> None:
    print_detail(
        (
            ("Logger Name", answer.get("name")),
            ("Log Level", answer.get("level")),
            ("Effective Level", answer.get("effectiveLevel")),
        )
    )


@log_level_app.command("show")
def log_level_show(
    logger: Annotated[str, typer.Argument(help="The logger (root: the root logger).")],
) -> None:
    """A logger's level."""
    _print_logger(_request("logging", "GET", f"/logging/{logger}"))


@log_level_app.command("update")
def log_level_update(
    logger: Annotated[str, typer.Argument(help="The logger (root: the root logger).")],
    level: Annotated[str, typer.Argument(help="DEBUG, INFO, WARNING, ERROR, CRITICAL or NOTSET.")],
) -> None:
    """Change a logger's level now (until the server restarts)."""
    _print_logger(_request("logging", "PUT", f"/logging/{logger}", {"level": level.upper()}))


mi_app.command("logs")(logs)


def main() -> None:
    """The `mi` console script."""
    mi_app()
