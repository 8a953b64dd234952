"""``interlace connector search|add|upgrade``: the connector store, over the catalog index and pip.

A running server uses what these commands install from its next deployment (deploy, redeploy, SIGHUP):
the runtime looks for connectors again before each one, without a restart.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from packaging.version import Version
from rich.console import Console
from rich.table import Table

from interlace.cli.catalog_index import (
    BUILT_IN_PACKAGE,
    CatalogEntry,
    CatalogError,
    choose_version,
    index_location,
    interlace_version,
    read_catalog,
)
from interlace.cli.catalog_install import PipOptions, install_version
from interlace.errors import did_you_mean
from interlace.sdk import ConnectorRegistry, RegistryError, installed_entry_points

__all__ = ["add", "installed_packages", "search", "search_catalog", "upgrade"]

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

IndexOption = Annotated[
    str | None,
    typer.Option(
        "--index",
        help="The catalog index (a JSON file or an http(s) URL); else $INTERLACE_CONNECTOR_INDEX, else"
        " [connectors] index of ./interlace.toml, else the index shipped with Interlace.",
    ),
]
FindLinksOption = Annotated[
    list[str] | None,
    typer.Option("--find-links", help="A folder or URL of package files for pip to look in (repeatable)."),
]
NoIndexOption = Annotated[
    bool, typer.Option("--no-index", help="pip looks only in --find-links, not in its package index.")
]
OutputOption = Annotated[str, typer.Option("--output", "-o", help="table or json.")]


def _fail(message: str) -> typer.Exit:
    _err.print(message, style="bold red", markup=False)
    return typer.Exit(1)


def installed_packages() -> dict[str, tuple[str, str | None]]:
    """Each installed connector's package and that package's installed version, read from the entry
    points without importing any connector."""
    found: dict[str, tuple[str, str | None]] = {}
    for entry_point in installed_entry_points():
        package = entry_point.dist.name if entry_point.dist is not None else "?"
        try:
            version: str | None = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = None
        found.setdefault(entry_point.name, (package, version))
    return found


def _catalog(index: str | None) -> dict[str, CatalogEntry]:
    try:
        return read_catalog(index_location(index))
    except CatalogError as exc:
        raise _fail(str(exc)) from None


def search_catalog(word: str, index: str | None) -> list[dict[str, Any]]:
    """Catalog entries and installed connectors whose name, description or keywords hold ``word``, with
    the newest version that supports this Interlace and the installed version."""
    needle = word.lower()
    interlace = interlace_version()
    installed = installed_packages()
    registry = ConnectorRegistry()
    found: dict[str, dict[str, Any]] = {}
    catalog = _catalog(index)
    for entry in catalog.values():
        text = " ".join([entry.name, entry.description, *entry.keywords]).lower()
        if needle not in text:
            continue
        fitting = [item for item in entry.versions if item.supports(interlace)]
        newest = max(fitting, key=lambda item: Version(item.version)).version if fitting else None
        found[entry.name] = {
            **entry.model_dump(mode="json", by_alias=True, exclude_none=True),
            "latest": newest,
            "installed": entry.name in installed,
            "installedVersion": _installed_version(entry.name, installed, registry),
        }
    for name, (package, version) in installed.items():
        if name in catalog:
            continue
        try:
            description = registry.get(name).description
        except RegistryError as exc:
            description = exc.message
        if needle in f"{name} {description}".lower():
            found[name] = {
                "name": name,
                "package": package,
                "description": description,
                "installed": True,
                "installedVersion": version,
            }
    return sorted(found.values(), key=lambda item: item["name"])


def _installed_version(
    name: str, installed: dict[str, tuple[str, str | None]], registry: ConnectorRegistry
) -> str | None:
    """The version of connector ``name`` installed: its package's, or for a built-in connector (whose
    package is Interlace) the connector's own, as the index lists it."""
    if name not in installed:
        return None
    package, version = installed[name]
    if package != BUILT_IN_PACKAGE:
        return version
    try:
        return registry.get(name).version
    except RegistryError:
        return None


