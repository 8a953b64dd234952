"""``interlace import synapse PATH -o DIR``: convert WSO2 Micro Integrator configuration into a project
and print what was converted, approximated (and how) and left out, each at its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interlace.errors import ConfigError

__all__ = ["import_app"]

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
_STYLES = {"converted": "green", "approximated": "yellow", "unsupported": "red"}

import_app = typer.Typer(
    help="Convert other products' configuration into Interlace projects.", no_args_is_help=True
)


@import_app.command("synapse")
def import_synapse(
    source: Annotated[
        Path, typer.Argument(help="A synapse-config folder, an MI / Integration Studio project or a .car.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The project folder to write.")],
    show_converted: Annotated[bool, typer.Option("--all", help="List the converted constructs too.")] = False,
) -> None:
    """Convert Synapse XML (WSO2 Micro Integrator) into an Interlace project."""
    from interlace.importers.synapse import convert_synapse, write_project

    try:
        tree, report = convert_synapse(source)
    except (ConfigError, FileNotFoundError, OSError) as exc:
        _err.print(f"cannot import {source}: {exc}", style="bold red", markup=False)
        raise typer.Exit(1) from None
    written = write_project(tree, output)
    table = Table("STATUS", "SOURCE", "CONSTRUCT", "HOW / WHY")
    for finding in report.in_source_order():
        if finding.status != "converted" or show_converted:
            style = _STYLES[finding.status]
            table.add_row(
                f"[{style}]{finding.status}[/]", str(finding.origin), finding.construct, finding.note
            )
    if table.row_count:
        _out.print(table)
    counts = {status: len(report.of(status)) for status in _STYLES}  # type: ignore[arg-type]
    _out.print(
        f"{counts['converted']} converted, {counts['approximated']} approximated, "
        f"{counts['unsupported']} unsupported; wrote {len(written)} files to {output}",
        markup=False,
    )
    _out.print(f"check it with: interlace check {output}", markup=False)
