"""``interlace connector list|info|search|add|upgrade|remove|new|index``: find, inspect, install, upgrade,
remove and create connectors (the store's commands are in :mod:`interlace.cli.catalog_commands`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interlace.cli.catalog_commands import add, search, upgrade
from interlace.sdk import ConnectorRegistry, RegistryError, UnknownConnectorError, render_connector_reference

__all__ = ["add_local", "connector_app", "install_report", "installed_versions"]

connector_app = typer.Typer(
    help="Find, inspect, install, upgrade, remove and create connectors.", no_args_is_help=True
)
connector_app.command()(search)
connector_app.command()(add)
connector_app.command()(upgrade)
index_app = typer.Typer(help="The catalog index of the connector store.", no_args_is_help=True)
connector_app.add_typer(index_app, name="index")
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

OutputOption = Annotated[str, typer.Option("--output", "-o", help="table or json.")]


def _registry() -> ConnectorRegistry:
    registry = ConnectorRegistry()
    try:
        registry.refresh()
    except RegistryError as exc:
        _err.print(
            f"the installed connectors cannot be loaded: {exc.message}", style="bold red", markup=False
        )
        for problem in exc.detail or []:
            _err.print(f"  {problem}", markup=False)
        raise typer.Exit(1) from None
    return registry


@connector_app.command("list")
def list_connectors(output: OutputOption = "table") -> None:
    """The installed connectors, with versions and how many operations and triggers they have (and those
    whose client libraries are not installed, with the command that installs them)."""
    loaded, problems = _registry().load_all()
    rows: list[dict[str, str | int]] = [
        {
            "name": entry.connector.name,
            "version": entry.connector.version,
            "package": entry.distribution,
            "operations": len(entry.connector.operations),
            "triggers": len(entry.connector.triggers),
        }
        for entry in loaded
    ]
    if output == "json":
        typer.echo(
            json.dumps(rows + [{"name": name, "problem": text} for name, text in problems.items()], indent=2)
        )
        return
    table = Table("NAME", "VERSION", "PACKAGE", "OPERATIONS", "TRIGGERS")
    for row in rows:
        table.add_row(*(str(row[key]) for key in ("name", "version", "package", "operations", "triggers")))
    _out.print(table)
    for problem in problems.values():
        _out.print(f"not usable: {problem}", markup=False)


@connector_app.command()
def info(
    name: Annotated[str, typer.Argument(help="The connector's name.")], output: OutputOption = "table"
) -> None:
    """A connector's connection settings, operations (parameters, types, defaults, docs) and triggers."""
    registry = _registry()
    try:
        connector = registry.get(name)
    except UnknownConnectorError as exc:
        _err.print(exc.message + (f" ({exc.hint})" if exc.hint else ""), style="bold red", markup=False)
        raise typer.Exit(1) from None
    except RegistryError as exc:
        _err.print(exc.message, style="bold red", markup=False)
        raise typer.Exit(1) from None
    if output == "json":
        typer.echo(json.dumps(connector.json_schema(), indent=2, default=str))
        return
    from rich.markdown import Markdown

    _out.print(Markdown(render_connector_reference(connector)))


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    _out.print("$ " + " ".join(command), markup=False)
    if subprocess.run(command, check=False).returncode != 0:
        _err.print("pip failed; nothing was changed", style="bold red", markup=False)
        raise typer.Exit(1)


def add_local(source: str, no_build_isolation: bool) -> None:
    """Install a package file or project folder as it is (no catalog, no checksum): a package of one's
    own, or one being written."""
    before = installed_versions()
    _pip("install", *(["--no-build-isolation"] if no_build_isolation else []), source)
    for line in install_report(before, installed_versions()):
        _out.print(line, markup=False)


def installed_versions() -> dict[str, tuple[str, str | None]]:
    """Each installed connector's package and the package's version installed now (read from disk)."""
    from interlace.runtime.connector_code import installed_version

    return {
        entry.connector.name: (entry.distribution, installed_version(entry.distribution))
        for entry in _registry().load_all()[0]
    }


def install_report(
    before: dict[str, tuple[str, str | None]], after: dict[str, tuple[str, str | None]]
) -> list[str]:
    """What an install changed: connectors added, connectors upgraded (and whether a running server can
    use the new version from its next deployment or must restart), or nothing."""
    from interlace.runtime.connector_code import compiled_files

    lines = []
    added = sorted(set(after) - set(before))
    if added:
        lines.append(f"added connector{'s' if len(added) > 1 else ''}: {', '.join(added)}")
    for name in sorted(set(after) & set(before)):
        (package, old), (_, new) = before[name], after[name]
        if old == new:
            continue
        lines.append(f"upgraded connector {name} ({package}) from {old} to {new}")
        compiled = compiled_files(package)
        if compiled:
            lines.append(
                f"  a running server that has loaded {name} keeps running {old}: Python cannot unload the "
                f"compiled modules of {package} ({', '.join(compiled)}); restart it to use {new}"
            )
        else:
            lines.append(
                f"  a running server uses {new} from its next deployment (interlace deploy, or SIGHUP)"
            )
    if not lines:
        lines.append("installed; no connector was added or changed version (it was installed already)")
    return lines


