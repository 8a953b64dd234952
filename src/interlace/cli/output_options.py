"""The options every command that talks to a running server shares: which remote, and how to print."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["OutputOption", "RemoteOption"]

RemoteOption = Annotated[
    str | None, typer.Option("--remote", "-r", help="The remote to talk to (default: the current one).")
]
OutputOption = Annotated[str, typer.Option("--output", "-o", help="table, json or yaml.")]
