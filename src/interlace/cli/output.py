"""Output and requests shared by the commands that operate a running server: tables by default,
JSON or YAML for scripts, and one request helper that turns a missing route into a clear message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from interlace.cli.client import ManagementClient, RouteMissingError
from interlace.cli.output_options import OutputOption, RemoteOption
from interlace.cli.remote import fail, remote_client, run_remote

__all__ = [
    "OUTPUTS",
    "OutputOption",
    "RemoteOption",
    "cell_text",
    "check_output",
    "console",
    "fields_table",
    "header",
    "request",
    "show_answer",
]


def console() -> Console:
    # Made per use, so the width is the terminal's (or $COLUMNS) at the time of printing.
    return Console(highlight=False, soft_wrap=True)


OUTPUTS = ("table", "json", "yaml")


def cell_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(
            cell_text(each.get("name", each) if isinstance(each, dict) else each) for each in value
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def show_answer(data: Any, output: str, render: Callable[[], None]) -> None:
    """Print `data` as JSON or YAML, or call `render` for the table."""
    if output == "json":
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output == "yaml":
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    else:
        render()


def header(key: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).upper()  # uriTemplate -> URI TEMPLATE


def fields_table(item: dict[str, Any]) -> None:
    table = Table("FIELD", "VALUE")
    for key, value in item.items():
        if not (isinstance(value, list) and value and isinstance(value[0], dict)):
            table.add_row(key, cell_text(value))
    console().print(table)
    for key, value in item.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            keys = [k for k in value[0] if not isinstance(value[0][k], dict)]
            nested = Table(*(header(k) for k in keys), title=key)
            for each in value:
                nested.add_row(*(cell_text(each.get(k)) for k in keys))
            console().print(nested)


def check_output(output: str) -> None:
    if output not in OUTPUTS:
        raise fail(f"unknown output {output!r}; one of: {', '.join(OUTPUTS)}")


def request(
    remote: str | None,
    label: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    """One request to the remote; a server without the route says it does not expose `label`."""
    chosen, client = remote_client(remote)

    async def send(client: ManagementClient) -> Any:
        try:
            return await client.request(method, path, json=body, params=params)
        except RouteMissingError as exc:
            raise RouteMissingError(f"this server does not expose {label} ({exc.message})") from exc

    return run_remote(chosen, client, send(client))
