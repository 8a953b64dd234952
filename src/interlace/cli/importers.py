"""``interlace import synapse PATH -o DIR``: convert WSO2 Micro Integrator configuration into a project
and print what was converted, approximated (and how) and left out, each at its file and line."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from interlace.errors import ConfigError

if TYPE_CHECKING:
    from interlace.importers.synapse import Report

__all__ = ["import_app", "runnable_project"]

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
_STYLES = {"converted": "green", "approximated": "yellow", "unsupported": "red"}

_RUN_FOLDER = "interlace-synapse"

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
    _print_report(report, show_converted, f"wrote {len(written)} files to {output}")
    _out.print(f"check it with: interlace check {output}", markup=False)


def _print_report(report: Report, show_converted: bool, outcome: str) -> None:
    from rich.table import Table

    table = Table("STATUS", "SOURCE", "CONSTRUCT", "HOW / WHY")
    for finding in report.in_source_order():
        if finding.status != "converted" or show_converted:
            style = _STYLES[finding.status]
            table.add_row(
                f"[{style}]{finding.status}[/]", str(finding.origin), finding.construct, finding.note
            )
    if table.row_count:
        _out.print(table)
    counts = [len(report.of(status)) for status in ("converted", "approximated", "unsupported")]
    _out.print(
        f"{counts[0]} converted, {counts[1]} approximated, {counts[2]} unsupported; {outcome}", markup=False
    )


def _is_synapse_source(path: Path) -> bool:
    if path.is_file():
        return path.suffix == ".car"
    return path.is_dir() and not (path / "interlace.toml").exists() and any(path.rglob("*.xml"))


def runnable_project(path: Path) -> Path:
    """``path`` when it is an Interlace project; a Synapse source (a ``.car``, or a folder of Synapse XML
    without interlace.toml) converted into a project folder of its own, whose message stores and state
    persist from one run of the same source to the next. Raises ConfigError for unreadable XML."""
    if not _is_synapse_source(path):
        return path
    from interlace.importers.synapse import convert_synapse, write_project

    tree, report = convert_synapse(path)
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / _RUN_FOLDER
    base.mkdir(mode=0o700, exist_ok=True)
    target = base / f"{tree.name}-{digest}"
    # Artifacts the source no longer has must not linger; the state folder (.interlace) stays.
    for stale in target.iterdir() if target.is_dir() else ():
        if stale.name != ".interlace":
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    write_project(tree, target)
    _print_report(report, False, f"running {path} as converted into {target}")
    return target