def search(
    word: Annotated[str, typer.Argument(help="A word to look for in names, descriptions and keywords.")],
    index: IndexOption = None,
    output: OutputOption = "table",
) -> None:
    """Search the catalog index and the installed connectors."""
    found = search_catalog(word, index)
    if output == "json":
        typer.echo(json.dumps(found, indent=2))
        return
    if not found:
        _out.print(f"no connector matches {word!r}", markup=False)
        return
    table = Table("NAME", "PACKAGE", "LATEST", "INSTALLED", "DESCRIPTION")
    for item in found:
        table.add_row(
            item["name"],
            item["package"],
            item.get("latest") or "-",
            item["installedVersion"] or "yes" if item["installed"] else "no",
            item.get("description", "").split("\n\n")[0],
        )
    _out.print(table)


def _entry(catalog: dict[str, CatalogEntry], name: str) -> CatalogEntry:
    entry = catalog.get(name)
    if entry is None:
        hint = did_you_mean(name, catalog)
        raise _fail(
            f"no connector {name!r} in the catalog index"
            + (f" ({hint})" if hint else "")
            + "; to install a package file or folder, give its path"
        )
    return entry


def _install(entry: CatalogEntry, wanted: str | None, options: PipOptions) -> None:
    from interlace.cli.connectors import install_report, installed_versions

    try:
        version = choose_version(entry, wanted, interlace_version())
        installed = installed_packages().get(entry.name)
        if installed is not None and installed[0].lower() != entry.package.lower():
            raise CatalogError(
                f"connector {entry.name} is installed from package {installed[0]}, not {entry.package};"
                f" remove it first (interlace connector remove {entry.name})"
            )
        if (
            installed is not None
            and installed[1] is not None
            and Version(installed[1]) == Version(version.version)
        ):
            _out.print(f"{entry.name} {version.version} is installed already", markup=False)
            return
        before = installed_versions()
        install_version(entry, version, options, lambda line: _out.print(line, markup=False))
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    for line in install_report(before, installed_versions()):
        _out.print(line, markup=False)


def add(
    source: Annotated[
        str,
        typer.Argument(
            help="A connector of the catalog index (NAME or NAME==VERSION), or a package file or folder."
        ),
    ],
    index: IndexOption = None,
    find_links: FindLinksOption = None,
    no_index: NoIndexOption = False,
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
    """Install a connector into Interlace's environment: from the catalog index, the newest version that
    supports this Interlace (or the one named), its package file checked against the index's checksum;
    or a package file or folder as it is. A running server uses it from its next deployment."""
    if Path(source).exists() or "/" in source or source.endswith((".whl", ".tar.gz")):
        from interlace.cli.connectors import add_local

        add_local(source, no_build_isolation)
        return
    name, _, wanted = source.partition("==")
    entry = _entry(_catalog(index), name.strip())
    if entry.built_in:
        extras = importlib.metadata.metadata(BUILT_IN_PACKAGE).get_all("Provides-Extra") or []
        libraries = (
            f"; if its client libraries are missing, install them with: pip install 'interlace[{entry.name}]'"
            if entry.name in extras
            else ""
        )
        _out.print(f"{entry.name} is built into Interlace{libraries}", markup=False)
        return
    _install(entry, wanted.strip() or None, PipOptions(tuple(find_links or ()), no_index))


def upgrade(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="The connectors to upgrade; every one installed from the index if none."),
    ] = None,
    index: IndexOption = None,
    find_links: FindLinksOption = None,
    no_index: NoIndexOption = False,
) -> None:
    """Upgrade installed connectors to the newest version in the catalog index that supports this
    Interlace."""
    catalog = _catalog(index)
    installed = installed_packages()
    options = PipOptions(tuple(find_links or ()), no_index)
    chosen = names or [name for name in installed if name in catalog and not catalog[name].built_in]
    if not chosen:
        _out.print("no connector is installed from the catalog index", markup=False)
        return
    for name in chosen:
        if name not in installed:
            raise _fail(f"no connector {name!r} is installed; add it with: interlace connector add {name}")
        entry = _entry(catalog, name)
        if entry.built_in:
            _out.print(f"{name} is built into Interlace: it is upgraded with Interlace", markup=False)
            continue
        try:
            newest = choose_version(entry, None, interlace_version())
        except CatalogError as exc:
            raise _fail(str(exc)) from None
        current = installed[name][1]
        if current is not None and Version(current) >= Version(newest.version):
            _out.print(f"{name} {current} is up to date", markup=False)
            continue
        _install(entry, newest.version, options)
