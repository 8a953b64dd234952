"""``interlace connector list|info|search|add|remove|new``: find, inspect, install, remove and create
connectors."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from interlace.sdk import ConnectorRegistry, RegistryError, UnknownConnectorError, render_connector_reference

__all__ = ["catalog_entries", "connector_app", "search_connectors"]

connector_app = typer.Typer(
    help="Find, inspect, install, remove and create connectors.", no_args_is_help=True
)
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


def catalog_entries(extra: Path | None = None) -> list[dict[str, Any]]:
    """The shipped catalog, plus the entries of an index file (same JSON shape) when given."""
    shipped = json.loads(
        resources.files("interlace.cli").joinpath("catalog.json").read_text(encoding="utf-8")
    )
    entries: list[dict[str, Any]] = list(shipped["connectors"])
    if extra is not None:
        entries.extend(json.loads(extra.read_text(encoding="utf-8"))["connectors"])
    return entries


def search_connectors(
    word: str, registry: ConnectorRegistry, index: Path | None = None
) -> list[dict[str, Any]]:
    """Catalog entries and installed connectors whose name, description or keywords hold ``word``."""
    needle = word.lower()
    installed = {entry.connector.name: entry for entry in registry.load_all()[0]}
    found: dict[str, dict[str, Any]] = {}
    for item in catalog_entries(index):
        text = " ".join([item["name"], item.get("description", ""), *item.get("keywords", [])]).lower()
        if needle in text:
            found[item["name"]] = {**item, "installed": item["name"] in registry.names()}
    for name, entry in installed.items():
        text = f"{name} {entry.connector.description}".lower()
        if needle in text and name not in found:
            found[name] = {
                "name": name,
                "package": entry.distribution,
                "description": entry.connector.description,
                "installed": True,
            }
    return sorted(found.values(), key=lambda item: item["name"])


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


@connector_app.command()
def search(
    word: Annotated[str, typer.Argument(help="A word to look for in names, descriptions and keywords.")],
    index: Annotated[Path | None, typer.Option(help="An extra catalog index file (JSON).")] = None,
    output: OutputOption = "table",
) -> None:
    """Search the catalog of known connectors and the installed ones."""
    found = search_connectors(word, _registry(), index)
    if output == "json":
        typer.echo(json.dumps(found, indent=2))
        return
    if not found:
        _out.print(f"no connector matches {word!r}", markup=False)
        return
    table = Table("NAME", "PACKAGE", "INSTALLED", "DESCRIPTION")
    for item in found:
        table.add_row(
            item["name"], item["package"], "yes" if item["installed"] else "no", item.get("description", "")
        )
    _out.print(table)


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    _out.print("$ " + " ".join(command), markup=False)
    if subprocess.run(command, check=False).returncode != 0:
        _err.print("pip failed; nothing was changed", style="bold red", markup=False)
        raise typer.Exit(1)


@connector_app.command()
def add(
    source: Annotated[str, typer.Argument(help="A package name, a wheel file or a project folder.")],
    no_build_isolation: Annotated[
        bool,
        typer.Option(
            "--no-build-isolation",
            help="Build a project folder with the build tools installed in Interlace's environment"
            " (setuptools >= 70.1, or an older setuptools with wheel) instead of fetching them from"
            " the package index: for machines without access to it.",
        ),
    ] = False,
) -> None:
    """Install (or upgrade) a connector package into Interlace's environment with pip; a running server
    uses it from its next deployment (a redeploy looks for connectors again). pip builds a project folder
    in an isolated environment, with the build tools fetched from the package index: pass
    --no-build-isolation where the index cannot be reached."""
    before = _installed_versions()
    _pip("install", *(["--no-build-isolation"] if no_build_isolation else []), source)
    for line in install_report(before, _installed_versions()):
        _out.print(line, markup=False)


def _installed_versions() -> dict[str, tuple[str, str | None]]:
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
