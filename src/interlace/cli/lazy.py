"""Commands loaded when they run: a command group whose commands' modules are imported only when one of
them is called (or when help lists them), so ``interlace run`` does not import what ``interlace deploy``,
``interlace connector`` or the remote commands need (aiohttp's client, the connector SDK, rich tables).

``lazy_group({"deploy": "interlace.cli.bundles:deploy", ...})`` is the ``cls`` of a ``typer.Typer``; each
value names a command function or a ``typer.Typer`` (a group of commands) as ``module:attribute``. The
commands registered on the Typer itself come first in help, then the lazy ones in the table's order.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import ClassVar

import typer
from typer import _click as click  # the click typer ships and its groups are typed with
from typer.core import TyperGroup

__all__ = ["lazy_group"]


def _load(name: str, target: str) -> click.Command:
    module_name, attribute = target.split(":")
    loaded = getattr(importlib.import_module(module_name), attribute)
    holder = typer.Typer()
    if isinstance(loaded, typer.Typer):
        holder.add_typer(loaded, name=name)
    else:
        holder.command(name)(loaded)
    return typer.main.get_group(holder).commands[name]


class _LazyGroup(TyperGroup):
    lazy: ClassVar[Mapping[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return [*eager, *(name for name in self.lazy if name not in eager)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = _load(cmd_name, self.lazy[cmd_name])
        return super().get_command(ctx, cmd_name)


def lazy_group(commands: Mapping[str, str]) -> type[TyperGroup]:
    """A group class (``typer.Typer(cls=...)``) that adds ``commands`` (name: ``module:attribute``),
    importing each command's module when it is first asked for."""
    return type("LazyGroup", (_LazyGroup,), {"lazy": dict(commands)})