@connector_app.command()
def remove(name: Annotated[str, typer.Argument(help="The connector's name.")]) -> None:
    """Uninstall the package that provides a connector (built-in connectors cannot be removed)."""
    registry = _registry()
    try:
        entry = registry.entry(name)
    except UnknownConnectorError as exc:
        _err.print(exc.message, style="bold red", markup=False)
        raise typer.Exit(1) from None
    if entry.distribution == "interlace":
        _err.print(f"{name} is built into Interlace and cannot be removed", style="bold red", markup=False)
        raise typer.Exit(1)
    _pip("uninstall", "--yes", entry.distribution)
    _out.print(f"removed connector {name} (package {entry.distribution})", markup=False)


@connector_app.command()
def new(
    name: Annotated[
        str, typer.Argument(help="The connector's name in flows: a lowercase identifier (redis, my_crm).")
    ],
    parent: Annotated[
        Path, typer.Option("--dir", help="The folder to create the package folder interlace-NAME in.")
    ] = Path(),
) -> None:
    """Create a connector package to publish: a working connector (an HTTP API of JSON items) to adapt,
    its packaging with the entry point, a README and tests that pass as they are."""
    from interlace.cli.connector_scaffold import connector_folder, scaffold_connector

    try:
        installed = ConnectorRegistry().entry(name)
    except (UnknownConnectorError, RegistryError):
        installed = None
    if installed is not None:
        _err.print(
            f"a connector named {name!r} is installed already (package {installed.distribution});"
            " choose another name",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(1)
    try:
        files = scaffold_connector(name, parent)
    except (ValueError, FileExistsError) as exc:
        _err.print(str(exc), style="bold red", markup=False)
        raise typer.Exit(1) from None
    for path in files:
        _out.print(f"created {path}", markup=False)
    folder = connector_folder(name, parent)
    _out.print(f"test it:    cd {folder} && python -m pytest", markup=False)
    _out.print(f"install it: interlace connector add {folder}", markup=False)


@connector_app.command("from-openapi")
def from_openapi(
    spec: Annotated[
        str, typer.Argument(help="The OpenAPI description: a file or an http(s) URL, JSON or YAML.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write the package into.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="The connector's name in flows; from the API's title if not given."),
    ] = None,
) -> None:
    """Make a connector package from an OpenAPI description (Swagger 2.0, OpenAPI 3.0 or 3.1): one typed
    operation per operation, the connection from the servers and security schemes, a README and tests."""
    from interlace.cli.openapi_package import generate_package
    from interlace.errors import ConfigError

    try:
        generated = generate_package(spec, output, name)
    except (ConfigError, FileExistsError, ValueError) as exc:
        _err.print(str(exc), style="bold red", markup=False)
        raise typer.Exit(1) from None
    skipped = generated.skipped
    _out.print(
        f"generated {len(generated.operations)} operations of connector {generated.name} in {output};"
        f" skipped {len(skipped)}",
        markup=False,
    )
    for note in generated.notes:
        _out.print(f"  {note}", markup=False)
    if generated.untested:
        _out.print(
            f"  not in the generated tests (no sample body fits the schema): {', '.join(generated.untested)}",
            markup=False,
        )
    _out.print(f"test it:    cd {output} && python -m pytest", markup=False)
    _out.print(f"install it: interlace connector add {output}", markup=False)


@index_app.command("build")
def build_index_command(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The index file to write (its versions and keywords are kept)."),
    ],
    packages: Annotated[
        list[str] | None,
        typer.Option(
            "--package",
            help="Only the connectors of this package (repeatable); every installed one if not given.",
        ),
    ] = None,
    files: Annotated[
        Path | None,
        typer.Option(
            "--files", help="The folder of the packages' files (wheels), whose checksums go into the index."
        ),
    ] = None,
) -> None:
    """Write the catalog index of the installed connectors, from their packages' metadata and files."""
    from interlace.cli.catalog_build import build_index
    from interlace.cli.catalog_index import CatalogError, read_index

    try:
        previous = read_index(str(output)) if output.exists() else None
        index = build_index(ConnectorRegistry(), packages or (), previous, files)
    except CatalogError as exc:
        _err.print(str(exc), style="bold red", markup=False)
        raise typer.Exit(1) from None
    output.write_text(
        index.model_dump_json(by_alias=True, indent=2, exclude_none=True) + "\n", encoding="utf-8"
    )
    _out.print(f"wrote {output}: {len(index.connectors)} connectors", markup=False)
